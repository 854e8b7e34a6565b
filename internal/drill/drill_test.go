package drill_test

import (
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/drill"
)

func TestVerify(t *testing.T) {
	opened := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	d := drill.Drill{ID: "d1", AccountID: "111111111111", Kind: drill.SignIn, OpenedAt: opened, ClosesAt: opened.Add(2 * time.Hour), Result: drill.Open}
	yes, no := true, false
	login := func(at string, mfa *bool, account string) detect.Alert {
		return detect.Alert{RuleID: detect.RuleConsoleLogin, EventID: "ev-" + at, EventName: "ConsoleLogin", EventTime: at, AccountID: account, MFAUsed: mfa}
	}
	tests := []struct {
		name   string
		kind   drill.Kind
		alerts []detect.Alert
		want   drill.Result
		wantEv string
	}{
		{"sign-in with MFA inside the window", drill.SignIn, []detect.Alert{login("2026-12-01T10:30:00Z", &yes, "111111111111")}, drill.Verified, "ev-2026-12-01T10:30:00Z"},
		{"the first of two sign-ins", drill.SignIn, []detect.Alert{login("2026-12-01T11:30:00Z", &yes, "111111111111"), login("2026-12-01T10:10:00Z", &yes, "111111111111")}, drill.Verified, "ev-2026-12-01T10:10:00Z"},
		{"without MFA", drill.SignIn, []detect.Alert{login("2026-12-01T10:30:00Z", &no, "111111111111")}, drill.Failed, ""},
		{"MFA unknown", drill.SignIn, []detect.Alert{login("2026-12-01T10:30:00Z", nil, "111111111111")}, drill.Failed, ""},
		{"before the window", drill.SignIn, []detect.Alert{login("2026-12-01T09:59:00Z", &yes, "111111111111")}, drill.Failed, ""},
		{"another account", drill.SignIn, []detect.Alert{login("2026-12-01T10:30:00Z", &yes, "222222222222")}, drill.Failed, ""},
		{"recovery completed", drill.Recovery, []detect.Alert{{RuleID: detect.RulePasswordRecovery, EventName: "PasswordRecoveryCompleted", EventTime: "2026-12-01T10:40:00Z", AccountID: "111111111111", EventID: "r2"}}, drill.Verified, "r2"},
		{"recovery only requested", drill.Recovery, []detect.Alert{{RuleID: detect.RulePasswordRecovery, EventName: "PasswordRecoveryRequested", EventTime: "2026-12-01T10:40:00Z", AccountID: "111111111111"}}, drill.Failed, ""},
		{"assume-root with a task", drill.AssumeRoot, []detect.Alert{{RuleID: detect.RuleAssumeRootCalled, EventTime: "2026-12-01T10:40:00Z", AccountID: "999999999999", TargetAccount: "111111111111",
			TaskPolicy: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy", EventID: "a1"}}, drill.Verified, "a1"},
		{"rootguard's own audit session never counts", drill.AssumeRoot, []detect.Alert{{RuleID: detect.RuleAssumeRootCalled, EventTime: "2026-12-01T10:40:00Z", AccountID: "999999999999", TargetAccount: "111111111111",
			TaskPolicy: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}}, drill.Failed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dd := d
			dd.Kind = tc.kind
			got := drill.Verify(dd, tc.alerts, opened.Add(3*time.Hour))
			if got.Result != tc.want || got.EventID != tc.wantEv {
				t.Errorf("result %s event %q (%s), want %s %q", got.Result, got.EventID, got.Note, tc.want, tc.wantEv)
			}
		})
	}
}
