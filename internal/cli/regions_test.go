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
	for i := range scn.Accounts {
		if scn.Accounts[i].ID == mgmt {
			scn.Accounts[i].Regions = []string{"eu-west-1", "us-east-1"}
		}
	}
	b, err := scn.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	scenario, state, auditLog, planPath := filepath.Join(dir, "scenario.yaml"), filepath.Join(dir, "state.yaml"), filepath.Join(dir, "audit.log"), filepath.Join(dir, "plan.json")
	if err := os.WriteFile(scenario, b, 0o600); err != nil {
		t.Fatal(err)
	}
	src := []string{"--scenario", scenario, "--state", state}
	// The stack in the management account, whose IAM roles are collected.
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
