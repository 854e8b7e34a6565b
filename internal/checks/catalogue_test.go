package checks_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
)

var updateCatalogue = flag.Bool("update-catalogue", false, "rewrite docs/checks.md from the registry")

const cataloguePath = "../../docs/checks.md"

// catalogue renders docs/checks.md: every check with its severity,
// references, documentation and remediation, from the registry itself.
func catalogue() []byte {
	var b bytes.Buffer
	b.WriteString("# Checks\n\n")
	b.WriteString("Generated from the check registry (`internal/checks`) by\n")
	b.WriteString("`go test ./internal/checks -run TestCatalogue -update-catalogue`; do not edit by hand.\n")
	b.WriteString("`rootguard explain CHECK-ID` prints the same text.\n\n")
	b.WriteString("| check | severity | SEC01-BP02 | CIS | Security Hub |\n|---|---|---|---|---|\n")
	for _, c := range checks.Default().Checks() {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s |\n", c.ID, c.ID, c.Severity, c.References.SEC01BP02,
			strings.Join(c.References.CIS, ", "), strings.Join(c.References.SecurityHub, ", "))
	}
	for _, c := range checks.Default().Checks() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** · severity %s\n\n%s\n\n**Remediation.** %s\n", c.ID, c.Title, c.Severity,
			strings.TrimSpace(c.Doc), strings.TrimSpace(c.Remediation))
	}
	return b.Bytes()
}

// TestCatalogue keeps docs/checks.md in step with the registry.
func TestCatalogue(t *testing.T) {
	want := catalogue()
	if *updateCatalogue {
		if err := os.WriteFile(cataloguePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(cataloguePath)
	if err != nil {
		t.Fatalf("%v (run with -update-catalogue to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the check registry; run go test ./internal/checks -run TestCatalogue -update-catalogue", cataloguePath)
	}
}
