package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/trail"
	"github.com/rootguard/rootguard/internal/trailquery"
)

// TrailQueryOptions are the flags of trail query.
type TrailQueryOptions struct {
	// Runbook is --runbook-url: where each alert points for its account's runbook.
	Runbook  string
	Rule     string
	PrintSQL bool
	Format   string
	Output   string
	// Windows judges root activity against the store's approved
	// break-glass windows, as trail scan --windows does.
	Windows             bool
	Since, Until        string
	BruteForceThreshold int
	BruteForceWindow    time.Duration
	EndpointURL         string
	Region              string
	Profile             string
	QuerySource

	query trailquery.Options
}

// QuerySource is where trail query reads CloudTrail: an Athena table over
// the CloudTrail bucket or a CloudTrail Lake event data store. breakglass
// report and drill verify read a window from the same sources.
type QuerySource struct {
	Athena, Lake      bool
	Database, Table   string
	Workgroup         string
	OutputLocation    string
	PartitionColumn   string
	EventDataStore    string
	AssumedRootColumn bool
}

// addFlags adds the source's flags.
func (q *QuerySource) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&q.Athena, "athena", false, "query an Athena table over the CloudTrail bucket")
	f.BoolVar(&q.Lake, "lake", false, "query a CloudTrail Lake event data store")
	f.StringVar(&q.Database, "database", trailquery.DefaultDatabase, "Athena database of the CloudTrail table")
	f.StringVar(&q.Table, "table", trailquery.DefaultTable, "Athena CloudTrail table")
	f.StringVar(&q.Workgroup, "workgroup", "", "Athena work group (default: primary)")
	f.StringVar(&q.OutputLocation, "output-location", "", "s3://bucket/prefix for Athena's query results (unless the work group sets one)")
	f.StringVar(&q.PartitionColumn, "partition-column", "", "the table's yyyy/MM/dd date partition `COLUMN` (e.g. timestamp with partition projection); prunes partitions by the time range")
	f.StringVar(&q.EventDataStore, "event-data-store", "", "CloudTrail Lake event data store `ID` or ARN")
	f.BoolVar(&q.AssumedRootColumn, "assumed-root-column", false, "the table has userIdentity.sessionContext.assumedRoot")
}

// set reports whether --athena or --lake was given.
func (q QuerySource) set() bool { return q.Athena || q.Lake }

// options checks the source's flags (athenaFlags: the Athena-only flags
// given) and returns the query of rule over w.
func (q QuerySource) options(cmd string, athenaFlags []string, rule string, w trail.Window) (trailquery.Options, error) {
	if q.Athena == q.Lake {
		return trailquery.Options{}, usageError("%s: choose one of --athena and --lake", cmd)
	}
	switch {
	case q.Athena && q.EventDataStore != "":
		return trailquery.Options{}, usageError("--event-data-store is for --lake")
	case q.Lake && len(athenaFlags) > 0:
		return trailquery.Options{}, usageError("%s: for --athena only", strings.Join(athenaFlags, ", "))
	case q.OutputLocation != "" && !strings.HasPrefix(q.OutputLocation, "s3://"):
		return trailquery.Options{}, usageError("--output-location %q: want s3://bucket/prefix", q.OutputLocation)
	}
	o := trailquery.Options{Rule: rule, AssumedRootColumn: q.AssumedRootColumn, Since: w.Since, Until: w.Until}
	if q.Athena {
		o.Dialect, o.Database, o.Table, o.PartitionColumn = trailquery.Athena, q.Database, q.Table, q.PartitionColumn
	} else {
		if q.EventDataStore == "" {
			return trailquery.Options{}, usageError("%s --lake: --event-data-store is required", cmd)
		}
		o.Dialect, o.EventDataStore = trailquery.Lake, q.EventDataStore
	}
	if err := o.Validate(); err != nil {
		if oe, ok := errors.AsType[*trailquery.OptionError](err); ok {
			return o, usageError("--%s: %v", oe.Option, oe.Err)
		}
		return o, usageError("%s: %v", cmd, err)
	}
	return o, nil
}

// runner is the query runner for the source, through the SDK's clients.
func (q QuerySource) runner(cfg aws.Config) trailquery.Runner {
	if q.Athena {
		return trailquery.AthenaRunner{Client: athena.NewFromConfig(cfg), WorkGroup: q.Workgroup,
			OutputLocation: q.OutputLocation, Poll: trailquery.DefaultPoll()}
	}
	return trailquery.LakeRunner{Client: cloudtrail.NewFromConfig(cfg), Poll: trailquery.DefaultPoll()}
}

// changedAthenaFlags are the Athena-only flags given on the command line.
func changedAthenaFlags(f *pflag.FlagSet) []string {
	var set []string
	for _, name := range athenaOnly {
		if f.Changed(name) {
			set = append(set, "--"+name)
		}
	}
	return set
}

// DefaultTrailQueryOptions returns the defaults.
func DefaultTrailQueryOptions() TrailQueryOptions {
	d := detect.DefaultConfig()
	return TrailQueryOptions{
		Format: "table", QuerySource: QuerySource{Database: trailquery.DefaultDatabase, Table: trailquery.DefaultTable},
		BruteForceThreshold: d.BruteForceThreshold, BruteForceWindow: d.BruteForceWindow,
	}
}

// Validate checks the options and resolves the query.
func (o *TrailQueryOptions) Validate(athenaFlags []string) error {
	if err := checkAlertFlags(o.Format, o.BruteForceThreshold, o.BruteForceWindow); err != nil {
		return err
	}
	if o.Windows && o.PrintSQL {
		return usageError("--windows judges the alerts; --print-sql runs no query")
	}
	w, err := parseWindow(o.Since, o.Until)
	if err != nil {
		return err
	}
	o.query, err = o.QuerySource.options("trail query", athenaFlags, o.Rule, w)
	return err
}

// athenaOnly are the flags that apply to --athena alone.
var athenaOnly = []string{"database", "table", "workgroup", "output-location", "partition-column"}

func newTrailQueryCmd(e *env) *cobra.Command {
	o := DefaultTrailQueryOptions()
	cmd := &cobra.Command{
		Use:   "query --athena|--lake [flags]",
		Short: "Run the root-activity rules as SQL in Athena or CloudTrail Lake",
		Long: "query runs the trail scan rules beyond one machine: as SQL for an Athena table over the CloudTrail\n" +
			"bucket (the table of the AWS documentation \"Querying AWS CloudTrail logs\") or for a CloudTrail Lake\n" +
			"event data store. The SQL pushes down a coarse filter that keeps every record a rule could need\n" +
			"(root identity, AssumeRoot, password recovery, contact changes, root-issued federation) and the\n" +
			"time range; rootguard rebuilds the rows into records and runs the same engine as trail scan, so the\n" +
			"alerts are the same. --rule ID narrows the query to one rule; --print-sql prints the SQL and stops,\n" +
			"for teams that schedule the queries themselves.\n" +
			"Neither documented schema has userIdentity.sessionContext.assumedRoot: sessions of sts:AssumeRoot are\n" +
			"recognised from the AssumeRoot calls in the result. If your Athena table declares assumedroot inside\n" +
			"sessioncontext, pass --assumed-root-column.\n\n" +
			"Exit codes: 0 no alert (or --print-sql), 1 alerts, 2 usage error, 3 the query could not run or\n" +
			"failed (FAILED or CANCELLED, with the reason).",
		Example: `  rootguard trail query --athena --database default --table cloudtrail_logs --since 2025-03-01 --output-location s3://athena-results/rootguard/
  rootguard trail query --lake --event-data-store EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE --rule root-console-login-without-mfa
  rootguard trail query --athena --print-sql`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(changedAthenaFlags(cmd.Flags())); err != nil {
				return err
			}
			return runTrailQuery(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	o.QuerySource.addFlags(f)
	f.StringVar(&o.Rule, "rule", "", "only this rule `ID` (its SQL, and its alerts)")
	f.BoolVar(&o.PrintSQL, "print-sql", false, "print the SQL and stop")
	f.StringVar(&o.Format, "format", o.Format, "output format: table or jsonl (one alert per line)")
	f.StringVar(&o.Runbook, "runbook-url", report.DefaultRunbook, "where each alert points for its account's runbook (`TEMPLATE`; {account} is the account ID): a wiki URL, a path, or the command that writes it")
	f.StringVarP(&o.Output, "output", "o", "", "write the alerts to FILE instead of stdout")
	f.StringVar(&o.Since, "since", "", "only records at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
	f.StringVar(&o.Until, "until", "", "only records before this time (RFC 3339, or YYYY-MM-DD for that whole day)")
	f.BoolVar(&o.Windows, "windows", false, "judge root activity against the approved break-glass windows in the store (--db): root-activity-unapproved (critical) outside every window, approved_by inside one")
	f.IntVar(&o.BruteForceThreshold, "brute-force-threshold", o.BruteForceThreshold, "failed root sign-ins in one account that make a burst")
	daysDurationVar(f, &o.BruteForceWindow, "brute-force-window", o.BruteForceWindow, "time window of a burst of failed root sign-ins")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "send the Athena or CloudTrail calls to this `URL` (an emulator or a VPC endpoint)")
	f.StringVar(&o.Region, "region", "", "AWS Region of the table or event data store")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile")
	return cmd
}

func runTrailQuery(ctx context.Context, e *env, o TrailQueryOptions) error {
	if o.PrintSQL {
		sql, err := trailquery.Build(o.query)
		if err != nil {
			return withCode(ExitError, fmt.Errorf("trail query: %w", err))
		}
		_, err = fmt.Fprint(e.stdout, sql)
		return err
	}
	var judge *windowJudge // with --windows; the store is read before AWS
	if o.Windows {
		driver, err := detect.NewDriver(detect.Config{}, detect.Window{})
		if err == nil {
			err = e.approveWindows(ctx, driver, false)
		}
		if err != nil {
			return withCode(ExitError, fmt.Errorf("trail query --windows: %w", err))
		}
		judge = &windowJudge{driver: driver}
	}
	cfg, err := awsclient.Load(ctx, awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL})
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail query: %w", err))
	}
	start := time.Now()
	alerts, st, err := trailquery.Detect(ctx, o.runner(cfg), o.query,
		detect.Config{BruteForceThreshold: o.BruteForceThreshold, BruteForceWindow: o.BruteForceWindow})
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail query %s: %w", o.query.Source(), err))
	}

	if judge != nil {
		var judged []detect.Alert
		for _, a := range alerts {
			judge.judge(a, func(j detect.Alert) error { judged = append(judged, j); return nil }) //nolint:errcheck // emit never fails.
		}
		alerts = judged
	}
	out, finish, err := createAlertOutput(o.Output, e.stdout)
	if err != nil {
		return err
	}
	for i := range alerts {
		alerts[i].Runbook = strings.ReplaceAll(o.Runbook, "{account}", alerts[i].AccountID)
	}
	err = finish(report.WriteAlerts(out, o.Format, alerts))
	fmt.Fprintf(e.stderr, "trail query: %s query %s: %d rows, %d outside the time range, %d unreadable, %d alerts in %s\n",
		o.query.Source(), st.QueryID, st.Rows, st.Outside, st.Undecodable, st.Alerts, time.Since(start).Round(time.Millisecond))
	if st.Duplicates > 0 {
		fmt.Fprintf(e.stderr, "trail query: %d duplicate alerts left out (equal to an alert already reported, from another row of the same event)\n", st.Duplicates)
	}
	if judge != nil {
		judge.summary(e.stderr)
	}
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail query: %w", err))
	}
	if len(alerts) > 0 {
		return withCode(ExitFindings, nil)
	}
	return nil
}
