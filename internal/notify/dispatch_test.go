package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

var t0 = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// received is one POST the loopback server took.
type received struct {
	path   string
	header http.Header
	body   []byte
}

// hook is a loopback HTTP server that records each POST and answers the
// status status gives (200 when nil).
type hook struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status func(n int) int // n counts requests from 1
	before func(n int)     // runs before answering
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, received{path: r.URL.Path, header: r.Header.Clone(), body: body})
		n, status, before := len(h.got), h.status, h.before
		h.mu.Unlock()
		if before != nil {
			before(n)
		}
		code := http.StatusOK
		if status != nil {
			code = status(n)
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "answer %d", code)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) requests() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// keys are the Idempotency-Key headers received, in order.
func (h *hook) keys() []string {
	var out []string
	for _, r := range h.requests() {
		out = append(out, r.header.Get(notify.HeaderIdempotencyKey))
	}
	return out
}

// env is a fixed environment for the secrets configurations name.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func newDispatcher(t *testing.T, st *store.Store, yaml string, opts notify.Options) *notify.Dispatcher {
	t.Helper()
	cfg, err := notify.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Owner == "" {
		opts.Owner = "A"
	}
	d, err := notify.NewDispatcher(st, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func sqliteStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), storetest.DSN(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func webhookConfig(url, extra string) string {
	return "schema: rootguard.notify/v1\ndestinations:\n  - name: siem\n    webhook: {url: \"" + url + "\", secret_env: SIEM_SECRET}\n" + extra + "default: [siem]\n"
}

func dispatch(t *testing.T, d *notify.Dispatcher) int {
	t.Helper()
	n, err := d.Dispatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func states(t *testing.T, st *store.Store) []string {
	t.Helper()
	ds, err := st.Deliveries(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.EventID+":"+string(d.State))
	}
	slices.Sort(out)
	return out
}

func TestWebhookDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newHook(t)
		c := newClock()
		d := newDispatcher(t, st, webhookConfig(h.URL+"/hook", ""), notify.Options{Clock: c.now, Getenv: env(map[string]string{"SIEM_SECRET": "s3cret"})})
		a := rootSignIn("ev-1")
		for range 2 { // an event delivered twice enqueues once
			if err := d.Enqueue(t.Context(), a); err != nil {
				t.Fatal(err)
			}
		}
		if n := dispatch(t, d); n != 1 {
			t.Fatalf("claimed %d", n)
		}
		dispatch(t, d)
		got := h.requests()
		if len(got) != 1 {
			t.Fatalf("%d requests, want 1", len(got))
		}
		r := got[0]
		if k := r.header.Get(notify.HeaderIdempotencyKey); k != notify.Key("ev-1", "siem") || !strings.HasPrefix(k, "rg-") {
			t.Errorf("key %q", k)
		}
		mac := hmac.New(sha256.New, []byte("s3cret"))
		mac.Write(r.body)
		if sig := r.header.Get(notify.HeaderSignature); sig != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("signature %q does not verify", sig)
		}
		if r.header.Get(notify.HeaderPossibleRepeat) != "false" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.header)
		}
		var body struct {
			Schema, Kind, Title string
			IdempotencyKey      string `json:"idempotency_key"`
			Notice              notify.Notice
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Schema != notify.WebhookSchema || body.Kind != "alert" || body.IdempotencyKey != notify.Key("ev-1", "siem") ||
			body.Notice.Alert.EventID != "ev-1" || body.Notice.Window.Status != notify.WindowOutside {
			t.Errorf("body %s", r.body)
		}
		if s := states(t, st); fmt.Sprint(s) != "[ev-1:sent]" {
			t.Errorf("outbox %v", s)
		}
	})
}

func TestBreakGlassWindow(t *testing.T) {
	st := sqliteStore(t)
	ctx := t.Context()
	bg := st.Breakglass()
	for _, p := range []string{"alice", "bob"} {
		if err := bg.AddPerson(ctx, breakglass.Person{ID: p}, []string{"arn:aws:iam::111111111111:user/" + p}, t0); err != nil {
			t.Fatal(err)
		}
	}
	decided := t0.Add(-time.Hour)
	if err := bg.Create(ctx, breakglass.Request{ID: "bg-window1", AccountID: "111111111111", Reason: "unlock", Duration: 30 * time.Minute,
		Requester: "alice", RequesterARN: "arn:aws:iam::111111111111:user/alice", CreatedAt: decided.Add(-time.Minute), ExpiresAt: decided.Add(time.Hour),
		State: breakglass.Approved, Decider: "bob", DeciderARN: "arn:aws:iam::111111111111:user/bob", DecidedAt: decided}); err != nil {
		t.Fatal(err)
	}
	h := newHook(t)
	d := newDispatcher(t, st, webhookConfig(h.URL, "runbook_url: https://wiki.example.com/rb/{account}\n"),
		notify.Options{Clock: newClock().now, Getenv: env(map[string]string{"SIEM_SECRET": "x"})})
	failed := rootSignIn("ev-failed")
	failed.RuleID = detect.RuleConsoleLoginFailed
	withRunbook := rootSignIn("ev-runbook")
	withRunbook.Runbook = "rootguard runbook --account 111111111111"
	session := func(id, policy string) detect.Alert {
		a := rootSignIn(id)
		a.RuleID, a.Severity, a.AssumedRoot, a.TaskPolicy = "assume-root-session", detect.Low, true, "arn:aws:iam::aws:policy/root-task/"+policy
		return a
	}
	badTime := rootSignIn("ev-badtime")
	badTime.EventTime = "yesterday"
	for _, tc := range []struct {
		name        string
		a           detect.Alert
		at          time.Duration // event time from the window's start
		want        notify.Window
		wantRunbook string
	}{
		{"inside", rootSignIn("ev-in"), 10 * time.Minute, notify.Window{Status: notify.WindowInside, RequestID: "bg-window1"}, "https://wiki.example.com/rb/111111111111"},
		{"after the window", rootSignIn("ev-after"), 30 * time.Minute, notify.Window{Status: notify.WindowOutside}, "https://wiki.example.com/rb/111111111111"},
		{"another account", func() detect.Alert { a := rootSignIn("ev-other"); a.AccountID = "222222222222"; return a }(), 10 * time.Minute,
			notify.Window{Status: notify.WindowOutside}, "https://wiki.example.com/rb/222222222222"},
		{"a failed sign-in", failed, 10 * time.Minute, notify.Window{Status: notify.WindowNotApplicable}, "https://wiki.example.com/rb/111111111111"},
		{"the alert's own runbook", withRunbook, 10 * time.Minute, notify.Window{Status: notify.WindowInside, RequestID: "bg-window1"}, "rootguard runbook --account 111111111111"},
		{"an audit session of rootguard's own scans", session("ev-audit", "IAMAuditRootUserCredentials"), 40 * time.Minute,
			notify.Window{Status: notify.WindowNotApplicable}, "https://wiki.example.com/rb/111111111111"},
		{"a break-glass session inside", session("ev-session", "S3UnlockBucketPolicy"), 10 * time.Minute,
			notify.Window{Status: notify.WindowInside, RequestID: "bg-window1"}, "https://wiki.example.com/rb/111111111111"},
		{"an unreadable time", badTime, -1, notify.Window{Status: notify.WindowUnknown, Reason: `the event time "yesterday" cannot be placed in a window`}, "https://wiki.example.com/rb/111111111111"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			if tc.at >= 0 {
				a.EventTime = decided.Add(tc.at).Format(time.RFC3339)
			}
			if err := d.Enqueue(ctx, a); err != nil {
				t.Fatal(err)
			}
			ds, err := st.Deliveries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(ds, func(x store.Delivery) bool { return x.EventID == a.EventID })
			var n notify.Notice
			if err := json.Unmarshal(ds[i].Body, &n); err != nil {
				t.Fatal(err)
			}
			if n.Window != tc.want || n.Runbook != tc.wantRunbook {
				t.Errorf("window %+v runbook %q, want %+v %q", n.Window, n.Runbook, tc.want, tc.wantRunbook)
			}
		})
	}
}

type counts struct {
	mu                                     sync.Mutex
	sent, failed, gaveUp, folded, unrouted []string
}

func (c *counts) add(list *[]string, v string) { c.mu.Lock(); *list = append(*list, v); c.mu.Unlock() }
func (c *counts) Sent(d string)                { c.add(&c.sent, d) }
func (c *counts) Failed(d string)              { c.add(&c.failed, d) }
func (c *counts) GaveUp(d string)              { c.add(&c.gaveUp, d) }
func (c *counts) Deduplicated(d string)        { c.add(&c.folded, d) }
func (c *counts) Unrouted(r string)            { c.add(&c.unrouted, r) }

func TestRouting(t *testing.T) {
	const dests = "schema: rootguard.notify/v1\ndestinations:\n" +
		"  - {name: chat, webhook: {url: \"http://127.0.0.1:1/chat\"}}\n" +
		"  - {name: pager, webhook: {url: \"http://127.0.0.1:1/pager\"}}\n" +
		"  - {name: archive, webhook: {url: \"http://127.0.0.1:1/archive\"}}\n"
	const routes = "routes:\n" +
		"  - {rules: [root-console-login-without-mfa, root-activity-unapproved], to: [pager]}\n" +
		"  - {min_severity: high, to: [chat]}\n" +
		"  - {rules: [root-console-login-failed], min_severity: high, to: [pager]}\n"
	lowFailed := rootSignIn("x")
	lowFailed.RuleID, lowFailed.Severity = detect.RuleConsoleLoginFailed, detect.Medium
	highAPI := rootSignIn("x")
	highAPI.RuleID, highAPI.Severity = "root-api-activity", detect.High
	for _, tc := range []struct {
		name, config string
		a            detect.Alert
		want         []string
		unrouted     bool
	}{
		{"rule and severity both match, one delivery per destination", dests + routes, rootSignIn("x"), []string{"chat", "pager"}, false},
		{"severity only", dests + routes, highAPI, []string{"chat"}, false},
		{"rule but below the route's severity, no default", dests + routes, lowFailed, nil, true},
		{"no route matches: the default", dests + routes + "default: [archive]\n", lowFailed, []string{"archive"}, false},
		{"a route without conditions matches everything", dests + "routes:\n  - {to: [archive, archive]}\n", lowFailed, []string{"archive"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := sqliteStore(t)
			m := &counts{}
			d := newDispatcher(t, st, tc.config, notify.Options{Metrics: m})
			if err := d.Enqueue(t.Context(), tc.a); err != nil {
				t.Fatal(err)
			}
			ds, err := st.Deliveries(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range ds {
				got = append(got, x.Destination)
			}
			slices.Sort(got)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || (len(m.unrouted) == 1) != tc.unrouted {
				t.Errorf("destinations %v unrouted %v, want %v %v", got, m.unrouted, tc.want, tc.unrouted)
			}
		})
	}
	if err := newDispatcher(t, sqliteStore(t), dests+"default: [chat]\n", notify.Options{}).Enqueue(t.Context(), detect.Alert{RuleID: "root-api-activity"}); err == nil {
		t.Error("an alert without an event ID was enqueued")
	}
}

// TestDedup: a burst of one rule and account is one message at once and
// one update at the window's end; another account is its own.
func TestDedup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := newHook(t)
		c := newClock()
		m := &counts{}
		d := newDispatcher(t, st, webhookConfig(h.URL, "dedup: {window: 10m}\n"), notify.Options{Clock: c.now, Metrics: m, Getenv: env(map[string]string{"SIEM_SECRET": "x"})})
		enqueue := func(a detect.Alert) {
			t.Helper()
			if err := d.Enqueue(t.Context(), a); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			enqueue(rootSignIn(fmt.Sprint("burst-", i)))
			dispatch(t, d)
			c.add(time.Minute)
		}
		other := rootSignIn("other-account")
		other.AccountID = "222222222222"
		enqueue(other)
		dispatch(t, d)
		if k := h.keys(); fmt.Sprint(k) != fmt.Sprint([]string{notify.Key("burst-0", "siem"), notify.Key("other-account", "siem")}) {
			t.Fatalf("sent inside the window: %v", k)
		}
		c.add(5 * time.Minute) // t0+10m: the window ends
		dispatch(t, d)
		got := h.requests()
		if len(got) != 3 {
			t.Fatalf("%d requests after the window, want 3", len(got))
		}
		var up struct {
			Kind, Title string
			Update      struct{ Count int }
			Notice      notify.Notice
		}
		if err := json.Unmarshal(got[2].body, &up); err != nil {
			t.Fatal(err)
		}
		if up.Kind != "update" || up.Update.Count != 4 || up.Notice.Alert.EventID != "burst-4" ||
			!strings.HasPrefix(up.Title, "Update: 4 more root-console-login-without-mfa since 2026-12-07T10:01:00Z") {
			t.Errorf("update %s", got[2].body)
		}
		if len(m.folded) != 4 || len(m.sent) != 3 {
			t.Errorf("metrics folded %v sent %v", m.folded, m.sent)
		}
		// After the window a new burst opens a new group.
		enqueue(rootSignIn("burst-late"))
		dispatch(t, d)
		if k := h.keys(); k[len(k)-1] != notify.Key("burst-late", "siem") {
			t.Errorf("after the window: %v", k)
		}
	})
}

// TestRateLimit: the excess waits in the outbox, and goes out in the
// minutes after.
func TestRateLimit(t *testing.T) {
	st := sqliteStore(t)
	h := newHook(t)
	c := newClock()
	d := newDispatcher(t, st, webhookConfig(h.URL, "    rate_limit_per_minute: 2\ndedup: {window: 0s}\n"),
		notify.Options{Clock: c.now, Getenv: env(map[string]string{"SIEM_SECRET": "x"})})
	for i := range 5 {
		if err := d.Enqueue(t.Context(), rootSignIn(fmt.Sprint("ev-", i))); err != nil {
			t.Fatal(err)
		}
	}
	var sent []int
	for range 4 {
		dispatch(t, d)
		dispatch(t, d)
		sent = append(sent, len(h.requests()))
		c.add(61 * time.Second)
	}
	if fmt.Sprint(sent) != "[2 4 5 5]" {
		t.Errorf("sent after each minute %v, want [2 4 5 5]", sent)
	}
}

// TestRetry: failures wait a jittered, doubling backoff, then give up;
// a refusal that cannot change gives up at once.
func TestRetry(t *testing.T) {
	st := sqliteStore(t)
	h := newHook(t)
	h.status = func(int) int { return http.StatusServiceUnavailable }
	c := newClock()
	m := &counts{}
	d := newDispatcher(t, st, webhookConfig(h.URL, "retry: {max_attempts: 3, initial_backoff: 30s, max_backoff: 40s}\ndedup: {window: 0s}\n"),
		notify.Options{Clock: c.now, Metrics: m, Getenv: env(map[string]string{"SIEM_SECRET": "x"})})
	if err := d.Enqueue(t.Context(), rootSignIn("ev-1")); err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ lo, hi time.Duration }{{15 * time.Second, 30 * time.Second}, {20 * time.Second, 40 * time.Second}} {
		if n := dispatch(t, d); n != 1 {
			t.Fatalf("attempt %d: claimed %d", i+1, n)
		}
		ds, _ := st.Deliveries(t.Context())
		wait := ds[0].NextAttempt.Sub(c.now())
		if ds[0].State != store.DeliveryFailed || wait < want.lo || wait > want.hi || !strings.Contains(ds[0].LastError, "503") {
			t.Fatalf("after attempt %d: %s, next in %s (want %s to %s), %q", i+1, ds[0].State, wait, want.lo, want.hi, ds[0].LastError)
		}
		if n := dispatch(t, d); n != 0 {
			t.Fatalf("retried before its backoff")
		}
		c.add(wait)
	}
	dispatch(t, d)
	if s := states(t, st); fmt.Sprint(s) != "[ev-1:gave_up]" || len(h.requests()) != 3 || len(m.failed) != 2 || len(m.gaveUp) != 1 {
		t.Errorf("after 3 attempts: %v, %d requests, metrics %+v", s, len(h.requests()), m)
	}
	h.status = func(int) int { return http.StatusNotFound }
	if err := d.Enqueue(t.Context(), rootSignIn("ev-2")); err != nil {
		t.Fatal(err)
	}
	dispatch(t, d)
	if s := states(t, st); fmt.Sprint(s) != "[ev-1:gave_up ev-2:gave_up]" {
		t.Errorf("a 404: %v", s)
	}
}

// TestCrashRepeat: dispatcher A dies mid-send (its context ends after the
// message left, before the outcome is recorded); B takes the delivery
// once A's lease ran out and sends it again, marked as a possible repeat,
// with the same key. Every enqueued delivery is sent at least once.
func TestCrashRepeat(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		open := func() *store.Store {
			st, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
		stA, stB := open(), open() // two processes
		h := newHook(t)
		c := newClock()
		ctxA, die := context.WithCancel(t.Context())
		h.before = func(n int) {
			if n == 1 {
				die()
			}
		}
		getenv := env(map[string]string{"SIEM_SECRET": "x"})
		cfg := webhookConfig(h.URL, "dedup: {window: 0s}\nlease: 2m\n")
		a := newDispatcher(t, stA, cfg, notify.Options{Owner: "A", Clock: c.now, Getenv: getenv})
		b := newDispatcher(t, stB, cfg, notify.Options{Owner: "B", Clock: c.now, Getenv: getenv})
		for i := range 3 {
			if err := a.Enqueue(t.Context(), rootSignIn(fmt.Sprint("ev-", i))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Dispatch(ctxA); err == nil {
			t.Fatal("A recorded its send after it died")
		}
		dispatch(t, b) // A's lease holds: B sends the other two
		if n := len(h.requests()); n != 3 {
			t.Fatalf("%d requests while A's lease holds, want 3", n)
		}
		c.add(2 * time.Minute)
		dispatch(t, b)
		got := h.requests()
		if len(got) != 4 {
			t.Fatalf("%d requests after the lease, want 4", len(got))
		}
		first, repeat := got[0], got[3]
		if repeat.header.Get(notify.HeaderIdempotencyKey) != first.header.Get(notify.HeaderIdempotencyKey) ||
			repeat.header.Get(notify.HeaderPossibleRepeat) != "true" || first.header.Get(notify.HeaderPossibleRepeat) != "false" {
			t.Errorf("first %v, repeat %v", first.header, repeat.header)
		}
		if !strings.Contains(string(repeat.body), `"possible_repeat":true`) || !strings.Contains(string(repeat.body), "(possible repeat)") {
			t.Errorf("repeat body %s", repeat.body)
		}
		if s := states(t, stB); fmt.Sprint(s) != "[ev-0:sent ev-1:sent ev-2:sent]" {
			t.Errorf("outbox %v", s)
		}
		seen := map[string]bool{}
		for _, k := range h.keys() {
			seen[k] = true
		}
		for i := range 3 {
			if !seen[notify.Key(fmt.Sprint("ev-", i), "siem")] {
				t.Errorf("ev-%d never sent", i)
			}
		}
	})
}

// TestReplicasRace: two dispatchers on one PostgreSQL database share 200
// deliveries; each is sent exactly once (no lease runs out meanwhile).
func TestReplicasRace(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	h := newHook(t)
	getenv := env(map[string]string{"SIEM_SECRET": "x"})
	cfg := webhookConfig(h.URL, "dedup: {window: 0s}\nlease: 10m\n")
	var ds []*notify.Dispatcher
	for _, owner := range []string{"A", "B"} {
		st, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		ds = append(ds, newDispatcher(t, st, cfg, notify.Options{Owner: owner, Getenv: getenv}))
	}
	const n = 200
	for i := range n {
		if err := ds[i%2].Enqueue(t.Context(), rootSignIn(fmt.Sprint("ev-", i))); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	claimed := make([]int, 2)
	for i, d := range ds {
		wg.Go(func() {
			for {
				c, err := d.Dispatch(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				if c == 0 {
					return
				}
				claimed[i] += c
			}
		})
	}
	wg.Wait()
	perKey := map[string]int{}
	for _, k := range h.keys() {
		perKey[k]++
	}
	for i := range n {
		if c := perKey[notify.Key(fmt.Sprint("ev-", i), "siem")]; c != 1 {
			t.Errorf("ev-%d sent %d times", i, c)
		}
	}
	if len(h.keys()) != n || claimed[0]+claimed[1] != n {
		t.Errorf("%d requests, claims %v, want %d", len(h.keys()), claimed, n)
	}
	t.Logf("claims per dispatcher: %v", claimed)
}

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// TestRun: Run delivers what is enqueued while it runs, and returns nil
// once its context ends.
func TestRun(t *testing.T) {
	st := sqliteStore(t)
	h := newHook(t)
	got := make(chan int, 10)
	h.before = func(n int) { got <- n }
	d := newDispatcher(t, st, webhookConfig(h.URL, ""), notify.Options{Poll: 5 * time.Millisecond, Getenv: env(map[string]string{"SIEM_SECRET": "x"})})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	if err := d.Enqueue(t.Context(), rootSignIn("ev-run")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("Run sent nothing in 30 s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v", err)
	}
	if k := h.keys(); len(k) != 1 || k[0] != notify.Key("ev-run", "siem") {
		t.Errorf("sent %v", k)
	}
}
