package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/sim"
)

// TestScanDeliveryHops collects testdata/delivery-hops.yaml through the real
// SDK clients and checks that root-activity-alerting judges the trail
// behind a metric filter, the state of a rule and whether one root event
// fires the alarm, naming partial coverage without failing on it, and
// whether a subscribed SQS queue lets SNS deliver.
func TestScanDeliveryHops(t *testing.T) {
	details := assertVerdicts(t, "testdata/delivery-hops.yaml", "root-activity-alerting", []verdict{
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
		{"121212121212", "PASS", `metric filter "RootAccountUsage" on log group audit`},
	})
	if d := details["121212121212"]; strings.Contains(d, "partial coverage") {
		t.Errorf("121212121212: a selector that keeps every root event is partial coverage:\n%s", d)
	}
	// trail-multi-region-logging judges the same selectors alike.
	assertVerdicts(t, "testdata/delivery-hops.yaml", "trail-multi-region-logging", []verdict{
		{"222222222222", "FAIL", "records only WriteOnly management events (want All)"},
		{"333333333333", "FAIL", "records management events only where eventSource Equals [iam.amazonaws.com, signin.amazonaws.com]"},
		{"121212121212", "PASS", `trail "audit" (us-east-1) is multi-Region, logging`},
	})
	if d := details["666666666666"]; strings.Contains(d, "partial coverage") {
		t.Errorf("666666666666: a rule in state %s names partial coverage:\n%s", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", d)
	}
}

// TestScanDemoGuardDutyRootFindings scans the demo organization: its
// management account routes GuardDuty's root credential usage findings to
// a confirmed topic, a member without a detector raises none.
func TestScanDemoGuardDutyRootFindings(t *testing.T) {
	code, out, stderr := run(t, "scan", "--demo", "--format", "json")
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	got := map[string]string{}
	for _, f := range decodeFindings(t, out).Findings {
		if f.CheckID == "guardduty-root-findings-routed" {
			got[f.AccountID] = f.Status + ": " + f.Detail
		}
	}
	for account, want := range map[string]string{
		"111111111111": `PASS: GuardDuty root credential usage findings reach a person: EventBridge rule "guardduty-root-credential-usage" (us-east-1) → topic`,
		"101010101010": "FAIL: GuardDuty is not enabled in any collected Region",
	} {
		if !strings.HasPrefix(got[account], want) {
			t.Errorf("%s = %q, want %q…", account, got[account], want)
		}
	}
}

// TestScanManagementAccountWithoutOrg scans the demo's management account
// through the simulator without --org: the organization-level checks say
// that --org assesses them, instead of a bare UNKNOWN.
func TestScanManagementAccountWithoutOrg(t *testing.T) {
	srv, err := sim.Start(sim.Demo(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	akid, secret := srv.Credentials()
	t.Setenv("AWS_ACCESS_KEY_ID", akid)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_REGION", srv.Region())
	code, out, stderr := run(t, "scan", "--endpoint-url", srv.URL(), "--format", "json")
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	named := 0
	for _, f := range decodeFindings(t, out).Findings {
		if f.AccountID != "111111111111" {
			t.Fatalf("account %s assessed: want the management account alone", f.AccountID)
		}
		if f.CheckID == "centralized-root-access-enabled" && (f.Status != "UNKNOWN" || !strings.Contains(f.Detail, "scan with --org")) {
			t.Errorf("centralized-root-access-enabled = %s %q, want UNKNOWN naming --org", f.Status, f.Detail)
		}
		if strings.Contains(f.Detail, "scan with --org") {
			named++
		}
	}
	if named == 0 {
		t.Error("no finding says that --org assesses the organization-level checks")
	}
}
