package cli_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/detect"
)

// TestCatalogGolden renders the check and rule registries in each format.
// Refresh with go test ./internal/cli -run CatalogGolden -update.
func TestCatalogGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"explain.json.golden", []string{"explain", "--format", "json"}},
		{"explain-one.json.golden", []string{"explain", "root-mfa-hardware", "--format", "json"}},
		{"rules.table.golden", []string{"rules"}},
		{"rules.json.golden", []string{"rules", "--format", "json"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, stdout, stderr := run(t, "", tc.args...)
			if code != cli.ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			checkGolden(t, tc.golden, stdout)
		})
	}
}

// TestExplainJSONIsTheRegistry checks that explain --format json carries
// every check of the registry with its references, in registry order.
func TestExplainJSONIsTheRegistry(t *testing.T) {
	_, stdout, _ := run(t, "", "explain", "--format", "json")
	var doc struct {
		Schema string `json:"schema"`
		Checks []struct {
			ID          string   `json:"id"`
			Severity    string   `json:"severity"`
			SEC01BP02   string   `json:"sec01_bp02"`
			CIS         []string `json:"cis"`
			SecurityHub []string `json:"security_hub"`
			Remediation string   `json:"remediation"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	reg := checks.Default().Checks()
	if doc.Schema != "rootguard.checks/v1" || len(doc.Checks) != len(reg) {
		t.Fatalf("schema %q with %d checks, want rootguard.checks/v1 with %d", doc.Schema, len(doc.Checks), len(reg))
	}
	for i, c := range reg {
		got := doc.Checks[i]
		if got.ID != c.ID || got.Severity != string(c.Severity) || got.SEC01BP02 != c.References.SEC01BP02 ||
			len(got.CIS) != len(c.References.CIS) || len(got.SecurityHub) != len(c.References.SecurityHub) ||
			got.Remediation != strings.TrimSpace(c.Remediation) {
			t.Errorf("check %d: %+v does not match the registry's %s", i, got, c.ID)
		}
	}
}

// TestRulesListsTheDetectRegistry checks both formats against detect.Rules.
func TestRulesListsTheDetectRegistry(t *testing.T) {
	_, table, _ := run(t, "", "rules")
	_, js, _ := run(t, "", "rules", "--format", "json")
	var doc struct {
		Rules []struct {
			ID    string `json:"id"`
			Scope []any  `json:"scope"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range doc.Rules {
		ids = append(ids, r.ID)
		if len(r.Scope) == 0 {
			t.Errorf("rule %s: no scope in the JSON", r.ID)
		}
	}
	for _, r := range detect.Rules() {
		if !slices.Contains(ids, r.ID) {
			t.Errorf("rules --format json lacks %s", r.ID)
		}
		if !strings.Contains(table, r.ID+" ") {
			t.Errorf("rules table lacks %s", r.ID)
		}
	}
	if len(ids) != len(detect.Rules()) {
		t.Errorf("%d rules in the JSON, want %d", len(ids), len(detect.Rules()))
	}
	if code, _, stderr := run(t, "", "rules", "--format", "xml"); code != cli.ExitUsage || !strings.Contains(stderr, "--format") {
		t.Errorf("rules --format xml: exit %d, %q; want a usage error", code, stderr)
	}
}
