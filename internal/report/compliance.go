package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/compliance"
)

// ComplianceFormats lists the formats WriteCompliance accepts, the default first.
var ComplianceFormats = []string{"markdown", "html"}

//go:embed assets/compliance.html.tmpl
var complianceTemplateText string

var complianceTemplate = template.Must(template.New("compliance").Funcs(template.FuncMap{
	"label":  accountLabel,
	"status": func(s string) string { return statusLabel(checks.Status(s)) },
}).Parse(complianceTemplateText))

// WriteCompliance renders a framework's view in format, one of
// ComplianceFormats.
func WriteCompliance(w io.Writer, format string, v compliance.View) error {
	switch format {
	case "markdown":
		return writeComplianceMarkdown(w, v)
	case "html":
		return complianceTemplate.Execute(w, struct {
			compliance.View
			CSS template.CSS
		}{v, template.CSS(htmlCSS)})
	}
	return fmt.Errorf("unknown compliance format %q (want one of %s)", format, strings.Join(ComplianceFormats, ", "))
}

func writeComplianceMarkdown(w io.Writer, v compliance.View) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nrootguard compliance view: %d accounts, %d requirements. A requirement's status in an account is the worst of its checks' (FAIL, UNKNOWN, PASS, N/A); MANUAL means no check covers it.\n\n",
		mdEscape(v.Framework.Title), len(v.Accounts), len(v.Rows))
	b.WriteString("| requirement | checks | FAIL | UNKNOWN | PASS | N/A | manual |\n|---|---|--:|--:|--:|--:|---|\n")
	for _, r := range v.Rows {
		n := r.Counts()
		manual := ""
		if r.Requirement.Manual != "" {
			manual = "yes"
		}
		fmt.Fprintf(&b, "| %s %s | %s | %d | %d | %d | %d | %s |\n", mdEscape(r.Requirement.ID), mdEscape(r.Requirement.Title),
			mdCodes(r.Requirement.Checks), n[string(checks.Fail)], n[string(checks.Unknown)], n[string(checks.Pass)], n[string(checks.NotApplicable)], manual)
	}
	for _, r := range v.Rows {
		fmt.Fprintf(&b, "\n## %s %s\n\n", mdEscape(r.Requirement.ID), mdEscape(r.Requirement.Title))
		if r.Requirement.Manual != "" {
			fmt.Fprintf(&b, "**Manual:** %s\n\n", mdEscape(r.Requirement.Manual))
		}
		if len(r.Requirement.Checks) == 0 {
			b.WriteString("No check covers this requirement.\n")
			continue
		}
		b.WriteString("| account | requirement |")
		for _, c := range r.Requirement.Checks {
			fmt.Fprintf(&b, " %s |", mdCode(c))
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---|", len(r.Requirement.Checks)) + "\n")
		for i, a := range v.Accounts {
			fmt.Fprintf(&b, "| %s | %s |", mdCell(accountLabel(a.Name, a.ID)), statusLabel(checks.Status(r.Status[i])))
			for _, c := range r.Requirement.Checks {
				fmt.Fprintf(&b, " %s |", statusLabel(checks.Status(r.Checks[c][i])))
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCodes lists check IDs as code, or "none".
func mdCodes(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = mdCode(id)
	}
	return strings.Join(out, ", ")
}
