package cli

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/compliance"
	"github.com/rootguard/rootguard/internal/report"
)

// ReportOptions are the flags of `rootguard report`.
type ReportOptions struct {
	Source    sourceOptions
	Framework string
	Format    string
	Output    string
}

// DefaultReportOptions returns the defaults.
func DefaultReportOptions() ReportOptions {
	return ReportOptions{Format: report.ComplianceFormats[0]}
}

// Validate checks the options against the known frameworks.
func (o *ReportOptions) Validate(ids []string) error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if !slices.Contains(ids, o.Framework) {
		return usageError("--framework %q: want one of %s", o.Framework, strings.Join(ids, ", "))
	}
	if !slices.Contains(report.ComplianceFormats, o.Format) {
		return usageError("--format %q: want one of %s", o.Format, strings.Join(report.ComplianceFormats, ", "))
	}
	return nil
}

func newReportCmd(e *env) *cobra.Command {
	o := DefaultReportOptions()
	frameworks, err := compliance.Frameworks(checks.Default())
	if err != nil {
		panic(err) // embedded data, tested: TestFrameworksBuild
	}
	ids := compliance.IDs(frameworks)
	cmd := &cobra.Command{
		Use:   "report --framework ID",
		Short: "Show the findings requirement by requirement for a compliance framework",
		Long: `Assess the organization (read-only) and show, requirement by requirement of a
framework, the checks behind it and their status in each account, and what a
person must confirm because no check covers it (MANUAL). A requirement's
status in an account is the worst of its checks'.

Frameworks: ` + strings.Join(ids, ", ") + `.

Exit codes: 0 written, 2 usage error, 3 the assessment could not run.`,
		Example: `  rootguard report --framework cis-7.0 --demo
  rootguard report --framework sec01-bp02 --snapshot snapshot.json --format html --output sec01.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(ids); err != nil {
				return err
			}
			src, err := o.Source.load(cmd.Context(), e)
			if err != nil {
				return err
			}
			cfg := checks.DefaultConfig(time.Now().UTC())
			cfg.OrgDomains = src.orgDomains
			cfg.Custody = src.custody
			findings := checks.Default().Assess(src.snapshot, cfg)
			view := compliance.NewView(frameworks[slices.Index(ids, o.Framework)], findings)
			return writeOutput(e.stdout, o.Output, "compliance view", func(w io.Writer) error { return report.WriteCompliance(w, o.Format, view) })
		},
	}
	o.Source.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.Framework, "framework", "", "`ID` of the framework: "+strings.Join(ids, ", "))
	f.StringVarP(&o.Format, "format", "f", o.Format, "output format: "+strings.Join(report.ComplianceFormats, ", "))
	f.StringVarP(&o.Output, "output", "o", "", "write the view to `FILE` (created 0600) instead of stdout")
	return cmd
}
