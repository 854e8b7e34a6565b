package serve_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/serve"
)

// clockNotifier records when each event's alert was enqueued.
type clockNotifier struct {
	mu   sync.Mutex
	at   map[string]time.Time
	each chan struct{}
}

func (n *clockNotifier) Enqueue(_ context.Context, a detect.Alert) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.at[a.EventID]; !ok {
		n.at[a.EventID] = time.Now()
		n.each <- struct{}{}
	}
	return nil
}

func (n *clockNotifier) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// BenchmarkAlertLatency puts b.N root events into the simulator's queue
// at a fixed rate and measures, per event, the time from just before its
// SendMessage to its alert stored (SQLite) and enqueued: p50 and p99 in
// milliseconds. Reproduce (docs/serve.md):
//
//	go test ./internal/serve -run '^$' -bench AlertLatency -benchtime 600x
func BenchmarkAlertLatency(b *testing.B) {
	for _, rate := range []int{10, 100} {
		b.Run(fmt.Sprintf("rate=%d/s", rate), func(b *testing.B) {
			c, q := simQueue(b)
			st := sqliteStore(b)
			n := &clockNotifier{at: map[string]time.Time{}, each: make(chan struct{}, b.N)}
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
					b.Fatalf("%d of %d alerts enqueued after a minute", len(n.at), b.N)
				}
			}
			b.StopTimer()
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			lat := make([]float64, b.N)
			for i := range b.N {
				lat[i] = float64(n.at[fmt.Sprint("lat-", i)].Sub(sent[i])) / float64(time.Millisecond)
			}
			slices.Sort(lat)
			b.ReportMetric(lat[len(lat)/2], "p50-ms")
			b.ReportMetric(lat[min(len(lat)-1, len(lat)*99/100)], "p99-ms")
			b.ReportMetric(float64(rate), "events/s")
		})
	}
}
