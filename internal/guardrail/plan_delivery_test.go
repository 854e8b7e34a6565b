package guardrail_test

import (
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

// TestForwardingDeniedByBusPolicy: the central bus policy lets a spoke in
// by account but a Deny statement shuts it out again. The plan judges the
// grant as the alerting checks do (Deny wins): it neither counts the grant
// as made nor plans a forwarding that would deliver nothing, and records a
// gap naming the Deny; the check over the snapshot agrees that the spoke's
// root activity reaches nobody.
func TestForwardingDeniedByBusPolicy(t *testing.T) {
	const (
		hub   = "333333333333"
		spoke = "777777777777"
		bus   = "arn:aws:events:us-east-1:" + hub + ":event-bus/default"
		grant = "put-permission/" + hub + "/" + spoke
	)
	s := planSnapshot(t)
	s.Account(hub).Detective.EventBuses.Value[0].Policy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"allow","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + spoke + `:root"},"Action":"events:PutEvents","Resource":"` + bus + `"},` +
		`{"Sid":"no-sandbox","Effect":"Deny","Principal":{"AWS":"` + spoke + `"},"Action":"events:PutEvents","Resource":"*"}]}`

	for _, cr := range demoPlan(t).Review(s).Changes {
		if cr.Change.ID == grant && cr.State == guardrail.StateDone {
			t.Errorf("%s is done against a bus policy that denies %s", grant, spoke)
		}
	}

	p, err := guardrail.NewPlan(planConfig(t), s, guardrail.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Changes {
		if c.AccountID == spoke && c.Kind == guardrail.KindForwardRootActivity || c.ID == grant {
			t.Errorf("the plan has %s although the central bus denies %s", c.ID, spoke)
		}
	}
	gap := false
	for _, g := range p.Gaps {
		gap = gap || g.AccountID == spoke && strings.Contains(g.Detail, "denies it putting events")
	}
	if !gap {
		t.Errorf("no gap for %s naming the Deny; gaps: %+v", spoke, p.Gaps)
	}

	// The check judges the same policy the same way: with the spoke's
	// forwarding in place, its root activity still reaches nobody.
	a := s.Account(spoke)
	a.Detective.EventRules.Value = append(a.Detective.EventRules.Value, inventory.EventRule{
		Name: "forward", Region: "us-east-1", EventBusName: "default", State: "ENABLED",
		EventPattern: guardrail.RootActivityPattern, Targets: []string{bus}})
	for _, f := range checks.Default().Assess(s, checks.DefaultConfig(s.CollectedAt)) {
		if f.CheckID == "root-activity-alerting" && f.AccountID == spoke {
			if f.Status == checks.Pass || !strings.Contains(f.Detail, "denies "+spoke) {
				t.Errorf("root-activity-alerting of %s is %s (%s), want a failure naming the Deny", spoke, f.Status, f.Detail)
			}
			return
		}
	}
	t.Fatalf("no root-activity-alerting finding for %s", spoke)
}
