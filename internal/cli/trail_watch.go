package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/intake"
	"github.com/rootguard/rootguard/internal/report"
)

// TrailWatchOptions are the flags of trail watch.
type TrailWatchOptions struct {
	// Runbook is --runbook-url: where each alert points for its account's runbook.
	Runbook             string
	SQSURL              string
	Format              string
	Output              string
	Workers             int
	Wait                time.Duration
	BruteForceThreshold int
	BruteForceWindow    time.Duration
	EndpointURL         string
	Region              string
	Profile             string
}

// DefaultTrailWatchOptions returns the defaults.
func DefaultTrailWatchOptions() TrailWatchOptions {
	d := detect.DefaultConfig()
	return TrailWatchOptions{Format: "jsonl", Workers: 4, Wait: 20 * time.Second,
		BruteForceThreshold: d.BruteForceThreshold, BruteForceWindow: d.BruteForceWindow}
}

// Validate checks the options.
func (o *TrailWatchOptions) Validate() error {
	if o.SQSURL == "" {
		return usageError("trail watch: --sqs-url is required")
	}
	if err := checkAlertFlags(o.Format, o.BruteForceThreshold, o.BruteForceWindow); err != nil {
		return err
	}
	if o.Workers < 1 || o.Workers > intake.MaxWorkers {
		return usageError("--workers %d: want 1 to %d", o.Workers, intake.MaxWorkers)
	}
	if o.Wait < time.Second || o.Wait > 20*time.Second {
		return usageError("--wait %s: want 1s to 20s (SQS long polling)", o.Wait)
	}
	return nil
}

func newTrailWatchCmd(e *env) *cobra.Command {
	o := DefaultTrailWatchOptions()
	cmd := &cobra.Command{
		Use:   "watch --sqs-url URL",
		Short: "Report root activity live from EventBridge events delivered to an SQS queue",
		Long: "watch consumes an SQS queue that an EventBridge rule delivers CloudTrail events to (the message\n" +
			"body is the EventBridge event, the CloudTrail record its detail) with several long-polling workers,\n" +
			"runs the rules of trail scan on each record and writes the alerts as they come (--format jsonl, the\n" +
			"default) or as a table when it stops. A message is deleted only after its alerts are written. A\n" +
			"message that is not a CloudTrail event is counted, logged and left in the queue, for its redrive\n" +
			"policy to move to the dead-letter queue. An event delivered twice (the same eventID) is reported\n" +
			"once. Interrupt (SIGINT or SIGTERM) or --timeout stops it: the messages already received are\n" +
			"finished, the rest stay in the queue; the alerts that need every record (bursts of failed sign-ins)\n" +
			"are written then, and the totals go to stderr.\n\n" +
			"Exit codes (docs/exit-codes.md):\n" +
			"  0  stopped, no alert\n" +
			"  1  stopped, alerts were written\n" +
			"  4  stopped, some messages were not CloudTrail events (left for the dead-letter queue)\n" +
			"  2  usage error\n" +
			"  3  could not run: the queue could not be read (no credentials, no such queue, AccessDenied), a\n" +
			"     message could not be deleted, or the alerts could not be written",
		Example: `  rootguard trail watch --sqs-url https://sqs.us-east-1.amazonaws.com/111111111111/root-activity --region us-east-1
  rootguard trail watch --sqs-url "$QUEUE_URL" --output alerts.jsonl --workers 8`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runTrailWatch(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.SQSURL, "sqs-url", "", "`URL` of the SQS queue EventBridge delivers CloudTrail events to")
	f.StringVar(&o.Format, "format", o.Format, "output format: jsonl (one alert per line, as they come) or table (when it stops)")
	f.StringVar(&o.Runbook, "runbook-url", report.DefaultRunbook, "where each alert points for its account's runbook (`TEMPLATE`; {account} is the account ID): a wiki URL, a path, or the command that writes it")
	f.StringVarP(&o.Output, "output", "o", "", "write the alerts to FILE instead of stdout")
	f.IntVar(&o.Workers, "workers", o.Workers, fmt.Sprintf("long polls at once (1 to %d)", intake.MaxWorkers))
	f.DurationVar(&o.Wait, "wait", o.Wait, "how long each long poll waits for messages (1s to 20s)")
	f.IntVar(&o.BruteForceThreshold, "brute-force-threshold", o.BruteForceThreshold, "failed root sign-ins in one account that make a burst")
	daysDurationVar(f, &o.BruteForceWindow, "brute-force-window", o.BruteForceWindow, "time window of a burst of failed root sign-ins")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "SQS endpoint `URL` (an emulator, a rootguard sim endpoint or a VPC endpoint)")
	f.StringVar(&o.Region, "region", "", "AWS Region of the queue")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile")
	return cmd
}

func runTrailWatch(ctx context.Context, e *env, o TrailWatchOptions) error {
	driver, err := detect.NewDriver(detect.Config{BruteForceThreshold: o.BruteForceThreshold, BruteForceWindow: o.BruteForceWindow}, detect.Window{})
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail watch: %w", err))
	}
	cfg, err := awsclient.Load(ctx, awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL})
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail watch: %w", err))
	}
	out, finish, err := createAlertOutput(o.Output, e.stdout)
	if err != nil {
		return err
	}
	aw, err := report.NewAlertWriter(out, o.Format)
	if err != nil {
		return finish(withCode(ExitError, err))
	}
	aw = report.WithRunbook(aw, o.Runbook)
	start := time.Now()
	st, err := intake.Consume(ctx, sqs.NewFromConfig(cfg), driver,
		intake.Options{QueueURL: o.SQSURL, Workers: o.Workers, Wait: o.Wait, Logger: e.log}, aw.Write)
	if cerr := aw.Close(); err == nil {
		err = cerr
	}
	err = finish(err)
	writeWatchSummary(e.stderr, st, time.Since(start))
	switch {
	case err != nil:
		return withCode(ExitError, fmt.Errorf("trail watch: %w", err))
	case st.Poison > 0:
		return withCode(ExitPartial, nil)
	case st.Alerts > 0:
		return withCode(ExitFindings, nil)
	}
	return nil
}

func writeWatchSummary(w io.Writer, st intake.Stats, elapsed time.Duration) {
	fmt.Fprintf(w, "trail watch: %d messages received, %d deleted (%d duplicates), %d alerts in %s\n",
		st.Received, st.Deleted, st.Duplicates, st.Alerts, elapsed.Round(time.Millisecond))
	if st.Poison > 0 {
		fmt.Fprintf(w, "trail watch: %d receives of messages that are not CloudTrail events, left in the queue for its dead-letter queue\n", st.Poison)
	}
}
