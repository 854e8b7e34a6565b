package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// EventBridge (awsJson1_1): ListRules and ListTargetsByRule (with each
// target's RoleArn) over the account's rules in the call's region, DescribeEventBus with the bus's
// resource policy.

func eventsService() *service {
	return &service{
		name:   "events",
		proto:  protoJSON,
		target: "AWSEvents",
		ops: map[string]*operation{
			"ListRules":         {handle: eventsListRules},
			"ListTargetsByRule": {handle: eventsListTargetsByRule},
			"DescribeEventBus":  {handle: eventsDescribeEventBus},

			// Writes (events_write.go).
			"PutRule":       {write: true, handle: eventsPutRule},
			"PutTargets":    {write: true, handle: eventsPutTargets},
			"PutPermission": {write: true, handle: eventsPutPermission},
		},
	}
}

func busOf(e EventRule) string {
	if e.Bus == "" {
		return "default"
	}
	return e.Bus
}

// busName reads an EventBusName that may be an ARN; empty is "default".
func busName(s string) string {
	if s == "" {
		return "default"
	}
	if strings.HasPrefix(s, "arn:") {
		if _, name, ok := strings.Cut(s, ":event-bus/"); ok {
			return name
		}
	}
	return s
}

// rules returns the account's rules on bus in region, and whether the bus
// exists there (default always does).
func (w *world) rules(a *account, region, bus string) ([]*EventRule, bool) {
	var out []*EventRule
	exists := bus == "default" || w.bus(a, region, bus) != nil
	for i := range a.EventRules {
		e := &a.EventRules[i]
		if w.regionOr(e.Region) != region || busOf(*e) != bus {
			continue
		}
		exists = true
		out = append(out, e)
	}
	return out, exists
}

// rule returns the account's rule named name on bus in region, nil if
// there is none, or ResourceNotFoundException if the bus does not exist.
func (w *world) rule(a *account, region, bus, name string) (*EventRule, error) {
	rules, ok := w.rules(a, region, bus)
	if !ok {
		return nil, busNotFound(bus)
	}
	var rule *EventRule
	for _, e := range rules {
		if e.Name == name {
			rule = e
		}
	}
	return rule, nil
}

// existingRule is rule, where a missing rule is ResourceNotFoundException.
func (w *world) existingRule(a *account, region, bus, name string) (*EventRule, error) {
	rule, err := w.rule(a, region, bus, name)
	if err == nil && rule == nil {
		err = errf("ResourceNotFoundException", http.StatusBadRequest, "Rule %s does not exist on EventBus %s.", name, bus)
	}
	return rule, err
}

func ruleARN(region, acct string, e EventRule) string {
	p := "rule/"
	if b := busOf(e); b != "default" {
		p += b + "/"
	}
	return "arn:aws:events:" + region + ":" + acct + ":" + p + e.Name
}

type eventRule struct {
	Name         string `json:"Name"`
	Arn          string `json:"Arn"`
	EventPattern string `json:"EventPattern,omitempty"`
	State        string `json:"State"`
	Description  string `json:"Description,omitempty"`
	EventBusName string `json:"EventBusName"`
}

func busNotFound(bus string) error {
	return errf("ResourceNotFoundException", http.StatusBadRequest, "Event bus %s does not exist.", bus)
}

func eventsListRules(r *request) (any, error) {
	var in struct {
		NamePrefix   string `json:"NamePrefix,omitempty"`
		EventBusName string `json:"EventBusName,omitempty"`
		NextToken    string `json:"NextToken,omitempty"`
		Limit        int    `json:"Limit,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w, a := r.srv.w, r.account()
	bus := busName(in.EventBusName)
	rules, ok := w.rules(a, r.region, bus)
	if !ok {
		return nil, busNotFound(bus)
	}
	var all []eventRule
	for _, e := range rules {
		if !strings.HasPrefix(e.Name, in.NamePrefix) {
			continue
		}
		st := e.State
		if st == "" {
			st = "ENABLED"
		}
		all = append(all, eventRule{Name: e.Name, Arn: ruleARN(r.region, a.ID, *e), EventPattern: string(e.Pattern),
			State: st, Description: e.Description, EventBusName: bus})
	}
	out, next, err := pageOr(all, in.NextToken, in.Limit, 100, "ValidationException")
	if err != nil {
		return nil, err
	}
	return map[string]any{"Rules": out, "NextToken": optional(next)}, nil
}

type ruleTarget struct {
	ID      string `json:"Id"`
	Arn     string `json:"Arn"`
	RoleArn string `json:"RoleArn,omitempty"`
}

// targetID is a target's ID, by default Target1, Target2… by position.
func targetID(t RuleTarget, i int) string {
	if t.ID != "" {
		return t.ID
	}
	return "Target" + strconv.Itoa(i+1)
}

func eventsListTargetsByRule(r *request) (any, error) {
	var in struct {
		Rule         string `json:"Rule"`
		EventBusName string `json:"EventBusName,omitempty"`
		NextToken    string `json:"NextToken,omitempty"`
		Limit        int    `json:"Limit,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	a := r.account()
	bus := busName(in.EventBusName)
	rule, err := r.srv.w.existingRule(a, r.region, bus, in.Rule)
	if err != nil {
		return nil, err
	}
	var all []ruleTarget
	for i, t := range rule.Targets {
		all = append(all, ruleTarget{ID: targetID(t, i), Arn: topicARN(r.region, a.ID, t.ARN), RoleArn: t.RoleARN})
	}
	out, next, err := pageOr(all, in.NextToken, in.Limit, 100, "ValidationException")
	if err != nil {
		return nil, err
	}
	return map[string]any{"Targets": out, "NextToken": optional(next)}, nil
}

// bus returns the account's listed event bus named name in region, or nil
// (the default bus is always there, listed only once it has a policy).
func (w *world) bus(a *account, region, name string) *EventBus {
	for i := range a.EventBuses {
		b := &a.EventBuses[i]
		if w.regionOr(b.Region) == region && busName(b.Name) == name {
			return b
		}
	}
	return nil
}

func busARN(region, acct, name string) string {
	return "arn:aws:events:" + region + ":" + acct + ":event-bus/" + name
}

func eventsDescribeEventBus(r *request) (any, error) {
	var in struct {
		Name string `json:"Name,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w, a := r.srv.w, r.account()
	name := busName(in.Name)
	if p := strings.SplitN(in.Name, ":", 6); len(p) == 6 && p[0] == "arn" && p[4] != a.ID {
		return nil, busNotFound(name)
	}
	if _, ok := w.rules(a, r.region, name); !ok {
		return nil, busNotFound(name)
	}
	out := map[string]any{"Name": name, "Arn": busARN(r.region, a.ID, name)}
	if b := w.bus(a, r.region, name); b != nil && b.Policy != "" {
		out["Policy"] = string(b.Policy)
	}
	return out, nil
}
