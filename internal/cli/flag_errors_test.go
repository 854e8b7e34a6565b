package cli

import (
	"strings"
	"testing"
)

// TestFlagValueErrorsNameTheFlag: a bad value of any flag is a usage error
// whose message names the flag, whether pflag, the command or the package
// behind it refuses the value.
func TestFlagValueErrorsNameTheFlag(t *testing.T) {
	tests := []struct {
		flag string
		args []string
	}{
		{"--log-level", []string{"--log-level", "loud", "scan", "--demo"}},
		{"--timeout", []string{"--timeout", "-1s", "scan", "--demo"}},
		{"--format", []string{"scan", "--demo", "--format", "xml"}},
		{"--fail-on", []string{"scan", "--demo", "--fail-on", "dire"}},
		{"--recent-use-window", []string{"scan", "--demo", "--recent-use-window", "0"}},
		{"--password-max-age", []string{"scan", "--demo", "--password-max-age", "0d"}},
		{"--mfa-hardware-max-age", []string{"scan", "--demo", "--mfa-hardware-max-age", "soon"}},
		{"--concurrency", []string{"scan", "--demo", "--concurrency", "0"}},
		{"--accounts", []string{"scan", "--org", "--accounts", "123"}},
		{"--format", []string{"plan", "--demo", "--format", "xml"}},
		{"--out", []string{"export", "terraform", "--demo", "--out", ""}},
		{"--since", []string{"trail", "scan", "--since", "yesterday", "x.json"}},
		{"--until", []string{"trail", "scan", "--until", "2026-13-01", "x.json"}},
		{"--workers", []string{"trail", "scan", "--workers", "100000", "x.json"}},
		{"--format", []string{"trail", "scan", "--format", "xml", "x.json"}},
		{"--brute-force-threshold", []string{"trail", "scan", "--brute-force-threshold", "0", "x.json"}},
		{"--brute-force-window", []string{"trail", "scan", "--brute-force-window", "0s", "x.json"}},
		{"--database", []string{"trail", "query", "--athena", "--database", "a b"}},
		{"--table", []string{"trail", "query", "--athena", "--table", "a;b"}},
		{"--partition-column", []string{"trail", "query", "--athena", "--partition-column", "a b"}},
		{"--rule", []string{"trail", "query", "--athena", "--rule", "no-such-rule"}},
		{"--event-data-store", []string{"trail", "query", "--lake", "--event-data-store", "!!"}},
		{"--output-location", []string{"trail", "query", "--athena", "--output-location", "http://x"}},
		{"--size-mb", []string{"trail", "generate", "--out", "x", "--size-mb", "-1"}},
		{"--addr", []string{"sim", "serve", "--demo", "--addr", "0.0.0.0:1"}},
		{"--log", []string{"audit", "verify", "--log", ""}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.flag) {
				t.Errorf("exit %d, stderr %q: want a usage error naming %s", code, stderr, tt.flag)
			}
		})
	}
}
