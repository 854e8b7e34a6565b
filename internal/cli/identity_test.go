package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoIdentity runs collect --demo as each demo caller and reads the
// principal that signed from the endpoint's call log.
func TestDemoIdentity(t *testing.T) {
	for _, tc := range []struct {
		name, flag, env, principal string
		code                       int
	}{
		{"default caller", "", "", "arn:aws:sts::111111111111:assumed-role/Admin/rootguard-demo", 0},
		{"flag", "approver", "", "arn:aws:sts::111111111111:assumed-role/BreakGlassApprover/bob", 0},
		{"environment", "", "requester", "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice", 0},
		{"flag over environment", "approver", "requester", "arn:aws:sts::111111111111:assumed-role/BreakGlassApprover/bob", 0},
		{"unknown", "mallory", "", "", ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ROOTGUARD_DEMO_IDENTITY", tc.env)
			srvs := captureServers(t)
			dir := t.TempDir()
			args := []string{"collect", "--demo", "--state", filepath.Join(dir, "state.yaml"), "--out", filepath.Join(dir, "snap.json")}
			if tc.flag != "" {
				args = append(args, "--demo-identity", tc.flag)
			}
			code, _, stderr := run(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, stderr)
			}
			if tc.code != 0 {
				if !strings.Contains(stderr, `identity "mallory"`) || !strings.Contains(stderr, "approver, requester") {
					t.Errorf("stderr %q: want the unknown name and the callers", stderr)
				}
				return
			}
			calls := srvs.take()
			if len(calls) == 0 || calls[0].Principal != tc.principal {
				t.Fatalf("first call by %v, want %s", calls[:min(1, len(calls))], tc.principal)
			}
		})
	}
	if code, _, stderr := run(t, "scan", "--demo-identity", "approver", "--snapshot", "x.json"); code != ExitUsage || !strings.Contains(stderr, "--demo-identity applies") {
		t.Errorf("--demo-identity without --demo: exit %d, stderr %q", code, stderr)
	}
}
