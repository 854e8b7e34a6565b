package cli

import (
	"fmt"
	"io"
	"slices"
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
	FailOn            string
	Verbose           bool
	OrgDomains        []string
	MailboxPatterns   []string
	RecentUseWindow   time.Duration
	PasswordMaxAge    time.Duration
	MFAHardwareMaxAge time.Duration
	Send              string // send.go
}

// DefaultScanOptions returns the defaults.
func DefaultScanOptions() ScanOptions {
	d := checks.DefaultConfig(time.Time{})
	return ScanOptions{
		Format:            "table",
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
	if !slices.Contains(report.Formats, o.Format) {
		return usageError("--format %q: want one of %s", o.Format, strings.Join(report.Formats, ", "))
	}
	if o.FailOn != "" && o.FailOn != "none" {
		if _, err := checks.ParseSeverity(o.FailOn); err != nil {
			return usageError("--fail-on: %v", err)
		}
	}
	if err := validateSend(o.Send); err != nil {
		return err
	}
	for _, d := range []time.Duration{o.RecentUseWindow, o.PasswordMaxAge, o.MFAHardwareMaxAge} {
		if d <= 0 {
			return usageError("durations must be positive")
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
	f.StringVarP(&o.Format, "format", "f", o.Format, "output format: "+strings.Join(report.Formats, ", "))
	f.StringVarP(&o.Output, "output", "o", "", "write the report to `FILE` instead of stdout")
	f.StringVar(&o.FailOn, "fail-on", "", "exit 1 when a FAIL finding has this `SEVERITY` or higher (info, low, medium, high, critical)")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "also list PASS and NOT_APPLICABLE findings")
	f.StringSliceVar(&o.OrgDomains, "org-domain", nil, "email `DOMAIN` the organization owns (repeatable); root emails elsewhere fail root-email-org-domain")
	f.StringSliceVar(&o.MailboxPatterns, "shared-mailbox-pattern", nil, "glob `PATTERN` of root emails known to be lists, e.g. 'cloud-*@example.com' (repeatable)")
	daysDurationVar(f, &o.RecentUseWindow, "recent-use-window", o.RecentUseWindow, "root use newer than this fails root-recent-use")
	daysDurationVar(f, &o.PasswordMaxAge, "password-max-age", o.PasswordMaxAge, "a root password older than this fails root-password-age")
	f.StringVar(&o.Send, "send", "", "also import the findings into `TARGET` (securityhub: BatchImportFindings in the credentials' Region; a write)")
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

	w, closeOut, err := openOutput(e.stdout, o.Output)
	if err != nil {
		return err
	}
	opts := report.Options{Verbose: o.Verbose, Color: o.Output == "" && e.colorOn(e.stdout), Region: o.Source.Region}
	if o.Output == "" {
		opts.Width = terminalWidth(e.stdout)
	}
	if err := report.Write(w, o.Format, rep, opts); err != nil {
		closeOut()
		return fmt.Errorf("write report: %w", err)
	}
	if err := closeOut(); err != nil {
		return err
	}
	if o.Send != "" {
		if err := send(ctx, e, &o.Source, rep); err != nil {
			return err
		}
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
