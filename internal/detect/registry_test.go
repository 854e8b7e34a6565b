package detect

import (
	"strings"
	"testing"
)

// TestValidateRules: each kind of broken rule is refused, naming the rule and the problem.
func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Rule)
		want   string // "" means valid
	}{
		{"valid", func(*Rule) {}, ""},
		{"empty ID", func(r *Rule) { r.ID = "" }, "kebab-case"},
		{"ID not kebab-case", func(r *Rule) { r.ID = "Root_Login" }, "kebab-case"},
		{"no title", func(r *Rule) { r.Title = "" }, "no title"},
		{"unknown severity", func(r *Rule) { r.Severity = "severe" }, `unknown severity "severe"`},
		{"no doc", func(r *Rule) { r.Doc = " " }, "no documentation"},
		{"no summary", func(r *Rule) { r.Summary = "" }, "no summary"},
		{"no scope", func(r *Rule) { r.Scope = nil }, "no scope"},
		{"empty clause", func(r *Rule) { r.Scope = []Clause{{}} }, "tests nothing"},
		{"unsorted names", func(r *Rule) { r.Scope = []Clause{{EventNames: []string{"b", "a"}}} }, "not sorted"},
		{"no needles", func(r *Rule) { r.Needles = nil }, "no prefilter needles"},
		{"empty needle", func(r *Rule) { r.Needles = []string{"Root", ""} }, "no prefilter needles"},
		{"no false positive", func(r *Rule) { r.FalsePositives = nil }, "have 3 and 0"},
		{"misnamed sample", func(r *Rule) { r.TruePositives = []string{"fp-x.json"} }, "does not start with tp-"},
		{"no match", func(r *Rule) { r.match = nil }, "no match function"},
		{"aggregate with a match", func(r *Rule) { r.kind = kindAggregate }, "no match function"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := *RuleByID(RuleConsoleLogin)
			tc.mutate(&r)
			err := validateRules([]*Rule{&r})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("valid rule refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	t.Run("registered twice", func(t *testing.T) {
		r := RuleByID(RuleConsoleLogin)
		err := validateRules([]*Rule{r, RuleByID(RuleAPIActivity), r})
		if err == nil || !strings.Contains(err.Error(), "rule "+r.ID+": registered twice") {
			t.Fatalf("got %v, want %s registered twice", err, r.ID)
		}
	})
}

// TestNeedlesAreTheUnion: the prefilter looks for every rule's needles, each once, and nothing
// else.
func TestNeedlesAreTheUnion(t *testing.T) {
	want := map[string]bool{}
	for _, r := range registry {
		for _, n := range r.Needles {
			want[n] = true
		}
	}
	got := map[string]bool{}
	for _, n := range needles {
		if got[string(n)] || !want[string(n)] {
			t.Errorf("needle %q is in the prefilter twice, or no rule declares it", n)
		}
		got[string(n)] = true
	}
	if len(got) != len(want) {
		t.Errorf("prefilter needles %q, want the %d the rules declare", needles, len(want))
	}
}
