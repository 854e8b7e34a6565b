package serve_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/serve"
	"github.com/rootguard/rootguard/internal/store"
)

// clockNotifier is the real alert routing, timed: when each event's
// alert was enqueued, and when its notification reached the webhook.
type clockNotifier struct {
	*notify.Dispatcher
	mu       sync.Mutex
	enqueued map[string]time.Time // by event ID
	sent     map[string]time.Time // by idempotency key
	each     chan struct{}        // one per first notification received
}

func (n *clockNotifier) Enqueue(ctx context.Context, a detect.Alert) error {
	n.mu.Lock()
	if _, ok := n.enqueued[a.EventID]; !ok {
		n.enqueued[a.EventID] = time.Now()
	}
	n.mu.Unlock()
	return n.Dispatcher.Enqueue(ctx, a)
}

func (n *clockNotifier) ServeHTTP(_ http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(notify.HeaderIdempotencyKey)
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.sent[key]; !ok {
		n.sent[key] = time.Now()
		n.each <- struct{}{}
	}
}

// newClockNotifier routes every alert, none folded, to a loopback webhook.
func newClockNotifier(b *testing.B, st *store.Store, events int) *clockNotifier {
	n := &clockNotifier{enqueued: map[string]time.Time{}, sent: map[string]time.Time{}, each: make(chan struct{}, events)}
	hook := httptest.NewServer(n)
	b.Cleanup(hook.Close)
	cfg, err := notify.Parse([]byte("schema: rootguard.notify/v1\ndestinations:\n  - name: hook\n    webhook:\n      url: "+hook.URL+
		"/\ndefault: [hook]\ndedup:\n  window: 0s\n"), "bench")
	if err != nil {
		b.Fatal(err)
	}
	if n.Dispatcher, err = notify.NewDispatcher(st, cfg, notify.Options{}); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkAlertLatency puts b.N root events into the simulator's queue
// at a fixed rate and measures, per event, the time from just before its
// SendMessage to its alert stored (SQLite) and enqueued, and to its
// notification received by a loopback webhook through the real alert
// routing (internal/notify): p50 and p99 in milliseconds. Reproduce (docs/serve.md):
//
//	go test ./internal/serve -run '^$' -bench AlertLatency -benchtime 600x
func BenchmarkAlertLatency(b *testing.B) {
	for _, rate := range []int{10, 100} {
		b.Run(fmt.Sprintf("rate=%d/s", rate), func(b *testing.B) {
			c, q := simQueue(b)
			st := sqliteStore(b)
			n := newClockNotifier(b, st, b.N)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- serve.Run(ctx, serve.Options{Store: st, Notifier: n, Queue: c, QueueURL: q, Workers: 4, Wait: 20 * time.Second, Listener: ln})
			}()
			// Measure from when the consumer runs.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
				if code, _ := get(b, "http://"+ln.Addr().String()+"/readyz"); code == 200 {
					break
				}
				if time.Now().After(deadline) {
					b.Fatal("not ready after a minute")
				}
			}
			sent := make([]time.Time, b.N)
			tick := time.NewTicker(time.Second / time.Duration(rate))
			b.ResetTimer()
			for i := range b.N {
				<-tick.C
				sent[i] = time.Now()
				if _, err := c.SendMessage(b.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(rootLogin(fmt.Sprint("lat-", i)))}); err != nil {
					b.Fatal(err)
				}
			}
			tick.Stop()
			timeout := time.After(time.Minute)
			for range b.N {
				select {
				case <-n.each:
				case <-timeout:
					b.Fatalf("%d of %d notifications sent after a minute", len(n.sent), b.N)
				}
			}
			b.StopTimer()
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			enq, out := make([]float64, b.N), make([]float64, b.N)
			for i := range b.N {
				id := fmt.Sprint("lat-", i)
				enq[i] = float64(n.enqueued[id].Sub(sent[i])) / float64(time.Millisecond)
				out[i] = float64(n.sent[notify.Key(id, "hook")].Sub(sent[i])) / float64(time.Millisecond)
			}
			for _, m := range []struct {
				name string
				lat  []float64
			}{{"enqueued", enq}, {"sent", out}} {
				slices.Sort(m.lat)
				b.ReportMetric(m.lat[len(m.lat)/2], m.name+"-p50-ms")
				b.ReportMetric(m.lat[min(len(m.lat)-1, len(m.lat)*99/100)], m.name+"-p99-ms")
			}
			b.ReportMetric(float64(rate), "events/s")
		})
	}
}
