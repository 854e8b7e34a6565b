package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// changedDemo writes the demo scenario with two changes: the management
// account's root MFA devices are gone (root-mfa-enabled turns FAIL, a new
// critical finding) and prod-payments' root access keys are deleted
// (root-access-keys-absent turns PASS, resolved).
func changedDemo(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "sim", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, r := range [][2]string{
		{"      mfa_devices:\n        - {name: GAHT10000001, type: hardware-totp, enabled: -1200d}\n        - {name: yubikey-safe-a, type: fido, enabled: -200d}\n",
			"      mfa_devices: []\n"},
		{"    root:\n      access_keys:\n        - {status: Active, created: -700d, last_used: {date: -3d, service: s3, region: eu-west-1}}\n        - {status: Inactive, created: -1000d, last_used: {date: -800d, service: ec2, region: us-east-1}}\n",
			"    root: {}\n"},
	} {
		if strings.Count(s, r[0]) != 1 {
			t.Fatalf("demo.yaml no longer holds exactly one %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	return writeFile(t, "changed.yaml", s)
}

// TestScanBaseline: scan the demo, change the scenario, scan again with
// --baseline: the diff names the new and the resolved finding, and
// --fail-on-new fails on the new ones unless they are muted or not
// reported.
func TestScanBaseline(t *testing.T) {
	code, out, stderr := run(t, "scan", "--demo", "--format", "json")
	if code != ExitOK {
		t.Fatalf("demo scan: exit %d\n%s", code, stderr)
	}
	base := writeFile(t, "base.json", out)
	changed := changedDemo(t)

	code, out, stderr = run(t, "scan", "--scenario", changed, "--format", "json", "--baseline", base)
	if code != ExitOK {
		t.Fatalf("scan --baseline: exit %d\n%s", code, stderr)
	}
	d := decodeScan(t, out).Diff
	if d == nil {
		t.Fatal("no diff in the json report")
	}
	has := func(es []diffEntry, account, check, from, to string) bool {
		for _, e := range es {
			if e.AccountID == account && e.CheckID == check && e.PreviousStatus == from && e.Status == to {
				return true
			}
		}
		return false
	}
	if !has(d.New, "111111111111", "root-mfa-enabled", "PASS", "FAIL") {
		t.Errorf("new = %+v, want 111111111111 root-mfa-enabled PASS → FAIL", d.New)
	}
	if !has(d.Resolved, "666666666666", "root-access-keys-absent", "FAIL", "PASS") {
		t.Errorf("resolved = %+v, want 666666666666 root-access-keys-absent FAIL → PASS", d.Resolved)
	}
	for _, e := range d.New {
		if e.Status != "FAIL" || e.PreviousStatus == "FAIL" {
			t.Errorf("new entry is not a new FAIL: %+v", e)
		}
	}

	// The same scan against itself has no changes, and nothing new fails.
	code, same, _ := run(t, "scan", "--demo", "--format", "json", "--baseline", base, "--fail-on-new")
	if s := decodeScan(t, same).Diff; code != ExitOK || s == nil || len(s.New)+len(s.Resolved)+len(s.Changed) != 0 {
		t.Errorf("demo against its own baseline: exit %d, diff %+v; want 0 and empty", code, s)
	}

	future := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	mute := writeFile(t, "m.yaml", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: \"*\", accounts: [\"111111111111\"], reason: r, accepted_by: a@example.com, expires: "+future+"}\n")
	for _, c := range []struct {
		name string
		args []string
		want int
	}{
		{"new critical", []string{"--fail-on-new"}, ExitFindings},
		{"at critical", []string{"--fail-on-new", "--fail-on", "critical"}, ExitFindings},
		{"muted", []string{"--fail-on-new", "--mutelist", mute}, ExitOK},
		{"below --fail-on", []string{"--fail-on-new", "--fail-on", "high", "--check", "root-mfa-multiple-devices"}, ExitOK},
		{"other account", []string{"--fail-on-new", "--account", "666666666666"}, ExitOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"scan", "--scenario", changed, "--format", "json", "--baseline", base}, c.args...)
			if code, _, stderr := run(t, args...); code != c.want {
				t.Errorf("exit %d, want %d\n%s", code, c.want, stderr)
			}
		})
	}

	_, md, _ := run(t, "scan", "--scenario", changed, "--format", "markdown", "--baseline", base)
	if !strings.Contains(md, "## Changes since the baseline") || !strings.Contains(md, "| New | critical | acme-management (111111111111) | `root-mfa-enabled` | PASS → FAIL |") {
		t.Errorf("markdown lacks the diff section:\n%s", md)
	}
}

func TestScanBaselineErrors(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
		code             int
	}{
		{"not json", "{", "not a rootguard json report", ExitError},
		{"other schema", `{"schema":"x/v9","generated_at":"2026-01-01T00:00:00Z","source":{"mode":"","organization_id":"","caller_arn":"","tool":""},"findings":[],"summary":{"accounts_assessed":0,"findings":0,"by_status":{"PASS":0,"FAIL":0,"UNKNOWN":0,"NOT_APPLICABLE":0},"failures_by_severity":{"critical":0,"high":0,"medium":0,"low":0,"info":0},"accounts":[],"not_fully_assessed":[],"checks":[]}}`, `schema "x/v9"`, ExitError},
		{"duplicate key", `{"schema":"rootguard.findings/v1","schema":"rootguard.findings/v1"}`, "schema", ExitError},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, "b.json", c.text)
			code, _, stderr := run(t, "scan", "--demo", "--baseline", p)
			if code != c.code || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, p) {
				t.Errorf("exit %d, stderr %q; want %d naming %s and %q", code, stderr, c.code, p, c.want)
			}
		})
	}
	if code, _, stderr := run(t, "scan", "--demo", "--fail-on-new"); code != ExitUsage || !strings.Contains(stderr, "--baseline") {
		t.Errorf("--fail-on-new without --baseline: exit %d, %s", code, stderr)
	}
}
