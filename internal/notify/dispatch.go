package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/contactmail"
	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// Metrics receives the dispatcher's counts, by destination name (the
// service exports them); nil counts nothing.
type Metrics interface {
	Sent(destination string)
	Failed(destination string) // an attempt failed; it will be retried
	GaveUp(destination string)
	Deduplicated(destination string) // an alert folded into its window's first
	Unrouted(rule string)            // an alert no route and no default matched
}

// Options are the dispatcher's parts.
type Options struct {
	// SNS publishes to SNS destinations; nil when there are none.
	SNS SNSAPI
	// HTTPClient posts to Slack and webhooks (default: 30 s timeout).
	HTTPClient *http.Client
	Clock      func() time.Time
	Logger     *slog.Logger
	// Owner names this dispatcher (a replica) in the leases it takes;
	// default: host name, process ID and a random suffix.
	Owner   string
	Metrics Metrics
	// Getenv reads the secrets the configuration names (default
	// os.LookupEnv).
	Getenv func(string) (string, bool)
	// Poll is how often Run looks for due deliveries (default 1 s).
	Poll time.Duration
	// SMTPTimeout bounds one mail submission (default 30 s).
	SMTPTimeout time.Duration
}

// batch is how many due deliveries one Dispatch claims at most.
const batch = 32

// Dispatcher routes alerts into the store's outbox and delivers them.
// Several dispatchers (replicas) may share one store.
type Dispatcher struct {
	st      *store.Store
	cfg     Config
	opts    Options
	senders map[string]sender
	limits  map[string]int
	secrets []string // redacted from every recorded or logged error
	// wake tells Run that this dispatcher enqueued a delivery, so that it
	// goes out at once instead of at the next poll (which finds those of
	// other replicas).
	wake chan struct{}
}

// NewDispatcher checks cfg, reads the secrets it names and builds a
// dispatcher on st (nil for one used only for SendTest). A secret that is
// not set is an error naming its variable.
func NewDispatcher(st *store.Store, cfg Config, opts Options) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), store.NewID()[:8])
	}
	d := &Dispatcher{st: st, cfg: cfg, opts: opts, senders: map[string]sender{}, limits: map[string]int{}, wake: make(chan struct{}, 1)}
	env := func(dest, name string) (string, error) {
		v, ok := opts.Getenv(name)
		if !ok || v == "" {
			return "", fmt.Errorf("notify: destination %s: environment variable %s is not set", dest, name)
		}
		d.secrets = append(d.secrets, v)
		return v, nil
	}
	for _, dst := range cfg.Destinations {
		d.limits[dst.Name] = dst.RateLimit
		switch {
		case dst.Slack != nil:
			u, err := env(dst.Name, dst.Slack.URLEnv)
			if err != nil {
				return nil, err
			}
			if err := checkURL(u); err != nil {
				return nil, fmt.Errorf("notify: destination %s: the URL in %s: %v", dst.Name, dst.Slack.URLEnv, err)
			}
			d.senders[dst.Name] = httpSender{client: opts.HTTPClient, url: u, body: Message.Slack}
		case dst.Webhook != nil:
			h := httpSender{client: opts.HTTPClient, url: dst.Webhook.URL, body: Message.JSON}
			if dst.Webhook.SecretEnv != "" {
				secret, err := env(dst.Name, dst.Webhook.SecretEnv)
				if err != nil {
					return nil, err
				}
				h.secret = []byte(secret)
			}
			d.senders[dst.Name] = h
		case dst.SNS != nil:
			if opts.SNS == nil {
				return nil, fmt.Errorf("notify: destination %s is an SNS topic but no SNS client was given", dst.Name)
			}
			arn, _ := delivery.ParseARN(dst.SNS.TopicARN)
			d.senders[dst.Name] = snsSender{api: opts.SNS, topic: dst.SNS.TopicARN, region: arn.Region}
		case dst.Email != nil:
			e := dst.Email
			port := e.Port
			if port == 0 {
				port = 587
			}
			s := contactmail.SMTP{Addr: e.Host + ":" + strconv.Itoa(port), Username: e.Username, Plaintext: e.Plaintext, Timeout: opts.SMTPTimeout}
			if e.PasswordEnv != "" {
				pw, err := env(dst.Name, e.PasswordEnv)
				if err != nil {
					return nil, err
				}
				s.Password = pw
			}
			from, _ := mail.ParseAddress(e.From)
			_, host, _ := strings.Cut(from.Address, "@")
			d.senders[dst.Name] = mailSender{smtp: s, from: from.Address, to: e.To, clock: opts.Clock, hostname: host}
		}
	}
	return d, nil
}

// Key is the idempotency key of the notification of event to destination:
// the same for every attempt, every replica and every repeat.
func Key(eventID, destination string) string {
	h := sha256.Sum256([]byte(eventID + "\x00" + destination))
	return "rg-" + hex.EncodeToString(h[:16])
}

// route returns the destinations of a: those of every route it matches,
// else the default ones.
func (d *Dispatcher) route(a detect.Alert) []string {
	var out []string
	for _, r := range d.cfg.Routes {
		if (len(r.Rules) == 0 || slices.Contains(r.Rules, a.RuleID)) && (r.MinSeverity == "" || a.Severity.Rank() >= r.MinSeverity.Rank()) {
			out = append(out, r.To...)
		}
	}
	if len(out) == 0 {
		out = slices.Clone(d.cfg.Default)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Enqueue records one delivery per destination a is routed to; idempotent
// per (event ID, destination): a redelivered event enqueues nothing new.
// The alert is annotated first: its account's name (from recorded scans),
// whether it falls inside an approved break-glass window (from the
// store), and its runbook link.
func (d *Dispatcher) Enqueue(ctx context.Context, a detect.Alert) error {
	if a.EventID == "" {
		return errors.New("notify: alert without an event ID to tell a repeat by")
	}
	dests := d.route(a)
	if len(dests) == 0 {
		d.opts.Logger.Warn("alert matches no route", "rule_id", a.RuleID, "event_id", a.EventID, "account_id", a.AccountID)
		if d.opts.Metrics != nil {
			d.opts.Metrics.Unrouted(a.RuleID)
		}
		return nil
	}
	n, err := d.annotate(ctx, a)
	if err != nil {
		return fmt.Errorf("notify: alert %s: %w", a.EventID, err)
	}
	body, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("notify: alert %s: %w", a.EventID, err)
	}
	now := d.opts.Clock()
	for _, dest := range dests {
		kind, err := d.st.EnqueueDelivery(ctx, store.NewDelivery{ID: Key(a.EventID, dest), EventID: a.EventID, Destination: dest,
			GroupKey: a.RuleID + "|" + a.AccountID + "|" + dest, Body: body, Window: time.Duration(d.cfg.Dedup.Window)}, now)
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		if kind == store.KindFolded && d.opts.Metrics != nil {
			d.opts.Metrics.Deduplicated(dest)
		}
	}
	select {
	case d.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	return nil
}

// annotate gives a its context.
func (d *Dispatcher) annotate(ctx context.Context, a detect.Alert) (Notice, error) {
	n := Notice{Alert: a, Runbook: a.Runbook}
	if n.Runbook == "" {
		n.Runbook = report.RunbookLink(d.cfg.RunbookURL, a.AccountID)
	}
	var err error
	if n.AccountName, err = d.st.AccountName(ctx, a.AccountID); err != nil {
		return n, err
	}
	n.Window, err = d.window(ctx, a)
	return n, err
}

// window places root activity against its account's approved break-glass
// windows with the detection driver's judgement, as trail scan --windows
// does (a session of the read-only audit task policy is an audit, neither
// inside nor outside).
func (d *Dispatcher) window(ctx context.Context, a detect.Alert) (Window, error) {
	switch {
	case a.ApprovedBy != "":
		return Window{Status: WindowInside, RequestID: a.ApprovedBy}, nil
	case a.RuleID == detect.RuleRootActivityUnapproved:
		return Window{Status: WindowOutside}, nil
	case !detect.RootActivity(a):
		return Window{Status: WindowNotApplicable}, nil
	}
	if _, err := time.Parse(time.RFC3339, a.EventTime); err != nil {
		return Window{Status: WindowUnknown, Reason: fmt.Sprintf("the event time %q cannot be placed in a window", a.EventTime)}, nil
	}
	rs, err := d.st.Breakglass().List(ctx, a.AccountID)
	if err != nil {
		return Window{}, err
	}
	var ws []detect.Approval
	for _, r := range rs {
		if w := r.Window(); !w.Start.IsZero() {
			ws = append(ws, detect.Approval{AccountID: r.AccountID, RequestID: r.ID, Start: w.Start, End: w.End})
		}
	}
	drv, err := detect.NewDriver(detect.Config{}, detect.Window{})
	if err != nil {
		return Window{}, err
	}
	drv.Approve(ws)
	switch judged := drv.Judge(a); {
	case judged[0].ApprovedBy != "":
		return Window{Status: WindowInside, RequestID: judged[0].ApprovedBy}, nil
	case len(judged) > 1:
		return Window{Status: WindowOutside}, nil
	}
	return Window{Status: WindowNotApplicable}, nil
}

// Run delivers due deliveries until ctx is done, looking every Poll, and
// returns nil then. A failed look is logged and tried again.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.wake:
		}
		n, err := d.Dispatch(ctx)
		if err != nil && ctx.Err() == nil {
			d.opts.Logger.Error("deliver notifications", "err", d.redact(err.Error()))
		}
		wait := d.opts.Poll
		if n == batch {
			wait = 0 // more may be due
		}
		t.Reset(wait)
	}
}

// Dispatch claims the deliveries due now (up to a batch), sends each and
// records the outcome: sent, failed (retried after a backoff) or given up.
// It returns how many it claimed. Destinations at their rate limit are
// left for later.
func (d *Dispatcher) Dispatch(ctx context.Context) (int, error) {
	now := d.opts.Clock()
	recent := map[string]int{}
	var skip []string
	for name, limit := range d.limits {
		if limit == 0 {
			continue
		}
		n, err := d.st.RecentSends(ctx, name, now.Add(-time.Minute))
		if err != nil {
			return 0, err
		}
		if recent[name] = n; n >= limit {
			skip = append(skip, name)
		}
	}
	due, err := d.st.DueDeliveries(ctx, now, skip, batch)
	if err != nil {
		return 0, err
	}
	claimed := 0
	var errs []error
	for _, dl := range due {
		if limit := d.limits[dl.Destination]; limit > 0 && recent[dl.Destination] >= limit {
			continue
		}
		c, ok, err := d.st.ClaimDelivery(ctx, dl, d.opts.Owner, now, time.Duration(d.cfg.Lease))
		if err != nil {
			return claimed, err
		}
		if !ok {
			continue
		}
		claimed++
		recent[dl.Destination]++
		if err := d.deliver(ctx, c); err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return claimed, errors.Join(errs...)
}

// deliver sends one claimed delivery and records how it went.
func (d *Dispatcher) deliver(ctx context.Context, c store.Delivery) error {
	log := d.opts.Logger.With("delivery_id", c.ID, "destination", c.Destination, "event_id", c.EventID, "attempt", c.Attempts)
	m := Message{Key: c.ID, PossibleRepeat: c.PossibleRepeat}
	err := json.Unmarshal(c.Body, &m.Notice)
	if err != nil {
		err = permanentError{fmt.Errorf("the stored notice does not decode: %w", err)}
	}
	snd := d.senders[c.Destination]
	if err == nil && snd == nil {
		err = permanentError{errors.New("the destination is no longer configured")}
	}
	if err == nil && c.Kind == store.KindUpdate {
		m.Update = &Update{}
		m.Update.Count, m.Update.First, m.Update.Last, err = d.st.Folded(ctx, c.ParentID)
	}
	if err == nil {
		err = snd.send(ctx, m)
	}
	now := d.opts.Clock()
	if err == nil {
		if err := d.st.DeliverySent(ctx, c.ID, d.opts.Owner, now); err != nil {
			return err
		}
		log.Info("notification sent", "possible_repeat", c.PossibleRepeat)
		if d.opts.Metrics != nil {
			d.opts.Metrics.Sent(c.Destination)
		}
		return nil
	}
	reason := d.redact(err.Error())
	_, permanent := errors.AsType[permanentError](err)
	gaveUp := permanent || c.Attempts >= d.cfg.Retry.MaxAttempts
	next := now.Add(d.backoff(c.Attempts))
	if err := d.st.DeliveryFailed(ctx, c.ID, d.opts.Owner, reason, next, gaveUp); err != nil {
		return err
	}
	if gaveUp {
		log.Error("notification given up", "err", reason)
		if d.opts.Metrics != nil {
			d.opts.Metrics.GaveUp(c.Destination)
		}
		return nil
	}
	log.Warn("notification failed; will retry", "err", reason, "next_attempt", next)
	if d.opts.Metrics != nil {
		d.opts.Metrics.Failed(c.Destination)
	}
	return nil
}

// backoff is the wait after the attempt-th failed attempt: the initial
// backoff doubled each time up to the maximum, drawn between half and all
// of it so that replicas retrying together spread out.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b, limit := time.Duration(d.cfg.Retry.InitialBackoff), time.Duration(d.cfg.Retry.MaxBackoff)
	for i := 1; i < attempt && b < limit; i++ {
		b *= 2
	}
	b = min(b, limit)
	return b/2 + rand.N(b/2+1)
}

// redact removes every secret from s and bounds it to one short line.
func (d *Dispatcher) redact(s string) string {
	for _, secret := range d.secrets {
		s = strings.ReplaceAll(s, secret, "********")
	}
	return termsafe.Shorten(oneLine(s), 500)
}
