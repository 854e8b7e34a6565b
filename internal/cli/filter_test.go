package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestScanFilters checks each report filter on the demo against the
// unfiltered scan: the filtered findings are exactly the unfiltered ones
// the filter describes.
func TestScanFilters(t *testing.T) {
	_, out, _ := run(t, "scan", "--demo", "--format", "json")
	all := decodeScan(t, out).Findings
	prod := []string{"666666666666", "777777777777", "888888888888", "999999999999"}
	tests := []struct {
		name string
		args []string
		keep func(checkID, account, status, severity string) bool
	}{
		{"check", []string{"--check", "root-mfa-enabled,guardduty-enabled"},
			func(c, _, _, _ string) bool { return c == "root-mfa-enabled" || c == "guardduty-enabled" }},
		{"exclude-check", []string{"--exclude-check", "guardduty-enabled"},
			func(c, _, _, _ string) bool { return c != "guardduty-enabled" }},
		{"severity", []string{"--severity", "critical", "--severity", "high"},
			func(_, _, _, s string) bool { return s == "critical" || s == "high" }},
		{"status", []string{"--status", "fail"},
			func(_, _, st, _ string) bool { return st == "FAIL" }},
		{"account", []string{"--account", "111111111111"},
			func(_, a, _, _ string) bool { return a == "111111111111" }},
		{"ou path", []string{"--ou", "/Workloads/Prod"},
			func(_, a, _, _ string) bool { return slices.Contains(prod, a) }},
		{"ou id and status", []string{"--ou", "ou-acme-be4ae61b", "--status", "PASS"},
			func(_, a, st, _ string) bool { return slices.Contains(prod, a) && st == "PASS" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := run(t, append([]string{"scan", "--demo", "--format", "json"}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			var want, got []string
			for _, f := range all {
				if tt.keep(f.CheckID, f.AccountID, f.Status, f.Severity) {
					want = append(want, f.AccountID+" "+f.CheckID)
				}
			}
			for _, f := range decodeScan(t, out).Findings {
				got = append(got, f.AccountID+" "+f.CheckID)
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("reported %d findings %v,\nwant %d %v", len(got), got, len(want), want)
			}
		})
	}
}

func TestScanFilterErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--check", "root-mfa-enabeld"}, "did you mean root-mfa-enabled?"},
		{[]string{"--exclude-check", "guardduty-enable"}, "did you mean guardduty-enabled?"},
		{[]string{"--severity", "urgent"}, "urgent"},
		{[]string{"--status", "muted"}, "muted"},
		{[]string{"--account", "ou-acme-be4ae61b"}, "12-digit"},
		{[]string{"--ou", "Workloads"}, "OU path"},
	} {
		code, _, stderr := run(t, append([]string{"scan", "--demo"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, ExitUsage, c.want)
		}
	}
}

// TestScanFilterSelectsNoAccount: an --account or --ou that names no
// account of the organization reports nothing, which must not read as an
// all-clear: the scan refuses it, naming the values, and exits 3.
func TestScanFilterSelectsNoAccount(t *testing.T) {
	for _, args := range [][]string{
		{"--ou", "/Nope"},
		{"--account", "123456789012"},
		{"--ou", "/Workloads/Prod", "--ou", "ou-acme-missing"},
	} {
		code, stdout, stderr := run(t, append([]string{"scan", "--demo"}, args...)...)
		if code != ExitError || !strings.Contains(stderr, args[len(args)-1]) || !strings.Contains(stderr, "selects no account") {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %s", args, code, stderr, ExitError, args[len(args)-1])
		}
		if stdout != "" {
			t.Errorf("%v: a report was written:\n%s", args, stdout)
		}
	}
}
