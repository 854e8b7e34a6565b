package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/store"
)

// The queue serve --demo consumes, in the demo's management account (the
// default caller's), with a dead-letter queue after three receives.
const (
	demoQueueAccount = "111111111111"
	demoQueue        = "rootguard-serve-demo"
)

// demoEvery is how often serve --demo puts a demo event in its queue.
const demoEvery = 20 * time.Second

// addDemoQueue adds serve --demo's queue to the demo organization.
func addDemoQueue(scn *sim.Scenario) {
	for i := range scn.Accounts {
		if scn.Accounts[i].ID == demoQueueAccount {
			vis := 30
			scn.Accounts[i].Queues = append(scn.Accounts[i].Queues,
				sim.Queue{Name: demoQueue, VisibilityTimeout: &vis, DeadLetterQueue: demoQueue + "-dlq", MaxReceiveCount: 3},
				sim.Queue{Name: demoQueue + "-dlq"})
		}
	}
}

// feedDemo puts a demo root event (or a burst of failed sign-ins) in the
// queue at once and then every demoEvery, until ctx is done.
func feedDemo(ctx context.Context, c *sqs.Client, queueURL string, log *slog.Logger) {
	t := time.NewTicker(demoEvery)
	defer t.Stop()
	for n := 0; ; n++ {
		for _, body := range demoEvents(n, time.Now().UTC(), func() string { return "demo-" + store.NewID() }) {
			if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
				if ctx.Err() == nil {
					log.Warn("demo event", "error", err.Error())
				}
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// demoEvents is the nth step of the demo's stream: EventBridge events of
// CloudTrail records, in turn a root sign-in with MFA, a burst of failed
// root sign-ins, an sts:AssumeRoot call, a root sign-in without MFA and a
// root access key created; newID names each event.
func demoEvents(n int, now time.Time, newID func() string) []string {
	root := func(acct string) map[string]any {
		return map[string]any{"type": "Root", "principalId": acct, "arn": "arn:aws:iam::" + acct + ":root", "accountId": acct}
	}
	login := func(acct, result, mfa string) map[string]any {
		return map[string]any{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
			"userIdentity": root(acct), "recipientAccountId": acct, "responseElements": map[string]any{"ConsoleLogin": result},
			"additionalEventData": map[string]any{"MFAUsed": mfa}}
	}
	var recs []map[string]any
	switch n % 5 {
	case 0:
		recs = append(recs, login("111111111111", "Success", "Yes"))
	case 1:
		for range 6 {
			f := login("222222222222", "Failure", "No")
			f["errorMessage"] = "Failed authentication"
			recs = append(recs, f)
		}
	case 2:
		recs = append(recs, map[string]any{"eventSource": "sts.amazonaws.com", "eventName": "AssumeRoot", "eventType": "AwsApiCall",
			"userIdentity":       map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice", "accountId": "111111111111"},
			"recipientAccountId": "111111111111",
			"requestParameters":  map[string]any{"targetPrincipal": "666666666666", "taskPolicyArn": map[string]any{"arn": "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"}},
			"responseElements":   map[string]any{"credentials": map[string]any{"accessKeyId": "ASIADEMO" + fmt.Sprint(n)}}})
	case 3:
		recs = append(recs, login("333333333333", "Success", "No"))
	case 4:
		recs = append(recs, map[string]any{"eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "eventType": "AwsApiCall",
			"userIdentity": root("444444444444"), "recipientAccountId": "444444444444"})
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		r["eventVersion"] = "1.09"
		r["eventID"] = newID()
		r["eventTime"] = now.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		r["awsRegion"] = "us-east-1"
		r["sourceIPAddress"] = "198.51.100.7"
		b, _ := json.Marshal(map[string]any{"version": "0", "id": store.NewID(), "detail-type": "AWS API Call via CloudTrail",
			"source": "aws.demo", "account": r["recipientAccountId"], "time": r["eventTime"], "region": "us-east-1", "detail": r})
		out[i] = string(b)
	}
	return out
}
