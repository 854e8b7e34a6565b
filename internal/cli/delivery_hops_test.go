package cli

import (
	"strings"
	"testing"
)

// TestScanDeliveryHops collects testdata/delivery-hops.yaml through the real
// SDK clients and checks that root-activity-alerting judges the trail
// behind a metric filter, the state of a rule and whether one root event
// fires the alarm, naming partial coverage without failing on it, and
// whether a subscribed SQS queue lets SNS deliver.
func TestScanDeliveryHops(t *testing.T) {
	code, out, stderr := run(t, "scan", "--scenario", "testdata/delivery-hops.yaml", "--format", "json")
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
		{"111111111111", "FAIL", `trail "audit" that feeds it records only read-only management events, so root write calls never reach it`},
		{"222222222222", "PASS", `partial coverage: trail "audit" records only write management events: root read calls (Get, List, Describe) never reach the filter`},
		{"333333333333", "PASS", `partial coverage: trail "audit" records management events only where eventSource Equals [iam.amazonaws.com, signin.amazonaws.com]`},
		{"444444444444", "FAIL", `trail "audit" is single-Region in eu-west-1: it never receives root console sign-ins or IAM's global events`},
		{"555555555555", "FAIL", `alarm "cis-root-account-usage" cannot fire on one root event: its threshold 5 needs more than one root event`},
		{"666666666666", "PASS", `EventBridge rule "root-activity" (us-east-1) → topic arn:aws:sns:us-east-1:666666666666:root-alerts`},
		{"777777777777", "PASS", "partial coverage: in state ENABLED it never receives read-only management events"},
		{"888888888888", "PASS", "topic arn:aws:sns:us-east-1:888888888888:root-alerts (1 confirmed subscription(s))"},
		{"999999999999", "FAIL", "queue arn:aws:sqs:us-east-1:999999999999:root-alerts has no access policy, so SNS may not send to it"},
		{"101010101010", "UNKNOWN", "sqs:ListQueues failed"},
	} {
		f, ok := got[w.account]
		switch {
		case !ok:
			t.Errorf("%s: no root-activity-alerting finding", w.account)
		case f.status != w.status || !strings.Contains(f.detail, w.detail):
			t.Errorf("%s = %s, want %s mentioning %q; detail:\n%s", w.account, f.status, w.status, w.detail, f.detail)
		}
	}
	if d := got["666666666666"].detail; strings.Contains(d, "partial coverage") {
		t.Errorf("666666666666: a rule in state %s names partial coverage:\n%s", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", d)
	}
}
