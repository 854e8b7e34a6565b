package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/intake"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// event is an EventBridge event carrying a CloudTrail record of root.
func event(t *testing.T, id, source, name, identity string) string {
	t.Helper()
	rec := map[string]any{
		"eventVersion": "1.09", "eventID": id, "eventTime": "2026-03-04T10:00:00Z",
		"eventSource": source, "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
		"userIdentity":       json.RawMessage(identity),
		"recipientAccountId": "222222222222", "eventType": "AwsApiCall",
	}
	b, err := json.Marshal(map[string]any{
		"version": "0", "id": "eb-" + id, "detail-type": "AWS API Call via CloudTrail", "source": "aws." + strings.TrimSuffix(source, ".amazonaws.com"),
		"account": "222222222222", "time": "2026-03-04T10:00:05Z", "region": "us-east-1", "resources": []string{}, "detail": rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const rootIdentity = `{"type":"Root","principalId":"222222222222","arn":"arn:aws:iam::222222222222:root","accountId":"222222222222"}`

// queue serves the resources scenario and returns an SQS client of the
// workload account and the URLs of its alerts queue and dead-letter queue.
func queue(t *testing.T) (*sqs.Client, string, string) {
	t.Helper()
	scn, err := sim.LoadScenario("../sim/testdata/resources.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, cfg := simtest.Start(t, scn, sim.Options{})
	c := sqs.NewFromConfig(simtest.As(t, srv, cfg, "operator"))
	out, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	q := aws.ToString(out.QueueUrl)
	return c, q, q + "-dlq"
}

// TestConsume: root events become alerts once, however often they are
// delivered; other events are deleted without an alert; a poison message
// is left in the queue until the redrive moves it to the dead-letter queue.
func TestConsume(t *testing.T) {
	c, q, dlq := queue(t)
	login := event(t, "evt-1", "iam.amazonaws.com", "CreateAccessKey", rootIdentity)
	for _, body := range []string{
		login,
		"this is not an event",
		login, // delivered twice
		event(t, "evt-2", "iam.amazonaws.com", "DeleteAccessKey", rootIdentity),
		event(t, "evt-3", "ec2.amazonaws.com", "DescribeInstances", `{"type":"AssumedRole","arn":"arn:aws:sts::222222222222:assumed-role/Ops/x","accountId":"222222222222"}`),
	} {
		if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := detect.NewDriver(detect.Config{}, detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	var got []string
	tally := map[intake.Outcome]int64{}
	unsent := 0 // tallies without the queue's SentTimestamp
	type result struct {
		stats intake.Stats
		err   error
	}
	res := make(chan result, 1)
	go func() {
		st, err := intake.Consume(ctx, c, d, intake.Options{QueueURL: q, Workers: 3, Wait: time.Second, Tally: func(o intake.Outcome, sent time.Time) {
			mu.Lock()
			defer mu.Unlock()
			tally[o]++
			if sent.IsZero() {
				unsent++
			}
		}}, func(a detect.Alert) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, a.EventID+" "+a.RuleID)
			return nil
		})
		res <- result{st, err}
	}()
	// The poison message comes back after the queue's 2 s visibility
	// timeout and moves to the dead-letter queue on its third receive.
	deadline := time.Now().Add(time.Minute)
	for simtest.QueueCounts(t, c, dlq) != "1/0" || simtest.QueueCounts(t, c, q) != "0/0" {
		if time.Now().After(deadline) {
			t.Fatalf("queue %s, dead-letter queue %s after a minute", simtest.QueueCounts(t, c, q), simtest.QueueCounts(t, c, dlq))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	slices.Sort(got)
	var ids []string
	for _, g := range got {
		id, _, _ := strings.Cut(g, " ")
		ids = append(ids, id)
	}
	if ids = slices.Compact(ids); !slices.Equal(ids, []string{"evt-1", "evt-2"}) {
		t.Errorf("alerts %v: want alerts of evt-1 and evt-2 only", got)
	}
	st := r.stats
	if st.Deleted != 4 || st.Duplicates != 1 || st.Poison != 2 || st.Received != 6 || st.Alerts != int64(len(got)) {
		t.Errorf("stats %+v: want 4 deleted (one a duplicate), the poison message received twice, %d alerts", st, len(got))
	}
	want := map[intake.Outcome]int64{intake.Received: st.Received, intake.Deleted: st.Deleted, intake.Duplicate: st.Duplicates, intake.Poison: st.Poison}
	if !maps.Equal(tally, want) || unsent != 0 {
		t.Errorf("tally %v (%d without a sent time): want the stats %v, each with its sent time", tally, unsent, want)
	}
}

// TestConsumeErrors: a receive error (a missing queue) or a write error
// stops the consumer with that error, and a message whose alert was not
// written is not deleted.
func TestConsumeErrors(t *testing.T) {
	c, q, _ := queue(t)
	d, err := detect.NewDriver(detect.Config{}, detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = intake.Consume(t.Context(), c, d, intake.Options{QueueURL: q + "-missing", Wait: time.Second}, func(detect.Alert) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "NonExistentQueue") {
		t.Errorf("missing queue: %v", err)
	}
	if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(event(t, "e", "iam.amazonaws.com", "CreateUser", rootIdentity))}); err != nil {
		t.Fatal(err)
	}
	failing := fmt.Errorf("disk full")
	_, err = intake.Consume(t.Context(), c, d, intake.Options{QueueURL: q, Wait: time.Second}, func(detect.Alert) error { return failing })
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing writer: %v", err)
	}
	// The message whose alert could not be written was not deleted.
	if got := simtest.QueueCounts(t, c, q); got != "0/1" {
		t.Errorf("queue %s, want the message in flight, not deleted", got)
	}
}
