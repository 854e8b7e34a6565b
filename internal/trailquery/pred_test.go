package trailquery_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailquery"
)

func TestEveryRuleHasAPredicate(t *testing.T) {
	for _, r := range detect.Rules() {
		for _, col := range []bool{false, true} {
			if _, err := trailquery.RulePredicate(r.ID, col); err != nil {
				t.Errorf("%s (assumedRoot column %v): %v", r.ID, col, err)
			}
		}
	}
	if _, err := trailquery.RulePredicate("no-such-rule", false); err == nil {
		t.Error("an unknown rule has a predicate")
	}
}

// TestPredicatesAreConservative proves the pushed-down filter loses no alert on the corpus: every
// record on which a rule fires on its own satisfies that rule's predicate and the whole set's,
// and the engine gives the same alerts over the records the filter keeps as over all of them
// (so the aggregates and the AssumeRoot join lose nothing either). The predicates evaluated here
// are the values the SQL is rendered from.
func TestPredicatesAreConservative(t *testing.T) {
	samples := corpus(t)
	recs := make([]*detect.Record, 0, len(samples))
	names := make([]string, 0, len(samples))
	for _, s := range samples {
		r, err := detect.DecodeRecord(s.raw)
		if err != nil {
			continue // not a record any rule reads (the scanner skips it too)
		}
		recs = append(recs, r)
		names = append(names, s.name)
	}
	if len(recs) < 1000 {
		t.Fatalf("corpus has only %d records", len(recs))
	}
	for _, col := range []bool{true, false} {
		t.Run(map[bool]string{true: "with assumedRoot column", false: "without assumedRoot column"}[col], func(t *testing.T) {
			all := trailquery.AllRules(col)
			fired, kept := 0, 0
			var filtered []*detect.Record
			for i, r := range recs {
				if all.Eval(r) {
					kept++
					filtered = append(filtered, r)
				}
				alerts := alertsOf(t, []*detect.Record{r})
				if len(alerts) > 0 {
					fired++
				}
				for _, a := range alerts {
					if !all.Eval(r) {
						t.Errorf("%s: %s fires but the whole-set predicate excludes the record", names[i], a.RuleID)
					}
					p, err := trailquery.RulePredicate(a.RuleID, col)
					if err != nil {
						t.Fatal(err)
					}
					if !p.Eval(r) {
						t.Errorf("%s: %s fires but its predicate excludes the record", names[i], a.RuleID)
					}
				}
			}
			if fired == 0 || kept == len(recs) {
				t.Fatalf("degenerate corpus: %d records fire, the filter keeps %d of %d", fired, kept, len(recs))
			}
			t.Logf("%d records, %d fire a rule alone, the filter keeps %d", len(recs), fired, kept)
			ignore := cmpopts.IgnoreFields(detect.Alert{}, "Source", "Sources")
			want, got := alertsOf(t, recs), alertsOf(t, filtered)
			detect.SortAlerts(want)
			detect.SortAlerts(got)
			if diff := cmp.Diff(want, got, ignore); diff != "" {
				t.Errorf("alerts over all records vs over the filtered records (-all +filtered)\n%s", diff)
			}
		})
	}
}
