package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/sim"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTrailWatch runs trail watch against the endpoint's queue: the root
// events EventBridge delivered become alerts (the same event twice, once),
// the poison message stays in the queue, and an interrupt stops it.
func TestTrailWatch(t *testing.T) {
	scn, err := sim.LoadScenario("../sim/testdata/resources.yaml")
	if err != nil {
		t.Skipf("the sim's resource scenario is not readable here: %v", err)
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
	// The command reads the credentials from the environment.
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	cfg, err := awsclient.Load(t.Context(), awsclient.Options{Region: srv.Region(), EndpointURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(cfg)
	q := srv.URL() + "/222222222222/alerts"

	const acct = "222222222222"
	envelope := func(rec string) string {
		return `{"version":"0","detail-type":"AWS Console Sign In via CloudTrail","detail":` + rec + `}`
	}
	for _, body := range []string{
		envelope(rootLogin(acct, "login-1", "No", "2026-03-04T10:00:00Z")),
		envelope(rootLogin(acct, "login-1", "No", "2026-03-04T10:00:00Z")),
		envelope(rootCreateKey(acct, "key-1", "2026-03-04T10:01:00Z")),
		"{not json",
	} {
		if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- cli.Run(ctx, []string{"trail", "watch", "--sqs-url", q, "--endpoint-url", srv.URL(), "--region", "us-east-1",
			"--workers", "2", "--wait", "1s"}, strings.NewReader(""), &stdout, &stderr)
	}()
	waiting := func() string {
		out, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes["ApproximateNumberOfMessages"] + "/" + out.Attributes["ApproximateNumberOfMessagesNotVisible"]
	}
	deadline := time.Now().Add(time.Minute)
	for waiting() != "0/1" || !strings.Contains(stdout.String(), `"event_id":"key-1"`) || !strings.Contains(stdout.String(), `"event_id":"login-1"`) {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: queue %s, stdout %q, stderr %q", waiting(), stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-exit; code != 4 {
		t.Errorf("exit %d, want 4 (a poison message); stderr %s", code, stderr.String())
	}
	// One alert per event and rule, though login-1 was delivered twice.
	seen := map[string]int{}
	for line := range strings.Lines(stdout.String()) {
		var a struct{ EventID, RuleID string }
		if err := json.Unmarshal([]byte(line), &struct {
			EventID *string `json:"event_id"`
			RuleID  *string `json:"rule_id"`
		}{&a.EventID, &a.RuleID}); err != nil {
			t.Fatalf("alert %q: %v", line, err)
		}
		seen[a.EventID+" "+a.RuleID]++
	}
	ids := map[string]bool{}
	for k, n := range seen {
		id, _, _ := strings.Cut(k, " ")
		ids[id] = true
		if n != 1 {
			t.Errorf("%s: %d alerts, want 1", k, n)
		}
	}
	if len(ids) != 2 || !ids["login-1"] || !ids["key-1"] {
		t.Errorf("alerts %v: want alerts of login-1 and key-1", seen)
	}
	if !strings.Contains(stderr.String(), "3 deleted (1 duplicates)") || !strings.Contains(stderr.String(), "left in the queue") {
		t.Errorf("stderr %q: want the totals and the poison message", stderr.String())
	}
	if got := waiting(); got != "0/1" && got != "1/0" {
		t.Errorf("queue %s after the stop: want the poison message kept", got)
	}
}

func TestTrailWatchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"trail", "watch"},
		{"trail", "watch", "--sqs-url", "http://127.0.0.1:1/1/q", "--workers", "0"},
		{"trail", "watch", "--sqs-url", "http://127.0.0.1:1/1/q", "--wait", "21s"},
		{"trail", "watch", "--sqs-url", "http://127.0.0.1:1/1/q", "--format", "csv"},
	} {
		if code, _, stderr := run(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr %s", args, code, stderr)
		}
	}
}
