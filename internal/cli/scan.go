package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/version"
)

// ScanOptions are the flags of `rootguard scan`.
type ScanOptions struct {
	Source            sourceOptions
	Format            string
	Output            string
	OutputDir         string
	OutputName        string
	FailOn            string
	Verbose           bool
	OrgDomains        []string
	MailboxPatterns   []string
	RecentUseWindow   time.Duration
	PasswordMaxAge    time.Duration
	MFAHardwareMaxAge time.Duration
}

// DefaultScanOptions returns the defaults.
func DefaultScanOptions() ScanOptions {
	d := checks.DefaultConfig(time.Time{})
	return ScanOptions{
		Format:            "table",
		OutputName:        defaultOutputName,
		RecentUseWindow:   d.RecentUseWindow,
		PasswordMaxAge:    d.PasswordMaxAge,
		MFAHardwareMaxAge: d.MFAHardwareMaxAge,
	}
}

// Validate checks the options.
func (o *ScanOptions) Validate() error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if err := o.validateOutputs(); err != nil {
		return err
	}
	if o.FailOn != "" && o.FailOn != "none" {
		if _, err := checks.ParseSeverity(o.FailOn); err != nil {
			return usageError("--fail-on: %v", err)
		}
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"recent-use-window", o.RecentUseWindow}, {"password-max-age", o.PasswordMaxAge}, {"mfa-hardware-max-age", o.MFAHardwareMaxAge}} {
		if d.v <= 0 {
			return usageError("--%s %s: want a positive duration", d.flag, formatDuration(d.v))
		}
	}
	return nil
}

func newScanCmd(e *env) *cobra.Command {
	o := DefaultScanOptions()
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Assess the root user's posture (read-only)",
		Long: `Collect root-user facts (read-only) and assess them with every check.

Live AWS by default, with the standard credential chain; --org covers the whole
organization from the management or delegated administrator account. --demo runs
on the built-in demo organization, --snapshot on a saved snapshot.

Exit codes: 0 no finding at or above --fail-on (or --fail-on not set), 1 such a
finding, 2 usage error, 3 the scan could not run.`,
		Example: `  rootguard scan --demo
  rootguard scan --org --format json --output findings.json --fail-on high
  rootguard scan --snapshot snapshot.json --org-domain example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runScan(cmd, e, &o)
		},
	}
	o.Source.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", o.Format, "output format: "+strings.Join(report.Formats, ", ")+"; several, separated by commas, with --output-dir")
	f.StringVarP(&o.Output, "output", "o", "", "write the report to `FILE` instead of stdout")
	f.StringVar(&o.OutputDir, "output-dir", "", "write one report file per --format into `DIR` (created if missing), named by --output-name")
	f.StringVar(&o.OutputName, "output-name", o.OutputName, "Go `TEMPLATE` of each file name under --output-dir: {{.Timestamp}} (UTC, 20261206T221500Z), {{.Format}}, {{.Ext}}")
	f.StringVar(&o.FailOn, "fail-on", "", "exit 1 when a FAIL finding has this `SEVERITY` or higher (info, low, medium, high, critical)")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "also list PASS and NOT_APPLICABLE findings")
	f.StringSliceVar(&o.OrgDomains, "org-domain", nil, "email `DOMAIN` the organization owns (repeatable); root emails elsewhere fail root-email-org-domain")
	f.StringSliceVar(&o.MailboxPatterns, "shared-mailbox-pattern", nil, "glob `PATTERN` of root emails known to be lists, e.g. 'cloud-*@example.com' (repeatable)")
	daysDurationVar(f, &o.RecentUseWindow, "recent-use-window", o.RecentUseWindow, "root use newer than this fails root-recent-use")
	daysDurationVar(f, &o.PasswordMaxAge, "password-max-age", o.PasswordMaxAge, "a root password older than this fails root-password-age")
	daysDurationVar(f, &o.MFAHardwareMaxAge, "mfa-hardware-max-age", o.MFAHardwareMaxAge, "a hardware TOTP device older than this is due for battery replacement")
	return cmd
}

func runScan(cmd *cobra.Command, e *env, o *ScanOptions) error {
	ctx := cmd.Context()
	src, err := o.Source.load(ctx, e)
	if err != nil {
		return err
	}
	domains := o.OrgDomains
	if len(domains) == 0 {
		domains = src.orgDomains
	}
	now := time.Now().UTC()
	cfg := checks.DefaultConfig(now)
	cfg.OrgDomains = domains
	cfg.SharedMailboxPatterns = o.MailboxPatterns
	cfg.RecentUseWindow = o.RecentUseWindow
	cfg.PasswordMaxAge = o.PasswordMaxAge
	cfg.MFAHardwareMaxAge = o.MFAHardwareMaxAge

	s := src.snapshot
	findings := checks.Default().Assess(s, cfg)
	meta := report.Meta{Mode: src.mode, CollectedAt: s.CollectedAt, Tool: "rootguard " + version.Get().Version}
	if s.Organization != nil {
		meta.OrganizationID = s.Organization.ID
		meta.ManagementAccountID = s.Organization.ManagementAccountID
	}
	for _, a := range s.Accounts {
		if a.State != "" && a.State != "ACTIVE" {
			if meta.Inactive == nil {
				meta.Inactive = map[string]string{}
			}
			meta.Inactive[a.ID] = a.State
		}
	}
	meta.CallerARN = s.Caller.Value.ARN
	rep := report.New(meta, findings, now)

	if o.OutputDir != "" {
		err = writeReportFiles(e, o, rep, report.Options{Verbose: o.Verbose, Region: o.Source.Region}, now)
	} else {
		err = writeReportOutput(e, o, rep)
	}
	if err != nil {
		return err
	}
	if o.FailOn != "" && o.FailOn != "none" {
		sev, _ := checks.ParseSeverity(o.FailOn)
		if n := rep.AtOrAbove(sev); n > 0 {
			e.log.Info("failing findings at or above threshold", "fail_on", string(sev), "count", n)
			return withCode(ExitFindings, nil)
		}
	}
	return nil
}

// openOutput returns stdout, or a file created at path (0600, see
// createPrivate). closeOut must be called; it reports the file's close error.
func openOutput(stdout io.Writer, path string) (w io.Writer, closeOut func() error, err error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := createPrivate(path)
	if err != nil {
		return nil, nil, fmt.Errorf("output: %w", err)
	}
	return f, f.Close, nil
}
