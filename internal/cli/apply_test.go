package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
)

// runCommandIn runs one command on its own (not through Run) with stdin and
// returns the exit code, stdout and stderr.
func runCommandIn(t *testing.T, stdin string, newCmd func(*env) *cobra.Command, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, tty: &stderr,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cmd := newCmd(e)
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(t.Context())
	if err != nil {
		stderr.WriteString(err.Error())
	}
	return exitCode(err, true), stdout.String(), stderr.String()
}

// TestApplyConfirmation: on a terminal, apply asks and goes ahead only on
// "yes"; any other answer changes nothing.
func TestApplyConfirmation(t *testing.T) {
	srv := captureServers(t)
	old := stdinTerminal
	stdinTerminal = func(io.Reader) bool { return true }
	t.Cleanup(func() { stdinTerminal = old })

	tests := []struct {
		name   string
		answer string
		code   int
		want   string // in stdout (applied) or stderr (cancelled)
		writes bool
	}{
		{"yes", "yes\n", ExitOK, "Apply complete:", true},
		{"yes without a newline", "yes", ExitOK, "Apply complete:", true},
		{"no", "no\n", ExitError, "apply cancelled: nothing was changed", false},
		{"y is not yes", "y\n", ExitError, "apply cancelled: nothing was changed", false},
		{"upper case", "YES\n", ExitError, "apply cancelled: nothing was changed", false},
		{"end of input", "", ExitError, "apply cancelled: nothing was changed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			state, planPath := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json")
			src := []string{"--demo", "--state", state}
			if code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...); code != ExitOK {
				t.Fatalf("plan: exit %d: %s", code, stderr)
			}
			p := loadPlan(t, planPath)
			srv.take()
			code, out, stderr := runCommandIn(t, tt.answer, newApplyCmd,
				append([]string{planPath, "--allow-recent-key-deletion", "--audit-log", filepath.Join(dir, "audit.log")}, src...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s\n%s", code, tt.code, stderr, out)
			}
			prompt := "Apply " + itoa(len(p.Changes)) + " change(s) to organization o-acme0demo1? Only 'yes' is accepted"
			if !strings.Contains(stderr, prompt) {
				t.Errorf("stderr lacks the question %q: %q", prompt, stderr)
			}
			if !strings.Contains(out+stderr, tt.want) {
				t.Errorf("output lacks %q:\n%s\n%s", tt.want, out, stderr)
			}
			n := len(writes(srv.take()))
			if got := n > 0; got != tt.writes {
				t.Errorf("%d writes after answer %q", n, tt.answer)
			}
			if !tt.writes {
				if _, err := os.Stat(filepath.Join(dir, "audit.log")); err == nil {
					t.Errorf("a cancelled apply wrote the audit log")
				}
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestCollectPlanSnapshotApply: collect --demo fixes the demo's relative
// dates in the state file, so a plan made from that snapshot later is not
// stale against apply --demo (the dates "3 days ago" would otherwise move
// with the clock between collect and apply).
func TestCollectPlanSnapshotApply(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	state, snap, planPath := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "snap.json"), filepath.Join(dir, "plan.json")
	src := []string{"--demo", "--state", state}
	if code, _, stderr := run(t, append([]string{"collect", "--out", snap}, src...)...); code != ExitOK {
		t.Fatalf("collect: exit %d: %s", code, stderr)
	}
	if w := writes(srv.take()); len(w) != 0 {
		t.Errorf("collect made %d write calls", len(w))
	}
	scn, err := sim.LoadScenario(state)
	if err != nil {
		t.Fatalf("collect --demo left no demo state: %v", err)
	}
	s, err := inventory.Load(snap)
	if err != nil {
		t.Fatal(err)
	}
	// The key's last use in the snapshot is the one the state file keeps.
	var inState, inSnap string
	for _, a := range scn.Accounts {
		if a.ID != "666666666666" {
			continue
		}
		k := a.Root.AccessKeys[0]
		if at, ok := k.LastUsed.Date.At(time.Now()); ok {
			inState = k.ID + " " + at.UTC().Format(time.RFC3339)
		}
	}
	if a := s.Account("666666666666"); a != nil && a.Root.AccessKeys.Known() {
		for _, k := range a.Root.AccessKeys.Value {
			if k.LastUsed != nil && k.LastUsed.Date != nil && strings.HasPrefix(inState, k.ID+" ") {
				inSnap = k.ID + " " + k.LastUsed.Date.UTC().Format(time.RFC3339)
			}
		}
	}
	if inState == "" || inState != inSnap {
		t.Errorf("root access key last used %q in the state file, %q in the snapshot: want the same date", inState, inSnap)
	}

	if code, _, stderr := runCommand(t, newPlanCmd, "--snapshot", snap, "--config", planConfig, "--out", planPath); code != ExitOK {
		t.Fatalf("plan --snapshot: exit %d: %s", code, stderr)
	}
	code, out, stderr := runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", filepath.Join(dir, "audit.log")}, src...)...)
	if code != ExitOK || !strings.Contains(out, "0 stale") {
		t.Fatalf("apply of a plan made from collect --demo: exit %d: %s\n%s", code, stderr, out)
	}
}

// TestPlanApplyFromScratch: an organization with nothing turned on (no IAM
// trusted access, no centralized root access, SCPs disabled). The first
// plan turns everything on; member root credentials become readable only
// then, so the second plan removes them; the third is empty. Each call is
// made once across the rounds, and no plan writes.
func TestPlanApplyFromScratch(t *testing.T) {
	srv := captureServers(t)
	dir := t.TempDir()
	scn := sim.Demo()
	scn.Organization.Features = nil
	scn.Organization.SCPsDisabled = true
	scn.Organization.TrustedServices = slices.DeleteFunc(scn.Organization.TrustedServices, func(s string) bool { return s == guardrail.ServiceIAM })
	b, err := scn.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	scenario, state, auditLog := filepath.Join(dir, "scenario.yaml"), filepath.Join(dir, "state.yaml"), filepath.Join(dir, "audit.log")
	if err := os.WriteFile(scenario, b, 0o600); err != nil {
		t.Fatal(err)
	}
	src := []string{"--scenario", scenario, "--state", state}

	var rounds [][]string
	for round := 1; round <= 4; round++ {
		planPath := filepath.Join(dir, "plan"+itoa(round)+".json")
		code, out, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...)
		if code != ExitOK {
			t.Fatalf("plan %d: exit %d: %s", round, code, stderr)
		}
		if w := writes(srv.take()); len(w) != 0 {
			t.Errorf("plan %d made %d write calls", round, len(w))
		}
		p := loadPlan(t, planPath)
		var kinds []string
		for _, c := range p.Changes {
			if !slices.Contains(kinds, c.Kind) {
				kinds = append(kinds, c.Kind)
			}
		}
		rounds = append(rounds, kinds)
		if p.Empty() {
			break
		}
		if round == 1 {
			for _, id := range []string{"enable-trusted-access/iam.amazonaws.com", "enable-feature/RootCredentialsManagement", "enable-feature/RootSessions", "enable-policy-type/r-acme"} {
				if p.Change(id) == nil {
					t.Errorf("first plan lacks %s:\n%s", id, out)
				}
			}
			if !strings.Contains(out, "run plan again once this plan is applied") {
				t.Errorf("first plan does not say that a second plan is needed:\n%s", out)
			}
		}
		code, out, stderr = runCommand(t, newApplyCmd, append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", auditLog}, src...)...)
		if code != ExitOK {
			t.Fatalf("apply %d: exit %d: %s\n%s", round, code, stderr, out)
		}
		srv.take()
	}
	removal := []string{guardrail.KindDeleteLoginProfile, guardrail.KindDeleteAccessKey, guardrail.KindDeleteSigningCert, guardrail.KindDeactivateMFADevice}
	if len(rounds) != 3 {
		t.Fatalf("%d plans to converge (change kinds per plan: %q), want 3: everything on, then credentials, then nothing", len(rounds), rounds)
	}
	for _, k := range rounds[0] {
		if slices.Contains(removal, k) {
			t.Errorf("first plan removes credentials (%s) it could not read", k)
		}
	}
	second := slices.Clone(rounds[1])
	slices.Sort(second)
	if diff := cmp.Diff([]string{guardrail.KindDeactivateMFADevice, guardrail.KindDeleteAccessKey, guardrail.KindDeleteLoginProfile, guardrail.KindDeleteSigningCert}, second); diff != "" {
		t.Errorf("second plan's change kinds (-want +got):\n%s", diff)
	}

	// Every (change, call) succeeded exactly once over the three rounds.
	data, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			ChangeID  string `json:"change_id"`
			Operation string `json:"operation"`
			Phase     string `json:"phase"`
			Outcome   string `json:"outcome"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Phase == "result" && r.Outcome == "ok" {
			ok[r.ChangeID+" "+r.Operation]++
		}
	}
	for k, n := range ok {
		if n != 1 {
			t.Errorf("%s succeeded %d times", k, n)
		}
	}
}

// TestApplyKeepsSecretsOut: at debug level, through a failure and a rerun,
// neither stdout, stderr nor the audit log holds a secret access key or a
// session token of the caller or of any AssumeRoot or AssumeRole session.
func TestApplyKeepsSecretsOut(t *testing.T) {
	dir := t.TempDir()
	scenario := faultScenario(t, dir, sim.Fault{Operation: "iam:DeleteLoginProfile", Account: "555555555555", Code: "AccessDenied", Times: 1})
	state, planPath, auditLog := filepath.Join(dir, "state.yaml"), filepath.Join(dir, "plan.json"), filepath.Join(dir, "audit.log")
	src := []string{"--scenario", scenario, "--state", state}
	var all strings.Builder
	code, out, stderr := run(t, append([]string{"--log-level", "debug", "plan", "--config", planConfig, "--out", planPath}, src...)...)
	if code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	all.WriteString(out + stderr)
	for i, want := range []int{ExitError, ExitOK} {
		code, out, stderr := run(t, append([]string{"--log-level", "debug", "apply", planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", auditLog}, src...)...)
		if code != want {
			t.Fatalf("apply %d: exit %d, want %d: %s\n%s", i+1, code, want, stderr, out)
		}
		if i == 0 && !strings.Contains(out, "FAILED") {
			t.Errorf("the first apply did not fail:\n%s", out)
		}
		all.WriteString(out + stderr)
	}
	if !strings.Contains(all.String(), "level=DEBUG") {
		t.Fatal("no debug output: the test would prove nothing")
	}
	logData, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	_, callerSecret := (*sim.Server)(nil).Credentials()
	secrets := []*regexp.Regexp{
		regexp.MustCompile(regexp.QuoteMeta(callerSecret)),
		regexp.MustCompile(`sim-secret-\d+`),
		regexp.MustCompile(`sim-session-token-\d+`),
		regexp.MustCompile(`(?i)x-amz-security-token`),
		regexp.MustCompile(`(?i)"?(SecretAccessKey|SessionToken)"?\s*[:=]\s*"?[A-Za-z0-9/+=-]{8,}`),
	}
	for name, text := range map[string]string{"stdout and stderr": all.String(), "audit log": string(logData)} {
		for _, re := range secrets {
			if m := re.FindString(text); m != "" {
				t.Errorf("%s hold %q", name, m)
			}
		}
	}
}
