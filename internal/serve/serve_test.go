package serve_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/serve"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

const acct = "222222222222"

// rootLogin is an EventBridge event of a root console sign-in.
func rootLogin(id string) string {
	return `{"version":"0","id":"eb-` + id + `","detail-type":"AWS Console Sign In via CloudTrail","source":"aws.signin","account":"` + acct + `","region":"us-east-1","detail":` +
		`{"eventVersion":"1.05","userIdentity":{"type":"Root","principalId":"` + acct + `","arn":"arn:aws:iam::` + acct + `:root","accountId":"` + acct + `"},` +
		`"eventTime":"2026-12-07T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0",` +
		`"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"},"eventID":"` + id + `","eventType":"AwsConsoleSignIn","recipientAccountId":"` + acct + `"}}`
}

// notifier records what was enqueued, once per event ID and in all.
type notifier struct {
	mu     sync.Mutex
	events map[string]int
	fail   error
}

func (n *notifier) Enqueue(_ context.Context, a detect.Alert) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	if n.events == nil {
		n.events = map[string]int{}
	}
	n.events[a.EventID]++
	return nil
}

func (n *notifier) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

func (n *notifier) count(id string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.events[id]
}

// start runs the service until the test ends and returns its URL.
func start(t *testing.T, o serve.Options) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.Listener = ln
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve.Run: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sqliteStore opens a fresh SQLite store, closed when the test ends.
func sqliteStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(tb.Context(), "sqlite:"+tb.TempDir()+"/s.db")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// simQueue serves the sim's resources scenario and returns an SQS client
// of its workload account and the URL of its alerts queue.
func simQueue(tb testing.TB) (*sqs.Client, string) {
	tb.Helper()
	scn, err := sim.LoadScenario("../sim/testdata/resources.yaml")
	if err != nil {
		tb.Skipf("the sim's resource scenario is not readable here: %v", err)
	}
	srv, cfg := simtest.Start(tb, scn, sim.Options{})
	c := sqs.NewFromConfig(simtest.As(tb, srv, cfg, "operator"))
	out, err := c.GetQueueUrl(tb.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("alerts")})
	if err != nil {
		tb.Fatal(err)
	}
	return c, aws.ToString(out.QueueUrl)
}

func alerts(t *testing.T, s *store.Store) []detect.Alert {
	t.Helper()
	as, err := s.Alerts(t.Context(), time.Time{}, time.Now().AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// TestWebhook: credentials, size and shape are checked before anything is
// stored; an event stores one alert however often EventBridge posts it,
// and each post enqueues it again (the notifier is idempotent), so a
// crash between storing and enqueueing loses nothing.
func TestWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		n := &notifier{}
		url := start(t, serve.Options{Store: st, Notifier: n, BodyLimit: 4096,
			Webhook: serve.WebhookAuth{Secret: "s3cret", Header: "X-Api-Key"}, Runbook: "https://wiki.example/root/{account}"})
		for _, c := range []struct {
			name   string
			method string
			body   string
			auth   func(*http.Request)
			want   int
		}{
			{"no credentials", "POST", rootLogin("e1"), func(*http.Request) {}, http.StatusUnauthorized},
			{"wrong key", "POST", rootLogin("e1"), func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cres") }, http.StatusUnauthorized},
			{"wrong basic password", "POST", rootLogin("e1"), func(r *http.Request) { r.SetBasicAuth(serve.DefaultWebhookUser, "nope") }, http.StatusUnauthorized},
			{"wrong basic user", "POST", rootLogin("e1"), func(r *http.Request) { r.SetBasicAuth("admin", "s3cret") }, http.StatusUnauthorized},
			{"key in another header", "POST", rootLogin("e1"), func(r *http.Request) { r.Header.Set(serve.DefaultWebhookHeader, "s3cret") }, http.StatusUnauthorized},
			{"oversized", "POST", rootLogin("e1") + strings.Repeat(" ", 4096), func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cret") }, http.StatusRequestEntityTooLarge},
			{"invalid JSON", "POST", `{"detail":`, func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cret") }, http.StatusBadRequest},
			{"not a CloudTrail event", "POST", `{"detail":{"hello":1}}`, func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cret") }, http.StatusBadRequest},
			{"GET", "GET", "", func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cret") }, http.StatusMethodNotAllowed},
			{"api key", "POST", rootLogin("e1"), func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cret") }, http.StatusOK},
			{"the same event again", "POST", rootLogin("e1"), func(r *http.Request) { r.Header.Set("X-Api-Key", "s3cret") }, http.StatusOK},
			{"basic auth", "POST", rootLogin("e2"), func(r *http.Request) { r.SetBasicAuth(serve.DefaultWebhookUser, "s3cret") }, http.StatusOK},
		} {
			req, err := http.NewRequest(c.method, url+serve.HookPath, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			c.auth(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, b, c.want)
			}
		}
		got := alerts(t, st)
		var ids []string
		for _, a := range got {
			ids = append(ids, a.EventID)
			if a.Runbook != "https://wiki.example/root/"+acct {
				t.Errorf("alert %s: runbook %q", a.EventID, a.Runbook)
			}
		}
		if strings.Join(ids, ",") != "e1,e2" {
			t.Errorf("stored alerts of events %v, want e1 and e2 once each", ids)
		}
		if n.count("e1") != 2 || n.count("e2") != 1 {
			t.Errorf("enqueued e1 %d times, e2 %d times: want every post enqueued", n.count("e1"), n.count("e2"))
		}
		_, metrics := get(t, url+"/metrics")
		for _, want := range []string{`rootguard_alerts_total{result="new"} 2`, `rootguard_alerts_total{result="duplicate"} 1`,
			`rootguard_webhook_rejected_total{reason="unauthorized"} 5`, `rootguard_webhook_rejected_total{reason="too_large"} 1`,
			`rootguard_webhook_rejected_total{reason="invalid"} 2`, `rootguard_events_received_total{source="webhook"} 3`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestWebhookStoreFails: a notifier that fails makes the webhook answer
// 503, so EventBridge retries.
func TestWebhookNotifierFails(t *testing.T) {
	st := sqliteStore(t)
	url := start(t, serve.Options{Store: st, Notifier: &notifier{fail: fmt.Errorf("outbox full")}, Webhook: serve.WebhookAuth{Secret: "k"}})
	req, _ := http.NewRequest("POST", url+serve.HookPath, strings.NewReader(rootLogin("e1")))
	req.Header.Set(serve.DefaultWebhookHeader, "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a failing notifier: %d, want 503", resp.StatusCode)
	}
}

// TestWebhookAuthLog: the secret never reaches a log.
func TestWebhookAuthLog(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("webhook", "auth", serve.WebhookAuth{Secret: "s3cret-value", Header: "X-Key", User: "eb"})
	if strings.Contains(b.String(), "s3cret-value") || !strings.Contains(b.String(), "auth.header=X-Key") {
		t.Errorf("logged %q", b.String())
	}
}

// TestEndpoints: the index without a UI, health, readiness, and no
// webhook without a secret.
func TestEndpoints(t *testing.T) {
	st := sqliteStore(t)
	url := start(t, serve.Options{Store: st})
	for _, c := range []struct {
		path string
		code int
		body string
	}{
		{"/", 200, "/metrics"},
		{"/healthz", 200, "ok"},
		{"/readyz", 200, "ready"},
		{"/nothing", 404, ""},
		{serve.HookPath, 404, ""},
		{"/metrics", 200, "go_goroutines"},
	} {
		code, body := get(t, url+c.path)
		if code != c.code || !strings.Contains(body, c.body) {
			t.Errorf("GET %s: %d %q, want %d with %q", c.path, code, body, c.code, c.body)
		}
	}
	ui := start(t, serve.Options{Store: st, UI: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "dashboard") })})
	if code, body := get(t, ui+"/accounts"); code != 200 || body != "dashboard" {
		t.Errorf("with a UI, GET /accounts: %d %q", code, body)
	}
	if code, _ := get(t, ui+"/healthz"); code != 200 {
		t.Errorf("with a UI, GET /healthz: %d", code)
	}
}

// TestSQS: events EventBridge delivered to the queue become stored and
// enqueued alerts, once per event ID; the queue is left empty and
// readiness says the consumer runs.
func TestSQS(t *testing.T) {
	c, q := simQueue(t)
	st := sqliteStore(t)
	const events = 20
	for i := range events {
		for range 1 + i%2 { // every other event twice
			if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(rootLogin(fmt.Sprint("e", i)))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	n := &notifier{}
	url := start(t, serve.Options{Store: st, Notifier: n, Queue: c, QueueURL: q, Workers: 3, Wait: time.Second})
	deadline := time.Now().Add(time.Minute)
	for len(alerts(t, st)) < events || simtest.QueueCounts(t, c, q) != "0/0" {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: %d alerts stored, queue %s", len(alerts(t, st)), simtest.QueueCounts(t, c, q))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := range events {
		if id := fmt.Sprint("e", i); n.count(id) < 1 {
			t.Errorf("event %s never enqueued", id)
		}
	}
	if code, body := get(t, url+"/readyz"); code != 200 {
		t.Errorf("readyz with the consumer running: %d %s", code, body)
	}
	_, metrics := get(t, url+"/metrics")
	for _, want := range []string{fmt.Sprintf(`rootguard_alerts_total{result="new"} %d`, events), "rootguard_sqs_message_seconds_count", "rootguard_queue_lag_seconds"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestScheduleOnce: two replicas on one database scan once per interval
// between them, not once each; the scans are recorded.
func TestScheduleOnce(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		const interval = 400 * time.Millisecond
		var mu sync.Mutex
		scans := map[string]int{}
		scan := func(owner string) func(context.Context) (*report.Report, error) {
			return func(context.Context) (*report.Report, error) {
				mu.Lock()
				scans[owner]++
				mu.Unlock()
				f := checks.Finding{CheckID: "root-mfa-enabled", AccountID: "111111111111", Status: checks.Fail, Severity: checks.Critical}
				return report.New(report.Meta{Mode: "test"}, []checks.Finding{f}, time.Now()), nil
			}
		}
		total := func() int {
			mu.Lock()
			defer mu.Unlock()
			return scans["a"] + scans["b"]
		}
		began := time.Now()
		var stores []*store.Store
		var urls []string
		for _, owner := range []string{"a", "b"} {
			st, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			stores = append(stores, st)
			urls = append(urls, start(t, serve.Options{Store: st, Owner: owner, Interval: interval, Scan: scan(owner)}))
		}
		deadline := time.Now().Add(30 * time.Second)
		for total() < 5 {
			if time.Now().After(deadline) {
				t.Fatalf("%d scans in 30 s at an interval of %s", total(), interval)
			}
			time.Sleep(10 * time.Millisecond)
		}
		elapsed := time.Since(began)
		// Under load a replica may wake late and scan less often, never
		// more: at most one scan per interval begun.
		if n, most := total(), int(elapsed/interval)+1; n > most {
			t.Errorf("%d scans in %s at an interval of %s: at most %d (one per interval across both replicas)", n, elapsed, interval, most)
		}
		if _, rep, err := stores[0].LatestScan(t.Context()); err != nil || rep == nil || len(rep.Findings) != 1 {
			t.Errorf("latest recorded scan: %v, %v", rep, err)
		}
		_, metrics := get(t, urls[0]+"/metrics")
		if !strings.Contains(metrics, `rootguard_findings{status="FAIL"} 1`) {
			t.Errorf("metrics lack the latest scan's FAIL")
		}
	})
}

// TestSQSRestarts: a consumer that cannot read its queue is started again
// with a backoff, and the replica says it is not ready meanwhile.
func TestSQSRestarts(t *testing.T) {
	c, q := simQueue(t)
	url := start(t, serve.Options{Store: sqliteStore(t), Queue: c, QueueURL: q + "-missing", Wait: time.Second})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		_, metrics := get(t, url+"/metrics")
		code, body := get(t, url+"/readyz")
		if strings.Contains(metrics, "rootguard_intake_restarts_total 2") {
			if code != http.StatusServiceUnavailable || !strings.Contains(body, "SQS intake is not running") {
				t.Errorf("readyz while the consumer cannot run: %d %s", code, body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second restart in a minute:\n%s", metrics)
		}
	}
}
