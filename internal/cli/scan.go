package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/mutelist"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/store"
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
	// DomainExpiryWindow: a registered root email domain expiring sooner
	// fails root-email-domain-registration.
	DomainExpiryWindow time.Duration
	// Mutelist is the YAML file of accepted risks (see docs/mutelist.md).
	Mutelist string
	// Report filters: what is reported, not what is collected.
	Checks, ExcludeChecks, Severities, Statuses, Accounts, OUs []string
	filter                                                     mutelist.Filter
	// Baseline is an earlier scan's json report to diff against, or
	// BaselineStore for the latest scan recorded in the store.
	Baseline string
	// Record stores the scan's findings in the store (--db).
	Record bool
	// FailOnNew exits 1 on a new unmuted FAIL (at or above --fail-on).
	FailOnNew bool
	Send      string // send.go
	// Custody is a custody registry file (rootguard.custody/v1); otherwise
	// the registry is read from the store (custody.go).
	Custody string
}

// BaselineStore, as --baseline, diffs against the latest recorded scan.
const BaselineStore = "store"

// DefaultScanOptions returns the defaults.
func DefaultScanOptions() ScanOptions {
	d := checks.DefaultConfig(time.Time{})
	return ScanOptions{
		Format:             "table",
		OutputName:         defaultOutputName,
		RecentUseWindow:    d.RecentUseWindow,
		PasswordMaxAge:     d.PasswordMaxAge,
		MFAHardwareMaxAge:  d.MFAHardwareMaxAge,
		DomainExpiryWindow: d.DomainExpiryWindow,
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
	if err := validateSend(o.Send); err != nil {
		return err
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"recent-use-window", o.RecentUseWindow}, {"password-max-age", o.PasswordMaxAge}, {"mfa-hardware-max-age", o.MFAHardwareMaxAge}, {"domain-expiry-window", o.DomainExpiryWindow}} {
		if d.v <= 0 {
			return usageError("--%s %s: want a positive duration", d.flag, formatDuration(d.v))
		}
	}
	if o.FailOnNew && o.Baseline == "" {
		return usageError("--fail-on-new needs --baseline")
	}
	f, err := mutelist.NewFilter(o.Checks, o.ExcludeChecks, o.Severities, o.Statuses, o.Accounts, o.OUs, checkIDs())
	if err != nil {
		return usageError("report filter: %v", err)
	}
	o.filter = f
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
finding (or, with --fail-on-new, a FAIL new since --baseline), 2 usage error,
3 the scan could not run. Muted findings (--mutelist) never fail.`,
		Example: `  rootguard scan --demo
  rootguard scan --org --format json --output findings.json --fail-on high
  rootguard scan --snapshot snapshot.json --org-domain example.com
  rootguard scan --org --mutelist mutelist.yaml --baseline previous.json --fail-on-new --format markdown
  rootguard scan --org --record --baseline store --fail-on-new`,
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
	f.StringVar(&o.Mutelist, "mutelist", "", "YAML `FILE` of accepted risks (check, accounts, reason, accepted_by, expires); matching findings are reported as MUTED and ignored by --fail-on")
	f.StringVar(&o.Baseline, "baseline", "", "an earlier scan's json report (`FILE`), or \"store\" for the latest scan recorded in --db: report new, resolved and changed findings")
	f.BoolVar(&o.Record, "record", false, "store this scan's reported findings in the database (--db), for history and --baseline store")
	f.BoolVar(&o.FailOnNew, "fail-on-new", false, "exit 1 when a FAIL finding is new since --baseline (at or above --fail-on's severity; muted ones excepted)")
	f.StringSliceVar(&o.Checks, "check", nil, "report only these check `IDS` (repeatable; collection is unchanged)")
	f.StringSliceVar(&o.ExcludeChecks, "exclude-check", nil, "do not report these check `IDS` (repeatable)")
	f.StringSliceVar(&o.Severities, "severity", nil, "report only findings of these `SEVERITIES` (info, low, medium, high, critical)")
	f.StringSliceVar(&o.Statuses, "status", nil, "report only findings with these `STATUSES` (PASS, FAIL, UNKNOWN, NOT_APPLICABLE)")
	f.StringSliceVar(&o.Accounts, "account", nil, "report only these account `IDS` (with --ou: either)")
	f.StringSliceVar(&o.OUs, "ou", nil, "report only accounts under these `OUS`: OU or root IDs, or OU paths such as /Workloads/Prod")
	f.StringSliceVar(&o.OrgDomains, "org-domain", nil, "email `DOMAIN` the organization owns (repeatable); root emails elsewhere fail root-email-org-domain")
	f.StringSliceVar(&o.MailboxPatterns, "shared-mailbox-pattern", nil, "glob `PATTERN` of root emails known to be lists, e.g. 'cloud-*@example.com' (repeatable)")
	daysDurationVar(f, &o.RecentUseWindow, "recent-use-window", o.RecentUseWindow, "root use newer than this fails root-recent-use")
	daysDurationVar(f, &o.PasswordMaxAge, "password-max-age", o.PasswordMaxAge, "a root password older than this fails root-password-age")
	f.StringVar(&o.Send, "send", "", "also import the findings into `TARGET` (securityhub: BatchImportFindings in the credentials' Region; a write)")
	daysDurationVar(f, &o.MFAHardwareMaxAge, "mfa-hardware-max-age", o.MFAHardwareMaxAge, "a hardware TOTP device older than this is due for battery replacement")
	daysDurationVar(f, &o.DomainExpiryWindow, "domain-expiry-window", o.DomainExpiryWindow, "a root email domain registered through Route 53 Domains that expires sooner than this fails root-email-domain-registration")
	f.StringVar(&o.Custody, "custody", "", "custody registry `FILE` (rootguard.custody/v1) for the custody-* checks, instead of the store's (--demo: the demo's)")
	return cmd
}

func runScan(cmd *cobra.Command, e *env, o *ScanOptions) error {
	ctx := cmd.Context()
	var mutes *mutelist.List
	if o.Mutelist != "" {
		l, err := mutelist.Load(o.Mutelist, checkIDs())
		if err != nil {
			return err
		}
		mutes = l
	}
	started := time.Now().UTC()
	var db *store.Store
	if o.Record || o.Baseline == BaselineStore {
		// Before anything reaches AWS: an unreachable or locked database
		// stops the scan here.
		s, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		db = s
	} else {
		// The checks of the people side read the store when there is one
		// (the demo's own for --demo).
		s, err := e.existingStore(ctx, o.Source.Demo)
		if err != nil {
			return err
		}
		if s != nil {
			defer s.Close()
			db = s
		}
	}
	var base *report.Report
	switch o.Baseline {
	case "":
	case BaselineStore:
		_, b, err := db.LatestScan(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("--baseline store: no scan recorded in the database yet (scan --record records one)")
		}
		base = b
	default:
		b, err := report.ReadBaseline(o.Baseline)
		if err != nil {
			return err
		}
		base = b
	}
	src, err := o.Source.load(ctx, e)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	cfg, err := o.checksConfig(ctx, db, src, now)
	if err != nil {
		return err
	}

	s := src.snapshot
	findings := checks.Default().Assess(s, cfg)
	tree := mutelist.TreeOf(s)
	if none := o.filter.Unmatched(tree); len(none) > 0 {
		return withCode(ExitError, fmt.Errorf("--account/--ou %s: selects no account of the %d assessed; nothing would be reported", strings.Join(none, ", "), len(s.Accounts)))
	}
	var muted *mutelist.Result
	if mutes != nil {
		r := mutes.Apply(findings, tree, now)
		for _, x := range r.Expired {
			e.log.Warn("mutelist entry expired, no longer applied", "check", x.Check, "accounts", strings.Join(x.Accounts, ","), "accepted_by", x.AcceptedBy, "expires", x.Expires)
		}
		muted = &r
	}
	findings = o.filter.Select(findings, tree)
	rep := report.New(src.meta(), findings, now)
	rep.Mutelist = muted
	if base != nil {
		base.Findings = o.filter.Select(base.Findings, tree)
		rep.Diff = report.Compare(base, rep.Findings)
	}
	if o.Record {
		id, err := db.RecordScan(ctx, rep, started, time.Now().UTC())
		if err != nil {
			return err
		}
		e.log.Info("scan recorded", "scan_id", id, "findings", len(rep.Findings))
	}

	if o.OutputDir != "" {
		err = writeReportFiles(e, o, rep, report.Options{Verbose: o.Verbose, Region: o.Source.Region}, now)
	} else {
		err = writeReportOutput(e, o, rep)
	}
	if err != nil {
		return err
	}
	if o.Send != "" {
		if err := send(ctx, e, &o.Source, rep); err != nil {
			return err
		}
	}
	var sev checks.Severity
	if o.FailOn != "" && o.FailOn != "none" {
		sev, _ = checks.ParseSeverity(o.FailOn)
		if n := rep.AtOrAbove(sev); n > 0 {
			e.log.Info("failing findings at or above threshold", "fail_on", string(sev), "count", n)
			return withCode(ExitFindings, nil)
		}
	}
	if o.FailOnNew {
		if n := rep.Diff.NewAtOrAbove(sev); n > 0 {
			e.log.Info("new failing findings since the baseline", "fail_on", string(sev), "count", n)
			return withCode(ExitFindings, nil)
		}
	}
	return nil
}

// checksConfig is the checks' configuration from the options, the
// source's organization domains and what people recorded in db (see
// storeRecords).
func (o *ScanOptions) checksConfig(ctx context.Context, db *store.Store, src *source, now time.Time) (checks.Config, error) {
	cfg := checks.DefaultConfig(now)
	cfg.OrgDomains = o.OrgDomains
	if len(cfg.OrgDomains) == 0 {
		cfg.OrgDomains = src.orgDomains
	}
	cfg.SharedMailboxPatterns = o.MailboxPatterns
	cfg.RecentUseWindow = o.RecentUseWindow
	cfg.PasswordMaxAge = o.PasswordMaxAge
	cfg.MFAHardwareMaxAge = o.MFAHardwareMaxAge
	cfg.DomainExpiryWindow = o.DomainExpiryWindow
	err := storeRecords(ctx, db, o.Custody, src, &cfg)
	return cfg, err
}

// meta is the report's description of the source.
func (src *source) meta() report.Meta {
	s := src.snapshot
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
	return meta
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

// storeRecords fills cfg with what people recorded, for the checks of the
// people side: the custody registry (--custody FILE, else the demo's with
// --demo, else db's), and db's contact verifications and drills. A nil db
// (no store) leaves them unset: those checks are then UNKNOWN.
func storeRecords(ctx context.Context, db *store.Store, custodyFile string, src *source, cfg *checks.Config) error {
	reg, err := scanCustody(ctx, db, custodyFile, src)
	if err != nil {
		return err
	}
	cfg.Custody = reg
	if db == nil {
		return nil
	}
	vs, err := db.ContactVerifications(ctx)
	if err != nil {
		return err
	}
	cfg.Contacts = &contacts.History{Verifications: vs}
	ds, err := db.Drills(ctx)
	if err != nil {
		return err
	}
	cfg.Drills = &drill.History{Drills: ds}
	return nil
}
