package guardrail

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/inventory"
)

// TestNotes covers the notes NewPlan's demo cases do not reach: a fixed
// check that stays failing for another reason than a pending subscription,
// UNKNOWN, several checks of one change, and the summary of differing
// notes.
func TestNotes(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:333333333333:alerts"
	after := &inventory.Snapshot{Accounts: []inventory.Account{{ID: "333333333333"}}}
	after.Accounts[0].Detective.Topics.Value = []inventory.Topic{{ARN: topic, Subscriptions: []inventory.Subscription{{Protocol: "email", Endpoint: "a@example.com"}}}}
	pending := &State{Alerting: &AlertStack{AccountID: "333333333333", TopicARN: topic, Subscription: &Subscription{Protocol: "email", Endpoint: "a@example.com"}}}
	alerting := checks.RootActivityAlerting.ID
	tests := []struct {
		name  string
		st    *State
		fixes []string
		will  []checks.Finding
		want  string
	}{
		{"passes", pending, []string{"root-access-keys-absent"},
			[]checks.Finding{{CheckID: "root-access-keys-absent", AccountID: "111111111111", Status: checks.Pass}}, ""},
		{"not applicable", pending, []string{"root-access-keys-absent"},
			[]checks.Finding{{CheckID: "root-access-keys-absent", AccountID: "111111111111", Status: checks.NotApplicable}}, ""},
		{"not assessed", pending, []string{"root-access-keys-absent"}, nil, ""},
		{"another check fails", pending, []string{"root-access-keys-absent"},
			[]checks.Finding{{CheckID: "root-access-keys-absent", AccountID: "111111111111", Status: checks.Fail}},
			"root-access-keys-absent stays FAIL once applied (see the expected findings)"},
		{"another account's finding", pending, []string{"root-access-keys-absent"},
			[]checks.Finding{{CheckID: "root-access-keys-absent", AccountID: "222222222222", Status: checks.Fail}}, ""},
		{"alerting pending", pending, []string{alerting},
			[]checks.Finding{{CheckID: alerting, AccountID: "111111111111", Status: checks.Fail}},
			alerting + " stays FAIL until the email subscription of a@example.com is confirmed"},
		{"alerting unknown", pending, []string{alerting},
			[]checks.Finding{{CheckID: alerting, AccountID: "111111111111", Status: checks.Unknown}},
			alerting + " stays UNKNOWN once applied (see the expected findings)"},
		{"alerting fails, nothing pending", &State{}, []string{alerting},
			[]checks.Finding{{CheckID: alerting, AccountID: "111111111111", Status: checks.Fail}},
			alerting + " stays FAIL once applied (see the expected findings)"},
		{"two checks", pending, []string{alerting, "root-access-keys-absent"},
			[]checks.Finding{{CheckID: alerting, AccountID: "111111111111", Status: checks.Fail}, {CheckID: "root-access-keys-absent", AccountID: "111111111111", Status: checks.Fail}},
			alerting + " stays FAIL until the email subscription of a@example.com is confirmed; root-access-keys-absent stays FAIL once applied (see the expected findings)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &builder{st: tt.st, p: &Plan{Changes: []Change{{ID: "x", AccountID: "111111111111", Fixes: tt.fixes}}}}
			b.notes(after, tt.will)
			if diff := cmp.Diff(tt.want, b.p.Changes[0].Note); diff != "" {
				t.Errorf("note (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummaryOfNotes(t *testing.T) {
	tests := []struct {
		name  string
		notes []string
		want  string
	}{
		{"none", []string{"", ""}, "Plan: 2 to add, 0 to set, 0 to remove (2 changes in 1 accounts); 1 gap(s) not planned."},
		{"one shared", []string{"a stays FAIL", "", "a stays FAIL"},
			"Plan: 3 to add, 0 to set, 0 to remove (3 changes in 1 accounts); 2 change(s) noted: a stays FAIL; 1 gap(s) not planned."},
		{"differing", []string{"a stays FAIL", "b stays FAIL", "a stays FAIL"},
			"Plan: 3 to add, 0 to set, 0 to remove (3 changes in 1 accounts); 3 change(s) noted: checks they fix stay failing once applied (see each note); 1 gap(s) not planned."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Gaps: []Gap{{Area: AreaAlerting, Detail: "g"}}}
			for _, n := range tt.notes {
				p.Changes = append(p.Changes, Change{Action: "+", AccountID: "111111111111", Note: n})
			}
			if diff := cmp.Diff(tt.want, p.SummaryLine()); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}
