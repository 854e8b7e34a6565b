package cli

import (
	"strings"
	"testing"
)

// verdict is one account's expected status of a check, and a substring of
// its detail.
type verdict struct{ account, status, detail string }

// assertVerdicts scans scenario through the real SDK clients and checks
// checkID's finding in each account of want; it returns every account's
// detail for further checks.
func assertVerdicts(t *testing.T, scenario, checkID string, want []verdict) map[string]string {
	t.Helper()
	code, out, stderr := run(t, "scan", "--scenario", scenario, "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	type found struct{ status, detail string }
	got := map[string]found{}
	details := map[string]string{}
	for _, f := range decodeFindings(t, out).Findings {
		if f.CheckID == checkID {
			got[f.AccountID] = found{f.Status, f.Detail}
			details[f.AccountID] = f.Detail
			assertUnknownHasReason(t, f.AccountID, f.CheckID, f.Status, f.Detail, f.Evidence)
		}
	}
	for _, w := range want {
		f, ok := got[w.account]
		switch {
		case !ok:
			t.Errorf("%s: no %s finding", w.account, checkID)
		case f.status != w.status || !strings.Contains(f.detail, w.detail):
			t.Errorf("%s = %s, want %s mentioning %q; detail:\n%s", w.account, f.status, w.status, w.detail, f.detail)
		}
	}
	return details
}

// TestScanTopicDelivery collects testdata/topic-delivery.yaml through the
// real SDK clients and checks that root-activity-alerting follows who may
// publish to the topic: the topic policy for EventBridge, the default
// policy for CloudWatch alarms, and the topic's encryption key: the AWS
// managed key, and a customer managed key's policy read and judged, or
// refused.
func TestScanTopicDelivery(t *testing.T) {
	assertVerdicts(t, "testdata/topic-delivery.yaml", "root-activity-alerting", []verdict{
		{"111111111111", "FAIL", "has no topic policy statement that lets events.amazonaws.com sns:Publish (the default policy does not)"},
		{"222222222222", "PASS", `whose policy statement "AllowRootActivityRule" lets events.amazonaws.com publish`},
		{"333333333333", "FAIL", "encrypted with the AWS managed key alias/aws/sns"},
		{"444444444444", "PASS", `alarm "cis-root-account-usage" → topic arn:aws:sns:us-east-1:444444444444:cis-alarms (1 confirmed subscription(s))`},
		{"555555555555", "PASS", `and the key policy of its key arn:aws:kms:us-east-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab (alias/root-alerts) lets it use the key (statement "AllowEventBridgeToUseKey")`},
		{"666666666666", "UNKNOWN", "sns:GetTopicAttributes failed"},
		{"777777777777", "FAIL", "topic arn:aws:sns:us-east-1:777777777777:root-alerts is encrypted with key arn:aws:kms:us-east-1:777777777777:key/7777abcd-12ab-34cd-56ef-1234567890ab, whose key policy has no statement that lets events.amazonaws.com kms:GenerateDataKey* or kms:Decrypt"},
		{"888888888888", "UNKNOWN", "it is encrypted with key arn:aws:kms:us-east-1:888888888888:key/8888abcd-12ab-34cd-56ef-1234567890ab (8888abcd-12ab-34cd-56ef-1234567890ab), whose key policy could not be read: kms:GetKeyPolicy failed: AccessDenied"},
	})
}
