package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/sim"
)

// TestMain keeps every test of the package away from the user's demo state
// and audit log: --demo reads $XDG_STATE_HOME/rootguard/demo-state.yaml.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rootguard-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_STATE_HOME", dir)
	os.Setenv("ROOTGUARD_AUDIT_LOG", filepath.Join(dir, "audit.log"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const planConfig = "../guardrail/testdata/plan/demo.yaml"

// runCommand runs one command on its own, with empty stdin, and returns
// the exit code, stdout and stderr.
func runCommand(t *testing.T, newCmd func(*env) *cobra.Command, args ...string) (int, string, string) {
	t.Helper()
	return runCommandIn(t, "", newCmd, args...)
}

// servers records the in-process endpoints commands start.
type servers struct {
	mu   sync.Mutex
	list []*sim.Server
}

func captureServers(t *testing.T) *servers {
	s := &servers{}
	simStarted = func(srv *sim.Server) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.list = append(s.list, srv)
	}
	t.Cleanup(func() { simStarted = nil })
	return s
}

// take returns the calls of the endpoints started since the last take.
func (s *servers) take() []sim.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var calls []sim.Call
	for _, srv := range s.list {
		calls = append(calls, srv.Calls()...)
	}
	s.list = nil
	return calls
}

func writes(calls []sim.Call) []sim.Call {
	var out []sim.Call
	for _, c := range calls {
		if c.Write {
			out = append(out, c)
		}
	}
	return out
}

// okWrites are the successful writes as "service:Operation account".
func okWrites(calls []sim.Call) []string {
	var out []string
	for _, c := range writes(calls) {
		if c.ErrorCode == "" {
			out = append(out, c.Service+":"+c.Operation+" "+c.Account)
		}
	}
	slices.Sort(out)
	return out
}

// statuses scans and returns every finding's status by check and account.
func statuses(t *testing.T, args ...string) map[[2]string]string {
	t.Helper()
	code, out, stderr := run(t, append([]string{"scan", "--format", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	m := map[[2]string]string{}
	for _, f := range decodeFindings(t, out).Findings {
		m[[2]string{f.CheckID, f.AccountID}] = f.Status
	}
	return m
}

// alertingDetails are root-activity-alerting's details by account.
func alertingDetails(t *testing.T, args ...string) map[string]string {
	t.Helper()
	code, out, stderr := run(t, append([]string{"scan", "--format", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	m := map[string]string{}
	for _, f := range decodeFindings(t, out).Findings {
		if f.CheckID == "root-activity-alerting" {
			m[f.AccountID] = f.Detail
		}
	}
	return m
}

func loadPlan(t *testing.T, path string) *guardrail.Plan {
	t.Helper()
	p, err := guardrail.LoadPlan(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlanApplyDemo is the end-to-end path on the demo organization
// through the real SDK and the endpoint: scan, plan, apply --yes, scan; with
// the plan tests' config (alerting in a member, 333333333333), and with the
// built-in demo config plan --demo uses without --config (alerting in the
// management account, an SQS subscriber, every alternate contact).
func TestPlanApplyDemo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
		// turnPass are checks that must go from FAIL to PASS in every
		// account where they fail before.
		turnPass []string
		// awaiting are checks the plan addresses that stay FAIL, as the
		// plan predicts, until someone acts outside AWS's APIs: the test
		// config subscribes an email address, which must confirm the
		// subscription before root activity reaches anyone.
		awaiting []string
	}{
		{"test config", []string{"--config", planConfig}, []string{
			`+ attach SCP "rootguard-deny-root-actions" to r-acme`, "- delete root access key AKIA", "~ set SECURITY contact on 101010101010",
			"+ forward root activity from 777777777777 to the central bus", "+ let 777777777777 put events on the default bus of 333333333333",
		}, nil, []string{"root-activity-alerting"}},
		{"built-in demo config", nil, []string{
			"~ set SECURITY contact on 101010101010", "~ set OPERATIONS contact on 131313131313", "~ set BILLING contact on 141414141414",
			"+ subscribe sqs:arn:aws:sqs:us-east-1:222222222222:root-activity-alerts", "+ forward root activity from 777777777777 to the central bus",
			"+ let 777777777777 put events on the default bus of 111111111111",
		}, []string{"root-activity-alerting", "contact-alternate-security", "contact-alternate-billing", "contact-alternate-operations"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { planApplyTour(t, tt.args, tt.want, tt.turnPass, tt.awaiting) })
	}
}

func planApplyTour(t *testing.T, config, wantPlan, turnPass, awaiting []string) {
	dir := t.TempDir()
	state, planPath, auditLog := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json"), filepath.Join(dir, "audit.log")
	src := []string{"--demo", "--state", state, "--audit-log", auditLog}
	srv := captureServers(t)

	before := statuses(t, src...)
	beforeDetails := alertingDetails(t, src...)
	if w := writes(srv.take()); len(w) != 0 {
		t.Errorf("scan made %d write calls: %+v", len(w), w)
	}
	if code, _, stderr := run(t, append([]string{"collect", "--out", filepath.Join(dir, "snap.json")}, src...)...); code != ExitOK {
		t.Fatalf("collect: exit %d: %s", code, stderr)
	}
	if w := writes(srv.take()); len(w) != 0 {
		t.Errorf("collect made %d write calls: %+v", len(w), w)
	}
	code, out, stderr := runCommand(t, newPlanCmd, slices.Concat(config, []string{"--out", planPath}, src)...)
	if code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	if w := writes(srv.take()); len(w) != 0 {
		t.Errorf("plan made %d write calls: %+v", len(w), w)
	}
	for _, want := range append(wantPlan, "Plan: ") {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	p := loadPlan(t, planPath)
	if len(p.Changes) == 0 {
		t.Fatal("the demo plan is empty")
	}

	// Deleting a recently used root key does not erase its use: apply
	// keeps it in the audit log, so the plan predicts no PASS for
	// root-recent-use there, and the scan after apply agrees (below).
	for _, c := range p.Changes {
		if c.Kind == guardrail.KindDeleteAccessKey && c.RequiresFlag != "" {
			for _, e := range p.Expected {
				if e.CheckID == "root-recent-use" && e.AccountID == c.AccountID && e.To == "PASS" {
					t.Errorf("the plan predicts root-recent-use PASS in %s once its recently used key is deleted", c.AccountID)
				}
			}
		}
	}
	code, out, stderr = runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion"}, src...)...)
	if code != ExitOK {
		t.Fatalf("apply: exit %d: %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, fmt.Sprintf("Apply complete: %d applied, 0 already in place.", len(p.Changes))) {
		t.Errorf("apply output:\n%s", out)
	}
	applyCalls := srv.take()
	afterDetails := alertingDetails(t, src...)
	srv.take()
	// The rules rootguard deployed receive read-only management events
	// too: no evidence names their partial coverage.
	for acct, d := range afterDetails {
		for _, line := range strings.Split(d, "\n") {
			if strings.Contains(line, `EventBridge rule "rootguard-`) && strings.Contains(line, "partial coverage") {
				t.Errorf("root-activity-alerting of %s names partial coverage of a rule rootguard deployed: %s", acct, line)
			}
		}
	}

	// Every change the plan predicted, and nothing else, moved; only to
	// PASS, or to NOT_APPLICABLE where the check stops applying (no root
	// password left, so no MFA to judge), except where the plan warns of
	// it: deactivating a root's virtual MFA device leaves it assigned to
	// nobody (root-virtual-mfa-orphaned), as the root task policy cannot
	// delete it.
	after := statuses(t, src...)
	srv.take()
	moved := map[[2]string]string{}
	for k, was := range before {
		if now := after[k]; now != was {
			moved[k] = was + " -> " + now
			warned := slices.ContainsFunc(p.Warnings, func(w string) bool {
				return strings.HasPrefix(w, k[0]+" is expected to go from "+was+" to "+now) && strings.Contains(w, k[1])
			})
			if now != "PASS" && now != "NOT_APPLICABLE" && !warned {
				t.Errorf("%s in %s went from %s to %s", k[0], k[1], was, now)
			}
		}
	}
	// The checks the config addresses pass wherever they failed.
	for k, was := range before {
		if slices.Contains(turnPass, k[0]) && was == "FAIL" && after[k] != "PASS" {
			t.Errorf("%s in %s is %s after apply, want PASS", k[0], k[1], after[k])
		}
	}
	predicted := map[[2]string]string{}
	for _, e := range p.Expected {
		predicted[[2]string{e.CheckID, e.AccountID}] = e.From + " -> " + e.To
	}
	if diff := cmp.Diff(predicted, moved); diff != "" {
		t.Errorf("findings that moved differ from the plan's expected findings (-plan +scan):\n%s", diff)
	}
	// Every check a change addresses passes where it addresses it.
	newly := map[string][]string{}
	if p.Analysis != nil {
		for _, pc := range p.Analysis.Policies {
			newly[pc.Key] = pc.NewlyCovered
		}
	}
	for _, c := range p.Changes {
		accounts := []string{c.AccountID}
		if c.Kind == guardrail.KindAttachPolicy {
			accounts = newly[strings.Split(c.ID, "/")[1]]
		}
		for _, fix := range c.Fixes {
			for _, a := range accounts {
				got := after[[2]string{fix, a}]
				switch {
				case slices.Contains(awaiting, fix) && strings.Contains(c.Note, fix+" stays FAIL"):
					if got != "FAIL" {
						t.Errorf("%s addresses %s in %s, which is %s after apply, want FAIL until the subscription is confirmed", c.ID, fix, a, got)
					}
				case got != "PASS":
					t.Errorf("%s addresses %s in %s, which is %s after apply", c.ID, fix, a, got)
				}
			}
		}
	}

	// 222222222222's own rule targets its own topic, which lacks the
	// EventBridge grant: it fails naming that, and passes after apply
	// through its own rule and topic and the added statement, without
	// forwarding.
	const soc = "222222222222"
	if d := beforeDetails[soc]; before[[2]string{"root-activity-alerting", soc}] != "FAIL" ||
		!strings.Contains(d, "soc-root-alerts has no topic policy statement that lets events.amazonaws.com sns:Publish") {
		t.Errorf("root-activity-alerting of %s before apply is %s: %s", soc, before[[2]string{"root-activity-alerting", soc}], d)
	}
	if d := afterDetails[soc]; after[[2]string{"root-activity-alerting", soc}] != "PASS" ||
		!strings.Contains(d, `EventBridge rule "root-activity-to-soc" (us-east-1) → topic arn:aws:sns:us-east-1:222222222222:soc-root-alerts`) ||
		!strings.Contains(d, `statement "`+guardrail.TopicGrantSid+`"`) {
		t.Errorf("root-activity-alerting of %s after apply is %s, want PASS through its own rule and topic: %s", soc, after[[2]string{"root-activity-alerting", soc}], d)
	}
	for _, c := range p.Changes {
		if c.AccountID == soc && c.Kind == guardrail.KindForwardRootActivity {
			t.Errorf("the plan forwards %s, whose own topic it fixes: %s", soc, c.ID)
		}
	}

	// An SQS queue of another account than the topic's (the built-in demo
	// config's) is subscribed from the queue's account: the endpoint saw
	// that account's role subscribe on the topic's account, and the state
	// holds the subscription confirmed (SNS confirms it at once only then).
	for _, c := range p.Changes {
		call := c.Calls[0]
		q, ok := delivery.ParseARN(call.Params["Endpoint"])
		if c.Kind != guardrail.KindSubscribe || call.Params["Protocol"] != "sqs" || !ok || q.Account == c.AccountID {
			continue
		}
		if call.Session != guardrail.SessionAssumeRole || call.RoleARN != "arn:aws:iam::"+q.Account+":role/OrganizationAccountAccessRole" {
			t.Errorf("%s subscribes in session %s %s, not from the queue's account %s", c.ID, call.Session, call.RoleARN, q.Account)
		}
		made := slices.ContainsFunc(writes(applyCalls), func(w sim.Call) bool {
			return w.Operation == "Subscribe" && w.Account == c.AccountID && w.ErrorCode == "" &&
				strings.HasPrefix(w.Principal, "arn:aws:sts::"+q.Account+":assumed-role/")
		})
		if !made {
			t.Errorf("%s: no Subscribe call by %s's role on %s", c.ID, q.Account, c.AccountID)
		}
		scn, err := sim.LoadScenario(state)
		if err != nil {
			t.Fatal(err)
		}
		confirmed := false
		for _, a := range scn.Accounts {
			for _, tp := range a.Topics {
				for _, sub := range tp.Subscriptions {
					if a.ID == c.AccountID && tp.Name == "rootguard-root-activity" && sub.Endpoint == call.Params["Endpoint"] {
						confirmed = !sub.Pending
					}
				}
			}
		}
		if !confirmed {
			t.Errorf("%s: the subscription of %s is not confirmed in the state", c.ID, call.Params["Endpoint"])
		}
	}

	// A second plan is empty.
	code, out, stderr = runCommand(t, newPlanCmd, slices.Concat(config, []string{"--format", "json"}, src)...)
	if code != ExitOK {
		t.Fatalf("second plan: exit %d: %s", code, stderr)
	}
	var again guardrail.Plan
	if err := json.Unmarshal([]byte(out), &again); err != nil {
		t.Fatal(err)
	}
	for _, c := range again.Changes {
		t.Errorf("second plan still has %s", c.ID)
	}
	srv.take()

	checkAuditLog(t, auditLog, writes(applyCalls))
}

// checkAuditLog: the log verifies, each write call has its intent before it
// and its result after it, and no credential ID, email or secret is in it.
func checkAuditLog(t *testing.T, path string, calls []sim.Call) {
	t.Helper()
	code, out, stderr := run(t, "audit", "verify", "--log", path)
	if code != ExitOK || !strings.Contains(out, "intact") || strings.Contains(out, "without a result") {
		t.Fatalf("audit verify: exit %d: %s%s", code, out, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type record struct {
		Time      time.Time `json:"time"`
		Operation string    `json:"operation"`
		AccountID string    `json:"account_id"`
		Phase     string    `json:"phase"`
	}
	var recs []record
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2*len(calls) {
		t.Fatalf("%d audit records for %d write calls", len(recs), len(calls))
	}
	for i, c := range calls {
		intent, result := recs[2*i], recs[2*i+1]
		op := strings.SplitN(intent.Operation, ":", 2)[1]
		if intent.Phase != "intent" || result.Phase != "result" || op != c.Operation {
			t.Errorf("write %d (%s): audit records %s %s, %s", i+1, c.Operation, intent.Phase, intent.Operation, result.Phase)
			continue
		}
		if intent.Time.After(c.At) || result.Time.Before(c.At) {
			t.Errorf("write %d (%s at %s): intent at %s, result at %s", i+1, c.Operation, c.At, intent.Time, result.Time)
		}
	}
	for _, re := range []string{`AKIA[A-Z0-9]{16}`, `ASIA[A-Z0-9]{16}`, `[A-Za-z0-9._-]+@acme\.example`, `GAHT\d+`, `secret-access-key`, `SessionToken`} {
		if m := regexp.MustCompile(re).Find(data); m != nil {
			t.Errorf("audit log holds %q in plain text", m)
		}
	}
}

// faultScenario writes the demo with a fault on one write, failing once.
func faultScenario(t *testing.T, dir string, faults ...sim.Fault) string {
	t.Helper()
	scn := sim.Demo()
	scn.Faults = append(scn.Faults, faults...)
	b, err := scn.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestApplyFailureThenRerun: a write fails midway; apply stops and says
// what was and was not applied; the rerun finishes without repeating any
// successful write, and ends in the state of a run without the failure.
func TestApplyFailureThenRerun(t *testing.T) {
	srv := captureServers(t)
	apply := func(dir string, scenario string) (clean []string, runs [][]sim.Call, final map[[2]string]string) {
		state, planPath, auditLog := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json"), filepath.Join(dir, "audit.log")
		src := []string{"--scenario", scenario, "--state", state}
		if code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...); code != ExitOK {
			t.Fatalf("plan: exit %d: %s", code, stderr)
		}
		srv.take()
		var all []sim.Call
		for i := range 2 {
			code, out, stderr := runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", auditLog}, src...)...)
			calls := srv.take()
			runs = append(runs, calls)
			all = append(all, writes(calls)...)
			if code == ExitOK {
				break
			}
			if i > 0 {
				t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, out)
			}
			for _, want := range []string{"FAILED         set OPERATIONS contact on 131313131313", "AccessDeniedException", "not attempted  delete root password in 444444444444", "Apply stopped at put-alternate-contact/131313131313/OPERATIONS"} {
				if !strings.Contains(out, want) {
					t.Errorf("failed apply output lacks %q:\n%s", want, out)
				}
			}
		}
		checkAuditLog(t, auditLog, all)
		return okWrites(all), runs, statuses(t, src...)
	}

	cleanDir, faultDir := t.TempDir(), t.TempDir()
	wantWrites, cleanRuns, wantFinal := apply(cleanDir, faultScenario(t, cleanDir))
	if len(cleanRuns) != 1 {
		t.Fatalf("the run without a fault took %d applies", len(cleanRuns))
	}
	gotWrites, runs, gotFinal := apply(faultDir, faultScenario(t, faultDir, sim.Fault{
		Operation: "account:PutAlternateContact", Account: "131313131313", Code: "AccessDeniedException", Times: 1,
	}))
	if len(runs) != 2 {
		t.Fatalf("the run with a fault took %d applies, want a failure then a rerun", len(runs))
	}
	if diff := cmp.Diff(wantWrites, gotWrites); diff != "" {
		t.Errorf("successful writes of failure + rerun differ from one clean apply (-clean +rerun):\n%s", diff)
	}
	if diff := cmp.Diff(wantFinal, gotFinal); diff != "" {
		t.Errorf("final findings differ (-clean +rerun):\n%s", diff)
	}
}

// TestApplyStalePlan: the organization changes between plan and apply (a
// root access key is used again); apply refuses and names the change.
func TestApplyStalePlan(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	state, planPath := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json")
	src := []string{"--demo", "--state", state}
	if code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...); code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	scn, err := sim.LoadScenario(state)
	if err != nil {
		t.Fatal(err)
	}
	for i := range scn.Accounts {
		if a := &scn.Accounts[i]; a.ID == "666666666666" {
			a.Root.AccessKeys[0].LastUsed.Date = sim.At(time.Now().Add(-time.Hour))
		}
	}
	if err := sim.SaveScenario(state, scn); err != nil {
		t.Fatal(err)
	}
	srv.take()
	code, out, stderr := runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", filepath.Join(dir, "audit.log")}, src...)...)
	if code != ExitError {
		t.Fatalf("apply of a stale plan: exit %d, want %d: %s", code, ExitError, stderr)
	}
	for _, want := range []string{"saved plan plan-", "is stale", "delete-access-key/666666666666/", "last used", "make a new plan"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if !strings.Contains(out, "STALE") {
		t.Errorf("the review does not mark the stale change:\n%s", out)
	}
	if w := writes(srv.take()); len(w) != 0 {
		t.Errorf("a refused apply made %d writes", len(w))
	}
}

func TestApplyRefusals(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	state, planPath := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json")
	src := []string{"--demo", "--state", state}
	if code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...); code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	doc, err := os.ReadFile(planPath)
	if err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(dir, "plan-v2.json")
	if err := os.WriteFile(v2, bytes.Replace(doc, []byte(guardrail.PlanSchema), []byte("rootguard.plan/v2"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no terminal and no --yes", []string{planPath, "--allow-recent-key-deletion"}, ExitUsage, "no terminal to ask on"},
		{"recent key without the flag", []string{planPath, "--yes"}, ExitError, "--allow-recent-key-deletion"},
		{"other plan version", []string{v2, "--yes"}, ExitError, "plan " + v2 + `: schema "rootguard.plan/v2" is not supported`},
		{"audit log cannot be opened", []string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", filepath.Join(notDir, "audit.log")}, ExitError, "no audit log, no change"},
		{"missing plan file", []string{filepath.Join(dir, "none.json"), "--yes"}, ExitError, "none.json: open"},
	}
	srv.take()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCommand(t, newApplyCmd, append(tt.args, src...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
			if w := writes(srv.take()); len(w) != 0 {
				t.Errorf("a refused apply made %d writes", len(w))
			}
		})
	}
}

func TestResetDemo(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.yaml")
	if err := os.WriteFile(state, []byte("not: a scenario\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--state", state); code != ExitError || !strings.Contains(stderr, "--reset-demo") {
		t.Errorf("scan on a broken state: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--state", state, "--reset-demo"); code != ExitOK {
		t.Errorf("scan --reset-demo: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("--reset-demo left the state file: %v", err)
	}
	if code, _, stderr := run(t, "scan", "--scenario", "x.yaml", "--reset-demo"); code != ExitUsage {
		t.Errorf("--reset-demo with --scenario: exit %d, stderr %q", code, stderr)
	}
}

// TestPlanConfigUnknownKey: a misspelt key in plan's --config is refused
// with the key it is near, nested sections included.
func TestPlanConfigUnknownKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.yaml")
	if err := os.WriteFile(path, []byte("scps:\n  deny_root_actions:\n    target: [root]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCommand(t, newPlanCmd, "--demo", "--config", path)
	if code == ExitOK || !strings.Contains(stderr, `unknown field "target" (did you mean targets?)`) {
		t.Errorf("plan --config with a misspelt key: exit %d, stderr %q; want an error suggesting targets", code, stderr)
	}
}
