package sim_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// queueEnv serves the resources scenario on a fake clock and returns the
// operator's SQS client and the alerts queue's URL.
func queueEnv(t *testing.T) (*clock, *sqs.Client, string) {
	t.Helper()
	clk := &clock{t: epoch}
	srv, cfg := simtest.Start(t, resourcesScenario(t), sim.Options{Now: clk.Now})
	c := sqs.NewFromConfig(simtest.As(t, srv, cfg, "operator"))
	out, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	return clk, c, aws.ToString(out.QueueUrl)
}

func send(t *testing.T, c *sqs.Client, q string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
}

// receive returns the bodies received and their receive counts as
// "body#count", and the messages.
func receive(t *testing.T, c *sqs.Client, q string, max int32) (string, []sqstypes.Message) {
	t.Helper()
	out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: max,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range out.Messages {
		got = append(got, aws.ToString(m.Body)+"#"+m.Attributes["ApproximateReceiveCount"])
	}
	return strings.Join(got, " "), out.Messages
}

// TestSQSRedelivery: a message not deleted comes back after its visibility
// timeout with a higher receive count, and after max_receive_count receives
// it moves to the dead-letter queue; only the latest receipt handle deletes.
func TestSQSRedelivery(t *testing.T) {
	clk, c, q := queueEnv(t)
	dlq := strings.TrimSuffix(q, "alerts") + "alerts-dlq"
	send(t, c, q, "a", "b", "c")

	if got, _ := receive(t, c, q, 2); got != "a#1 b#1" {
		t.Errorf("first receive = %q", got)
	}
	got, msgs := receive(t, c, q, 10)
	if got != "c#1" {
		t.Errorf("second receive = %q, want only c (a and b in flight)", got)
	}
	if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: msgs[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if got, _ := receive(t, c, q, 10); got != "" {
		t.Errorf("before the visibility timeout = %q, want nothing", got)
	}
	clk.Advance(2 * time.Second)
	got, msgs = receive(t, c, q, 10)
	if got != "a#2 b#2" {
		t.Errorf("after the visibility timeout = %q", got)
	}
	// An earlier handle of a succeeds but deletes nothing; the latest does.
	clk.Advance(2 * time.Second)
	_, again := receive(t, c, q, 1) // a's third receive: moved to the DLQ instead
	if len(again) != 0 {
		t.Errorf("a third receive delivered %v; want both moved to the dead-letter queue", again)
	}
	if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: msgs[0].ReceiptHandle}); err != nil {
		t.Errorf("DeleteMessage with a handle of a moved message: %v", err)
	}
	got, msgs = receive(t, c, dlq, 10)
	if got != "a#3 b#3" {
		t.Errorf("dead-letter queue = %q", got)
	}
	clk.Advance(31 * time.Second)
	stale := msgs[0].ReceiptHandle
	_, msgs = receive(t, c, dlq, 1) // a again, with a new handle
	counts := func() string {
		attrs, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlq), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		return attrs.Attributes["ApproximateNumberOfMessages"] + " visible, " + attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] + " in flight"
	}
	for _, step := range []struct{ handle, want string }{
		{aws.ToString(stale), "1 visible, 1 in flight"}, // an earlier handle deletes nothing
		{aws.ToString(msgs[0].ReceiptHandle), "1 visible, 0 in flight"},
	} {
		if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(dlq), ReceiptHandle: aws.String(step.handle)}); err != nil {
			t.Fatal(err)
		}
		if got := counts(); got != step.want {
			t.Errorf("after DeleteMessage %s: %s, want %s", step.handle, got, step.want)
		}
	}
}

func TestSQSChangeMessageVisibility(t *testing.T) {
	_, c, q := queueEnv(t)
	send(t, c, q, "a")
	_, msgs := receive(t, c, q, 1)
	h := msgs[0].ReceiptHandle
	change := func(handle *string, seconds int32) error {
		_, err := c.ChangeMessageVisibility(t.Context(), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q), ReceiptHandle: handle, VisibilityTimeout: seconds})
		return err
	}
	if err := change(aws.String("garbage"), 0); code(err) != "ReceiptHandleIsInvalid" {
		t.Errorf("bad handle: %v", err)
	}
	if err := change(h, 0); err != nil {
		t.Fatal(err)
	}
	if err := change(h, 10); code(err) != "AWS.SimpleQueueService.MessageNotInflight" {
		t.Errorf("visible message: %v, want MessageNotInflight", err)
	}
	if got, _ := receive(t, c, q, 1); got != "a#2" {
		t.Errorf("after visibility 0: %q", got)
	}
}

// TestSQSLongPoll: a long poll returns as soon as a message arrives, an
// empty one after its wait, and a wait over 20 s is refused.
func TestSQSLongPoll(t *testing.T) {
	_, c, q := queueEnv(t)
	poll := func(wait int32) (*sqs.ReceiveMessageOutput, time.Duration, error) {
		start := time.Now()
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: wait})
		return out, time.Since(start), err
	}
	if _, _, err := poll(21); code(err) != "InvalidParameterValue" {
		t.Errorf("WaitTimeSeconds 21: %v", err)
	}
	out, took, err := poll(1)
	if err != nil || len(out.Messages) != 0 || took < 900*time.Millisecond {
		t.Errorf("empty long poll: %v after %s, %v", out, took, err)
	}
	sent := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("late")})
		sent <- err
	}()
	out, took, err = poll(20)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if err != nil || len(out.Messages) != 1 || took > 10*time.Second {
		t.Errorf("long poll with a message sent meanwhile: %v after %s, %v", out, took, err)
	}
}

// TestSQSConcurrentConsumers: competing consumers receive each message once
// while no visibility timeout runs out.
func TestSQSConcurrentConsumers(t *testing.T) {
	_, c, q := queueEnv(t)
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("m" + strings.Repeat("x", i))}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var mu sync.Mutex
	seen := map[string]int{}
	for range 6 {
		wg.Go(func() {
			for {
				out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 7})
				if err != nil {
					t.Error(err)
					return
				}
				if len(out.Messages) == 0 {
					return
				}
				for _, m := range out.Messages {
					mu.Lock()
					seen[aws.ToString(m.Body)]++
					mu.Unlock()
					if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: m.ReceiptHandle}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d distinct messages received, want %d", len(seen), n)
	}
	for b, k := range seen {
		if k != 1 {
			t.Errorf("%s received %d times", b[:min(len(b), 8)], k)
		}
	}
}
