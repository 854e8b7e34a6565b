package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/notify"
)

// rootSignIn is a root console sign-in without MFA, outside every window.
func rootSignIn(id string) detect.Alert {
	mfa := false
	return detect.Alert{RuleID: "root-console-login-without-mfa", Severity: detect.Critical, Title: "Root user signed in without MFA",
		Detail: "root signed in to the console without MFA", EventID: id, EventTime: "2026-12-07T10:00:00Z", EventName: "ConsoleLogin",
		EventSource: "signin.amazonaws.com", AccountID: "111111111111", Region: "us-east-1", SourceIP: "203.0.113.9",
		Principal: "arn:aws:iam::111111111111:root", MFAUsed: &mfa}
}

func TestMessageContent(t *testing.T) {
	a := rootSignIn("ev-1")
	task := a
	task.RuleID, task.Severity, task.EventName, task.RootRequired, task.RootTask = "root-api-activity", detect.High, "CloseAccount", true, "close the account"
	failed := a
	failed.RuleID, failed.Severity = detect.RuleConsoleLoginFailed, detect.Medium
	for _, tc := range []struct {
		name string
		m    notify.Message
		want []string
	}{
		{"outside every window", notify.Message{Key: "rg-1", Notice: notify.Notice{Alert: a, AccountName: "Payments", Runbook: "https://wiki.example.com/rb/111111111111",
			Window: notify.Window{Status: notify.WindowOutside}}},
			[]string{"[CRITICAL] Root user signed in without MFA\n", "Account: 111111111111 (Payments)\n", "Severity: critical\n",
				"Event: ConsoleLogin (signin.amazonaws.com) at 2026-12-07T10:00:00Z in us-east-1 from 203.0.113.9\n",
				"Break-glass window: OUTSIDE every approved break-glass window of the account\n",
				"Requires root: no: this should have been done with a role\n", "Runbook: https://wiki.example.com/rb/111111111111\n", "Idempotency key: rg-1\n"}},
		{"inside a window, a task that requires root", notify.Message{Key: "rg-2", Notice: notify.Notice{Alert: task, Window: notify.Window{Status: notify.WindowInside, RequestID: "bg-abc123"}}},
			[]string{"[HIGH] ", "Break-glass window: inside the approved window of break-glass request bg-abc123\n", "Requires root: yes: close the account\n"}},
		{"not root activity", notify.Message{Key: "rg-3", Notice: notify.Notice{Alert: failed, Window: notify.Window{Status: notify.WindowNotApplicable}}},
			[]string{"Break-glass window: not applicable", "Requires root: not applicable\n"}},
		{"a possible repeat", notify.Message{Key: "rg-4", PossibleRepeat: true, Notice: notify.Notice{Alert: a, Window: notify.Window{Status: notify.WindowUnknown, Reason: "no time"}}},
			[]string{"(possible repeat)\n", "Possible repeat: an earlier attempt", "Break-glass window: unknown: no time\n"}},
		{"an update", notify.Message{Key: "rg-5", Notice: notify.Notice{Alert: a}, Update: &notify.Update{Count: 4,
			First: time.Date(2026, 12, 7, 10, 1, 0, 0, time.UTC), Last: time.Date(2026, 12, 7, 10, 9, 0, 0, time.UTC)}},
			[]string{"Update: 4 more root-console-login-without-mfa since 2026-12-07T10:01:00Z\n", "Folded: 4 more alerts of this rule and account from 2026-12-07T10:01:00Z to 2026-12-07T10:09:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.m.Text()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			var body map[string]any
			if err := json.Unmarshal(tc.m.JSON(), &body); err != nil || body["idempotency_key"] != tc.m.Key || body["possible_repeat"] != tc.m.PossibleRepeat {
				t.Errorf("webhook JSON %s: %v", tc.m.JSON(), err)
			}
		})
	}
}

// TestHostileText: names from a CloudTrail record that try to drive a
// terminal, add lines, format or mention in Slack stay inert in every
// medium.
func TestHostileText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter func(*detect.Alert)
	}{
		{"terminal escape in the title", func(a *detect.Alert) { a.Title = "x\x1b[2J\x1b]0;owned\x07" }},
		{"new lines in the detail", func(a *detect.Alert) { a.Detail = "ok\nBreak-glass window: inside bg-fake\r\nIdempotency key: forged" }},
		{"slack mention and link in the user agent", func(a *detect.Alert) { a.Principal = "<!channel> <https://evil.example|click> & *bold* `code`" }},
		{"bidirectional override", func(a *detect.Alert) { a.SourceIP = "203.0.113.9\u202e1.1.1.1" }},
		{"header injection in the event name", func(a *detect.Alert) { a.EventName = "ConsoleLogin\r\nBcc: victim@example.com" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := rootSignIn("ev-h")
			tc.alter(&a)
			m := notify.Message{Key: "rg-h", Notice: notify.Notice{Alert: a, Window: notify.Window{Status: notify.WindowOutside}}}
			text := m.Text()
			lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
			for _, l := range lines {
				if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\u202e' }) {
					t.Errorf("raw control character in line %q", l)
				}
				if strings.HasPrefix(l, "Idempotency key: ") && l != "Idempotency key: rg-h" || strings.HasPrefix(l, "Bcc:") {
					t.Errorf("forged line %q", l)
				}
			}
			if n := strings.Count(text, "\nBreak-glass window: "); n != 1 {
				t.Errorf("%d break-glass lines:\n%s", n, text)
			}
			var slack struct {
				Text   string `json:"text"`
				Blocks []struct {
					Text struct{ Text string } `json:"text"`
				} `json:"blocks"`
			}
			if err := json.Unmarshal(m.Slack(), &slack); err != nil {
				t.Fatal(err)
			}
			section := slack.Blocks[1].Text.Text
			for _, bad := range []string{"<!channel>", "<https://", "\x1b"} {
				if strings.Contains(section, bad) || strings.Contains(slack.Text, bad) {
					t.Errorf("slack holds %q: %s", bad, section)
				}
			}
			// Every untrusted value sits inside one code span: backticks pair up per line.
			for _, l := range strings.Split(section, "\n") {
				if strings.Count(l, "`") != 2 {
					t.Errorf("slack line %q does not hold exactly one code span", l)
				}
			}
			if strings.ContainsRune(string(m.JSON()), '\x1b') || strings.Contains(string(m.JSON()), "\u202e") {
				t.Errorf("raw escape in the webhook JSON %s", m.JSON())
			}
		})
	}
}
