package policy_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/policy"
)

// TestConformanceCoversEveryOperator makes the conformance cases the proof
// that every condition operator the engine accepts behaves as documented:
// each base operator, the IfExists suffix and both set prefixes must appear
// in at least one case that evaluates a request (not only in parse-error
// cases), and each of the inheritance rules must have a case.
func TestConformanceCoversEveryOperator(t *testing.T) {
	used := map[string]bool{}
	kinds := map[string]bool{}
	for _, c := range loadCases(t) {
		if c.WantError != nil {
			continue
		}
		switch {
		case c.WantMatch != nil:
			kinds["condition"] = true
		case c.Want != nil:
			kinds["policy"] = true
		}
		if c.WantDecision != "" {
			kinds["scp "+c.WantDecision] = true
		}
		if c.Coverage != nil {
			kinds["coverage"] = true
		}
		if c.Tasks != nil {
			kinds["tasks"] = true
		}
		for name, doc := range c.documents() {
			for _, op := range conditionOperators(t, name, doc) {
				used[op] = true
			}
		}
	}
	base := map[string]bool{}
	for op := range used {
		rest, _ := strings.CutPrefix(op, "ForAnyValue:")
		rest, _ = strings.CutPrefix(rest, "ForAllValues:")
		rest, _ = strings.CutSuffix(rest, "IfExists")
		base[rest] = true
	}
	ops := policy.BaseOperators()
	slices.Sort(ops)
	for _, op := range ops {
		if !base[op] {
			t.Errorf("no conformance case evaluates operator %s", op)
		}
	}
	has := func(pred func(string) bool) bool {
		for op := range used {
			if pred(op) {
				return true
			}
		}
		return false
	}
	for name, pred := range map[string]func(string) bool{
		"an IfExists operator":     func(op string) bool { return strings.HasSuffix(op, "IfExists") },
		"a ForAnyValue: operator":  func(op string) bool { return strings.HasPrefix(op, "ForAnyValue:") },
		"a ForAllValues: operator": func(op string) bool { return strings.HasPrefix(op, "ForAllValues:") },
	} {
		if !has(pred) {
			t.Errorf("no conformance case evaluates %s", name)
		}
	}
	// The inheritance rules: allowed only when every level allows, any Deny
	// wins, and a level without a matching Allow denies implicitly.
	for _, k := range []string{"condition", "policy", "scp Allowed", "scp ExplicitDeny", "scp ImplicitDeny", "coverage", "tasks"} {
		if !kinds[k] {
			t.Errorf("no conformance case of kind %q", k)
		}
	}
}

// conditionOperators returns the operator names used in the Condition
// blocks of a policy document of a conformance case.
func conditionOperators(t *testing.T, name, doc string) []string {
	t.Helper()
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("case policy %s is not JSON: %v", name, err)
	}
	var stmts []map[string]json.RawMessage
	if err := json.Unmarshal(p.Statement, &stmts); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			t.Fatalf("case policy %s: Statement is neither an object nor a list: %v", name, err)
		}
		stmts = append(stmts, one)
	}
	var out []string
	for _, s := range stmts {
		var cond map[string]json.RawMessage
		if raw, ok := s["Condition"]; ok {
			if err := json.Unmarshal(raw, &cond); err != nil {
				t.Fatalf("case policy %s: Condition: %v", name, err)
			}
		}
		for op := range cond {
			out = append(out, op)
		}
	}
	return out
}
