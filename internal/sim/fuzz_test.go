package sim_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/sim"
)

// FuzzParseScenario checks that no input panics the decoder and that a
// decoded scenario survives encode then decode unchanged.
func FuzzParseScenario(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	more, _ := filepath.Glob("testdata/*.json")
	for _, p := range append(append(seeds, more...), "demo.yaml") {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(throttled))
	// Hostile YAML: a byte-order mark, a second document, tags without a
	// value, an alias bomb, a schema version of the future.
	for _, s := range []string{
		"\xEF\xBB\xBF" + minimalScenario,
		minimalScenario + "---\nname: second\n",
		"accounts: !foo",
		"caller: !foo\naccounts: !bar\n",
		billionLaughs(9),
		"schema: rootguard.scenario/v9\n" + minimalScenario,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := sim.ParseScenario("fuzz.yaml", data)
		if err != nil {
			return
		}
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatalf("encode a decoded scenario: %v", err)
		}
		again, err := sim.ParseScenario("again.yaml", out)
		if err != nil {
			t.Fatalf("decode an encoded scenario: %v\n%s", err, out)
		}
		if diff := cmp.Diff(s, again, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-first +second)\n%s", diff)
		}
	})
}
