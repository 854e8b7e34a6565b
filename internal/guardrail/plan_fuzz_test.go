package guardrail_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/guardrail"
)

// FuzzLoadPlan feeds the plan-file decoder arbitrary bytes, seeded with the
// demo plan. A plan file is input: the decoder must never panic, and a plan
// it accepts must encode and decode to the same plan.
func FuzzLoadPlan(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "plan", "demo.plan.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"schema":"rootguard.plan/v1"}`))
	f.Add([]byte(`{"schema":"rootguard.plan/v2","changes":[]}`))
	f.Add([]byte(`{"schema":null}`))
	f.Add([]byte(`{"schema":"rootguard.plan/v1","changes":[],"changes":[]}`))
	f.Add([]byte(`{"schema":"rootguard.plan/v1","Schema":"rootguard.plan/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := guardrail.DecodePlan("fuzz.json", data)
		if err != nil {
			return
		}
		doc, err := p.Encode()
		if err != nil {
			t.Fatalf("accepted plan does not encode: %v", err)
		}
		again, err := guardrail.DecodePlan("fuzz.json", doc)
		if err != nil {
			t.Fatalf("encoded plan does not decode: %v", err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Errorf("decode, encode, decode differs (-first +second):\n%s", diff)
		}
	})
}
