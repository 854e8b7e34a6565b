package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rootguard/rootguard/internal/detect"
)

// Queue is the part of the SQS client a consumer uses.
type Queue interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// Options configure a consumer.
type Options struct {
	// QueueURL is the queue to consume.
	QueueURL string
	// Workers is how many long polls run at once (default 4, at most MaxWorkers).
	Workers int
	// Wait is the long poll's wait, at most 20 s (default 20 s).
	Wait time.Duration
	// Remember is how many event IDs are remembered for de-duplication
	// (default 100,000; the oldest are forgotten first).
	Remember int
	// Logger receives one warning per poison message (default: discard).
	Logger *slog.Logger
	// Tally, when set, is told what became of each message as it
	// happens, from the workers (concurrently), with when the queue
	// received it (zero when it did not say): for counters that a
	// long-running consumer exposes while Stats are not yet returned.
	Tally func(o Outcome, sent time.Time)
}

// Outcome is what became of a message, as Options.Tally is told.
type Outcome int

// The outcomes, counted as Stats counts them.
const (
	Received  Outcome = iota // received (a redelivery counts again)
	Deleted                  // deleted after its alerts were written
	Duplicate                // of an event already handled, deleted unobserved
	Poison                   // not a CloudTrail event, left in the queue
)

// MaxWorkers bounds Options.Workers.
const MaxWorkers = 64

// Stats count what a consumer did.
type Stats struct {
	Received   int64 // messages received (a redelivery counts again)
	Deleted    int64 // messages deleted after their alerts were written
	Duplicates int64 // messages of an event already handled, deleted unobserved
	Poison     int64 // messages that are not CloudTrail events, left in the queue
	Alerts     int64 // alerts written
}

// Consume reads the queue until ctx is done, writing the alerts the driver
// admits with write, from one goroutine; on return it writes the driver's
// aggregate and join alerts (Driver.Close). The error is the first that
// stopped it: a receive or delete the SDK could not retry, or a write.
func Consume(ctx context.Context, q Queue, d *detect.Driver, opts Options, write func(detect.Alert) error) (Stats, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Workers > MaxWorkers {
		return Stats{}, fmt.Errorf("%d workers: at most %d", opts.Workers, MaxWorkers)
	}
	if opts.Wait <= 0 || opts.Wait > 20*time.Second {
		opts.Wait = 20 * time.Second
	}
	if opts.Remember <= 0 {
		opts.Remember = 100_000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Tally == nil {
		opts.Tally = func(Outcome, time.Time) {}
	}
	c := &consumer{q: q, d: d, opts: opts, write: write, seen: newMemory(opts.Remember), work: make(chan batch)}
	// Work in flight finishes after ctx is done: its alerts are written and
	// its messages deleted.
	c.finish = context.WithoutCancel(ctx)
	stop, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() {
			if err := c.poll(stop); err != nil {
				cancel(err)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var werr error
	for {
		select {
		case b := <-c.work:
			b.reply <- c.admit(b.alerts, &werr)
			continue
		case <-done:
		}
		break
	}
	for _, a := range d.Close() {
		if werr == nil {
			werr = write(a)
			c.stats.Alerts++
		}
	}
	err := context.Cause(stop)
	if errors.Is(err, ctx.Err()) {
		err = nil // stopped by the caller
	}
	return c.stats, errors.Join(err, werr)
}

type consumer struct {
	q      Queue
	d      *detect.Driver
	opts   Options
	write  func(detect.Alert) error
	finish context.Context
	seen   *memory
	work   chan batch
	stats  Stats // Alerts is the writer's; the others are atomic
}

// batch is the alerts of one message, handed to the writer.
type batch struct {
	alerts []detect.Alert
	reply  chan error
}

// admit writes the alerts the driver admits (the writer goroutine).
func (c *consumer) admit(alerts []detect.Alert, werr *error) error {
	if *werr != nil {
		return *werr
	}
	for _, a := range alerts {
		if !c.d.Admit(a) {
			continue
		}
		if err := c.write(a); err != nil {
			*werr = err
			return err
		}
		c.stats.Alerts++
	}
	return nil
}

// poll receives and handles messages until stop is done.
func (c *consumer) poll(stop context.Context) error {
	for stop.Err() == nil {
		out, err := c.q.ReceiveMessage(stop, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(c.opts.QueueURL),
			MaxNumberOfMessages:         10,
			WaitTimeSeconds:             int32(c.opts.Wait / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameSentTimestamp},
		})
		if err != nil {
			if stop.Err() != nil {
				return nil
			}
			return fmt.Errorf("receive from %s: %w", c.opts.QueueURL, err)
		}
		for _, m := range out.Messages {
			if err := c.handle(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// handle decodes, observes and writes one message, then deletes it.
func (c *consumer) handle(m types.Message) error {
	atomic.AddInt64(&c.stats.Received, 1)
	sent := sentAt(m)
	c.opts.Tally(Received, sent)
	id := aws.ToString(m.MessageId)
	rec, err := detect.DecodeRecord([]byte(aws.ToString(m.Body)))
	if err != nil {
		atomic.AddInt64(&c.stats.Poison, 1)
		c.opts.Tally(Poison, sent)
		c.opts.Logger.Warn("poison message left for the dead-letter queue", "message_id", id,
			"receive_count", m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)], "reason", err.Error())
		return nil
	}
	if rec.EventID != "" && c.seen.has(rec.EventID) {
		atomic.AddInt64(&c.stats.Duplicates, 1)
		c.opts.Tally(Duplicate, sent)
		return c.delete(m, sent)
	}
	alerts, _ := c.d.Observe(rec, detect.Source{File: "sqs:" + c.opts.QueueURL + "#" + id})
	reply := make(chan error, 1)
	c.work <- batch{alerts: alerts, reply: reply}
	if err := <-reply; err != nil {
		return err
	}
	if rec.EventID != "" {
		c.seen.add(rec.EventID)
	}
	return c.delete(m, sent)
}

// sentAt is when the queue received m, from its SentTimestamp attribute
// (Unix milliseconds); zero when absent.
func sentAt(m types.Message) time.Time {
	ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func (c *consumer) delete(m types.Message, sent time.Time) error {
	_, err := c.q.DeleteMessage(c.finish, &sqs.DeleteMessageInput{QueueUrl: aws.String(c.opts.QueueURL), ReceiptHandle: m.ReceiptHandle})
	if err != nil {
		return fmt.Errorf("delete message %s: %w", strconv.Quote(aws.ToString(m.MessageId)), err)
	}
	atomic.AddInt64(&c.stats.Deleted, 1)
	c.opts.Tally(Deleted, sent)
	return nil
}

// memory is a bounded set of event IDs: the oldest is forgotten first.
type memory struct {
	mu    sync.Mutex
	set   map[string]bool
	order []string
	next  int
}

func newMemory(n int) *memory { return &memory{set: map[string]bool{}, order: make([]string, n)} }

func (m *memory) has(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.set[id]
}

func (m *memory) add(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.set[id] {
		return
	}
	delete(m.set, m.order[m.next])
	m.order[m.next] = id
	m.set[id] = true
	m.next = (m.next + 1) % len(m.order)
}
