package notify_test

import (
	"os"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/notify"
)

// FuzzParse: no input panics the parser, and a configuration it accepts
// encodes to YAML that parses back to the same configuration (an empty
// list and an absent one mean the same).
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("testdata/notify.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(minimal))
	f.Add([]byte("schema: rootguard.notify/v1\ndestinations: [{name: a, slack: {webhook_url_env: A}}]\ndefault: [a]\nlease: 1h\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := notify.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("encode %+v: %v", cfg, err)
		}
		again, err := notify.Parse(out, "again.yaml")
		if err != nil {
			t.Fatalf("re-parse of\n%s\n: %v", out, err)
		}
		if d := cmp.Diff(cfg, again, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("round trip (-first +second):\n%s", d)
		}
	})
}
