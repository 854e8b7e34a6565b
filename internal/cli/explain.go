package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/suggest"
)

func newExplainCmd(e *env) *cobra.Command {
	format := "text"
	cmd := &cobra.Command{
		Use:   "explain [CHECK-ID]",
		Short: "Explain a check: what it verifies, why, and how to fix it",
		Long: `Print a check's documentation: severity, SEC01-BP02 step, CIS and Security
Hub controls, what it verifies and why, and the remediation. Without an
argument, list every check with its severity and title. docs/checks.md is the
same catalogue. --format json prints the registry (or the one check) as one
rootguard.checks/v1 document: ID, title, severity, SEC01-BP02 step, CIS and
Security Hub IDs, documentation and remediation.

Exit codes: 0 printed, 2 no such check.`,
		Example: `  rootguard explain
  rootguard explain root-mfa-hardware
  rootguard explain --format json`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, c := range checks.Default().Checks() {
				ids = append(ids, c.ID)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format %q: want text or json", format)
			}
			reg := checks.Default()
			if len(args) == 0 {
				if format == "json" {
					return writeChecksJSON(e.stdout, reg.Checks())
				}
				for _, c := range reg.Checks() {
					fmt.Fprintf(e.stdout, "%-36s %-8s %s\n", c.ID, c.Severity, c.Title)
				}
				return nil
			}
			c, ok := reg.Lookup(args[0])
			if !ok {
				return usageError("no check %q%s (run 'rootguard explain' for the list)", args[0], suggest.DidYouMean(args[0], checkIDs()))
			}
			if format == "json" {
				return writeChecksJSON(e.stdout, []*checks.Check{c})
			}
			return writeExplain(e.stdout, c)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", format, "output format: text, json")
	return cmd
}

// checkIDs lists the IDs of the default checks, in registry order.
func checkIDs() []string {
	var ids []string
	for _, c := range checks.Default().Checks() {
		ids = append(ids, c.ID)
	}
	return ids
}

func writeExplain(w io.Writer, c *checks.Check) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", c.ID, c.Title)
	fmt.Fprintf(&b, "Severity: %s\n", c.Severity)
	fmt.Fprintf(&b, "SEC01-BP02: %s\n", c.References.SEC01BP02)
	if len(c.References.CIS) > 0 {
		fmt.Fprintf(&b, "CIS AWS Foundations: %s\n", strings.Join(c.References.CIS, ", "))
	}
	if len(c.References.SecurityHub) > 0 {
		fmt.Fprintf(&b, "Security Hub: %s\n", strings.Join(c.References.SecurityHub, ", "))
	}
	fmt.Fprintf(&b, "\n%s\n\nRemediation:\n%s\n", strings.TrimSpace(c.Doc), strings.TrimSpace(c.Remediation))
	_, err := io.WriteString(w, b.String())
	return err
}
