package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
)

func TestWorstAccounts(t *testing.T) {
	fail := func(acct string, sev checks.Severity) checks.Finding {
		return checks.Finding{CheckID: "c-" + string(sev), AccountID: acct, Status: checks.Fail, Severity: sev}
	}
	unknown := func(acct string) checks.Finding {
		return checks.Finding{CheckID: "u", AccountID: acct, Status: checks.Unknown, Severity: checks.Info}
	}
	pass := func(acct string) checks.Finding {
		return checks.Finding{CheckID: "p", AccountID: acct, Status: checks.Pass, Severity: checks.Critical}
	}
	fs := []checks.Finding{
		pass("clean"),
		fail("three-low", checks.Low), fail("three-low", checks.Low), fail("three-low", checks.Low),
		fail("one-high", checks.High),
		fail("high-medium", checks.High), fail("high-medium", checks.Medium),
		unknown("only-unknown"),
		fail("b-tie", checks.Medium), fail("a-tie", checks.Medium),
		fail("tie-unknown", checks.Medium), unknown("tie-unknown"),
		fail("critical", checks.Critical),
	}
	r := New(Meta{}, fs, time.Time{})
	var got []string
	for _, a := range r.Summary.worstAccounts() {
		got = append(got, a.AccountID)
	}
	// Highest severity decides, then the count at it, then lower severities,
	// then UNKNOWN findings, then the account ID.
	want := []string{"critical", "high-medium", "one-high", "tie-unknown", "a-tie", "b-tie", "three-low", "only-unknown"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("worstAccounts (-want +got):\n%s", diff)
	}

	var b bytes.Buffer
	if err := Write(&b, "table", r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "    … and 3 more accounts with findings\n") {
		t.Errorf("table does not cap the worst accounts at %d:\n%s", maxWorst, b.String())
	}
}

func TestRegionPartition(t *testing.T) {
	tests := []struct{ region, want string }{
		{"us-east-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
	}
	for _, tt := range tests {
		if got := regionPartition(tt.region); got != tt.want {
			t.Errorf("regionPartition(%q) = %q, want %q", tt.region, got, tt.want)
		}
	}
}

func TestMDCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"root-mfa-enabled", "`root-mfa-enabled`"},
		{"", ""},
		{"a`b", "a\\`b"},
		{"Upper_Case", "Upper\\_Case"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
