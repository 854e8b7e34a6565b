package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/intake"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/serve"
	"github.com/rootguard/rootguard/internal/store"
)

// ServeOptions are the flags of `rootguard serve`.
type ServeOptions struct {
	Source   sourceOptions
	Listen   string
	Interval time.Duration
	SQSURL   string
	Workers  int
	Wait     time.Duration
	// WebhookSecretEnv and WebhookSecretFile name where the webhook's
	// secret is; without either there is no webhook.
	WebhookSecretEnv    string
	WebhookSecretFile   string
	WebhookHeader       string
	WebhookUser         string
	BodyLimit           int64
	Notify              string
	Runbook             string
	BruteForceThreshold int
	BruteForceWindow    time.Duration
	// The dashboard: OIDC sign-in, the bootstrap admin's password hash,
	// and the URL browsers reach the service at.
	OIDCIssuer          string
	OIDCClientID        string
	OIDCClientSecretEnv string
	AdminHashFile       string
	PublicURL           string

	latest atomic.Pointer[inventory.Snapshot] // the last scan's facts, for the dashboard
}

// DefaultServeOptions returns the defaults.
func DefaultServeOptions() ServeOptions {
	d := detect.DefaultConfig()
	return ServeOptions{Listen: serve.DefaultListen, Interval: serve.DefaultInterval, Workers: 4, Wait: 20 * time.Second,
		WebhookHeader: serve.DefaultWebhookHeader, WebhookUser: serve.DefaultWebhookUser, BodyLimit: serve.DefaultBodyLimit,
		Runbook: report.DefaultRunbook, BruteForceThreshold: d.BruteForceThreshold, BruteForceWindow: d.BruteForceWindow,
		OIDCClientSecretEnv: "ROOTGUARD_OIDC_CLIENT_SECRET"}
}

// Validate checks the options.
func (o *ServeOptions) Validate() error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if o.Interval < 0 || o.Interval > 0 && o.Interval < time.Second {
		return usageError("--interval %s: want 1s or more, or 0 for no scheduled scans", o.Interval)
	}
	if o.SQSURL != "" && o.Source.Demo {
		return usageError("--sqs-url does not apply with --demo (it consumes its own demo queue)")
	}
	if o.Workers < 1 || o.Workers > intake.MaxWorkers {
		return usageError("--workers %d: want 1 to %d", o.Workers, intake.MaxWorkers)
	}
	if o.Wait < time.Second || o.Wait > 20*time.Second {
		return usageError("--wait %s: want 1s to 20s (SQS long polling)", o.Wait)
	}
	if o.WebhookSecretEnv != "" && o.WebhookSecretFile != "" {
		return usageError("--webhook-secret-env and --webhook-secret-file exclude each other")
	}
	if o.WebhookHeader == "" || strings.ContainsAny(o.WebhookHeader, " :\r\n") {
		return usageError("--webhook-header %q: want a header name", o.WebhookHeader)
	}
	if o.BodyLimit < 1024 || o.BodyLimit > 10<<20 {
		return usageError("--body-limit %d: want 1024 to 10485760 bytes", o.BodyLimit)
	}
	if (o.OIDCIssuer == "") != (o.OIDCClientID == "") {
		return usageError("--oidc-issuer and --oidc-client-id go together")
	}
	if o.PublicURL != "" {
		if err := validPublicURL(o.PublicURL); err != nil {
			return err
		}
	}
	return checkAlertFlags("jsonl", o.BruteForceThreshold, o.BruteForceWindow)
}

// serveListening, when set (by tests), is told the URL serve listens on.
var serveListening func(url string)

func newServeCmd(e *env) *cobra.Command {
	o := DefaultServeOptions()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the service: scheduled scans, live root alerts from SQS and an EventBridge webhook, metrics",
		Long: "serve runs until interrupted (SIGINT or SIGTERM) or --timeout. It scans (collect and assess, as scan does)\n" +
			"at start and every --interval, recording each scan in the store (--db); replicas that share a PostgreSQL\n" +
			"store scan once per interval between them. It consumes the SQS queue of --sqs-url (EventBridge events of\n" +
			"CloudTrail records) and, with a webhook secret, takes EventBridge API-destination calls at\n" +
			"POST /hooks/eventbridge; every root alert is stored (once per CloudTrail event ID) and handed to the\n" +
			"notifier before the message is deleted or the call answered. /healthz, /readyz and /metrics (Prometheus)\n" +
			"are served on --listen. It prints the URL it listens on.\n\n" +
			"--demo runs on the demo organization and its in-process AWS endpoint, with a demo queue fed a few root\n" +
			"events a minute, and the demo's own database. See docs/serve.md.\n\n" +
			"Exit codes (docs/exit-codes.md):\n" +
			"  0  stopped (interrupt or --timeout)\n" +
			"  2  usage error\n" +
			"  3  could not run: the store cannot be opened, the address cannot be listened on, the webhook secret\n" +
			"     cannot be read, or the service did not stop cleanly",
		Example: `  rootguard serve --demo
  rootguard serve --org --db postgres://rootguard@db/rootguard --sqs-url "$QUEUE_URL" --webhook-secret-env ROOTGUARD_WEBHOOK_SECRET`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runServe(cmd.Context(), e, &o)
		},
	}
	o.Source.addFlags(cmd, false)
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", o.Listen, "`ADDRESS` to serve HTTP on (host:port)")
	daysDurationVar(f, &o.Interval, "interval", o.Interval, "time between scheduled scans (0: none)")
	f.StringVar(&o.SQSURL, "sqs-url", "", "`URL` of the SQS queue EventBridge delivers CloudTrail events to")
	f.IntVar(&o.Workers, "workers", o.Workers, fmt.Sprintf("SQS long polls at once (1 to %d)", intake.MaxWorkers))
	f.DurationVar(&o.Wait, "wait", o.Wait, "how long each long poll waits for messages (1s to 20s)")
	f.StringVar(&o.WebhookSecretEnv, "webhook-secret-env", "", "environment variable `NAME` holding the webhook's secret (its API key, and Basic auth password)")
	f.StringVar(&o.WebhookSecretFile, "webhook-secret-file", "", "`FILE` holding the webhook's secret")
	f.StringVar(&o.WebhookHeader, "webhook-header", o.WebhookHeader, "header `NAME` of the EventBridge connection's API key")
	f.StringVar(&o.WebhookUser, "webhook-user", o.WebhookUser, "Basic auth user `NAME` of the EventBridge connection")
	f.Int64Var(&o.BodyLimit, "body-limit", o.BodyLimit, "largest webhook body in `BYTES` (413 above)")
	f.StringVar(&o.Notify, "notify", "", "alert routing `FILE` (rootguard.notify/v1, docs/notify.md); without it alerts are stored only")
	f.StringVar(&o.OIDCIssuer, "oidc-issuer", "", "dashboard sign-in through this OpenID Connect provider (issuer `URL`)")
	f.StringVar(&o.OIDCClientID, "oidc-client-id", "", "the dashboard's OIDC client `ID`")
	f.StringVar(&o.OIDCClientSecretEnv, "oidc-client-secret-env", o.OIDCClientSecretEnv, "environment variable `NAME` holding the OIDC client secret")
	f.StringVar(&o.AdminHashFile, "admin-password-hash-file", "", "`FILE` holding the bcrypt hash of the dashboard's bootstrap admin password (docs/dashboard.md)")
	f.StringVar(&o.PublicURL, "public-url", "", "`URL` browsers reach this service at (default http:// and --listen); https marks cookies Secure")
	f.StringVar(&o.Runbook, "runbook-url", o.Runbook, "where each alert points for its account's runbook (`TEMPLATE`; {account} is the account ID)")
	f.IntVar(&o.BruteForceThreshold, "brute-force-threshold", o.BruteForceThreshold, "failed root sign-ins in one account that make a burst")
	daysDurationVar(f, &o.BruteForceWindow, "brute-force-window", o.BruteForceWindow, "time window of a burst of failed root sign-ins")
	return cmd
}

func runServe(ctx context.Context, e *env, o *ServeOptions) error {
	secret, err := o.webhookSecret()
	if err != nil {
		return err
	}
	st, err := e.storeFor(ctx, o.Source.Demo)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer st.Close()
	if o.Source.Demo {
		o.Source.adjust = addDemoQueue
	}
	var c *conn
	if o.Interval > 0 || o.SQSURL != "" || o.Source.Demo || o.Notify != "" {
		if c, err = o.Source.open(ctx, e); err != nil {
			return withCode(ExitError, err)
		}
		defer c.close()
	}
	m := serve.NewMetrics()
	opts := serve.Options{
		Store: st, Listen: o.Listen, Interval: o.Interval, Workers: o.Workers, Wait: o.Wait, Metrics: m, Logger: e.log,
		Webhook:   serve.WebhookAuth{Secret: secret, Header: o.WebhookHeader, User: o.WebhookUser},
		BodyLimit: o.BodyLimit, Runbook: o.Runbook,
		Detect: detect.Config{BruteForceThreshold: o.BruteForceThreshold, BruteForceWindow: o.BruteForceWindow},
		Listening: func(url string) {
			fmt.Fprintf(e.stdout, "rootguard serve: listening on %s\n", url)
			if serveListening != nil {
				serveListening(url)
			}
		},
	}
	if o.Interval > 0 {
		opts.Scan = func(ctx context.Context) (*report.Report, error) { return o.scan(ctx, e, st, c) }
	}
	if o.Source.Demo {
		o.SQSURL = c.srv.URL() + "/" + demoQueueAccount + "/" + demoQueue
		go feedDemo(ctx, sqs.NewFromConfig(c.cfg), o.SQSURL, e.log)
	}
	if o.SQSURL != "" {
		opts.Queue, opts.QueueURL = sqs.NewFromConfig(c.cfg), o.SQSURL
	}
	if o.Notify != "" {
		if opts.Notifier, err = newNotifier(o.Notify, st, m, e.log, c); err != nil {
			return withCode(ExitError, err)
		}
	}
	if opts.UI, err = o.dashboard(e, st); err != nil {
		return withCode(ExitError, err)
	}
	if err := serve.Run(ctx, opts); err != nil {
		return withCode(ExitError, err)
	}
	return nil
}

// webhookSecret reads the secret from the environment variable or file
// named; "" (no webhook) when neither is.
func (o *ServeOptions) webhookSecret() (string, error) {
	var secret string
	switch {
	case o.WebhookSecretEnv != "":
		secret = os.Getenv(o.WebhookSecretEnv)
		if secret == "" {
			return "", withCode(ExitError, fmt.Errorf("--webhook-secret-env: $%s is empty or not set", o.WebhookSecretEnv))
		}
	case o.WebhookSecretFile != "":
		var err error
		if secret, err = readSecretFile("--webhook-secret-file", o.WebhookSecretFile); err != nil {
			return "", withCode(ExitError, err)
		}
	default:
		return "", nil
	}
	if len(secret) < 16 {
		return "", withCode(ExitError, errors.New("the webhook secret is shorter than 16 characters"))
	}
	return secret, nil
}

// readSecretFile reads a small file holding a secret, trimmed.
func readSecretFile(flag, path string) (string, error) {
	b, err := filelimit.ReadFile(path, 4096)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("%s %s: empty", flag, path)
	}
	return secret, nil
}

// scan collects through the open source and assesses as scan does with
// its default thresholds; people's records come from the store.
func (o *ServeOptions) scan(ctx context.Context, e *env, st *store.Store, c *conn) (*report.Report, error) {
	src, err := o.Source.read(ctx, e, c)
	if err != nil {
		return nil, err
	}
	o.latest.Store(src.snapshot)
	now := time.Now().UTC()
	so := DefaultScanOptions()
	cfg, err := so.checksConfig(ctx, st, src, now)
	if err != nil {
		return nil, err
	}
	return report.New(src.meta(), checks.Default().Assess(src.snapshot, cfg), now), nil
}
