package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const exportSnapshot = "../guardrail/testdata/snapshots/demo.json"

// runExportCmd runs `export` on its own command and returns the exit code,
// stdout and stderr.
func runExportCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCommand(t, newExportCmd, args...)
}

func TestExportCommand(t *testing.T) {
	cfgDir := t.TempDir()
	badConfig := filepath.Join(cfgDir, "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("scps:\n  deny_root_action: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without forwarding, alerting in the management account makes one
	// template; forwarding adds the members' StackSet template.
	oneTemplate := filepath.Join(cfgDir, "no-forwarding.yaml")
	if err := os.WriteFile(oneTemplate, []byte("alerting:\n  forward_accounts: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // substrings
		wantStderr []string
	}{
		{"terraform to stdout", []string{"terraform", "--snapshot", exportSnapshot}, ExitOK,
			[]string{"# ---- versions.tf ----", `source  = "hashicorp/aws"`, `resource "aws_organizations_policy" "deny_root_actions"`, `target_id = "r-acme"`, `resource "aws_cloudwatch_event_rule" "root_activity"`}, nil},
		{"cloudformation to stdout", []string{"cloudformation", "--snapshot", exportSnapshot, "--config", oneTemplate, "--out", "-"}, ExitOK,
			[]string{`"AWSTemplateFormatVersion": "2010-09-09"`, `"Type": "AWS::Organizations::Policy"`, `"Type": "AWS::Events::Rule"`}, nil},
		{"the members' StackSet template needs a directory", []string{"cloudformation", "--snapshot", exportSnapshot, "--out", "-"}, ExitUsage,
			nil, []string{"2 CloudFormation templates", "rootguard-forwarding.template.json", "use --out DIR"}},
		{"three templates need a directory", []string{"cloudformation", "--snapshot", exportSnapshot, "--config", "../guardrail/testdata/config/full.yaml", "--out", "-"}, ExitUsage,
			nil, []string{"3 CloudFormation templates", "use --out DIR"}},
		// The snapshot does not exist: the flag error comes before reading it.
		{"cloudformation without --out fails before collecting", []string{"cloudformation", "--snapshot", filepath.Join(cfgDir, "nope.json")}, ExitUsage,
			nil, []string{"--out: export cloudformation writes one template per stack"}},
		{"with a config", []string{"terraform", "--snapshot", exportSnapshot, "--config", "../guardrail/testdata/config/full.yaml"}, ExitOK,
			[]string{`role_arn = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"`, `endpoint  = "security-alerts@acme.example"`}, nil},
		{"unknown format", []string{"pulumi", "--snapshot", exportSnapshot}, ExitUsage, nil, []string{`format "pulumi"`}},
		{"no format", []string{"--snapshot", exportSnapshot}, ExitUsage, nil, []string{"export takes one format"}},
		{"bad config names file and line", []string{"terraform", "--snapshot", exportSnapshot, "--config", badConfig}, ExitError, nil, []string{"bad.yaml", "[2:3]", "deny_root_action"}},
		{"missing snapshot", []string{"terraform", "--snapshot", filepath.Join(cfgDir, "nope.json")}, ExitError, nil, []string{"nope.json"}},
		{"sources exclude each other", []string{"terraform", "--snapshot", exportSnapshot, "--demo"}, ExitUsage, nil, []string{"exclude each other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runExportCmd(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
		})
	}
}

func TestExportCloudFormationStdoutIsJSON(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "no-forwarding.yaml")
	if err := os.WriteFile(cfg, []byte("alerting:\n  forward_accounts: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runExportCmd(t, "cloudformation", "--snapshot", exportSnapshot, "--config", cfg, "--out", "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Errorf("stdout is not one JSON template: %v", err)
	}
}

func TestExportToDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "infra")
	code, _, stderr := runExportCmd(t, "terraform", "--snapshot", exportSnapshot, "--out", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"alerting.tf", "organization.tf", "providers.tf", "versions.tf"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}

	// The same export again changes nothing and needs no --force.
	if code, _, stderr := runExportCmd(t, "terraform", "--snapshot", exportSnapshot, "--out", dir); code != ExitOK {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}

	// A file edited by hand is not overwritten without --force, and
	// nothing else is written either.
	edited := filepath.Join(dir, "versions.tf")
	if err := os.WriteFile(edited, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "alerting.tf")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runExportCmd(t, "terraform", "--snapshot", exportSnapshot, "--out", dir)
	if code != ExitError || !strings.Contains(stderr, "versions.tf already exist") {
		t.Fatalf("exit %d, stderr %q: want a refusal naming versions.tf", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "alerting.tf")); err == nil {
		t.Error("a refused export still wrote alerting.tf")
	}
	if code, _, stderr := runExportCmd(t, "terraform", "--snapshot", exportSnapshot, "--out", dir, "--force"); code != ExitOK {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(edited); string(b) == "# mine\n" {
		t.Error("--force did not overwrite versions.tf")
	}
}

// --demo collects the built-in demo organization through the in-process
// endpoint, as scan --demo does.
func TestExportDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: collects the demo organization")
	}
	code, stdout, stderr := runExportCmd(t, "terraform", "--demo")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{`resource "aws_organizations_policy_attachment" "deny_root_actions_r_acme"`, `enabled_features = ["RootCredentialsManagement", "RootSessions"]`} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q", w)
		}
	}
}

// TestExportStderrOneFormat: everything export says on stderr (the gap
// warning, the gaps at --log-level info, the files written) is a line of
// the logger, none of them plain text beside it.
func TestExportStderrOneFormat(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "--log-level", "info", "export", "cloudformation", "--snapshot", exportSnapshot, "--out", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	logLine := regexp.MustCompile(`^time=\S+ level=(WARN|INFO) msg=`)
	written := 0
	for _, l := range lines {
		if !logLine.MatchString(l) {
			t.Errorf("stderr line not in the logger's format: %q", l)
		}
		if strings.Contains(l, `msg="file written"`) {
			written++
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if written == 0 || written != len(entries) {
		t.Errorf("%d lines say a file was written, %d files in --out:\n%s", written, len(entries), stderr)
	}
}
