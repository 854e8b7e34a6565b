package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/sim"
)

// TestQueueSubscriptionAccount: the built-in demo config subscribes a
// queue of 222222222222 to the alert topic of 111111111111, on the demo
// with the management account's own topic left unconfirmed, so that only
// rootguard's topic can alert. plan subscribes the queue from its own
// account: SNS confirms it at once and root-activity-alerting passes
// through it. Subscribed from the topic's account instead (as an older
// rootguard, or a person, did), it stays pending until the queue's owner
// confirms it, and the check fails naming the pending subscription.
func TestQueueSubscriptionAccount(t *testing.T) {
	const (
		mgmt  = "111111111111"
		topic = "arn:aws:sns:us-east-1:111111111111:rootguard-root-activity"
		queue = "arn:aws:sqs:us-east-1:222222222222:root-activity-alerts"
	)
	tests := []struct {
		name string
		// fromTopicAccount subscribes the queue from the topic's account
		// before plan.
		fromTopicAccount bool
		status, detail   string
	}{
		{"from the queue's account", false, "PASS", "topic " + topic + " (1 confirmed subscription(s))"},
		{"from the topic's account", true, "FAIL", "topic " + topic + " has only subscriptions pending confirmation (1: sqs:" + queue + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scn, err := sim.FixDates(sim.Demo())
			if err != nil {
				t.Fatal(err)
			}
			for i := range scn.Accounts {
				if a := &scn.Accounts[i]; a.ID == mgmt {
					for j := range a.Topics {
						for k := range a.Topics[j].Subscriptions {
							a.Topics[j].Subscriptions[k].Pending = true
						}
					}
				}
			}
			srv, err := sim.Start(scn, sim.Options{Writable: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			liveEnv(t)
			live := []string{"--org", "--endpoint-url", srv.URL()}
			if tt.fromTopicAccount {
				akid, secret := srv.Credentials()
				c := sns.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
					Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
				// The topic as an older rootguard created it: EventBridge
				// may publish, nobody else subscribe.
				policy := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowRootActivityRule","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` +
					topic + `","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:111111111111:rule/rootguard-root-activity"}}}]}`
				if _, err := c.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("rootguard-root-activity"), Attributes: map[string]string{"Policy": policy}}); err != nil {
					t.Fatal(err)
				}
				out, err := c.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queue)})
				if err != nil {
					t.Fatal(err)
				}
				if got := aws.ToString(out.SubscriptionArn); got != "pending confirmation" {
					t.Fatalf("Subscribe from the topic's account answered %q, want pending confirmation", got)
				}
			}

			dir := t.TempDir()
			planPath := filepath.Join(dir, "plan.json")
			code, planOut, stderr := runCommand(t, newPlanCmd, append([]string{"--config", "../guardrail/demo.yaml", "--out", planPath}, live...)...)
			if code != ExitOK {
				t.Fatalf("plan: exit %d: %s", code, stderr)
			}
			p := loadPlan(t, planPath)
			var subs []guardrail.Change
			for _, c := range p.Changes {
				if c.Kind == guardrail.KindSubscribe {
					subs = append(subs, c)
				}
			}
			if tt.fromTopicAccount {
				// The pending subscription is there: plan makes none, and
				// notes that the check waits for the queue's account.
				if len(subs) != 0 {
					t.Errorf("plan subscribes again: %+v", subs)
				}
				if !strings.Contains(planOut, "root-activity-alerting stays FAIL until the sqs subscription of "+queue+" is confirmed in account 222222222222") {
					t.Errorf("plan does not name the pending subscription:\n%s", planOut)
				}
			} else if len(subs) != 1 || subs[0].Calls[0].RoleARN != "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole" {
				t.Errorf("subscribe changes %+v, want one made through 222222222222's role", subs)
			}
			srv.Calls()
			if code, out, stderr := runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", filepath.Join(dir, "audit.log")}, live...)...); code != ExitOK {
				t.Fatalf("apply: exit %d: %s\n%s", code, stderr, out)
			}
			if !tt.fromTopicAccount {
				// The endpoint saw the queue's account subscribe, on the
				// topic's account, and let it.
				n := 0
				for _, c := range srv.Calls() {
					if c.Operation == "Subscribe" {
						n++
						if c.Account != mgmt || !strings.HasPrefix(c.Principal, "arn:aws:sts::222222222222:assumed-role/") || c.ErrorCode != "" {
							t.Errorf("Subscribe call %+v, want one by 222222222222's role on %s, answered", c, mgmt)
						}
					}
				}
				if n == 0 {
					t.Error("apply made no Subscribe call")
				}
			}
			code, scanOut, stderr := run(t, append([]string{"scan", "--format", "json"}, live...)...)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("scan: exit %d: %s", code, stderr)
			}
			found := false
			for _, f := range decodeFindings(t, scanOut).Findings {
				if f.CheckID == "root-activity-alerting" && f.AccountID == mgmt {
					found = true
					if f.Status != tt.status || !strings.Contains(f.Detail, tt.detail) {
						t.Errorf("root-activity-alerting of %s is %s: %s\nwant %s naming %q", mgmt, f.Status, f.Detail, tt.status, tt.detail)
					}
				}
			}
			if !found {
				t.Errorf("no root-activity-alerting finding for %s", mgmt)
			}
		})
	}
}
