package rootevents_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
	"github.com/rootguard/rootguard/internal/pattern/logfilter"
	"github.com/rootguard/rootguard/internal/pattern/rootevents"
)

func TestEventsAreWellFormed(t *testing.T) {
	t.Parallel()
	events := rootevents.Events()
	seen := map[string]bool{}
	var alert, quiet int
	for _, ev := range events {
		t.Run(ev.Name, func(t *testing.T) {
			if seen[ev.Name] {
				t.Errorf("duplicate event name %q", ev.Name)
			}
			seen[ev.Name] = true
			if ev.Why == "" {
				t.Error("Why is empty")
			}
			var rec map[string]any
			if err := json.Unmarshal(ev.Record, &rec); err != nil {
				t.Fatalf("record: %v", err)
			}
			var env struct {
				DetailType string          `json:"detail-type"`
				Source     string          `json:"source"`
				Region     string          `json:"region"`
				Account    string          `json:"account"`
				Detail     json.RawMessage `json:"detail"`
			}
			if err := json.Unmarshal(ev.Envelope, &env); err != nil {
				t.Fatalf("envelope: %v", err)
			}
			if !bytes.Equal(env.Detail, ev.Record) {
				t.Errorf("envelope detail differs from the record:\n%s\n%s", env.Detail, ev.Record)
			}
			if env.Region != ev.Region || rec["awsRegion"] != ev.Region {
				t.Errorf("region: envelope %q, record %v, Event %q", env.Region, rec["awsRegion"], ev.Region)
			}
			if env.Account != rec["recipientAccountId"] {
				t.Errorf("account %q, record recipientAccountId %v", env.Account, rec["recipientAccountId"])
			}
			if !strings.HasPrefix(env.Source, "aws.") || !strings.HasSuffix(env.DetailType, " via CloudTrail") {
				t.Errorf("source %q, detail-type %q", env.Source, env.DetailType)
			}
		})
		if ev.WantAlert {
			alert++
		} else {
			quiet++
		}
	}
	if alert == 0 || quiet == 0 {
		t.Errorf("want both should-alert and quiet events, have %d and %d", alert, quiet)
	}
}

func TestEventsReturnsCopies(t *testing.T) {
	t.Parallel()
	a := rootevents.Events()
	a[0].Record[0] = 'X'
	a[0].Envelope[0] = 'X'
	b := rootevents.Events()
	if b[0].Record[0] != '{' || b[0].Envelope[0] != '{' {
		t.Error("modifying one Events result changed another")
	}
}

func TestSignInShapes(t *testing.T) {
	t.Parallel()
	// The documented facts the coverage verdicts rest on.
	want := map[string]string{
		"root-console-signin":        "us-east-1 AWS Console Sign In via CloudTrail aws.signin",
		"root-console-signin-failed": "us-east-1 AWS Console Sign In via CloudTrail aws.signin",
		"root-api-call":              "eu-west-1 AWS API Call via CloudTrail aws.ec2",
		"aws-service-event":          "eu-west-1 AWS Service Event via CloudTrail aws.kms",
	}
	for _, ev := range rootevents.Events() {
		w, ok := want[ev.Name]
		if !ok {
			continue
		}
		var env struct {
			DetailType string `json:"detail-type"`
			Source     string `json:"source"`
		}
		if err := json.Unmarshal(ev.Envelope, &env); err != nil {
			t.Fatal(err)
		}
		if got := ev.Region + " " + env.DetailType + " " + env.Source; got != w {
			t.Errorf("%s: got %q, want %q", ev.Name, got, w)
		}
	}
}

var (
	allRoot  = []string{"root-api-call", "root-console-signin", "root-console-signin-failed", "root-assumeroot-session"}
	signIns  = []string{"root-console-signin", "root-console-signin-failed"}
	apiCalls = []string{"root-api-call", "root-assumeroot-session"}
)

var cmpCoverage = cmpopts.EquateEmpty()

// cisFilters is the CIS 4.3 / 5.3 root-usage metric filter written the ways
// it appears in the wild: Security Hub and Landing Zone Accelerator quote the
// values, CIS v7.0 does not.
var cisFilters = map[string]string{
	"CIS quoted":     `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
	"CIS unquoted":   `{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }`,
	"CIS compact":    `{($.userIdentity.type="Root")&&($.userIdentity.invokedBy NOT EXISTS)&&($.eventType!="AwsServiceEvent")}`,
	"CIS reordered":  `{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = "Root" }`,
	"CIS multi-line": "{\n  ($.userIdentity.type = \"Root\") &&\n  ($.userIdentity.invokedBy NOT EXISTS) &&\n  ($.eventType != \"AwsServiceEvent\")\n}",
}

func TestMetricFilterCoverage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		want    rootevents.Coverage
	}{
		{
			name:    "root type only",
			pattern: `{ $.userIdentity.type = "Root" }`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "lower-case root never matches",
			pattern: `{ $.userIdentity.type = "root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
			want:    rootevents.Coverage{Missed: allRoot},
		},
		{
			name:    "excluding AssumeRoot sessions",
			pattern: `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" && $.userIdentity.sessionContext.assumedRoot NOT EXISTS }`,
			want:    rootevents.Coverage{Caught: []string{"root-api-call", "root-console-signin", "root-console-signin-failed"}, Missed: []string{"root-assumeroot-session"}},
		},
		{
			name:    "console logins only",
			pattern: `{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" }`,
			want:    rootevents.Coverage{Caught: signIns, Missed: apiCalls},
		},
		{
			name:    "successful console logins only",
			pattern: `{ $.userIdentity.type = "Root" && $.responseElements.ConsoleLogin = "Success" }`,
			want:    rootevents.Coverage{Caught: []string{"root-console-signin"}, Missed: []string{"root-api-call", "root-console-signin-failed", "root-assumeroot-session"}},
		},
		{
			name:    "arn ends with :root",
			pattern: `{ $.userIdentity.arn = "*:root" }`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "user name root",
			pattern: `{ $.userIdentity.userName = "root" }`,
			want:    rootevents.Coverage{Missed: allRoot, FalseAlarms: []string{"iam-user-named-root"}},
		},
		{
			name:    "text term Root",
			pattern: `"Root"`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "match everything",
			pattern: ``,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service", "aws-service-event", "iam-user-api-call", "assumed-role-api-call", "iam-user-named-root"}},
		},
	}
	for name, p := range cisFilters {
		tests = append(tests, struct {
			name    string
			pattern string
			want    rootevents.Coverage
		}{name, p, rootevents.Coverage{Caught: allRoot}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := logfilter.Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := rootevents.Evaluate(rootevents.ByRecord(f.Match))
			if diff := cmp.Diff(tc.want, got, cmpCoverage); diff != "" {
				t.Errorf("coverage of %s (-want +got):\n%s", tc.pattern, diff)
			}
		})
	}
}

func TestEventBridgeRuleCoverage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		want    rootevents.Coverage
	}{
		{
			// AWS Security blog "Monitor and notify on AWS account root user
			// activity"; also AWS Prescriptive Guidance "Monitor IAM root user
			// activity" and the aws-samples hub-and-spoke rule.
			name:    "AWS blog: API calls and console sign-ins by Root",
			pattern: `{"detail-type":["AWS API Call via CloudTrail","AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "hub-and-spoke with service events",
			pattern: `{"detail-type":["AWS API Call via CloudTrail","AWS Console Sign In via CloudTrail","AWS Service Event via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "API calls only misses sign-ins",
			pattern: `{"detail-type":["AWS API Call via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Caught: apiCalls, Missed: signIns, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "console sign-in only",
			pattern: `{"source":["aws.signin"],"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"eventName":["ConsoleLogin"],"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Caught: signIns, Missed: apiCalls},
		},
		{
			name:    "Signin spelling only",
			pattern: `{"detail-type":["AWS Console Signin via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Missed: allRoot},
		},
		{
			name:    "both sign-in spellings",
			pattern: `{"detail-type":["AWS Console Sign In via CloudTrail","AWS Console Signin via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Caught: signIns, Missed: apiCalls},
		},
		{
			name:    "CIS equivalent",
			pattern: `{"detail":{"userIdentity":{"type":["Root"],"invokedBy":[{"exists":false}]},"eventType":[{"anything-but":"AwsServiceEvent"}]}}`,
			want:    rootevents.Coverage{Caught: allRoot},
		},
		{
			name:    "any Root identity",
			pattern: `{"detail":{"userIdentity":{"type":["Root"]}}}`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "excluding AssumeRoot sessions",
			pattern: `{"detail":{"userIdentity":{"type":["Root"],"sessionContext":{"assumedRoot":[{"exists":false}]}}}}`,
			want:    rootevents.Coverage{Caught: []string{"root-api-call", "root-console-signin", "root-console-signin-failed"}, Missed: []string{"root-assumeroot-session"}, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "lower-case root",
			pattern: `{"detail":{"userIdentity":{"type":["root"]}}}`,
			want:    rootevents.Coverage{Missed: allRoot},
		},
		{
			name:    "ignore-case root",
			pattern: `{"detail":{"userIdentity":{"type":[{"equals-ignore-case":"root"}]}}}`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "arn suffix :root",
			pattern: `{"detail":{"userIdentity":{"arn":[{"suffix":":root"}]}}}`,
			want:    rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"root-invoked-by-service"}},
		},
		{
			name:    "user name root",
			pattern: `{"detail":{"userIdentity":{"userName":["root"]}}}`,
			want:    rootevents.Coverage{Missed: allRoot, FalseAlarms: []string{"iam-user-named-root"}},
		},
		{
			name:    "successful sign-ins without MFA",
			pattern: `{"detail":{"eventName":["ConsoleLogin"],"userIdentity":{"type":["Root"]},"responseElements":{"ConsoleLogin":["Success"]},"additionalEventData":{"MFAUsed":[{"anything-but":{"equals-ignore-case":"yes"}}]}}}`,
			want:    rootevents.Coverage{Missed: allRoot},
		},
		{
			name:    "or of API calls and sign-ins",
			pattern: `{"$or":[{"detail-type":["AWS API Call via CloudTrail"],"detail":{"userIdentity":{"invokedBy":[{"exists":false}],"type":["Root"]}}},{"source":["aws.signin"],"detail":{"userIdentity":{"type":["Root"]}}}]}`,
			want:    rootevents.Coverage{Caught: allRoot},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := eventpattern.Parse([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := rootevents.Evaluate(rootevents.ByEnvelope(p.Match))
			if diff := cmp.Diff(tc.want, got, cmpCoverage); diff != "" {
				t.Errorf("coverage of %s (-want +got):\n%s", tc.pattern, diff)
			}
		})
	}
}

func TestCoverageString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   rootevents.Coverage
		want string
	}{
		{"complete", rootevents.Coverage{Caught: allRoot}, "catches 4 of 4 root events"},
		{"misses", rootevents.Coverage{Caught: apiCalls, Missed: signIns}, "catches 2 of 4 root events; misses root-console-signin, root-console-signin-failed"},
		{"false alarms", rootevents.Coverage{Caught: allRoot, FalseAlarms: []string{"iam-user-named-root"}}, "catches 4 of 4 root events; also fires on iam-user-named-root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.in.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if got, want := tc.in.Complete(), len(tc.in.Missed) == 0; got != want {
				t.Errorf("Complete() = %v, want %v", got, want)
			}
		})
	}
}
