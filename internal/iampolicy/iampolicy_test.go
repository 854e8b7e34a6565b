package iampolicy_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/iampolicy"
)

var actionRe = regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`)

// TestRegistry: every row names one action, at least one mode and caller,
// and why; no action is registered twice for the same caller.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range iampolicy.Registry() {
		if !actionRe.MatchString(a.Action) {
			t.Errorf("%q: not service:Operation", a.Action)
		}
		if len(a.Modes) == 0 || len(a.Callers) == 0 || a.Why == "" {
			t.Errorf("%s: modes %v, callers %v, why %q: want all three", a.Action, a.Modes, a.Callers, a.Why)
		}
		for _, c := range a.Callers {
			if k := string(c) + " " + a.Action; seen[k] {
				t.Errorf("%s registered twice", k)
			} else {
				seen[k] = true
			}
		}
	}
}

// TestGenerate: apply has every action of scan but the Security Hub
// calls of scan --send, adds writes that scan lacks, and sts:AssumeRole is
// scoped to the role.
func TestGenerate(t *testing.T) {
	scan := iampolicy.Generate(iampolicy.Scan, "Audit", "111111111111")
	apply := iampolicy.Generate(iampolicy.Apply, "Audit", "111111111111")
	for _, a := range scan.Management.Statement[0].Action {
		if !strings.HasPrefix(a, "securityhub:") && !slices.Contains(apply.Management.Statement[0].Action, a) {
			t.Errorf("apply lacks the read %s", a)
		}
	}
	if slices.Contains(scan.Management.Statement[0].Action, "organizations:AttachPolicy") ||
		!slices.Contains(apply.Management.Statement[0].Action, "organizations:AttachPolicy") {
		t.Error("organizations:AttachPolicy: want it in apply only")
	}
	last := scan.Management.Statement[len(scan.Management.Statement)-1]
	if !slices.Equal(last.Action, []string{"sts:AssumeRole"}) || !slices.Equal(last.Resource, []string{"arn:aws:iam::*:role/Audit"}) {
		t.Errorf("AssumeRole statement %+v, want scoped to the role Audit", last)
	}
	if got := scan.MemberTrust.Statement[0].Principal["AWS"]; got != "arn:aws:iam::111111111111:root" {
		t.Errorf("trust principal %q", got)
	}
	if _, err := iampolicy.ParseMode("audit"); err == nil {
		t.Error("ParseMode(audit): want an error")
	}
}
