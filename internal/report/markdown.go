package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// writeMarkdown writes GitHub-flavoured markdown: a summary table, the
// accounts worst first, the accounts that could not be fully assessed, one
// section per account with its FAIL and UNKNOWN findings (all findings when
// verbose), and per-check counts.
func writeMarkdown(w io.Writer, r *Report, opts Options) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	s := &r.Summary
	m := r.Meta

	p("# rootguard findings report\n\n")
	meta := []string{"Generated " + mdEscape(r.GeneratedAt.Format("2006-01-02 15:04 UTC"))}
	if m.Tool != "" {
		meta[0] += " by " + mdEscape(m.Tool)
	}
	if m.OrganizationID != "" {
		meta = append(meta, "organization "+mdEscape(m.OrganizationID))
	}
	if m.Mode != "" {
		meta = append(meta, "mode "+mdEscape(m.Mode))
	}
	if !m.CollectedAt.IsZero() {
		meta = append(meta, "collected "+m.CollectedAt.Format("2006-01-02 15:04 UTC"))
	}
	p("%s.\n\n", strings.Join(meta, " · "))

	p("## Summary\n\n")
	p("| Accounts assessed | Not fully assessed | FAIL | UNKNOWN | PASS | N/A |\n")
	p("|---:|---:|---:|---:|---:|---:|\n")
	p("| %d | %d | %d | %d | %d | %d |\n\n", s.AccountsAssessed, len(s.NotFullyAssessed),
		s.ByStatus.Fail, s.ByStatus.Unknown, s.ByStatus.Pass, s.ByStatus.NotApplicable)
	p("**Failures by severity:** %s\n\n", painter{}.severityCounts(s.FailuresBySeverity, "none"))
	if s.Muted > 0 {
		p("**Muted:** %s accepted by the mutelist (shown as MUTED, ignored by `--fail-on`).\n\n", plural(s.Muted, "finding", "findings"))
	}
	if r.Mutelist != nil && len(r.Mutelist.Expired) > 0 {
		p("**Expired mutelist entries (no longer applied):**\n\n")
		for _, e := range r.Mutelist.Expired {
			p("- %s\n", mdEscape(expiredText(e)))
		}
		p("\n")
	}

	if d := r.Diff; d != nil {
		p("## Changes since the baseline\n\n")
		p("Baseline of %s: **%d new**, %d resolved, %d changed.\n\n", d.BaselineGeneratedAt.Format("2006-01-02 15:04 UTC"), len(d.New), len(d.Resolved), len(d.Changed))
		if len(d.New)+len(d.Resolved)+len(d.Changed) > 0 {
			p("| Change | Severity | Account | Check | Status |\n")
			p("|---|---|---|---|---|\n")
			for _, g := range d.groups() {
				for _, e := range sorted(g.entries) {
					p("| %s | %s | %s | %s | %s |\n", g.title, mdCell(string(e.Severity)), mdCell(accountLabel(e.AccountName, e.AccountID)), mdCode(e.CheckID), mdCell(transition(e)))
				}
			}
			p("\n")
		}
	}

	if worst := s.worstAccounts(); len(worst) > 0 {
		p("### Accounts with findings\n\n")
		p("| Account | ID | Critical | High | Medium | Low | Info | UNKNOWN |\n")
		p("|---|---|---:|---:|---:|---:|---:|---:|\n")
		for _, a := range worst {
			c := a.FailuresBySeverity
			p("| %s | %s | %d | %d | %d | %d | %d | %d |\n", mdCell(a.AccountName), mdCell(a.AccountID),
				c.Critical, c.High, c.Medium, c.Low, c.Info, a.ByStatus.Unknown)
		}
		p("\n")
	}

	if len(s.NotFullyAssessed) > 0 {
		p("### Not fully assessed\n\n")
		for _, na := range s.NotFullyAssessed {
			p("- **%s**\n", mdEscape(accountLabel(na.AccountName, na.AccountID)))
			for _, rsn := range na.Reasons {
				p("  - %s: %s\n", mdCode(rsn.CheckID), mdEscape(oneLine(rsn.Detail)))
			}
		}
		p("\n")
	}

	for _, g := range r.groups() {
		rows := shownOf(g.Findings, opts.Verbose)
		p("## %s\n\n", mdEscape(accountLabel(g.AccountName, g.AccountID)))
		p("%s.\n\n", mdStatusCounts(g.ByStatus))
		if len(rows) == 0 {
			continue
		}
		p("| Status | Severity | Check | Detail |\n")
		p("|---|---|---|---|\n")
		for _, f := range rows {
			status := mdEscape(statusLabel(f.Status))
			if f.Status == checks.Fail {
				status = "**" + status + "**"
			}
			detail := mdCell(f.Detail)
			if f.Muted != nil {
				status += " MUTED"
				detail += "<br>" + mdCell(muteText(f.Muted))
			}
			p("| %s | %s | %s | %s |\n", status, mdCell(string(f.Severity)), mdCode(f.CheckID), detail)
		}
		p("\n")
	}

	if len(s.Checks) > 0 {
		p("## Checks\n\n")
		p("| Check | Severity | FAIL | UNKNOWN | PASS | N/A |\n")
		p("|---|---|---:|---:|---:|---:|\n")
		for _, c := range s.Checks {
			p("| %s | %s | %d | %d | %d | %d |\n", mdCode(c.CheckID), mdCell(string(c.Severity)),
				c.ByStatus.Fail, c.ByStatus.Unknown, c.ByStatus.Pass, c.ByStatus.NotApplicable)
		}
		p("\n")
	}
	return bw.Flush()
}

func mdStatusCounts(c StatusCounts) string {
	return fmt.Sprintf("%d FAIL · %d UNKNOWN · %d PASS · %d N/A", c.Fail, c.Unknown, c.Pass, c.NotApplicable)
}

// mdReplacer escapes what markdown or inline HTML would interpret. Text from
// AWS must render as text: no links, images, emphasis or HTML tags. With
// brackets escaped, parentheses cannot form a link and need no escape.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`|`, `\|`, `~`, `\~`, `>`, `&gt;`, `<`, `&lt;`, `&`, `&amp;`,
)

// mdEscape escapes s for use in markdown text; control characters are made
// visible and newlines become spaces.
func mdEscape(s string) string {
	return mdReplacer.Replace(termsafe.Escape(oneLine(s), false))
}

// mdCell escapes s for a table cell; newlines become <br>.
func mdCell(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = mdReplacer.Replace(termsafe.Escape(l, false))
	}
	return strings.Join(lines, "<br>")
}

// mdCode renders a check ID as code when it is plain kebab-case, and as
// escaped text otherwise (a code span cannot escape a backtick).
func mdCode(id string) string {
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			return mdEscape(id)
		}
	}
	if id == "" {
		return ""
	}
	return "`" + id + "`"
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
