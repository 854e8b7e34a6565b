package cli_test

import (
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/cli"
)

// TestComplianceViewGolden renders compliance views of the demo
// organization. Refresh with go test ./internal/cli -run ComplianceView -update.
func TestComplianceViewGolden(t *testing.T) {
	for _, tc := range []struct{ framework, format, golden string }{
		{"cis-7.0", "markdown", "compliance-cis-7.0.md.golden"},
		{"cis-7.0", "html", "compliance-cis-7.0.html.golden"},
		{"sec01-bp02", "markdown", "compliance-sec01-bp02.md.golden"},
		{"fsbp", "markdown", "compliance-fsbp.md.golden"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, stdout, stderr := run(t, "", "report", "--framework", tc.framework, "--format", tc.format, "--demo")
			if code != cli.ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			checkGolden(t, tc.golden, stdout)
		})
	}
}

func TestReportRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo"}, `--framework "": want one of cis-1.4`},
		{[]string{"--framework", "cis-9.0", "--demo"}, `--framework "cis-9.0"`},
		{[]string{"--framework", "fsbp", "--format", "json", "--demo"}, `--format "json"`},
	} {
		code, _, stderr := run(t, "", append([]string{"report"}, tc.args...)...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("report %v: exit %d, %q; want a usage error with %q", tc.args, code, stderr, tc.want)
		}
	}
}
