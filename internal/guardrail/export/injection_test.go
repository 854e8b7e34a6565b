package export_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

// hostile is a name AWS accepts for an OU or an account (any characters)
// built to end a comment or a string and declare a resource of its own.
const hostile = "x\"\n}\nresource \"aws_iam_user\" \"pwned\" {\n  name = \"${var.x}\" %{if true}\n}\n#\r\u2028\x1b[31m\\"

func hostileNames(s *inventory.Snapshot) {
	units := s.Organization.Units.Value
	for i := range units {
		units[i].Name = hostile + units[i].ID
	}
	for i := range s.Accounts {
		s.Accounts[i].Name = hostile + s.Accounts[i].ID
	}
}

// TestHostileNamesAddNoResource: OU and account names that try to break out
// of a comment or a string leave the exported resources as they are.
func TestHostileNamesAddNoResource(t *testing.T) {
	plain := state(t, "full", nil)
	evil := state(t, "full", hostileNames)
	if !slices.ContainsFunc(evil.SCPs, func(p guardrail.SCP) bool {
		return slices.ContainsFunc(p.Targets, func(t guardrail.Target) bool { return strings.HasPrefix(t.Name, hostile) })
	}) {
		t.Fatal("no SCP target carries a name: the test would prove nothing")
	}
	t.Run("terraform", func(t *testing.T) {
		want, got := tfResources(t, plain), tfResources(t, evil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("resources (-plain +hostile names):\n%s", diff)
		}
		for _, f := range generate(t, "terraform", evil) {
			for i, line := range strings.Split(string(f.Content), "\n") {
				if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == '\u2028' }) {
					t.Errorf("%s:%d: control character in %q", f.Name, i+1, line)
				}
			}
		}
	})
	t.Run("cloudformation", func(t *testing.T) {
		if diff := cmp.Diff(cfnResources(t, plain), cfnResources(t, evil)); diff != "" {
			t.Errorf("resources (-plain +hostile names):\n%s", diff)
		}
	})
}

func tfResources(t *testing.T, st *guardrail.State) []string {
	t.Helper()
	var out []string
	for _, f := range generate(t, "terraform", st) {
		blocks, _, _ := parseTerraform(t, f.Name, string(f.Content))
		for _, b := range blocks {
			out = append(out, f.Name+": "+b.kind+" "+strings.Join(b.labels, " "))
		}
	}
	return out
}

func cfnResources(t *testing.T, st *guardrail.State) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, f := range generate(t, "cloudformation", st) {
		var tmpl struct {
			Resources map[string]struct{ Type string }
		}
		if err := json.Unmarshal(f.Content, &tmpl); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, id := range slices.Sorted(maps.Keys(tmpl.Resources)) {
			out[f.Name] = append(out[f.Name], id+" "+tmpl.Resources[id].Type)
		}
	}
	return out
}
