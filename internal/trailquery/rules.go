package trailquery

import (
	"fmt"

	"github.com/rootguard/rootguard/internal/detect"
)

const srcSTS = "sts.amazonaws.com"

var (
	root = eq{IdentityType, "Root"}
	// assumeRootCall is every sts:AssumeRoot call: assume-root-called fires on it and the
	// assume-root-session join reads it.
	assumeRootCall = and{eq{EventSource, srcSTS}, eq{EventName, "AssumeRoot"}}
)

// clausePred renders one clause of a rule's detect.Rule.Scope. Without an assumedRoot column,
// "assumedRoot is true" becomes userIdentity.type Root: AssumeRoot sessions are logged as Root,
// and Rebuild recognises them from the AssumeRoot call that issued their key.
func clausePred(c detect.Clause, withAssumedRoot bool) Pred {
	var terms and
	if c.EventSource != "" {
		terms = append(terms, eq{EventSource, c.EventSource})
	}
	switch len(c.EventNames) {
	case 0:
	case 1:
		terms = append(terms, eq{EventName, c.EventNames[0]})
	default:
		terms = append(terms, isIn(EventName, c.EventNames...))
	}
	if c.IdentityType != "" {
		terms = append(terms, eq{IdentityType, c.IdentityType})
	}
	if c.IssuerType != "" {
		terms = append(terms, eq{IssuerType, c.IssuerType})
	}
	if c.AssumedRoot {
		if withAssumedRoot {
			terms = append(terms, lowerEq{AssumedRoot, "true"})
		} else if c.IdentityType == "" {
			terms = append(terms, root)
		}
	}
	switch len(terms) {
	case 0:
		return always{}
	case 1:
		return terms[0]
	}
	return terms
}

// RulePredicate returns the pushed-down predicate of one rule: every record on which the rule
// can fire, or that its aggregate or join reads, satisfies it. withAssumedRoot says whether the
// table has userIdentity.sessionContext.assumedRoot. It returns an error for an unknown rule ID.
func RulePredicate(id string, withAssumedRoot bool) (Pred, error) {
	p := rulePredicate(id, withAssumedRoot)
	if p == nil {
		return nil, fmt.Errorf("rule %q: no such rule", id)
	}
	if !withAssumedRoot {
		// Sessions are recognised from the AssumeRoot call that issued their key (see Rebuild),
		// so every rule that reads Root records needs the calls too.
		p = anyOf(p, assumeRootCall)
	}
	return p, nil
}

// rulePredicate is the OR of the rule's scope clauses (nil for an unknown rule). The event
// sources and names come from detect's registry, which also enforces them before each rule
// runs, so the two cannot drift apart.
func rulePredicate(id string, withAssumedRoot bool) Pred {
	r := detect.RuleByID(id)
	if r == nil || len(r.Scope) == 0 {
		return nil
	}
	ps := make([]Pred, len(r.Scope))
	for i, c := range r.Scope {
		ps[i] = clausePred(c, withAssumedRoot)
	}
	return anyOf(ps...)
}

// AllRules returns the predicate of the whole rule set: the OR of every rule's, simplified.
func AllRules(withAssumedRoot bool) Pred {
	var ps []Pred
	for _, r := range detect.Rules() {
		p := rulePredicate(r.ID, withAssumedRoot)
		if p == nil {
			// A rule without a predicate must not be left out of the query: select everything.
			// The tests keep the table complete.
			return always{}
		}
		ps = append(ps, p)
	}
	if !withAssumedRoot {
		ps = append(ps, assumeRootCall)
	}
	return anyOf(ps...)
}
