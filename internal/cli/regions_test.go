package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/sim"
)

// TestPlanApplyRegionalForwarding: the demo organization with a second
// Region enabled in the management account, where no rule sees root API
// calls. scan fails that Region; plan adds the forwarding role and a rule
// there forwarding to the central bus; apply makes it through the
// simulator; the scan after apply passes, naming the Region's path.
func TestPlanApplyRegionalForwarding(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	scn := sim.Demo()
	mgmt := scn.Organization.ManagementAccount
	src := regionsScenario(t, dir, scn, map[string][]string{mgmt: {"eu-west-1"}})
	auditLog, planPath := filepath.Join(dir, "audit.log"), filepath.Join(dir, "plan.json")
	// The stack in the management account, whose IAM principals are
	// collected.
	cfg, err := os.ReadFile(planConfig)
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(strings.Replace(string(cfg), `account: "333333333333"`, `account: "`+mgmt+`"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	key := [2]string{"root-activity-alerting", mgmt}

	if got := statuses(t, src...)[key]; got != "FAIL" {
		t.Fatalf("before plan: root-activity-alerting in %s is %s, want FAIL", mgmt, got)
	}
	code, out, stderr := runCommand(t, newPlanCmd, append([]string{"--config", config, "--out", planPath}, src...)...)
	if code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	srv.take()
	p := loadPlan(t, planPath)
	role := p.Change(guardrail.KindCreateForwardRole + "/" + mgmt + "/rootguard-root-activity-forward")
	fwd := p.Change(guardrail.KindForwardRootActivity + "/" + mgmt + "/eu-west-1/rootguard-root-activity-forward")
	if role == nil || fwd == nil {
		t.Fatalf("plan lacks the forwarding role (%v) or the eu-west-1 rule (%v):\n%s", role != nil, fwd != nil, out)
	}
	busARN := "arn:aws:events:us-east-1:" + mgmt + ":event-bus/default"
	roleARN := "arn:aws:iam::" + mgmt + ":role/rootguard-root-activity-forward"
	put := fwd.Calls[1]
	if put.Region != "eu-west-1" || put.Params["Targets.1.Arn"] != busARN || put.Params["Targets.1.RoleArn"] != roleARN {
		t.Errorf("eu-west-1 target: region %s, params %v; want eu-west-1, %s through %s", put.Region, put.Params, busARN, roleARN)
	}
	if !slices.Contains(fwd.DependsOn, role.ID) {
		t.Errorf("the eu-west-1 rule does not depend on the role: %v", fwd.DependsOn)
	}
	if pol := role.Calls[1].Params["PolicyDocument"]; !strings.Contains(pol, `"events:PutEvents"`) || !strings.Contains(pol, busARN) {
		t.Errorf("role policy %s does not let the role put events on %s", pol, busARN)
	}
	for _, want := range []string{"eu-west-1", "rootguard-root-activity-forward"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output does not name %q:\n%s", want, out)
		}
	}

	code, out, stderr = runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", auditLog}, src...)...)
	if code != ExitOK {
		t.Fatalf("apply: exit %d: %s\n%s", code, stderr, out)
	}
	made := okWrites(srv.take())
	for _, want := range []string{"iam:CreateRole", "iam:PutRolePolicy"} {
		if !slices.ContainsFunc(made, func(m string) bool { return strings.Contains(m, want) }) {
			t.Errorf("apply did not call %s: %q", want, made)
		}
	}
	data, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"iam:CreateRole"`) || !strings.Contains(string(data), fwd.ID) {
		t.Errorf("audit log lacks the role or the eu-west-1 rule")
	}

	if got := statuses(t, src...)[key]; got != "PASS" {
		t.Errorf("after apply: root-activity-alerting in %s is %s, want PASS", mgmt, got)
	}
}

// regionsScenario writes scn with the Regions of regions enabled (with
// us-east-1) in their accounts to dir, and returns the source flags that
// run commands on it.
func regionsScenario(t *testing.T, dir string, scn *sim.Scenario, regions map[string][]string) []string {
	t.Helper()
	for i := range scn.Accounts {
		if rs, ok := regions[scn.Accounts[i].ID]; ok {
			scn.Accounts[i].Regions = append([]string{"us-east-1"}, rs...)
		}
	}
	b, err := scn.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(scenario, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--scenario", scenario, "--state", filepath.Join(dir, "state.yaml")}
}

// TestPlanApplySpokeRegionalForwarding: the demo organization with its
// built-in config (the stack in the management account, an SQS
// subscriber) and a second Region enabled in the management account and
// in two forwarding members. No rule sees root API calls made there: scan
// fails each. plan adds in each account the forwarding role (read by name
// in the members, whose IAM principals are not collected) and a rule in
// eu-west-1 forwarding to the central bus through it, each through the
// account's own session; apply makes them through the simulator, and the
// scan after apply passes each.
func TestPlanApplySpokeRegionalForwarding(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	scn := sim.Demo()
	hub := scn.Organization.ManagementAccount
	accounts := []string{hub, "333333333333", "444444444444"}
	src := regionsScenario(t, dir, scn, map[string][]string{hub: {"eu-west-1"}, accounts[1]: {"eu-west-1"}, accounts[2]: {"eu-west-1"}})
	auditLog, planPath := filepath.Join(dir, "audit.log"), filepath.Join(dir, "plan.json")

	before := statuses(t, src...)
	for _, id := range accounts {
		if got := before[[2]string{"root-activity-alerting", id}]; got != "FAIL" {
			t.Errorf("before plan: root-activity-alerting in %s is %s, want FAIL", id, got)
		}
	}
	code, out, stderr := runCommand(t, newPlanCmd, append([]string{"--config", "../guardrail/demo.yaml", "--out", planPath}, src...)...)
	if code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	srv.take()
	p := loadPlan(t, planPath)
	busARN := "arn:aws:events:us-east-1:" + hub + ":event-bus/default"
	for _, id := range accounts {
		role := p.Change(guardrail.KindCreateForwardRole + "/" + id + "/rootguard-root-activity-forward")
		fwd := p.Change(guardrail.KindForwardRootActivity + "/" + id + "/eu-west-1/rootguard-root-activity-forward")
		if role == nil || fwd == nil {
			t.Errorf("plan lacks the forwarding role (%v) or the eu-west-1 rule (%v) of %s:\n%s", role != nil, fwd != nil, id, out)
			continue
		}
		roleARN := "arn:aws:iam::" + id + ":role/rootguard-root-activity-forward"
		put := fwd.Calls[1]
		if put.Region != "eu-west-1" || put.Params["Targets.1.Arn"] != busARN || put.Params["Targets.1.RoleArn"] != roleARN {
			t.Errorf("%s eu-west-1 target: region %s, params %v; want eu-west-1, %s through %s", id, put.Region, put.Params, busARN, roleARN)
		}
		// Each account's calls go through its own session: the caller's in
		// the management account, the access role elsewhere.
		wantRole := ""
		if id != hub {
			wantRole = "arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole"
		}
		for _, c := range append(slices.Clone(role.Calls), fwd.Calls...) {
			if c.RoleARN != wantRole {
				t.Errorf("%s %s goes through %q, want %q", id, c.Operation, c.RoleARN, wantRole)
			}
		}
		if !slices.Contains(fwd.DependsOn, role.ID) {
			t.Errorf("the eu-west-1 rule of %s does not depend on its role: %v", id, fwd.DependsOn)
		}
		if grant := guardrail.KindPutPermission + "/" + hub + "/" + id; id != hub && !slices.Contains(fwd.DependsOn, grant) {
			t.Errorf("the eu-west-1 rule of %s does not depend on the bus grant %s: %v", id, grant, fwd.DependsOn)
		}
		if pol := role.Calls[1].Params["PolicyDocument"]; !strings.Contains(pol, busARN) {
			t.Errorf("role policy of %s %s does not name %s", id, pol, busARN)
		}
	}
	for _, g := range p.Gaps {
		if strings.Contains(g.Detail, "eu-west-1") {
			t.Errorf("plan still names a gap for eu-west-1: %s", g.Detail)
		}
	}

	code, out, stderr = runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", auditLog}, src...)...)
	if code != ExitOK {
		t.Fatalf("apply: exit %d: %s\n%s", code, stderr, out)
	}
	made := okWrites(srv.take())
	for _, id := range accounts {
		for _, want := range []string{"iam:CreateRole " + id, "iam:PutRolePolicy " + id} {
			if !slices.Contains(made, want) {
				t.Errorf("apply did not make %s: %q", want, made)
			}
		}
	}

	after := statuses(t, src...)
	for _, id := range accounts {
		if got := after[[2]string{"root-activity-alerting", id}]; got != "PASS" {
			t.Errorf("after apply: root-activity-alerting in %s is %s, want PASS", id, got)
		}
	}
	// A second plan finds each role, read by name, as its own: nothing
	// more to do for the Regions.
	if code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", "../guardrail/demo.yaml", "--out", planPath}, src...)...); code != ExitOK {
		t.Fatalf("second plan: exit %d: %s", code, stderr)
	}
	for _, c := range loadPlan(t, planPath).Changes {
		if c.Kind == guardrail.KindCreateForwardRole || strings.Contains(c.ID, "/eu-west-1/") {
			t.Errorf("second plan still has %s", c.ID)
		}
	}
}

// TestPlanSpokeRole: a forwarding member with a second Region where root
// API calls reach nobody, and its forwarding role read by name. Absent,
// plan creates it; there with the trust and policy plan gives it, plan
// takes it as its own and only adds the rule; there with another policy,
// or not readable (iam:GetRole refused), plan adds nothing for the
// member's other Regions and a gap says why, naming the refused call. The
// check's finding is the same whatever the role read.
func TestPlanSpokeRole(t *testing.T) {
	const (
		spoke = "444444444444"
		trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		own   = `{"Statement":[{"Resource":"arn:aws:events:us-east-1:333333333333:event-bus/default","Action":"events:PutEvents","Effect":"Allow"}],"Version":"2012-10-17"}`
	)
	role := func(policy string) *sim.Principal {
		return &sim.Principal{Kind: "role", Name: "rootguard-root-activity-forward", Trust: trust, Policies: map[string]string{"put-events-central-bus": policy}}
	}
	tests := []struct {
		name      string
		principal *sim.Principal
		fault     string
		wantRole  bool   // the plan creates the role
		wantRule  bool   // the plan adds the eu-west-1 rule
		wantGap   string // a gap of the member says this
	}{
		{name: "absent", wantRole: true, wantRule: true},
		{name: "its own", principal: role(own), wantRule: true},
		{name: "another policy", principal: role(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:*","Resource":"*"}]}`),
			wantGap: "with another trust or put-events-central-bus policy"},
		{name: "refused", fault: "iam:GetRole", wantGap: "iam:GetRole failed: AccessDenied"},
	}
	var first string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			scn := sim.Demo()
			for i := range scn.Accounts {
				if a := &scn.Accounts[i]; a.ID == spoke && tt.principal != nil {
					a.Principals = append(a.Principals, *tt.principal)
				}
			}
			if tt.fault != "" {
				scn.Faults = append(scn.Faults, sim.Fault{Operation: tt.fault, Account: spoke, Code: "AccessDenied", Message: "not authorized to perform " + tt.fault})
			}
			src := regionsScenario(t, dir, scn, map[string][]string{spoke: {"eu-west-1"}})
			planPath := filepath.Join(dir, "plan.json")
			got := statuses(t, src...)[[2]string{"root-activity-alerting", spoke}]
			if first == "" {
				first = got
			}
			if got != "FAIL" || got != first {
				t.Errorf("root-activity-alerting in %s is %s (first case %s), want FAIL in every case", spoke, got, first)
			}
			code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...)
			if code != ExitOK {
				t.Fatalf("plan: exit %d: %s", code, stderr)
			}
			p := loadPlan(t, planPath)
			if r := p.Change(guardrail.KindCreateForwardRole + "/" + spoke + "/rootguard-root-activity-forward"); (r != nil) != tt.wantRole {
				t.Errorf("plan creates the role of %s: %v, want %v", spoke, r != nil, tt.wantRole)
			}
			if r := p.Change(guardrail.KindForwardRootActivity + "/" + spoke + "/eu-west-1/rootguard-root-activity-forward"); (r != nil) != tt.wantRule {
				t.Errorf("plan adds the eu-west-1 rule of %s: %v, want %v", spoke, r != nil, tt.wantRule)
			}
			if tt.wantGap != "" && !slices.ContainsFunc(p.Gaps, func(g guardrail.Gap) bool { return g.AccountID == spoke && strings.Contains(g.Detail, tt.wantGap) }) {
				t.Errorf("no gap of %s names %q: %+v", spoke, tt.wantGap, p.Gaps)
			}
		})
	}
}
