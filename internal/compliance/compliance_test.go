package compliance

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
)

// TestFrameworksBuild builds the embedded data over the real registry:
// every check it names exists, every CIS, Security Hub and SEC01-BP02
// mapping of the registry lands in a requirement (build fails otherwise),
// and every framework the command offers is there.
func TestFrameworksBuild(t *testing.T) {
	fs, err := Frameworks(checks.Default())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cis-1.4", "cis-1.5", "cis-2.0", "cis-3.0", "cis-4.0", "cis-5.0", "cis-6.0", "cis-7.0", "sec01-bp02", "fsbp"}
	if diff := cmp.Diff(want, IDs(fs)); diff != "" {
		t.Errorf("frameworks (-want +got)\n%s", diff)
	}
	// Every check with a reference appears in the matching framework.
	byID := map[string]Framework{}
	for _, f := range fs {
		byID[f.ID] = f
	}
	for _, c := range checks.Default().Checks() {
		if !inFramework(byID["sec01-bp02"], c.ID) {
			t.Errorf("sec01-bp02 lacks %s", c.ID)
		}
		for _, r := range c.References.CIS {
			v, _, _ := strings.Cut(r, ":")
			if !inFramework(byID["cis-"+strings.TrimPrefix(v, "v")], c.ID) {
				t.Errorf("cis-%s lacks %s (%s)", v, c.ID, r)
			}
		}
		for _, id := range c.References.SecurityHub {
			if !inFramework(byID["fsbp"], c.ID) && byID["fsbp"].Outside[id] == "" {
				t.Errorf("fsbp neither lists %s (%s) nor says why not", c.ID, id)
			}
		}
	}
	// Numbering shared with v1.4 carries its checks.
	if diff := cmp.Diff(byID["cis-1.4"].Requirements, byID["cis-2.0"].Requirements); diff != "" {
		t.Errorf("cis-2.0 differs from cis-1.4 (-1.4 +2.0)\n%s", diff)
	}
}

func inFramework(f Framework, check string) bool {
	return slices.ContainsFunc(f.Requirements, func(r Requirement) bool { return slices.Contains(r.Checks, check) })
}

// TestBuildRefuses feeds broken data: each mistake is refused by name.
func TestBuildRefuses(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown check", `frameworks: [{id: x, title: X, source: {cis: v7.0}, requirements: [{id: "9.9", title: T, checks: [no-such-check]}]}]`, `no check "no-such-check"`},
		{"registry mapping missing", `frameworks: [{id: x, title: X, source: {cis: v7.0}, requirements: [{id: "2.4", title: T}]}]`, "which is not a requirement"},
		{"requirement with nothing", `frameworks: [{id: x, title: X, source: {security_hub: true}, outside: {IAM.4: a, IAM.6: a, IAM.9: a, Account.1: a, CloudTrail.1: a, CloudWatch.1: a, GuardDuty.1: a}, requirements: [{id: Z.1, title: T}]}]`, "has no check and says nothing manual"},
		{"unknown field", `frameworks: [{id: x, titel: X}]`, "titel"},
		{"same_as later", `frameworks: [{id: x, title: X, same_as: y}]`, `same_as "y"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build([]byte(tc.yaml), checks.Default())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// TestNewView checks the per-account status: the worst of the checks',
// UNKNOWN for a check without a finding, MANUAL without checks.
func TestNewView(t *testing.T) {
	f := Framework{ID: "x", Requirements: []Requirement{
		{ID: "a", Checks: []string{"c1", "c2"}},
		{ID: "b", Checks: []string{"c3"}},
		{ID: "m", Manual: "ask someone"},
	}}
	fd := func(check, account string, s checks.Status) checks.Finding {
		return checks.Finding{CheckID: check, AccountID: account, Status: s}
	}
	v := NewView(f, []checks.Finding{
		fd("c1", "1", checks.Pass), fd("c2", "1", checks.NotApplicable), fd("c3", "1", checks.NotApplicable),
		fd("c1", "2", checks.Unknown), fd("c2", "2", checks.Fail),
	})
	got := map[string][]string{}
	for _, r := range v.Rows {
		got[r.Requirement.ID] = r.Status
	}
	want := map[string][]string{
		"a": {"PASS", "FAIL"},
		"b": {"NOT_APPLICABLE", "UNKNOWN"}, // no c3 finding for account 2
		"m": {"MANUAL", "MANUAL"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got)\n%s", diff)
	}
	if n := v.Rows[0].Counts(); n["PASS"] != 1 || n["FAIL"] != 1 {
		t.Errorf("counts %v", n)
	}
}
