package guardrail_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

const actor = "arn:aws:sts::111111111111:assumed-role/Admin/rootguard-test"

// fakeExecutor records the calls it is asked to make and fails the ones
// fail matches.
type fakeExecutor struct {
	calls []string
	fail  func(account string, c guardrail.Call) error
	n     int
}

func (f *fakeExecutor) Call(_ context.Context, account string, c guardrail.Call) (map[string]string, error) {
	key := c.Operation + " " + account
	for _, k := range []string{"TargetId", "AccessKeyId", "SerialNumber", "CertificateId", "AlternateContactType", "PolicyId"} {
		if v, ok := c.Params[k]; ok {
			key += " " + k + "=" + v
		}
	}
	if f.fail != nil {
		if err := f.fail(account, c); err != nil {
			return nil, err
		}
	}
	f.calls = append(f.calls, key)
	if c.Operation == "organizations:CreatePolicy" {
		f.n++
		return map[string]string{"policy:" + c.Params["Name"]: fmt.Sprintf("p-created%d", f.n)}, nil
	}
	return nil, nil
}

// fakeRecorder keeps the entries; failAt makes the n-th Append fail.
type fakeRecorder struct {
	entries []audit.Entry
	failAt  int
}

func (r *fakeRecorder) Do(ctx context.Context, e audit.Entry, call func(context.Context) error) error {
	e.Phase = audit.PhaseIntent
	if r.failAt > 0 && len(r.entries)+1 == r.failAt {
		return errors.New("disk full")
	}
	r.entries = append(r.entries, e)
	err := call(ctx)
	e.Phase = audit.PhaseResult
	r.entries = append(r.entries, e)
	return err
}

func (r *fakeRecorder) Succeeded(audit.Entry) bool { return false }

// appliedState is s with the changes res applied: the organization a
// rerun reads.
func appliedState(t *testing.T, s *inventory.Snapshot, res *guardrail.ApplyResult) *inventory.Snapshot {
	t.Helper()
	var done []guardrail.Change
	for _, o := range res.Outcomes {
		if o.Outcome == guardrail.OutcomeApplied {
			done = append(done, *o.Change)
		}
	}
	s2, err := guardrail.Project(s, done)
	if err != nil {
		t.Fatal(err)
	}
	return s2
}

type apiError struct{ code string }

func (e apiError) Error() string     { return e.code + ": injected" }
func (e apiError) ErrorCode() string { return e.code }

func TestApplyFailureThenRerun(t *testing.T) {
	p := demoPlan(t)
	s := planSnapshot(t)
	opts := guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true}

	clean := &fakeExecutor{}
	opts.Executor = clean
	if _, err := guardrail.Apply(t.Context(), p, s, &fakeRecorder{}, opts); err != nil {
		t.Fatalf("clean apply: %v", err)
	}

	first := &fakeExecutor{fail: func(account string, c guardrail.Call) error {
		if c.Operation == "account:PutAlternateContact" && account == "131313131313" {
			return apiError{"TooManyRequestsException"}
		}
		return nil
	}}
	opts.Executor = first
	res, err := guardrail.Apply(t.Context(), p, s, &fakeRecorder{}, opts)
	if err == nil || !strings.Contains(err.Error(), "TooManyRequestsException") {
		t.Fatalf("apply with a failure = %v", err)
	}
	f := res.Failure()
	if f == nil || f.Change.ID != "put-alternate-contact/131313131313/OPERATIONS" {
		t.Fatalf("failure %+v", f)
	}
	applied, notAttempted := res.Count(guardrail.OutcomeApplied), res.Count(guardrail.OutcomeNotAttempted)
	if applied+notAttempted+1 != len(p.Changes) || applied == 0 || notAttempted == 0 {
		t.Errorf("%d applied, %d not attempted of %d", applied, notAttempted, len(p.Changes))
	}

	second := &fakeExecutor{}
	opts.Executor = second
	res2, err := guardrail.Apply(t.Context(), p, appliedState(t, s, res), &fakeRecorder{}, opts)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if n := res2.Count(guardrail.OutcomeDone); n != applied {
		t.Errorf("rerun skipped %d changes, want the %d applied before", n, applied)
	}
	// Together the two runs made every call of the clean run once, in the
	// same order (a created policy's ID is looked up by name on the rerun,
	// so compare the operations and targets only).
	norm := func(calls []string) []string {
		out := make([]string, len(calls))
		for i, c := range calls {
			out[i] = regexp.MustCompile(`PolicyId=\S+`).ReplaceAllString(c, "PolicyId=?")
		}
		return out
	}
	if diff := cmp.Diff(norm(clean.calls), norm(append(first.calls, second.calls...))); diff != "" {
		t.Errorf("calls of the two runs differ from a clean run (-clean +runs):\n%s", diff)
	}
}

func TestApplyResolvesCreatedPolicyIDs(t *testing.T) {
	p := demoPlan(t)
	x := &fakeExecutor{}
	if _, err := guardrail.Apply(t.Context(), p, planSnapshot(t), &fakeRecorder{}, guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true, Executor: x}); err != nil {
		t.Fatal(err)
	}
	var attaches []string
	for _, c := range x.calls {
		if strings.HasPrefix(c, "organizations:AttachPolicy") {
			attaches = append(attaches, c)
		}
	}
	want := []string{
		"organizations:AttachPolicy 111111111111 TargetId=r-acme PolicyId=p-created2",
		"organizations:AttachPolicy 111111111111 TargetId=r-acme PolicyId=p-created3",
		"organizations:AttachPolicy 111111111111 TargetId=r-acme PolicyId=p-created1",
	}
	if diff := cmp.Diff(want, attaches); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
}

func TestApplyRefusals(t *testing.T) {
	p := demoPlan(t)
	tests := []struct {
		name    string
		opts    guardrail.ApplyOptions
		rec     guardrail.Recorder
		wantErr error
		want    string
	}{
		{"recent key without the flag", guardrail.ApplyOptions{Actor: actor}, &fakeRecorder{}, guardrail.ErrNeedsFlag, "--allow-recent-key-deletion"},
		{"no audit log", guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true}, nil, nil, "no audit log: no log, no change"},
		{"actor not an ARN", guardrail.ApplyOptions{Actor: "me", AllowRecentKeyDeletion: true}, &fakeRecorder{}, nil, `actor "me" is not an ARN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := &fakeExecutor{}
			tt.opts.Executor = x
			_, err := guardrail.Apply(t.Context(), p, planSnapshot(t), tt.rec, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("Apply = %v, want %q", err, tt.want)
			}
			if len(x.calls) != 0 {
				t.Errorf("refused apply made %d calls", len(x.calls))
			}
		})
	}
}

// TestApplyAuditFailureStopsBeforeTheCall: no log, no change.
func TestApplyAuditFailureStopsBeforeTheCall(t *testing.T) {
	p := demoPlan(t)
	x := &fakeExecutor{}
	rec := &fakeRecorder{failAt: 5} // the third call's intent
	res, err := guardrail.Apply(t.Context(), p, planSnapshot(t), rec, guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true, Executor: x})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Apply = %v, want the audit error", err)
	}
	if len(x.calls) != 2 {
		t.Errorf("%d calls made, want 2 (the third intent was not written)", len(x.calls))
	}
	if res.Count(guardrail.OutcomeFailed) != 1 || res.Count(guardrail.OutcomeApplied) != 2 {
		t.Errorf("outcomes: %d applied, %d failed", res.Count(guardrail.OutcomeApplied), res.Count(guardrail.OutcomeFailed))
	}
}

// TestApplyCancelled: a context cancelled before apply starts (an
// interrupt) stops it at the first pending change, before any call or
// audit entry, and the error says so instead of naming a call.
func TestApplyCancelled(t *testing.T) {
	p := demoPlan(t)
	x := &fakeExecutor{}
	rec := &fakeRecorder{}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := guardrail.Apply(ctx, p, planSnapshot(t), rec, guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true, Executor: x})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply = %v, want context.Canceled", err)
	}
	if want := "apply: change " + p.Changes[0].ID + ": context canceled"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if len(x.calls) != 0 || len(rec.entries) != 0 {
		t.Errorf("%d calls, %d audit entries after cancellation, want none", len(x.calls), len(rec.entries))
	}
	f := res.Failure()
	if f == nil || f.Change.ID != p.Changes[0].ID || f.Failed != nil || f.ErrorCode != "Canceled" {
		t.Fatalf("failure %+v, want the first change, no call, code Canceled", f)
	}
	if n := res.Count(guardrail.OutcomeNotAttempted); n != len(p.Changes)-1 {
		t.Errorf("%d not attempted, want %d", n, len(p.Changes)-1)
	}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil || !strings.Contains(b.String(), "Apply stopped at "+p.Changes[0].ID) {
		t.Errorf("WriteText = %v:\n%s", err, b.String())
	}
}

// TestApplyAuditLog applies through the real audit log: it verifies, has
// one intent before each call, and holds no credential ID or email.
func TestApplyAuditLog(t *testing.T) {
	p := demoPlan(t)
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := audit.Open(path, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := &fakeExecutor{}
	if _, err := guardrail.Apply(t.Context(), p, planSnapshot(t), log, guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true, Executor: x}); err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := audit.Verify(path, audit.Options{})
	if err != nil || !res.OK() {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	if res.Entries != 2*len(x.calls) || len(res.Pending) != 0 {
		t.Errorf("%d entries, %d pending, for %d calls", res.Entries, len(res.Pending), len(x.calls))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`AKIA[A-Z0-9]{16}`, `[a-z-]+@acme\.example`, `GAHT\d+`, `LR35BF5F`, `\+1 ?206`} {
		if m := regexp.MustCompile(re).Find(data); m != nil {
			t.Errorf("audit log holds %q in plain text", m)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i := 0; i < len(lines); i += 2 {
		if !strings.Contains(lines[i], `"phase":"intent"`) || !strings.Contains(lines[i+1], `"phase":"result"`) {
			t.Fatalf("lines %d-%d are not an intent then its result", i+1, i+2)
		}
	}
}

// TestApplyRerunSkipsSucceededCalls: a change of several calls whose
// second call failed records each call's outcome in the audit log, and a
// rerun with that log makes only the call that failed, not the one that
// succeeded.
func TestApplyRerunSkipsSucceededCalls(t *testing.T) {
	p := demoPlan(t)
	s := planSnapshot(t)
	const spoke = "101010101010"
	path := filepath.Join(t.TempDir(), "audit.log")
	opts := guardrail.ApplyOptions{Actor: actor, AllowRecentKeyDeletion: true}
	apply := func(x *fakeExecutor, s *inventory.Snapshot) (*guardrail.ApplyResult, error) {
		t.Helper()
		log, err := audit.Open(path, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer log.Close()
		o := opts
		o.Executor = x
		return guardrail.Apply(t.Context(), p, s, log, o)
	}

	first := &fakeExecutor{fail: func(account string, c guardrail.Call) error {
		if c.Operation == "events:PutTargets" && account == spoke {
			return apiError{"InternalException"}
		}
		return nil
	}}
	res, err := apply(first, s)
	f := res.Failure()
	if err == nil || f == nil || f.Change.Kind != guardrail.KindForwardRootActivity || f.Change.AccountID != spoke {
		t.Fatalf("first apply = %v, failure %+v; want the forwarding of %s", err, f, spoke)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{
		`"change_id":"` + f.Change.ID + `","account_id":"` + spoke + `","operation":"events:PutRule","phase":"result","outcome":"ok"`,
		`"change_id":"` + f.Change.ID + `","account_id":"` + spoke + `","operation":"events:PutTargets","phase":"result","outcome":"error","error_code":"InternalException"`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("audit log lacks %s", want)
		}
	}

	second := &fakeExecutor{}
	if _, err := apply(second, appliedState(t, s, res)); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	var spokeCalls []string
	for _, c := range second.calls {
		if strings.HasPrefix(c, "events:") && strings.Contains(c, " "+spoke) {
			spokeCalls = append(spokeCalls, c)
		}
	}
	if diff := cmp.Diff([]string{"events:PutTargets " + spoke}, spokeCalls); diff != "" {
		t.Errorf("rerun's calls for the failed change (-want +got):\n%s", diff)
	}
}
