package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/detect"
)

// checksSchema and rulesSchema name the JSON documents of explain and rules.
const (
	checksSchema = "rootguard.checks/v1"
	rulesSchema  = "rootguard.rules/v1"
)

// checkDoc is one check of explain --format json.
type checkDoc struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	SEC01BP02   string   `json:"sec01_bp02"`
	CIS         []string `json:"cis"`
	SecurityHub []string `json:"security_hub"`
	Doc         string   `json:"doc"`
	Remediation string   `json:"remediation"`
}

// writeChecksJSON writes the checks as one rootguard.checks/v1 document.
func writeChecksJSON(w io.Writer, cs []*checks.Check) error {
	docs := make([]checkDoc, 0, len(cs))
	for _, c := range cs {
		docs = append(docs, checkDoc{
			ID:          c.ID,
			Title:       c.Title,
			Severity:    string(c.Severity),
			SEC01BP02:   c.References.SEC01BP02,
			CIS:         nonNil(c.References.CIS),
			SecurityHub: nonNil(c.References.SecurityHub),
			Doc:         strings.TrimSpace(c.Doc),
			Remediation: strings.TrimSpace(c.Remediation),
		})
	}
	return writeJSONDoc(w, struct {
		Schema string     `json:"schema"`
		Checks []checkDoc `json:"checks"`
	}{checksSchema, docs})
}

// ruleDoc is one detection rule of rules --format json.
type ruleDoc struct {
	ID           string      `json:"id"`
	Title        string      `json:"title"`
	Severity     string      `json:"severity"`
	SeverityNote string      `json:"severity_note,omitempty"`
	Summary      string      `json:"summary"`
	Doc          string      `json:"doc"`
	Scope        []clauseDoc `json:"scope"`
}

// clauseDoc is one clause of a rule's scope: the records it can fire on.
type clauseDoc struct {
	EventSource  string   `json:"event_source,omitempty"`
	EventNames   []string `json:"event_names,omitempty"`
	IdentityType string   `json:"identity_type,omitempty"`
	IssuerType   string   `json:"issuer_type,omitempty"`
	AssumedRoot  bool     `json:"assumed_root,omitempty"`
}

func writeRulesJSON(w io.Writer, rs []*detect.Rule) error {
	docs := make([]ruleDoc, 0, len(rs))
	for _, r := range rs {
		d := ruleDoc{ID: r.ID, Title: r.Title, Severity: string(r.Severity), SeverityNote: r.SeverityNote,
			Summary: strings.TrimSpace(r.Summary), Doc: strings.TrimSpace(r.Doc)}
		for _, c := range r.Scope {
			d.Scope = append(d.Scope, clauseDoc(c))
		}
		docs = append(docs, d)
	}
	return writeJSONDoc(w, struct {
		Schema string    `json:"schema"`
		Rules  []ruleDoc `json:"rules"`
	}{rulesSchema, docs})
}

func writeRulesTable(w io.Writer, rs []*detect.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tTITLE")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
	}
	return tw.Flush()
}

func writeJSONDoc(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func newRulesCmd(e *env) *cobra.Command {
	format := "table"
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the CloudTrail detection rules",
		Long: `List the root-activity detection rules that trail scan and trail query apply:
ID, default severity and title as a table, or with --format json the whole
registry (rootguard.rules/v1): summary, documentation and the scope of records
each rule can fire on. docs/detection.md explains each rule.

Exit codes: 0 printed, 2 usage error.`,
		Example: `  rootguard rules
  rootguard rules --format json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			switch format {
			case "table":
				return writeRulesTable(e.stdout, detect.Rules())
			case "json":
				return writeRulesJSON(e.stdout, detect.Rules())
			}
			return usageError("--format %q: want table or json", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", format, "output format: table, json")
	return cmd
}
