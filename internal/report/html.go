package report

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"io"
	"strings"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/mutelist"
	"github.com/rootguard/rootguard/internal/termsafe"
)

var (
	//go:embed assets/report.html.tmpl
	htmlTemplateText string
	//go:embed assets/report.css
	htmlCSS string
)

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"time":     fmtTime,
	"label":    accountLabel,
	"status":   statusLabel,
	"muted":    muteText,
	"expired":  expiredText,
	"evidence": evidenceText,
	"refs":     referencesText,
}).Parse(htmlTemplateText))

// htmlView is what the template sees.
type htmlView struct {
	*Report
	CSS        template.CSS
	Severities []htmlSevCount
	Worst      []AccountSummary
	Groups     []htmlGroup
}

type htmlSevCount struct {
	Sev checks.Severity
	N   int
}

type htmlGroup struct {
	AccountSummary
	Open   []checks.Finding // FAIL and UNKNOWN
	Closed []checks.Finding // PASS and N/A, folded away
}

// writeHTML writes one self-contained page: CSS embedded, no scripts, no
// external resources, and a Content-Security-Policy that would block them
// anyway. html/template escapes every value.
func writeHTML(w io.Writer, r *Report) error {
	r = visibleReport(r)
	v := htmlView{
		Report: r,
		CSS:    template.CSS(htmlCSS), // a constant embedded in the binary
		Worst:  r.Summary.worstAccounts(),
	}
	for _, sc := range r.Summary.FailuresBySeverity.bySeverity() {
		v.Severities = append(v.Severities, htmlSevCount{Sev: sc.sev, N: sc.n})
	}
	for _, g := range r.groups() {
		hg := htmlGroup{AccountSummary: g.AccountSummary}
		for _, f := range g.Findings {
			if shown(f, false) {
				hg.Open = append(hg.Open, f)
			} else {
				hg.Closed = append(hg.Closed, f)
			}
		}
		v.Groups = append(v.Groups, hg)
	}
	return htmlTemplate.Execute(w, v)
}

// evidenceText is the evidence as indented JSON, or "" when there is none.
func evidenceText(ev map[string]any) (string, error) {
	if len(ev) == 0 {
		return "", nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // html/template escapes it
	enc.SetIndent("", "  ")
	if err := enc.Encode(ev); err != nil {
		return "", err
	}
	return termsafe.Escape(strings.TrimSuffix(b.String(), "\n"), true), nil
}

// visibleReport returns a copy of r whose text has control and bidi
// characters made visible (see visible); html/template escapes markup but
// passes those through, and a bidi override can make a name read backwards.
func visibleReport(r *Report) *Report {
	vis := func(s string) string { return termsafe.Escape(s, true) }
	visAll := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = vis(s)
		}
		return out
	}
	m := r.Meta
	m.Mode, m.OrganizationID, m.CallerARN, m.Tool = vis(m.Mode), vis(m.OrganizationID), vis(m.CallerARN), vis(m.Tool)
	fs := make([]checks.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.CheckID, f.AccountID, f.AccountName = vis(f.CheckID), vis(f.AccountID), vis(f.AccountName)
		f.Status, f.Severity = checks.Status(vis(string(f.Status))), checks.Severity(vis(string(f.Severity)))
		f.Title, f.Detail, f.Remediation = vis(f.Title), vis(f.Detail), vis(f.Remediation)
		if m := f.Muted; m != nil {
			f.Muted = &checks.Mute{Reason: vis(m.Reason), AcceptedBy: vis(m.AcceptedBy), Expires: vis(m.Expires)}
		}
		f.References = checks.References{
			SEC01BP02:   vis(f.References.SEC01BP02),
			CIS:         visAll(f.References.CIS),
			SecurityHub: visAll(f.References.SecurityHub),
		}
		fs[i] = f
	}
	out := New(m, fs, r.GeneratedAt)
	if ml := r.Mutelist; ml != nil {
		c := *ml
		c.Expired = make([]mutelist.Entry, len(ml.Expired))
		for i, e := range ml.Expired {
			c.Expired[i] = mutelist.Entry{Check: vis(e.Check), Accounts: visAll(e.Accounts), Reason: vis(e.Reason), AcceptedBy: vis(e.AcceptedBy), Expires: vis(e.Expires)}
		}
		out.Mutelist = &c
	}
	return out
}

// referencesText is "SEC01-BP02 …; CIS …; Security Hub …".
func referencesText(r checks.References) string {
	var parts []string
	if r.SEC01BP02 != "" {
		parts = append(parts, "SEC01-BP02: "+r.SEC01BP02)
	}
	if len(r.CIS) > 0 {
		parts = append(parts, "CIS "+strings.Join(r.CIS, ", "))
	}
	if len(r.SecurityHub) > 0 {
		parts = append(parts, "Security Hub "+strings.Join(r.SecurityHub, ", "))
	}
	return strings.Join(parts, " · ")
}
