package serve

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/intake"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/store"
)

// Notifier routes stored alerts to people: Enqueue records the deliveries
// an alert calls for (idempotent: an alert enqueued again enqueues nothing
// new) and Run sends them until its context is done.
type Notifier interface {
	Enqueue(ctx context.Context, a detect.Alert) error
	Run(ctx context.Context) error
}

// Options configure the service. Store is required; everything else is
// optional.
type Options struct {
	Store *store.Store
	// Notifier receives every alert after it is stored; nil: alerts are
	// only stored.
	Notifier Notifier
	// UI is mounted at "/" (the dashboard); nil: "/" lists the endpoints.
	UI http.Handler

	// Listener serves HTTP; nil: Listen is opened (default 127.0.0.1:8080).
	Listener net.Listener
	Listen   string
	// Listening, when set, is told the service's URL once it accepts
	// connections.
	Listening func(url string)

	// Scan collects and assesses, as rootguard scan does; nil: no
	// scheduled scans. It runs first at start, then once per Interval
	// (default 1 h) across every replica that shares the store.
	Scan     func(ctx context.Context) (*report.Report, error)
	Interval time.Duration

	// Queue and QueueURL: the SQS queue EventBridge delivers CloudTrail
	// events to; nil Queue: no SQS intake. Workers and Wait as intake's.
	Queue    intake.Queue
	QueueURL string
	Workers  int
	Wait     time.Duration

	// Webhook authenticates POST /hooks/eventbridge; without a secret the
	// webhook is not served.
	Webhook WebhookAuth
	// BodyLimit bounds a webhook request's body (default 256 KiB).
	BodyLimit int64

	// Detect tunes the aggregate rules.
	Detect detect.Config
	// Runbook, when set, is each alert's runbook; "{account}" stands for
	// its account ID (report.DefaultRunbook's form).
	Runbook string

	// Owner names this replica in leases (default: host, process ID and a
	// random suffix).
	Owner   string
	Metrics *Metrics // default NewMetrics()
	Logger  *slog.Logger
	Clock   func() time.Time
	// ShutdownTimeout bounds how long in-flight HTTP requests may take to
	// finish once the context is done (default 10 s).
	ShutdownTimeout time.Duration
}

// DefaultListen is where the service listens by default: loopback only.
const DefaultListen = "127.0.0.1:8080"

// DefaultInterval is the default time between scheduled scans.
const DefaultInterval = time.Hour

// DefaultBodyLimit bounds a webhook request's body by default: an
// EventBridge event is at most 256 KiB.
const DefaultBodyLimit = 256 << 10

// scanLease is the lease a replica holds for one interval's scan.
const scanLease = "scheduled-scan"

// service is one running replica.
type service struct {
	o       Options
	m       *Metrics
	log     *slog.Logger
	hook    *detect.Driver // the webhook's driver; Observe is safe for concurrent use
	running atomic.Bool    // the SQS consumer is running
}

// Run serves until ctx is done, then shuts down gracefully: the SQS
// consumer stops polling and finishes the messages it holds (the others
// come back after their visibility timeout), HTTP requests in flight get
// ShutdownTimeout to finish, and the alerts that need every record
// (bursts of failed sign-ins) are stored. It returns an error when the
// service could not start or did not stop cleanly.
func Run(ctx context.Context, o Options) error {
	s, err := newService(o)
	if err != nil {
		return err
	}
	ln := o.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cmp.Or(o.Listen, DefaultListen)); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	// Requests run on a context that the shutdown does not cancel: a
	// webhook call in flight stores its alert and answers.
	hs := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	s.log.Info("serving", "url", url, "owner", s.o.Owner)
	if o.Listening != nil {
		o.Listening(url)
	}

	// An HTTP server that fails stops the rest too.
	run, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	if o.Scan != nil {
		wg.Go(func() { s.schedule(run) })
	}
	if o.Queue != nil {
		wg.Go(func() { s.consume(run) })
	}
	if o.Notifier != nil {
		// Alerts are still stored and enqueued without it; the outbox
		// waits for a replica whose notifier runs.
		wg.Go(func() {
			if err := o.Notifier.Run(run); err != nil && run.Err() == nil {
				s.log.Error("notifier stopped", "error", err.Error())
			}
		})
	}
	var serveErr error
	select {
	case <-run.Done():
	case serveErr = <-served:
		serveErr = fmt.Errorf("serve: %w", serveErr)
		stop()
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.ShutdownTimeout)
	defer cancel()
	shutErr := hs.Shutdown(sctx)
	if shutErr != nil {
		shutErr = fmt.Errorf("serve: shutdown: %w", shutErr)
	}
	wg.Wait()
	all := []error{serveErr, shutErr}
	finish := context.WithoutCancel(ctx)
	for _, a := range s.hook.Close() {
		all = append(all, s.write(finish, a))
	}
	return errors.Join(all...)
}

func newService(o Options) (*service, error) {
	if o.Store == nil {
		return nil, errors.New("serve: no store")
	}
	if o.Queue != nil && o.QueueURL == "" {
		return nil, errors.New("serve: an SQS queue without its URL")
	}
	o.Interval = cmp.Or(o.Interval, DefaultInterval)
	o.BodyLimit = cmp.Or(o.BodyLimit, DefaultBodyLimit)
	o.ShutdownTimeout = cmp.Or(o.ShutdownTimeout, 10*time.Second)
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		o.Owner = fmt.Sprintf("%s-%d-%s", cmp.Or(host, "host"), os.Getpid(), hex.EncodeToString(b))
	}
	if o.Webhook.Secret != "" {
		o.Webhook.Header = cmp.Or(o.Webhook.Header, DefaultWebhookHeader)
		o.Webhook.User = cmp.Or(o.Webhook.User, DefaultWebhookUser)
	}
	hook, err := detect.NewDriver(o.Detect, detect.Window{})
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return &service{o: o, m: o.Metrics, log: o.Logger, hook: hook}, nil
}

// write is the one alert path: the store, then the notifier. Enqueue runs
// for an alert stored before too: the process that stored it may have
// died before enqueueing it, and Enqueue is idempotent.
func (s *service) write(ctx context.Context, a detect.Alert) error {
	if s.o.Runbook != "" && a.AccountID != "" {
		a.Runbook = strings.ReplaceAll(s.o.Runbook, "{account}", a.AccountID)
	}
	if a.EventID == "" {
		a.EventID = unidentified(a)
	}
	isNew, err := s.o.Store.RecordAlert(ctx, a, s.o.Clock().UTC())
	if err != nil {
		return err
	}
	result := "duplicate"
	if isNew {
		result = "new"
		s.log.Warn("root activity", "rule_id", a.RuleID, "severity", string(a.Severity), "account_id", a.AccountID,
			"event_id", a.EventID, "event_name", a.EventName, "event_time", a.EventTime)
	}
	s.m.alerts.WithLabelValues(result).Inc()
	if s.o.Notifier == nil {
		return nil
	}
	if err := s.o.Notifier.Enqueue(ctx, a); err != nil {
		return fmt.Errorf("enqueue alert %s: %w", a.EventID, err)
	}
	return nil
}

// unidentified names an alert whose record had no eventID by a hash of
// the alert apart from where it was read, so that its redelivery stores
// nothing new.
func unidentified(a detect.Alert) string {
	a.Source, a.Sources = detect.Source{}, nil
	b, _ := json.Marshal(a) // an Alert always marshals
	sum := sha256.Sum256(b)
	return "unidentified-" + hex.EncodeToString(sum[:16])
}

// consume runs the SQS consumer until ctx is done, starting it again
// (with a new driver, whose memory of handled events is then empty) after
// an error, with a backoff from 1 s to 1 min.
func (s *service) consume(ctx context.Context) {
	backoff := time.Second
	finish := context.WithoutCancel(ctx) // the consumer finishes its messages after ctx is done
	for {
		d, err := detect.NewDriver(s.o.Detect, detect.Window{})
		if err != nil {
			s.log.Error("sqs intake", "error", err.Error())
			return
		}
		s.running.Store(true)
		started := time.Now()
		st, err := intake.Consume(ctx, s.o.Queue, d, intake.Options{QueueURL: s.o.QueueURL, Workers: s.o.Workers, Wait: s.o.Wait,
			Logger: s.log, Tally: s.m.tally(s.o.Clock)}, func(a detect.Alert) error { return s.write(finish, a) })
		s.running.Store(false)
		s.log.Info("sqs intake stopped", "received", st.Received, "deleted", st.Deleted, "duplicates", st.Duplicates,
			"poison", st.Poison, "alerts", st.Alerts)
		if ctx.Err() != nil {
			if err != nil {
				s.log.Error("sqs intake", "error", err.Error())
			}
			return
		}
		if time.Since(started) > time.Minute {
			backoff = time.Second
		}
		s.m.restarts.Inc()
		s.log.Error("sqs intake stopped; starting it again", "error", fmt.Sprint(err), "after", backoff.String())
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(2*backoff, time.Minute)
	}
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
