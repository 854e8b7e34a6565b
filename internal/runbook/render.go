package runbook

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// Formats are the renderings of a runbook, the default first.
var Formats = []string{"markdown", "html"}

// Write renders rb in format, one of Formats.
func Write(w io.Writer, format string, rb *Runbook) error {
	switch format {
	case "markdown":
		return WriteMarkdown(w, rb)
	case "html":
		return WriteHTML(w, rb)
	}
	return fmt.Errorf("runbook format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// title is the runbook's heading.
func (rb *Runbook) title() string {
	t := "Root runbook: account " + rb.AccountID
	if rb.AccountName != "" {
		t += " (" + rb.AccountName + ")"
	}
	return t
}

// summary is the line under the heading.
func (rb *Runbook) summary() string {
	s := "Role: " + rb.Role + ". Root email: " + rb.RootEmail + "."
	if !rb.CollectedAt.IsZero() {
		s += " Facts collected " + rb.CollectedAt.UTC().Format(time.RFC3339) + "."
	}
	return s
}

// md escapes text for Markdown: the characters that would start markup,
// and HTML, which Markdown passes through.
var md = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;",
	"|", `\|`, "#", `\#`, "\n", " ")

// WriteMarkdown writes the runbook as Markdown.
func WriteMarkdown(w io.Writer, rb *Runbook) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", md.Replace(rb.title()), md.Replace(rb.summary()))
	for _, s := range rb.Sections {
		fmt.Fprintf(&b, "## %s\n\n", md.Replace(s.Title))
		if s.Intro != "" {
			fmt.Fprintf(&b, "%s\n\n", md.Replace(s.Intro))
		}
		for i, item := range s.Items {
			bullet := "-"
			if s.Steps {
				bullet = fmt.Sprintf("%d.", i+1)
			}
			fmt.Fprintf(&b, "%s %s\n", bullet, md.Replace(item))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Posture at the last scan\n\n| check | status | detail |\n|---|---|---|\n")
	for _, r := range rb.Posture {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Check, md.Replace(r.Status), md.Replace(r.Detail))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var htmlTemplate = template.Must(template.New("runbook").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:60em;margin:2em auto;line-height:1.45}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
.FAIL{color:#b00;font-weight:bold}.UNKNOWN{color:#a60}.PASS{color:#070}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Summary}}</p>
{{range .Sections}}<h2>{{.Title}}</h2>{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{if .Steps}}<ol>{{range .Items}}<li>{{.}}</li>{{end}}</ol>{{else}}<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{end}}<h2>Posture at the last scan</h2>
<table><tr><th>check</th><th>status</th><th>detail</th></tr>
{{range .Posture}}<tr><td><code>{{.Check}}</code></td><td class="{{.Status}}">{{.Status}}</td><td>{{.Detail}}</td></tr>
{{end}}</table></body></html>
`))

// WriteHTML writes the runbook as one HTML page, every value escaped.
func WriteHTML(w io.Writer, rb *Runbook) error {
	return htmlTemplate.Execute(w, struct {
		*Runbook
		Title, Summary string
	}{rb, rb.title(), rb.summary()})
}
