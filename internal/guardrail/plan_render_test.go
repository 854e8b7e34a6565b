package guardrail_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/guardrail"
)

// TestWriteTextEscapes: names in the plan text come from AWS (account and
// OU names) and from the config (topic names, emails); their control
// characters and bidi overrides are shown escaped, never sent to the
// terminal.
func TestWriteTextEscapes(t *testing.T) {
	p := &guardrail.Plan{
		ID: "plan-1",
		Changes: []guardrail.Change{{
			AccountID: "111111111111", AccountName: "evil\x1b[2J\u202egnp", Kind: guardrail.KindPutAlternateContact,
			Action: "~", Summary: "set SECURITY contact to ops\x1b]0;owned\x07", Risk: "low\u0085", Note: "line one\nline two",
		}},
		Warnings: []string{"topic \u2066name"},
	}
	var b bytes.Buffer
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e\u2066\u0085") {
		t.Errorf("raw control or bidi characters reached the plan text:\n%q", out)
	}
	for _, want := range []string{`evil\x1b[2J\u202egnp`, `ops\x1b]0;owned\x07`, `low\x85`, `topic \u2066name`, "line one\nline two"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan text lacks %q:\n%s", want, out)
		}
	}
}
