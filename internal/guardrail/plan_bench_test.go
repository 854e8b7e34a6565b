package guardrail_test

import (
	"fmt"
	"testing"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

// largePlanOrg grows the collected demo organization to n accounts by
// copying its member accounts (credentials, contacts, SCP attachments) under
// new IDs in the same OUs.
func largePlanOrg(b testing.TB, n int) *inventory.Snapshot {
	s := planSnapshot(b)
	var members []inventory.Account
	for _, a := range s.Accounts {
		if a.Role == inventory.RoleMember {
			members = append(members, a)
		}
	}
	pols := s.Organization.Policies.Value
	for i := len(s.Accounts); i < n; i++ {
		src := members[i%len(members)]
		a := src
		a.ID = fmt.Sprintf("%012d", 300000000000+i)
		s.Accounts = append(s.Accounts, a)
		for j := range pols {
			for _, t := range pols[j].Targets {
				if t == src.ID {
					pols[j].Targets = append(pols[j].Targets, a.ID)
					break
				}
			}
		}
	}
	s.Sort()
	return s
}

// BenchmarkNewPlan plans a 1,000-account organization: the diff, the SCP
// analysis over every member before and after, and every check run over the
// snapshot as it is and as it will be.
func BenchmarkNewPlan(b *testing.B) {
	s := largePlanOrg(b, 1000)
	cfg := planConfig(b)
	b.ReportAllocs()
	var p *guardrail.Plan
	for b.Loop() {
		var err error
		if p, err = guardrail.NewPlan(cfg, s, guardrail.PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.Changes)), "changes")
}

// BenchmarkReview compares that plan with the snapshot, as apply does
// before the first call.
func BenchmarkReview(b *testing.B) {
	s := largePlanOrg(b, 1000)
	p, err := guardrail.NewPlan(planConfig(b), s, guardrail.PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rv := p.Review(s); rv.Count(guardrail.StatePending) != len(p.Changes) {
			b.Fatal("not every change is pending")
		}
	}
}
