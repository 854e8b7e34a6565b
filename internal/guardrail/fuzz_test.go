package guardrail_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/guardrail"
)

// FuzzParseConfig: ParseConfig never panics, and a config it accepts
// encodes to YAML that decodes to the same config (an empty list and no
// list are the same).
func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "config", "*.yaml"))
	seeds = append(seeds, filepath.Join("..", "..", "docs", "guardrails.example.yaml"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "~", "scps: {}", "scps:\n  deny_root_actions:\n    targets: [root, ou-abcd-12345678]\n", "alerting: {enabled: false}",
		"!foo\n", "scps: !foo\n", "\ufeffscps: {}\n", "scps: {}\n---\nscps: {}\n", "a: &a [*a]\n",
		"x-0: &a [lol, lol]\nx-1: &b [*a, *a, *a]\nx-2: [*b, *b, *b]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := guardrail.ParseConfig("fuzz.yaml", data)
		if err != nil {
			return
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("encode accepted config: %v", err)
		}
		again, err := guardrail.ParseConfig("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, out)
		}
		if diff := cmp.Diff(cfg, again, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-first +second):\n%s\n%s", diff, out)
		}
	})
}
