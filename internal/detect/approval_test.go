package detect_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

// judged feeds the records of sample files through a driver that judges them against ws
// (none when ws is nil) and returns rule ID, account and approving request of every alert.
func judged(t *testing.T, ws []detect.Approval, files ...string) []string {
	t.Helper()
	d := newDriver(t, detect.Window{})
	if ws != nil {
		d.Approve(ws)
	}
	var out []string
	report := func(as []detect.Alert) {
		for _, a := range as {
			for _, j := range d.Judge(a) {
				out = append(out, j.RuleID+" "+j.AccountID+" "+j.ApprovedBy)
			}
		}
	}
	for i, r := range sampleRecords(t, files...) {
		as, _ := d.Feed(r, detect.Source{File: "f", Index: i})
		report(as)
	}
	report(d.Close())
	return out
}

func TestJudgeApprovals(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	login := "root-console-login-without-mfa/tp-mfa-no.json" // 111122223333, 2024-05-02T09:14:07Z: two rules fire
	failed := "root-console-login-failed/tp-failed-authentication.json"
	session := "assume-root-session/tp-joined-session-before-call.json" // S3UnlockBucketPolicy in 111122223333 at 20:53:40Z
	audit := "assume-root-session/tp-audit-list-mfa-devices.json"
	window := detect.Approval{AccountID: "111122223333", RequestID: "bg-1", Start: at("2024-05-02T09:00:00Z"), End: at("2024-05-02T09:14:07Z")}
	for _, tc := range []struct {
		name  string
		ws    []detect.Approval
		files []string
		want  []string
	}{
		{"no windows given: alerts unchanged", nil, []string{login},
			[]string{"root-console-login 111122223333 ", "root-console-login-without-mfa 111122223333 "}},
		{"outside every window: one unapproved alert for the event", []detect.Approval{window}, []string{login},
			[]string{"root-console-login 111122223333 ", "root-activity-unapproved 111122223333 ", "root-console-login-without-mfa 111122223333 "}},
		{"inside the window: marked approved", []detect.Approval{{AccountID: "111122223333", RequestID: "bg-2", Start: at("2024-05-02T09:14:07Z"), End: at("2024-05-02T10:00:00Z")}}, []string{login},
			[]string{"root-console-login 111122223333 bg-2", "root-console-login-without-mfa 111122223333 bg-2"}},
		{"another account's window does not count", []detect.Approval{{AccountID: "444455556666", RequestID: "bg-3", Start: at("2024-05-02T09:00:00Z"), End: at("2024-05-02T10:00:00Z")}}, []string{login},
			[]string{"root-console-login 111122223333 ", "root-activity-unapproved 111122223333 ", "root-console-login-without-mfa 111122223333 "}},
		{"a failed sign-in is not root activity", []detect.Approval{}, []string{failed},
			[]string{"root-console-login-failed 111122223333 "}},
		{"an AssumeRoot session outside a window", []detect.Approval{}, []string{session},
			[]string{"assume-root-called 444455556666 ", "assume-root-session 111122223333 ", "root-activity-unapproved 111122223333 "}},
		{"a session whose task policy is unknown (no call in the input) is judged", []detect.Approval{}, []string{audit},
			[]string{"assume-root-session 111122223333 ", "root-activity-unapproved 111122223333 "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, judged(t, tc.ws, tc.files...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestJudgeAuditSession: an AssumeRoot session joined to its call with the read-only audit task
// policy is an audit, left as it is.
func TestJudgeAuditSession(t *testing.T) {
	d := newDriver(t, detect.Window{})
	d.Approve(nil)
	a := detect.Alert{RuleID: detect.RuleAssumeRootSession, AccountID: "111122223333", EventTime: "2024-05-02T09:14:07Z",
		AssumedRoot: true, TaskPolicy: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
	if got := d.Judge(a); len(got) != 1 || got[0].ApprovedBy != "" {
		t.Fatalf("Judge = %+v", got)
	}
	a.TaskPolicy = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
	if got := d.Judge(a); len(got) != 2 || got[1].RuleID != detect.RuleRootActivityUnapproved || got[1].Severity != detect.Critical {
		t.Fatalf("Judge = %+v", got)
	}
}
