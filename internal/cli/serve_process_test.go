package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

// serveHelperEnv carries the arguments of rootguard serve to the helper
// process (TestServeHelper), one per line.
const serveHelperEnv = "ROOTGUARD_TEST_SERVE_ARGS"

// TestServeHelper is rootguard serve in a process of its own, for the
// tests that kill it: it runs only when serveHelperEnv is set.
func TestServeHelper(t *testing.T) {
	args := os.Getenv(serveHelperEnv)
	if args == "" {
		t.Skip("the serve helper process of TestServeNoEventLost and TestServeReplicas")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(Run(ctx, strings.Split(args, "\n"), strings.NewReader(""), os.Stdout, os.Stderr))
}

// receiver is the webhook destination of the processes' alert routing,
// in the test process so that it outlives a kill: it counts each
// idempotency key's deliveries, and those not marked as possible repeats.
type receiver struct {
	mu            sync.Mutex
	got, unmarked map[string]int
}

func (v *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(notify.HeaderIdempotencyKey)
	v.mu.Lock()
	v.got[key]++
	if r.Header.Get(notify.HeaderPossibleRepeat) == "" {
		v.unmarked[key]++
	}
	v.mu.Unlock()
}

func (v *receiver) counts(key string) (got, unmarked int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.got[key], v.unmarked[key]
}

// serveProc is a running helper process.
type serveProc struct {
	cmd  *exec.Cmd
	url  chan string
	done chan error
	log  *os.File // its stdout and stderr
}

// logs is what the process wrote.
func (p *serveProc) logs() string {
	b, _ := os.ReadFile(p.log.Name())
	return string(b)
}

// startServe starts rootguard serve with args in a helper process and
// waits until it listens.
func startServe(t *testing.T, env []string, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelper$")
	cmd.Env = append(append(os.Environ(), env...), serveHelperEnv+"="+strings.Join(append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "info"}, args...), "\n"))
	log, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	p := &serveProc{cmd: cmd, url: make(chan string, 1), done: make(chan error, 1), log: log}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "rootguard serve: listening on "); ok {
				p.url <- u
			}
			fmt.Fprintln(log, sc.Text())
		}
		io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	select {
	case <-p.url:
	case err := <-p.done:
		t.Fatalf("serve ended before listening: %v\n%s", err, p.logs())
	case <-time.After(time.Minute):
		t.Fatalf("serve not listening after a minute:\n%s", p.logs())
	}
	return p
}

// kill9 kills the process with SIGKILL and waits for it.
func (p *serveProc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-p.done; err == nil {
		t.Fatalf("serve ended by itself before SIGKILL:\n%s", p.logs())
	}
}

// stop sends SIGTERM and expects a clean exit.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, p.logs())
		}
	case <-time.After(time.Minute):
		t.Fatalf("serve still running a minute after SIGTERM:\n%s", p.logs())
	}
}

// intakeRig is a queue of the simulator with events in it, and what the
// test needs to run serve against it.
type intakeRig struct {
	c      *sqs.Client
	q, dlq string
	env    []string
	args   []string
	ids    []string
	poison int
	hook   *receiver
}

// newIntakeRig sends n root sign-ins (every fifth twice) and two poison
// messages to the queue.
func newIntakeRig(t *testing.T, n int) *intakeRig {
	t.Helper()
	scn, err := sim.LoadScenario("../sim/testdata/resources.yaml")
	if err != nil {
		t.Skipf("the sim's resource scenario is not readable here: %v", err)
	}
	// Visibility 3 s: a kill's messages in flight come back soon; the
	// dead-letter queue after 5 receives, so that a message received
	// again while a loaded machine still works on it is not moved there.
	visibility := 3
	for i := range scn.Accounts {
		if scn.Accounts[i].ID == "222222222222" {
			scn.Accounts[i].Queues = append(scn.Accounts[i].Queues,
				sim.Queue{Name: "serve", VisibilityTimeout: &visibility, DeadLetterQueue: "serve-dlq", MaxReceiveCount: 5}, sim.Queue{Name: "serve-dlq"})
		}
	}
	srv, err := sim.Start(scn, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	key, secret, err := srv.IdentityCredentials("operator")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := awsclient.Load(t.Context(), awsclient.Options{Region: srv.Region(), EndpointURL: srv.URL(),
		Credentials: awsclient.StaticCredentials{AccessKeyID: key, SecretAccessKey: secret}})
	if err != nil {
		t.Fatal(err)
	}
	r := &intakeRig{c: sqs.NewFromConfig(cfg), q: srv.URL() + "/222222222222/serve", poison: 2,
		hook: &receiver{got: map[string]int{}, unmarked: map[string]int{}}}
	hook := httptest.NewServer(r.hook)
	t.Cleanup(hook.Close)
	// Every alert to the hook, none folded into another; a delivery whose
	// sender was killed is sent again two seconds later.
	routing := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(routing, []byte("schema: rootguard.notify/v1\ndestinations:\n  - name: hook\n    webhook:\n      url: "+
		hook.URL+"/\ndefault: [hook]\ndedup:\n  window: 0s\nlease: 2s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.dlq = r.q + "-dlq"
	r.env = []string{"AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN="}
	r.args = []string{"--endpoint-url", srv.URL(), "--region", srv.Region(), "--sqs-url", r.q, "--workers", "4", "--wait", "1s", "--notify", routing}
	send := func(body string) {
		if _, err := r.c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(r.q), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		id := fmt.Sprintf("evt-%03d", i)
		r.ids = append(r.ids, id)
		for range 1 + min(1, i%5/4) {
			send(demoEvents(0, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), func() string { return id })[0])
		}
		if i == n/3 || i == 2*n/3 {
			send(`{"not":"an event"}`)
		}
	}
	return r
}

// stored counts the alerts in the store, by event ID.
func stored(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	rows, err := st.Query(t.Context(), "SELECT event_id FROM alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id]++
	}
	return out
}

// waitStored waits until at least n alerts are stored.
func waitStored(t *testing.T, st *store.Store, n int, p ...*serveProc) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for len(stored(t, st)) < n {
		if time.Now().After(deadline) {
			var logs []string
			for _, x := range p {
				logs = append(logs, x.logs())
			}
			t.Fatalf("%d alerts stored after a minute, want %d:\n%s", len(stored(t, st)), n, strings.Join(logs, "\n---\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// check asserts the guarantees once every event was handled: one stored
// alert per event ID, the queue empty and the poison messages in the
// dead-letter queue, and every alert's notification delivered at least
// once with its idempotency key, a second delivery (after a kill) marked
// as a possible repeat.
func (r *intakeRig) check(t *testing.T, st *store.Store) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for simtest.QueueCounts(t, r.c, r.q) != "0/0" || simtest.QueueCounts(t, r.c, r.dlq) != fmt.Sprintf("%d/0", r.poison) {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: queue %s, dead-letter queue %s", simtest.QueueCounts(t, r.c, r.q), simtest.QueueCounts(t, r.c, r.dlq))
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := stored(t, st)
	if len(got) != len(r.ids) {
		t.Errorf("%d alerts stored, want %d (one per event)", len(got), len(r.ids))
	}
	deadline = time.Now().Add(time.Minute)
	for _, id := range r.ids {
		if got[id] != 1 {
			t.Errorf("event %s: %d stored alerts, want 1", id, got[id])
		}
		key := notify.Key(id, "hook")
		for n, _ := r.hook.counts(key); n == 0; n, _ = r.hook.counts(key) {
			if time.Now().After(deadline) {
				t.Fatalf("event %s: no notification delivered after a minute", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n, unmarked := r.hook.counts(key); unmarked > 1 {
			t.Errorf("event %s: delivered %d times, %d of them not marked as a possible repeat", id, n, unmarked)
		}
	}
}

// TestServeNoEventLost: rootguard serve killed with SIGKILL in the middle
// of a batch and started again loses no event and stores none twice, on
// SQLite and on PostgreSQL.
func TestServeNoEventLost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		r := newIntakeRig(t, 200)
		st, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		args := append([]string{"--db", dsn, "--interval", "0"}, r.args...)
		p := startServe(t, r.env, args...)
		waitStored(t, st, 40, p)
		p.kill9(t)
		if n := len(stored(t, st)); n >= len(r.ids) {
			t.Fatalf("all %d events handled before the kill: the test did not kill mid-batch", n)
		}
		p = startServe(t, r.env, args...)
		r.check(t, st)
		p.stop(t)
	})
}

// TestServeReplicas: two replicas on one PostgreSQL database and one
// queue, one of them killed mid-batch: the other handles every event
// (the killed one's in flight come back after the visibility timeout),
// with the guarantees of a single replica, and the scheduled scan runs
// once per interval between them.
func TestServeReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dsn := storetest.DSN(t, store.Postgres)
	r := newIntakeRig(t, 200)
	st, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const interval = 2 * time.Second
	args := append([]string{"--db", dsn, "--interval", interval.String()}, r.args...)
	began := time.Now()
	a := startServe(t, r.env, args...)
	b := startServe(t, r.env, args...)
	waitStored(t, st, 40, a, b)
	a.kill9(t)
	r.check(t, st)
	scans := func() int {
		var n int
		if err := st.QueryRow(t.Context(), "SELECT COUNT(*) FROM scans").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); scans() < 3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d scans recorded in a minute at an interval of %s:\n%s", scans(), interval, b.logs())
		}
	}
	b.stop(t)
	elapsed := time.Since(began)
	if n, most := scans(), int(elapsed/interval)+1; n > most {
		t.Errorf("%d scans in %s at an interval of %s: at most %d, one per interval across both replicas", n, elapsed.Round(time.Millisecond), interval, most)
	}
}
