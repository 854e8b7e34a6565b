package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// NotifyTestOptions are the flags of notify test.
type NotifyTestOptions struct {
	Config       string
	Destinations []string
	EndpointURL  string
	Region       string
	Profile      string
}

// Validate checks the options.
func (o *NotifyTestOptions) Validate() error {
	if o.Config == "" {
		return usageError("notify test: --config is required")
	}
	return nil
}

func newNotifyCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Check the alert routing file",
		Long: `notify works with the alert routing file (rootguard.notify/v1) that the service reads:
where root-activity alerts go (Slack, SNS, email, webhooks), by rule and severity.
See docs/notify.md.`,
	}
	cmd.AddCommand(newNotifyTestCmd(e))
	return cmd
}

func newNotifyTestCmd(e *env) *cobra.Command {
	var o NotifyTestOptions
	cmd := &cobra.Command{
		Use:   "test --config FILE",
		Short: "Send one test message to every destination of a routing file",
		Long: "test reads the routing file, with the secrets its destinations name from the environment, and\n" +
			"sends one test message straight to each destination (or those --destination names), past the\n" +
			"routes and the outbox: nothing is recorded. It prints each destination's answer and the message's\n" +
			"idempotency key. SNS topics are published to with the standard AWS credential chain.\n\n" +
			"Exit codes (docs/exit-codes.md):\n" +
			"  0  every destination took its message\n" +
			"  2  usage error\n" +
			"  3  the file is unreadable or refused, a secret is not set, or a destination refused the message",
		Example: `  ROOTGUARD_SLACK_WEBHOOK_URL=… rootguard notify test --config notify.yaml
  rootguard notify test --config notify.yaml --destination oncall-mail`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runNotifyTest(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Config, "config", "", "the routing `FILE` (rootguard.notify/v1)")
	f.StringSliceVar(&o.Destinations, "destination", nil, "send only to these destinations (`NAME`, repeatable)")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "SNS endpoint `URL` (an emulator, a rootguard sim endpoint or a VPC endpoint)")
	f.StringVar(&o.Region, "region", "", "AWS Region of the SNS client (each message goes to its topic's Region)")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile")
	return cmd
}

func runNotifyTest(ctx context.Context, e *env, o NotifyTestOptions) error {
	cfg, err := notify.Load(o.Config)
	if err != nil {
		return withCode(ExitError, err)
	}
	var names []string
	for _, d := range cfg.Destinations {
		names = append(names, d.Name)
	}
	for _, n := range o.Destinations {
		if !slices.Contains(names, n) {
			return withCode(ExitError, fmt.Errorf("notify test: --destination %q: %s has no such destination", termsafe.Escape(n, false), o.Config))
		}
	}
	opts := notify.Options{Logger: e.log}
	if slices.ContainsFunc(cfg.Destinations, func(d notify.Destination) bool { return d.SNS != nil }) {
		ac, err := awsclient.Load(ctx, awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL})
		if err != nil {
			return withCode(ExitError, fmt.Errorf("notify test: %w", err))
		}
		opts.SNS = sns.NewFromConfig(ac)
	}
	d, err := notify.NewDispatcher(nil, cfg, opts)
	if err != nil {
		return withCode(ExitError, err)
	}
	failed := 0
	for _, r := range d.SendTest(ctx, o.Destinations...) {
		if r.Err != nil {
			failed++
			fmt.Fprintf(e.stdout, "%-24s FAILED  %s\n", r.Destination, termsafe.Escape(r.Err.Error(), false))
			continue
		}
		fmt.Fprintf(e.stdout, "%-24s sent    idempotency key %s\n", r.Destination, r.Key)
	}
	if failed > 0 {
		return withCode(ExitError, fmt.Errorf("notify test: %d of the destinations refused or could not be reached", failed))
	}
	return nil
}
