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

// TestPlanUpgradesRuleState: rules rootguard deployed in plain ENABLED (an
// older rootguard's) still pass root-activity-alerting but name partial
// coverage. Re-planning the applied demo plan with every rootguard rule
// set back to ENABLED plans one "~" PutRule per rule to
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, keeping its pattern and
// targets, and nothing else; once projected, no rule is left to change and
// no root-activity-alerting evidence names partial coverage.
func TestPlanUpgradesRuleState(t *testing.T) {
	p := demoPlan(t)
	after, err := guardrail.Project(planSnapshot(t), p.Changes)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := range after.Accounts {
		a := &after.Accounts[i]
		for j := range a.Detective.EventRules.Value {
			r := &a.Detective.EventRules.Value[j]
			if !strings.HasPrefix(r.Name, "rootguard-") {
				continue
			}
			if r.State != guardrail.RuleState {
				t.Errorf("the plan puts rule %s of %s in state %s, want %s", r.Name, a.ID, r.State, guardrail.RuleState)
			}
			r.State = "ENABLED"
			id := "put-rule/" + a.ID + "/" + r.Name
			if r.Region != "us-east-1" {
				id = "put-rule/" + a.ID + "/" + r.Region + "/" + r.Name
			}
			want[id] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("the demo plan deploys no rule")
	}
	again, err := guardrail.NewPlan(planConfig(t), after, guardrail.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again.Changes {
		if !want[c.ID] || c.Action != "~" || c.Calls[0].Operation != "events:PutRule" || c.Calls[0].Params["State"] != guardrail.RuleState ||
			c.Calls[0].Params["EventPattern"] != guardrail.RootActivityPattern {
			t.Errorf("re-plan has %s %s (%s), want only rule state changes", c.Action, c.ID, c.Summary)
		}
		delete(want, c.ID)
	}
	for id := range want {
		t.Errorf("re-plan lacks %s", id)
	}
	for _, g := range again.Gaps {
		if strings.Contains(g.Detail, "rootguard does not overwrite it") {
			t.Errorf("re-plan gap: %s", g.Detail)
		}
	}
	for _, e := range again.Expected {
		t.Errorf("a rule state change moves %s in %s from %s to %s", e.CheckID, e.AccountID, e.From, e.To)
	}
	final, err := guardrail.Project(after, again.Changes)
	if err != nil {
		t.Fatal(err)
	}
	if third, err := guardrail.NewPlan(planConfig(t), final, guardrail.PlanOptions{}); err != nil {
		t.Fatal(err)
	} else if len(third.Changes) != 0 {
		t.Errorf("a third plan still has %d change(s), first %s", len(third.Changes), third.Changes[0].ID)
	}
	for _, f := range checks.Default().Assess(final, checks.DefaultConfig(final.CollectedAt)) {
		if f.CheckID != "root-activity-alerting" {
			continue
		}
		for _, line := range strings.Split(f.Detail, "\n") {
			if strings.Contains(line, `EventBridge rule "rootguard-`) && strings.Contains(line, "partial coverage") {
				t.Errorf("root-activity-alerting of %s names partial coverage of a rootguard rule: %s", f.AccountID, line)
			}
		}
	}
}

// TestTopicGrantPolicyNotRead: when 222222222222's topic policy was not
// read, plan does not guess it (SetTopicAttributes replaces the whole
// policy): root-activity-alerting is UNKNOWN there, and the plan records a
// gap naming the topic whose policy was not read, with no grant and no
// forwarding.
func TestTopicGrantPolicyNotRead(t *testing.T) {
	const (
		soc   = "222222222222"
		topic = "arn:aws:sns:us-east-1:222222222222:soc-root-alerts"
	)
	s := planSnapshot(t)
	ts := s.Account(soc).Detective.Topics.Value
	for i := range ts {
		if ts[i].ARN == topic {
			ts[i].Attributes = &inventory.Fact[inventory.TopicAttributes]{Source: inventory.Source{API: "sns:GetTopicAttributes",
				Error: &inventory.CallError{Code: "AccessDenied", Message: "not authorized"}}}
		}
	}
	p, err := guardrail.NewPlan(planConfig(t), s, guardrail.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	forwarded := false
	for _, c := range p.Changes {
		if c.Kind == guardrail.KindGrantTopicPublish {
			t.Errorf("plan has %s although the topic policy was not read", c.ID)
		}
		forwarded = forwarded || c.AccountID == soc && c.Kind == guardrail.KindForwardRootActivity
	}
	if forwarded {
		t.Errorf("%s is forwarded although root-activity-alerting is not known there", soc)
	}
	gap := false
	for _, g := range p.Gaps {
		gap = gap || g.AccountID == soc && strings.Contains(g.Detail, topic) && strings.Contains(g.Detail, "not read")
	}
	if !gap {
		t.Errorf("no gap names %s; gaps: %+v", topic, p.Gaps)
	}
}
