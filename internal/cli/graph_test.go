package cli

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
)

// TestGraphDemo: the demo's graph has a cycle through two accounts and a
// single point, and scan --demo reports both as findings.
func TestGraphDemo(t *testing.T) {
	code, out, errb := run(t, "graph", "--demo", "--format", "json")
	if code != 0 {
		t.Fatalf("graph --demo: exit %d: %s", code, errb)
	}
	g := decodeJSON[struct {
		Schema string     `json:"schema"`
		Cycles [][]string `json:"cycles"`
		Points []struct {
			Node     string   `json:"node"`
			Accounts []string `json:"accounts"`
		} `json:"single_points"`
	}](t, out)
	if g.Schema != "rootguard.recovery-graph/v1" {
		t.Errorf("schema = %q", g.Schema)
	}
	multi := false
	for _, c := range g.Cycles {
		multi = multi || (slices.Contains(c, "root:101010101010") && slices.Contains(c, "root:121212121212"))
	}
	if !multi {
		t.Errorf("no cycle through 101010101010 and 121212121212: %v", g.Cycles)
	}
	if len(g.Points) == 0 {
		t.Fatal("no single point in the demo graph")
	}
	_, out, _ = run(t, "scan", "--demo", "--format", "json")
	failing := map[string]bool{}
	for _, f := range decodeFindings(t, out).Findings {
		if f.Status == "FAIL" {
			failing[f.CheckID+" "+f.AccountID] = true
		}
	}
	for _, want := range []string{"recovery-path-cycle 101010101010", "recovery-path-cycle 121212121212",
		"recovery-single-point " + g.Points[0].Accounts[0]} {
		if !failing[want] {
			t.Errorf("scan --demo does not fail %s", want)
		}
	}

	// The SVG draws it, the cycle in red.
	_, svg, _ := run(t, "graph", "--demo", "--account", "101010101010")
	var doc struct {
		Groups []struct {
			From  string `xml:"data-from,attr"`
			Cycle string `xml:"data-cycle,attr"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("graph SVG does not parse: %v", err)
	}
	red := 0
	for _, gr := range doc.Groups {
		if gr.From != "" && gr.Cycle == "true" {
			red++
		}
	}
	if red < 10 {
		t.Errorf("%d cycle edges drawn for 101010101010, want the 10 of its ring", red)
	}
}

func TestGraphBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"graph", "--demo", "--format", "png"}, ExitUsage, `--format "png"`},
		{[]string{"graph", "--demo", "--account", "12"}, ExitUsage, `--account: "12" is not a 12-digit account ID`},
		{[]string{"graph", "--demo", "--account", "123456789012"}, ExitError, "--account 123456789012: not an account of the 14 collected"},
	} {
		code, _, errb := run(t, c.args...)
		if code != c.code || !strings.Contains(errb, c.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errb, c.code, c.msg)
		}
	}
}
