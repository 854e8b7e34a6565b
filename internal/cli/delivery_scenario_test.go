package cli

import (
	"strings"
	"testing"
)

// TestScanTopicDelivery collects testdata/topic-delivery.yaml through the
// real SDK clients and checks that root-activity-alerting follows who may
// publish to the topic: the topic policy for EventBridge, the default
// policy for CloudWatch alarms, and the topic's encryption key.
func TestScanTopicDelivery(t *testing.T) {
	code, out, stderr := run(t, "scan", "--scenario", "testdata/topic-delivery.yaml", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	type found struct{ status, detail string }
	got := map[string]found{}
	for _, f := range decodeFindings(t, out).Findings {
		if f.CheckID == "root-activity-alerting" {
			got[f.AccountID] = found{f.Status, f.Detail}
			assertUnknownHasReason(t, f.AccountID, f.CheckID, f.Status, f.Detail, f.Evidence)
		}
	}
	for _, w := range []struct {
		account, status, detail string
	}{
		{"111111111111", "FAIL", "has no topic policy statement that lets events.amazonaws.com sns:Publish (the default policy does not)"},
		{"222222222222", "PASS", `whose policy statement "AllowRootActivityRule" lets events.amazonaws.com publish`},
		{"333333333333", "FAIL", "encrypted with the AWS managed key alias/aws/sns"},
		{"444444444444", "PASS", `alarm "cis-root-account-usage" → topic arn:aws:sns:us-east-1:444444444444:cis-alarms (1 confirmed subscription(s))`},
		{"555555555555", "UNKNOWN", "key policy rootguard does not read (kms:GetKeyPolicy)"},
		{"666666666666", "UNKNOWN", "sns:GetTopicAttributes failed"},
	} {
		f, ok := got[w.account]
		switch {
		case !ok:
			t.Errorf("%s: no root-activity-alerting finding", w.account)
		case f.status != w.status || !strings.Contains(f.detail, w.detail):
			t.Errorf("%s = %s, want %s mentioning %q; detail:\n%s", w.account, f.status, w.status, w.detail, f.detail)
		}
	}
}
