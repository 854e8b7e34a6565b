package delivery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/policy"
)

// Grant is what an event bus policy says about one sender account putting
// events on the bus. Exactly one of Allowed, Why and Unknown is set.
type Grant struct {
	Allowed bool
	// Denied is set when a Deny statement covering the account decides
	// (Why says which): adding an Allow cannot change the verdict.
	Denied bool
	// Statement names the deciding statement in text (quoted Sid, or
	// #index); Sid is its Sid or index for evidence.
	Statement, Sid string
	// By is "account" (a statement naming the account) or
	// "organization o-…" (an aws:PrincipalOrgID condition, Org true).
	By  string
	Org bool
	// Role is the sender's target role an organization grant needs, when
	// RoleKnown; the caller fills both in from the sender's rule.
	Role      string
	RoleKnown bool
	Why       string // why it is not allowed
	Unknown   string // why it cannot be told
	Account   string
}

// Evidence is the grant as finding evidence, with a one-line summary.
func (g Grant) Evidence() map[string]any {
	m := map[string]any{"account_id": g.Account, "allowed": g.Allowed}
	if g.Sid != "" {
		m["statement"] = g.Sid
	}
	if g.By != "" {
		m["by"] = g.By
	}
	if g.Org {
		m["needs_target_role"] = true
		if g.RoleKnown {
			m["target_role"] = g.Role
		}
	}
	switch {
	case g.Allowed && g.Org && g.Role != "":
		m["summary"] = fmt.Sprintf("statement %s lets %s put events, by %s, through the target's role %s", g.Statement, g.Account, g.By, g.Role)
	case g.Allowed:
		m["summary"] = fmt.Sprintf("statement %s lets %s put events, by %s", g.Statement, g.Account, g.By)
	case g.Unknown != "":
		m["summary"] = g.Unknown
	default:
		m["summary"] = g.Why
	}
	return m
}

// conditionKeys are the condition keys Judge can answer for a sender
// account; a statement that depends on another key is not decided.
var conditionKeys = []string{"aws:principalaccount", "aws:principalorgid"}

// BusPolicy is a parsed event bus policy (or the reason it could not be
// parsed). The zero value is a bus without a policy.
type BusPolicy struct {
	p   *policy.Policy
	err error
}

// ParseBusPolicy parses an event bus policy document; blank means none.
// An unreadable document is not an error here: Judge says it is not known.
func ParseBusPolicy(doc string) BusPolicy {
	if strings.TrimSpace(doc) == "" {
		return BusPolicy{}
	}
	p, err := policy.Parse("event bus policy", []byte(doc))
	return BusPolicy{p: p, err: err}
}

// JudgeBusPolicy is ParseBusPolicy(doc).Judge(busARN, account, orgID).
func JudgeBusPolicy(doc, busARN, account, orgID string) Grant {
	return ParseBusPolicy(doc).Judge(busARN, account, orgID)
}

// Judge decides whether account (in organization orgID, "" when none) may
// put events on the bus busARN: an Allow statement whose principal covers
// the account (its ID, its root ARN or "*") and whose conditions hold on
// aws:PrincipalAccount and aws:PrincipalOrgID, and no Deny that covers it.
func (b BusPolicy) Judge(busARN, account, orgID string) Grant {
	g := Grant{Account: account}
	p := b.p
	switch {
	case b.err != nil:
		g.Unknown = "could not be read: " + b.err.Error()
		return g
	case p == nil:
		g.Why = "has no policy, so only its owner may put events on it, not " + account
		return g
	}
	ctx := map[string][]string{"aws:PrincipalAccount": {account}}
	if orgID != "" {
		ctx["aws:PrincipalOrgID"] = []string{orgID}
	}
	req := policy.Request{Action: "events:PutEvents", Resource: busARN, Context: ctx}
	dec := policy.Evaluate(p, req)
	for _, ref := range dec.MatchedDeny {
		if st := &p.Statements[ref.Statement]; principalCovers(st, account) {
			g.Denied, g.Statement, g.Sid = true, stmtName(st), stmtID(st)
			g.Why = fmt.Sprintf("denies %s putting events (statement %s)", account, g.Statement)
			return g
		}
	}
	// A statement by account wins over one by organization: only the
	// latter needs a role on the sender's target.
	var byOrg *policy.Statement
	for _, ref := range dec.MatchedAllow {
		st := &p.Statements[ref.Statement]
		if !principalCovers(st, account) {
			continue
		}
		if slices.ContainsFunc(st.Conditions, func(c policy.Condition) bool { return strings.EqualFold(c.Key, "aws:PrincipalOrgID") }) {
			if byOrg == nil {
				byOrg = st
			}
			continue
		}
		g.Allowed, g.Statement, g.Sid, g.By = true, stmtName(st), stmtID(st), "account"
		return g
	}
	if byOrg != nil {
		g.Allowed, g.Statement, g.Sid, g.By, g.Org = true, stmtName(byOrg), stmtID(byOrg), "organization "+orgID, true
		return g
	}
	// A statement could still allow under a condition on a key the
	// snapshot cannot answer (aws:SourceArn, say): not decided.
	for i := range p.Statements {
		st := p.Statements[i]
		if st.Effect != policy.Allow || !principalCovers(&st, account) {
			continue
		}
		var other []string // the other keys, named once each
		dropped := 0
		st.Conditions = slices.DeleteFunc(slices.Clone(st.Conditions), func(c policy.Condition) bool {
			if slices.Contains(conditionKeys, strings.ToLower(c.Key)) {
				return false
			}
			if dropped++; c.Key != "" && !slices.Contains(other, c.Key) {
				other = append(other, c.Key)
			}
			return true
		})
		if dropped == 0 {
			continue
		}
		one := &policy.Policy{Name: p.Name, Statements: []policy.Statement{st}}
		if policy.Evaluate(one, req).Allowed {
			g.Statement, g.Sid = stmtName(&st), stmtID(&st)
			g.Unknown = fmt.Sprintf("lets %s put events only under a condition on %s (statement %s), which the snapshot cannot evaluate",
				account, strings.Join(other, ", "), g.Statement)
			return g
		}
	}
	who := account
	if orgID != "" {
		who += " (organization " + orgID + ")"
	}
	g.Why = "does not let " + who + " put events: no statement of its policy grants it events:PutEvents"
	return g
}

// principalCovers reports whether a statement's Principal (or
// NotPrincipal) takes in the account.
func principalCovers(st *policy.Statement, account string) bool {
	names := func(pr *policy.Principal) bool {
		if pr.Any {
			return true
		}
		return slices.ContainsFunc(pr.Values["AWS"], func(v string) bool {
			if v == "*" || v == account {
				return true
			}
			p, ok := ParseARN(v)
			return ok && p.Service == "iam" && p.Account == account && p.Resource == "root"
		})
	}
	return st.TakesIn(names)
}

func stmtID(st *policy.Statement) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprintf("#%d", st.Index)
}

func stmtName(st *policy.Statement) string {
	if st.Sid != "" {
		return fmt.Sprintf("%q", st.Sid)
	}
	return fmt.Sprintf("#%d", st.Index)
}

// LetsSubscribe reports whether a topic policy lets account subscribe
// endpoint by protocol to topicARN: an Allow statement whose principal
// covers the account (its ID, its root ARN or "*") and whose conditions
// hold on sns:Protocol and sns:Endpoint, and no Deny that covers it. A
// policy that does not parse lets no one.
func LetsSubscribe(doc, topicARN, account, protocol, endpoint string) bool {
	p, err := policy.Parse(topicARN, []byte(doc))
	if err != nil {
		return false
	}
	dec := policy.Evaluate(p, policy.Request{Action: "sns:Subscribe", Resource: topicARN,
		Context: map[string][]string{"sns:Protocol": {protocol}, "sns:Endpoint": {endpoint}, "aws:PrincipalAccount": {account}}})
	covers := func(ref policy.StatementRef) bool { return principalCovers(&p.Statements[ref.Statement], account) }
	return !slices.ContainsFunc(dec.MatchedDeny, covers) && slices.ContainsFunc(dec.MatchedAllow, covers)
}
