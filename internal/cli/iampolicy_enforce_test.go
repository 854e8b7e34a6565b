package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/iampolicy"
	"github.com/rootguard/rootguard/internal/policy"
	"github.com/rootguard/rootguard/internal/sim"
)

// demoManagement is the demo organization's management account.
const demoManagement = "111111111111"

// callerOf is who made a call, in the registry's terms.
func callerOf(c sim.Call) iampolicy.Caller {
	switch {
	case strings.HasSuffix(c.Principal, ":root"):
		return iampolicy.RootTask
	case strings.Contains(c.Principal, "::"+demoManagement+":"):
		return iampolicy.Management
	}
	return iampolicy.Member
}

// free are the calls AWS answers without any permission.
var free = []string{"sts:GetCallerIdentity"}

// TestIAMPolicyRegistryCoversEveryCall runs scan (with --send
// securityhub), plan, apply and serve on the demo organization through the
// in-process endpoint and fails on any call whose action the registry
// does not give that mode and that caller.
func TestIAMPolicyRegistryCoversEveryCall(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	state, planPath := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json")
	src := []string{"--demo", "--state", state}
	runs := []struct {
		mode iampolicy.Mode
		args []string
	}{
		{iampolicy.Scan, []string{"scan", "--send", "securityhub", "--format", "json"}},
		{iampolicy.Plan, []string{"plan", "--config", planConfig, "--out", planPath}},
		{iampolicy.Apply, []string{"apply", planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", filepath.Join(dir, "audit.log")}},
		// serve --demo: a scheduled scan and its demo queue until the timeout.
		// A database of its own: no other test's lease delays its first scan.
		{iampolicy.Serve, []string{"serve", "--listen", "127.0.0.1:0", "--wait", "1s", "--timeout", "6s", "--db", "sqlite:" + filepath.Join(dir, "serve.db")}},
	}
	for _, r := range runs {
		if code, _, stderr := run(t, append(r.args, src...)...); code != ExitOK {
			t.Fatalf("%s: exit %d: %s", r.mode, code, stderr)
		}
		calls := srv.take()
		if len(calls) == 0 {
			t.Fatalf("%s: no call recorded", r.mode)
		}
		called := map[string]bool{}
		for _, c := range calls {
			called[c.Action] = true
			if r.mode == iampolicy.Serve && c.Action == "sqs:SendMessage" {
				continue // serve --demo feeding its own demo queue
			}
			if !slices.Contains(free, c.Action) && !iampolicy.Allows(r.mode, callerOf(c), c.Action) {
				t.Errorf("%s: %s called %s, which the registry does not give %s", r.mode, c.Principal, c.Action, callerOf(c))
			}
		}
		if r.mode == iampolicy.Serve && (!called["sqs:ReceiveMessage"] || !called["sqs:DeleteMessage"] || !called["organizations:ListAccounts"]) {
			t.Errorf("serve: no scan or no message received and deleted in its calls %v", called)
		}
	}
}

// policyRun is one mode run against an endpoint that enforces the given
// identity policies.
type policyRun struct {
	code   int
	out    string
	calls  []sim.Call
	denied map[string]bool // "caller action @account" of the calls answered AccessDenied
}

// newlyDenied reports whether r had a call of key ("caller action") denied
// in an account where base had none denied.
func (r policyRun) newlyDenied(base policyRun, key string) bool {
	for k := range r.denied {
		if strings.HasPrefix(k, key+" @") && !base.denied[k] {
			return true
		}
	}
	return false
}

// runUnderPolicies serves the demo (dates fixed) enforcing mgmt on the
// caller and member on the member role, and runs mode against it through
// --endpoint-url: scan with --send securityhub, plan, or plan then apply.
func runUnderPolicies(t *testing.T, mode iampolicy.Mode, mgmt, member *policy.Policy) policyRun {
	t.Helper()
	scn, err := sim.FixDates(sim.Demo())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.Start(scn, sim.Options{Writable: mode == iampolicy.Apply, CallerPolicy: mgmt, RolePolicy: member})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	live := []string{"--org", "--endpoint-url", srv.URL()}
	var r policyRun
	switch mode {
	case iampolicy.Scan:
		r.code, r.out, _ = runCommand(t, newScanCmd, append([]string{"--send", "securityhub", "--format", "json"}, live...)...)
	case iampolicy.Plan, iampolicy.Apply:
		r.code, r.out, _ = runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, live...)...)
		if mode == iampolicy.Apply && r.code == ExitOK {
			r.code, r.out, _ = runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion",
				"--audit-log", filepath.Join(dir, "audit.log")}, live...)...)
		}
	}
	r.calls = srv.Calls()
	r.denied = map[string]bool{}
	for _, c := range r.calls {
		if strings.HasPrefix(c.ErrorCode, "AccessDenied") {
			r.denied[string(callerOf(c))+" "+c.Action+" @"+c.Account] = true
		}
	}
	return r
}

// liveEnv points the SDK's credential chain at the endpoint's fixed
// credentials and away from any profile on the machine.
func liveEnv(t *testing.T) {
	akid, secret := (&sim.Server{}).Credentials()
	t.Setenv("AWS_ACCESS_KEY_ID", akid)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("XDG_STATE_HOME", t.TempDir())
}

// parsePolicy compiles a generated document, leaving out one action.
func parsePolicy(t *testing.T, name string, d iampolicy.Document, without string) *policy.Policy {
	t.Helper()
	d.Statement = slices.Clone(d.Statement)
	for i := range d.Statement {
		d.Statement[i].Action = slices.DeleteFunc(slices.Clone(d.Statement[i].Action), func(a string) bool { return a == without })
	}
	d.Statement = slices.DeleteFunc(d.Statement, func(s iampolicy.Statement) bool { return len(s.Action) == 0 })
	p, err := policy.Parse(name, d.JSON())
	if err != nil {
		t.Fatalf("generated %s policy: %v", name, err)
	}
	return p
}

// TestIAMPolicyEnforced runs scan, plan and apply on the demo under the
// policies iam-policy generates for them, which the endpoint enforces with
// the policy engine: each run must do what it does unrestricted (the same
// exit code, the same calls denied, which are the SCP denials of the
// demo). Then, for every action of the generated policies (the
// management identity's and the member role's) that the unrestricted run
// calls, the same run with that one action removed must have that action
// denied and show it: a non-zero exit, or AccessDenied in its output.
// scan (with --send securityhub) covers every read; apply's rows are the
// actions only apply calls; plan calls nothing scan does not. Without
// -race every row runs (about 100 s on two cores); under -race, which the
// full suite uses, a fixed sample of one row in raceSample.
func TestIAMPolicyEnforced(t *testing.T) {
	liveEnv(t)
	for _, mode := range []iampolicy.Mode{iampolicy.Scan, iampolicy.Plan, iampolicy.Apply} {
		t.Run(string(mode), func(t *testing.T) {
			gen := iampolicy.Generate(mode, "OrganizationAccountAccessRole", demoManagement)
			base := runUnderPolicies(t, mode, nil, nil)
			if base.code != ExitOK {
				t.Fatalf("unrestricted %s: exit %d\n%s", mode, base.code, base.out)
			}
			got := runUnderPolicies(t, mode, parsePolicy(t, "management", gen.Management, ""), parsePolicy(t, "member", gen.MemberPolicy, ""))
			if got.code != ExitOK {
				t.Fatalf("%s under its generated policies: exit %d\n%s", mode, got.code, got.out)
			}
			if diff := diffKeys(base.denied, got.denied); diff != "" {
				t.Fatalf("%s under its generated policies: calls denied differ from the unrestricted run: %s", mode, diff)
			}
			if mode == iampolicy.Plan {
				return
			}
			called := map[string]bool{}
			for _, c := range base.calls {
				called[string(callerOf(c))+" "+c.Action] = true
			}
			row := 0
			for _, caller := range []iampolicy.Caller{iampolicy.Management, iampolicy.Member} {
				for _, action := range iampolicy.Actions(mode, caller) {
					if mode == iampolicy.Apply && iampolicy.Allows(iampolicy.Scan, caller, action) {
						continue // a read: the scan rows remove it
					}
					key := string(caller) + " " + action
					row++
					sampled := row%raceSample == 1
					t.Run(key, func(t *testing.T) {
						if raceDetector && !sampled {
							t.Skipf("under -race only 1 row in %d runs (a run is a whole demo scan); without -race every row does", raceSample)
						}
						if !called[key] {
							t.Skipf("the demo's %s makes no %s call", mode, key)
						}
						mg, mb := parsePolicy(t, "management", gen.Management, ""), parsePolicy(t, "member", gen.MemberPolicy, "")
						if caller == iampolicy.Management {
							mg = parsePolicy(t, "management", gen.Management, action)
						} else {
							mb = parsePolicy(t, "member", gen.MemberPolicy, action)
						}
						r := runUnderPolicies(t, mode, mg, mb)
						if !r.newlyDenied(base, key) {
							t.Fatalf("without %s the endpoint denied no more %s calls than unrestricted", action, key)
						}
						if r.code == ExitOK && !strings.Contains(r.out, "AccessDenied") {
							t.Errorf("without %s %s exited 0 and its output does not say AccessDenied", action, mode)
						}
					})
				}
			}
		})
	}
}

// raceSample: under -race, one removal row in raceSample runs.
const raceSample = 10

// diffKeys describes the keys in only one of a and b, "" when none.
func diffKeys(a, b map[string]bool) string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, "only unrestricted: "+k)
		}
	}
	for k := range b {
		if !a[k] {
			out = append(out, "only under the policy: "+k)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return ""
	}
	b2, _ := json.Marshal(out)
	return fmt.Sprint(string(b2))
}
