package sim_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/yamlx"
)

const minimalScenario = "caller: {arn: 'arn:aws:sts::111111111111:assumed-role/Admin/a'}\naccounts: [{id: '111111111111'}]\n"

// billionLaughs nests levels of nine aliases each under org_domains: a
// few hundred bytes that expand to 9^levels strings.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("x-l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 8) + prev + "]\n")
	}
	b.WriteString("org_domains: *l" + string(rune('0'+levels)) + "\n" + minimalScenario)
	return b.String()
}

// TestParseScenarioHostileYAML: scenario input is bounded and strict
// about its YAML: one document, aliases that cannot blow up, a known
// schema version, a byte-order mark tolerated. Every refusal is one line
// naming the file.
func TestParseScenarioHostileYAML(t *testing.T) {
	tests := []struct {
		name, data string
		want       string // "" for success
	}{
		{"byte-order mark", "\xEF\xBB\xBF" + minimalScenario, ""},
		{"leading document marker", "---\n" + minimalScenario, ""},
		{"schema v1", "schema: " + sim.ScenarioSchema + "\n" + minimalScenario, ""},
		{"unknown schema", "schema: rootguard.scenario/v9\n" + minimalScenario, `schema "rootguard.scenario/v9" is not one this rootguard reads`},
		{"another document after the first", minimalScenario + "---\nname: second\n", "more than one YAML document"},
		{"tag without a value", "accounts: !foo", "scenario in.yaml: "},
		{"tags without values", "caller: !foo\naccounts: !bar\n", "scenario in.yaml: "},
		{"billion laughs", billionLaughs(9), "aliases expand to more than"},
		{"too large", minimalScenario + "x-pad: '" + strings.Repeat("a", yamlx.MaxSize) + "'\n", "larger than the 32 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := sim.ParseScenario("in.yaml", []byte(tt.data))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ParseScenario: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "scenario in.yaml: ")):
				t.Fatalf("ParseScenario = %v, want an error naming in.yaml saying %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Errorf("error is not one line: %q", err)
			}
			// A bounded refusal is quick and small: the inputs are at most
			// 32 MiB, the bomb a few hundred bytes.
			if alloc := after.TotalAlloc - before.TotalAlloc; took > 10*time.Second || alloc > 1<<30 {
				t.Errorf("took %s and allocated %d MiB", took, alloc>>20)
			}
		})
	}
}

// TestLoadScenarioLimits: a file past the size limit is refused without
// being read whole, naming the file; a saved scenario carries the schema
// version and loads again.
func TestLoadScenarioLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(yamlx.MaxSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := sim.LoadScenario(big); err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("LoadScenario(%s) = %v, want a size error naming the file", big, err)
	}

	saved := filepath.Join(dir, "saved.yaml")
	if err := sim.SaveScenario(saved, sim.Demo()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "schema: "+sim.ScenarioSchema+"\n") {
		t.Errorf("saved scenario does not begin with its schema version:\n%.200s", data)
	}
	if _, err := sim.LoadScenario(saved); err != nil {
		t.Errorf("LoadScenario of a saved scenario: %v", err)
	}
}
