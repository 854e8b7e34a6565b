package breakglass_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
)

func TestNormalizeIdentity(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "arn:aws:sts::111122223333:assumed-role/Admin/alice", want: "arn:aws:iam::111122223333:role/Admin"},
		{in: "arn:aws:sts::111122223333:assumed-role/Admin/bob", want: "arn:aws:iam::111122223333:role/Admin"},
		{in: "arn:aws:iam::111122223333:role/ops/Admin", want: "arn:aws:iam::111122223333:role/Admin"},
		{in: "arn:aws-us-gov:sts::111122223333:assumed-role/Admin/x1", want: "arn:aws-us-gov:iam::111122223333:role/Admin"},
		{in: "arn:aws:iam::111122223333:user/dev/alice", want: "arn:aws:iam::111122223333:user/dev/alice"},
		{in: "arn:aws:iam::111122223333:root", want: "arn:aws:iam::111122223333:root"},
		{in: "oidc:https://idp.example.com/realms/acme#248289761001", want: "oidc:https://idp.example.com/realms/acme#248289761001"},
		{in: "oidc:https://idp.example.com#", err: "not an IAM or STS principal ARN"},
		{in: "oidc:https://idp.example.com#a b", err: "not an IAM or STS principal ARN"},
		{in: "oidc:ftp://idp.example.com#sub", err: "not an IAM or STS principal ARN"},
		{in: "local:admin", err: "not an IAM or STS principal ARN"},
		{in: "alice", err: `identity "alice": not an IAM or STS principal ARN`},
		{in: "arn:aws:s3:::bucket", err: "not an IAM or STS principal ARN"},
		{in: "arn:aws:iam::111122223333:user/a\x1b[2J", err: `"arn:aws:iam::111122223333:user/a\x1b[2J"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := breakglass.NormalizeIdentity(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func registry() breakglass.Registry {
	return breakglass.Registry{
		Persons: map[string]breakglass.Person{"alice": {ID: "alice"}, "bob": {ID: "bob"}, "carol": {ID: "carol"}},
		Mappings: []breakglass.Mapping{
			{Identity: "arn:aws:iam::111122223333:role/Admin", Person: "alice"},
			{Identity: "arn:aws:sts::111122223333:assumed-role/Admin/bob-laptop", Person: "bob"},
			{Identity: "arn:aws:iam::111122223333:user/carol", Person: "carol"},
			{Identity: "arn:aws:iam::111122223333:user/ghost", Person: "nobody"},
		},
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct{ arn, want string }{
		{"arn:aws:sts::111122223333:assumed-role/Admin/alice", "alice"},
		// The same role under another session name is the same person...
		{"arn:aws:sts::111122223333:assumed-role/Admin/someone-else", "alice"},
		// ...unless a mapping names the session.
		{"arn:aws:sts::111122223333:assumed-role/Admin/bob-laptop", "bob"},
		{"arn:aws:iam::111122223333:user/carol", "carol"},
		{"arn:aws:iam::111122223333:user/mallory", ""},
		{"arn:aws:iam::111122223333:user/ghost", ""},
		{"arn:aws:sts::444455556666:assumed-role/Admin/alice", ""},
	} {
		t.Run(tc.arn, func(t *testing.T) {
			p, err := registry().Resolve(tc.arn)
			if tc.want == "" {
				if !errors.Is(err, breakglass.ErrUnknownIdentity) {
					t.Fatalf("err = %v, want ErrUnknownIdentity", err)
				}
				return
			}
			if err != nil || p.ID != tc.want {
				t.Fatalf("= %q, %v; want %q", p.ID, err, tc.want)
			}
		})
	}
}

func TestMappingValidate(t *testing.T) {
	for _, tc := range []struct {
		m   breakglass.Mapping
		err string
	}{
		{breakglass.Mapping{Identity: "arn:aws:iam::111122223333:role/Admin", Person: "alice"}, ""},
		{breakglass.Mapping{Identity: "arn:aws:sts::111122223333:assumed-role/Admin/s1", Person: "alice"}, ""},
		{breakglass.Mapping{Identity: "arn:aws:iam::111122223333:role/path/Admin", Person: "alice"}, "write it as arn:aws:iam::111122223333:role/Admin"},
		{breakglass.Mapping{Identity: "arn:aws:iam::111122223333:role/Admin", Person: "Alice Smith"}, `person "Alice Smith"`},
	} {
		err := tc.m.Validate()
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%+v: err = %v, want %q", tc.m, err, tc.err)
		}
	}
}

var (
	t0    = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	alice = breakglass.Person{ID: "alice"}
	bob   = breakglass.Person{ID: "bob"}
)

func newRequest(t *testing.T, d time.Duration, task, param string) breakglass.Request {
	t.Helper()
	r, err := breakglass.NewRequest(breakglass.DefaultPolicy(), "bg-abc123", "111122223333", "unlock the logs bucket", d, task, param, alice, "arn:aws:iam::111122223333:role/Admin", t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewRequestRefuses(t *testing.T) {
	p := breakglass.DefaultPolicy()
	for _, tc := range []struct {
		name, id, account, reason, task, param string
		d                                      time.Duration
		err                                    string
	}{
		{"bad id", "x", "111122223333", "r", "", "", time.Hour, "request ID"},
		{"bad account", "bg-abc123", "1111", "r", "", "", time.Hour, `account "1111": want 12 digits`},
		{"no reason", "bg-abc123", "111122223333", " ", "", "", time.Hour, "reason: empty"},
		{"control in reason", "bg-abc123", "111122223333", "a\x1b[2Jb", "", "", time.Hour, "printable"},
		{"zero duration", "bg-abc123", "111122223333", "r", "", "", 0, "more than zero"},
		{"too long", "bg-abc123", "111122223333", "r", "", "", 5 * time.Hour, "duration 5h0m0s: longer than the maximum window of 4h0m0s"},
		{"unknown task", "bg-abc123", "111122223333", "r", "unlock-bucket-polcy", "", time.Hour, `unknown task "unlock-bucket-polcy" (did you mean unlock-bucket-policy?)`},
		{"missing param", "bg-abc123", "111122223333", "r", "unlock-bucket-policy", "", time.Hour, "needs --bucket"},
		{"bad param", "bg-abc123", "111122223333", "r", "unlock-bucket-policy", "Bad_Bucket", time.Hour, "--bucket \"Bad_Bucket\" is not valid"},
		{"param without task", "bg-abc123", "111122223333", "r", "", "b", time.Hour, "without --task"},
		{"param for parameterless task", "bg-abc123", "111122223333", "r", "audit-root-credentials", "x", time.Hour, "takes no parameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := breakglass.NewRequest(p, tc.id, tc.account, tc.reason, tc.d, tc.task, tc.param, alice, "arn:aws:iam::111122223333:role/Admin", t0)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	r := newRequest(t, 30*time.Minute, "unlock-bucket-policy", "logs-bucket")
	if _, err := r.Approve(alice, "arn:aws:sts::111122223333:assumed-role/Admin/other", t0.Add(time.Minute)); !errors.Is(err, breakglass.ErrSelfApproval) {
		t.Fatalf("self-approval: err = %v", err)
	}
	if _, err := r.Deny(alice, "", t0); !errors.Is(err, breakglass.ErrSelfApproval) {
		t.Fatalf("self-denial: err = %v", err)
	}
	if _, err := r.Approve(bob, "b", t0.Add(24*time.Hour)); !errors.Is(err, breakglass.ErrState) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("approve expired: err = %v", err)
	}
	if err := r.Authorize("unlock-bucket-policy", "logs-bucket", t0); !errors.Is(err, breakglass.ErrState) {
		t.Fatalf("run pending: err = %v", err)
	}
	at := t0.Add(10 * time.Minute)
	a, err := r.Approve(bob, "arn:aws:iam::111122223333:user/bob", at)
	if err != nil {
		t.Fatal(err)
	}
	if w := a.Window(); !w.Start.Equal(at) || !w.End.Equal(at.Add(30*time.Minute)) {
		t.Fatalf("window = %+v", w)
	}
	if _, err := a.Approve(bob, "b", at); !errors.Is(err, breakglass.ErrState) {
		t.Fatalf("approve twice: err = %v", err)
	}
	for _, tc := range []struct {
		task, param string
		at          time.Time
		want        error
	}{
		{"unlock-bucket-policy", "logs-bucket", at, nil},
		{"unlock-bucket-policy", "logs-bucket", at.Add(29 * time.Minute), nil},
		{"unlock-bucket-policy", "logs-bucket", at.Add(30 * time.Minute), breakglass.ErrState},
		{"unlock-bucket-policy", "other-bucket", at, breakglass.ErrTask},
		{"delete-root-credentials", "", at, breakglass.ErrTask},
	} {
		if err := a.Authorize(tc.task, tc.param, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("Authorize(%s %s at %s) = %v, want %v", tc.task, tc.param, tc.at, err, tc.want)
		}
	}
	if s := a.StateAt(at.Add(time.Hour)); s != breakglass.Closed {
		t.Fatalf("state after the window = %s", s)
	}
	c, err := a.Close(alice, at.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Window(); !w.End.Equal(at.Add(5 * time.Minute)) {
		t.Fatalf("closed window = %+v", w)
	}
	if _, err := c.Approve(bob, "b", at); !errors.Is(err, breakglass.ErrState) {
		t.Fatalf("approve closed: err = %v", err)
	}
	if _, err := c.Close(alice, at.Add(6*time.Minute)); !errors.Is(err, breakglass.ErrState) {
		t.Fatalf("close twice: err = %v", err)
	}
	d, err := r.Deny(bob, "b", t0)
	if err != nil || d.State != breakglass.Denied || !d.Window().Start.IsZero() {
		t.Fatalf("deny: %+v, %v", d, err)
	}
}

func TestSignInWindowRunsNoTask(t *testing.T) {
	r := newRequest(t, time.Hour, "", "")
	a, err := r.Approve(bob, "b", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Authorize("unlock-bucket-policy", "b1b", t0); !errors.Is(err, breakglass.ErrTask) {
		t.Fatalf("err = %v", err)
	}
}

func TestTaskRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, tk := range breakglass.Tasks {
		if seen[tk.Name] || seen[tk.Policy] {
			t.Errorf("%s: registered twice", tk.Name)
		}
		seen[tk.Name], seen[tk.Policy] = true, true
		if !strings.HasPrefix(tk.PolicyARN(), "arn:aws:iam::aws:policy/root-task/") || tk.Title == "" || len(tk.Calls) == 0 {
			t.Errorf("%s: incomplete", tk.Name)
		}
		if (tk.Param == "") != (tk.ParamRE == nil) {
			t.Errorf("%s: a parameter needs its pattern", tk.Name)
		}
		for _, w := range tk.Writes {
			found := false
			for _, c := range tk.Calls {
				found = found || c == w
			}
			if !found {
				t.Errorf("%s: write %s is not among its calls", tk.Name, w)
			}
		}
	}
	if len(breakglass.Tasks) != 5 {
		t.Errorf("%d tasks, want one per AssumeRoot task policy (5)", len(breakglass.Tasks))
	}
	for _, tc := range []struct{ task, value, err string }{
		{"unlock-queue-policy", "https://sqs.us-east-1.amazonaws.com/111122223333/locked", ""},
		{"unlock-queue-policy", "http://evil/x", "is not valid"},
		{"unlock-bucket-policy", "my.logs-bucket", ""},
	} {
		tk, err := breakglass.LookupTask(tc.task)
		if err != nil {
			t.Fatal(err)
		}
		err = tk.CheckParam(tc.value)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s %s: err = %v, want %q", tc.task, tc.value, err, tc.err)
		}
	}
}

// TestWindowWholeSeconds: CloudTrail's eventTime has second precision, so the window widens to
// whole seconds: an event logged in the second of the approval or of the close is inside.
func TestWindowWholeSeconds(t *testing.T) {
	r := newRequest(t, time.Hour, "", "")
	at := t0.Add(1500 * time.Millisecond)
	a, err := r.Approve(bob, "b", at)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Close(alice, at.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Window()
	if !w.Start.Equal(t0.Add(time.Second)) || !w.End.Equal(t0.Add(4*time.Second)) {
		t.Fatalf("window %s to %s, want whole seconds around the approval and the close", w.Start, w.End)
	}
	if !w.Contains(t0.Add(time.Second)) || w.Contains(t0.Add(4*time.Second)) {
		t.Fatal("the window's ends")
	}
}
