package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogFormatJSON runs commands with --log-format json and checks that
// every line on stderr is one JSON log record (time, level, msg), including
// the final error and the lines a command writes for people.
func TestLogFormatJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "snap.json")
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"scan fails on a threshold", []string{"scan", "--demo", "--format", "json", "--fail-on", "low", "--log-level", "info"}, ExitFindings, "failing findings at or above threshold"},
		{"collect says what it wrote", []string{"collect", "--demo", "--out", out}, ExitOK, "snapshot of"},
		{"usage error", []string{"explain", "no-such-check"}, ExitUsage, `no check "no-such-check"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, append(tc.args, "--log-format", "json")...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			found := false
			for _, line := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("stderr line is not JSON: %v\n%s", err, line)
				}
				for _, k := range []string{"time", "level", "msg"} {
					if _, ok := rec[k]; !ok {
						t.Errorf("record lacks %q: %s", k, line)
					}
				}
				if msg, _ := rec["msg"].(string); strings.Contains(msg, tc.wantMsg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no record says %q; stderr:\n%s", tc.wantMsg, stderr)
			}
		})
	}
}

func TestLogFormatRefused(t *testing.T) {
	code, _, stderr := run(t, "explain", "--log-format", "xml")
	if code != ExitUsage || !strings.Contains(stderr, "--log-format must be text or json") {
		t.Errorf("exit %d, stderr %q; want a usage error naming --log-format", code, stderr)
	}
}
