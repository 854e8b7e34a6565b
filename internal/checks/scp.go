package checks

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/policy"
)

// This file builds an account's effective service control policy levels
// (the organization root, each OU on the path down, the account) from the
// snapshot, once per organization, for the scp-* checks. Evaluation itself
// is internal/policy's: EvaluateSCPs, RootDenyCoverage and RootTaskAccess.

// stepGuardrails is the SEC01-BP02 step the SCP checks implement.
const stepGuardrails = "Preventive guardrails for member accounts"

// policyTypeSCP is the root policy type that turns SCPs on.
const policyTypeSCP = "SERVICE_CONTROL_POLICY"

// orgSCP is the organization's SCP layout, computed once per Organization.
type orgSCP struct {
	units    map[string]inventory.OrgUnit
	paths    map[string]string           // unit ID → "Workloads/Prod"
	byTarget map[string][]*policy.Policy // root, OU or account ID → attached SCPs
	byName   map[string]inventory.OrgPolicy
	// parseErrs holds, by root, OU or account ID, the errors of the
	// attached policies that could not be parsed: they make UNKNOWN only
	// the accounts whose path includes that node.
	parseErrs map[string][]error
	// disabled names the roots on which SCPs are not enabled.
	disabled []string
}

// layoutOf shares the organization's parsed SCP layout between every
// account and every SCP check of a run.
func layoutOf(in Input) *orgSCP {
	return in.cache().scp.get(func() *orgSCP { return newOrgSCP(in.Snapshot.Organization) })
}

// policyName is how a policy is named in reasons: "DenyRootUser (p-abcd1234)".
func policyName(p inventory.OrgPolicy) string {
	switch {
	case p.Name == "":
		return p.ID
	case p.ID == "" || p.Name == p.ID:
		return p.Name
	}
	return p.Name + " (" + p.ID + ")"
}

func newOrgSCP(org *inventory.Organization) *orgSCP {
	o := &orgSCP{
		units:     map[string]inventory.OrgUnit{},
		paths:     map[string]string{},
		byTarget:  map[string][]*policy.Policy{},
		byName:    map[string]inventory.OrgPolicy{},
		parseErrs: map[string][]error{},
	}
	for _, u := range org.Units.Value {
		o.units[u.ID] = u
		if u.ParentID == "" && !slices.Contains(u.PolicyTypes, policyTypeSCP) {
			o.disabled = append(o.disabled, u.ID)
		}
	}
	for _, u := range org.Units.Value {
		o.paths[u.ID] = o.unitPath(u.ID)
	}
	var cache policy.Cache
	for _, op := range org.Policies.Value {
		name := policyName(op)
		p, err := cache.Parse(name, []byte(op.Content))
		if err != nil {
			for _, t := range op.Targets {
				o.parseErrs[t] = append(o.parseErrs[t], err)
			}
			continue
		}
		o.byName[name] = op
		for _, t := range op.Targets {
			o.byTarget[t] = append(o.byTarget[t], p)
		}
	}
	return o
}

// unitPath names an OU by its path below the root, "Workloads/Prod".
func (o *orgSCP) unitPath(id string) string {
	var names []string
	for range len(o.units) + 1 {
		u, ok := o.units[id]
		if !ok || u.ParentID == "" {
			break
		}
		name := u.Name
		if name == "" {
			name = u.ID
		}
		names = append(names, name)
		id = u.ParentID
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

// levelName names a node of the organization as reasons show it.
func (o *orgSCP) levelName(id string, a *inventory.Account) string {
	switch {
	case a != nil:
		if a.Name != "" {
			return fmt.Sprintf("account %s (%s)", a.ID, a.Name)
		}
		return "account " + a.ID
	case strings.HasPrefix(id, "r-"):
		return "root " + id
	}
	return fmt.Sprintf("OU %s (%s)", o.paths[id], id)
}

// scpView is an account's effective SCPs, or why they are not known.
type scpView struct {
	o      *orgSCP
	levels []policy.Level
	// disabled: SCPs are not enabled on the organization root, so none
	// restricts any account.
	disabled bool
	root     string
	source   string
	// caller is the account's root user with its organization keys.
	caller policy.Caller
}

// levelAccount is a when id is the account's own ID, else nil.
func levelAccount(id string, a *inventory.Account) *inventory.Account {
	if id == a.ID {
		return a
	}
	return nil
}

// orgPath is aws:PrincipalOrgPaths for an account below the units in path
// (root first): "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/". Empty when the
// organization ID was not collected.
func orgPath(orgID string, path []string) string {
	if orgID == "" {
		return ""
	}
	return orgID + "/" + strings.Join(path, "/") + "/"
}

// callerIn is the view's caller making regional calls in region.
func (v scpView) callerIn(region string) policy.Caller {
	c := v.caller
	c.Region = region
	return c
}

// scpLevels returns the effective SCP levels of a member account, root
// first. The Result is UNKNOWN (or NOT_APPLICABLE for accounts SCPs never
// restrict) when ok is false.
func scpLevels(in Input) (scpView, Result, bool) {
	a := in.Account
	org := in.Snapshot.Organization
	switch a.Role {
	case inventory.RoleStandalone:
		return scpView{}, Result{Status: NotApplicable,
			Detail:   "standalone account: service control policies need AWS Organizations",
			Evidence: map[string]any{"account_role": a.Role}}, false
	case inventory.RoleManagement:
		return scpView{}, Result{Status: NotApplicable,
			Detail: "management account: service control policies never restrict the management account " +
				"(see scp-management-account-uncovered for its own controls)",
			Evidence: map[string]any{"account_role": a.Role}}, false
	}
	if org == nil {
		return scpView{}, unknown("the organization was not collected", nil), false
	}
	if !org.Units.Known() {
		return scpView{}, unknownFrom("organization structure: "+org.Units.Reason(), failedOf(org.Units), nil), false
	}
	o := layoutOf(in)
	src := sourceList(org.Units.Source.API, org.Policies.Source.API)
	if len(o.disabled) > 0 {
		return scpView{o: o, disabled: true, root: strings.Join(o.disabled, ", "), source: org.Units.Source.API}, Result{}, true
	}
	if !org.Policies.Known() {
		return scpView{}, unknownFrom("service control policies: "+org.Policies.Reason(), failedOf(org.Policies), nil), false
	}
	if a.ParentID == "" {
		return scpView{}, unknown("the account's parent in the organization was not collected", nil), false
	}
	// Walk up from the account's parent to the root.
	var path []string
	for id := a.ParentID; ; {
		u, ok := o.units[id]
		if !ok {
			return scpView{}, unknown(fmt.Sprintf("the account's parent %s is not among the organization's units", id),
				map[string]any{"source_api": org.Units.Source.API}), false
		}
		path = append(path, id)
		if u.ParentID == "" {
			break
		}
		if len(path) > len(o.units) {
			return scpView{}, unknown("the organization's units form a cycle above "+a.ParentID, nil), false
		}
		id = u.ParentID
	}
	slices.Reverse(path)
	for _, id := range append(slices.Clone(path), a.ID) {
		if errs := o.parseErrs[id]; len(errs) > 0 {
			ev := map[string]any{"source_api": org.Policies.Source.API, "level": o.levelName(id, levelAccount(id, a))}
			var pe *policy.Error
			if errors.As(errs[0], &pe) {
				ev["policy_error"] = map[string]any{"policy": pe.Policy, "code": string(pe.Code), "location": pe.Location}
			}
			return scpView{}, unknown(fmt.Sprintf("a service control policy attached to %s, on this account's path, could not be evaluated: %v",
				o.levelName(id, levelAccount(id, a)), errs[0]), ev), false
		}
	}
	v := scpView{o: o, source: src, caller: policy.Caller{AccountID: a.ID, OrgID: org.ID, OrgPath: orgPath(org.ID, path)}}
	for _, id := range path {
		v.levels = append(v.levels, policy.Level{Name: o.levelName(id, nil), Policies: o.byTarget[id]})
	}
	v.levels = append(v.levels, policy.Level{Name: o.levelName(a.ID, a), Policies: o.byTarget[a.ID]})
	// AWS keeps at least one SCP attached to every node while SCPs are
	// enabled; an empty level means the targets were not read completely,
	// and evaluating it would deny everything implicitly.
	for _, l := range v.levels {
		if len(l.Policies) == 0 {
			return scpView{}, unknown(fmt.Sprintf("no service control policy is attached to %s in the snapshot, "+
				"which AWS does not allow while SCPs are enabled: the policy targets were not read completely", l.Name),
				map[string]any{"source_api": org.Policies.Source.API}), false
		}
	}
	return v, Result{}, true
}

// levelsEvidence lists the levels with their policies, root first.
func levelsEvidence(levels []policy.Level) []map[string]any {
	out := make([]map[string]any, 0, len(levels))
	for _, l := range levels {
		names := make([]string, 0, len(l.Policies))
		for _, p := range l.Policies {
			names = append(names, p.Name)
		}
		out = append(out, map[string]any{"level": l.Name, "policies": names})
	}
	return out
}

// statementEvidence is the structured form of one deciding statement.
func (o *orgSCP) statementEvidence(level string, r policy.StatementRef) map[string]any {
	m := map[string]any{"level": level, "policy": r.Policy, "statement_index": r.Statement}
	if op, ok := o.byName[r.Policy]; ok {
		m["policy_id"] = op.ID
		m["policy_name"] = op.Name
	}
	if r.Sid != "" {
		m["sid"] = r.Sid
	}
	return m
}

// deciders gathers the distinct reasons that denied the probed actions, in
// order of first appearance.
func deciders(results []policy.ActionResult) []policy.Reason {
	var out []policy.Reason
	for _, ar := range results {
		if ar.Decision == policy.Allowed {
			continue
		}
		for _, r := range ar.Reasons {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// reasonEvidence turns deciding reasons into evidence.
func (o *orgSCP) reasonEvidence(rs []policy.Reason) []map[string]any {
	out := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		if r.Statement == (policy.StatementRef{}) {
			out = append(out, map[string]any{"level": r.Level, "explanation": r.String()})
			continue
		}
		out = append(out, o.statementEvidence(r.Level, r.Statement))
	}
	return out
}

// holeLines explains each allowed action, grouping actions let through
// for the same reasons: "iam:CreateAccessKey, iam:CreateUser: exempted by
// NotAction "iam:*" (statement … attached to root r-…)".
func holeLines(results []policy.ActionResult) ([]string, []map[string]any) {
	var keys []string
	groups := map[string][]string{}
	var ev []map[string]any
	for _, ar := range results {
		if ar.Decision != policy.Allowed {
			continue
		}
		var why []string
		var misses []map[string]any
		for _, m := range ar.Why {
			why = append(why, missText(ar.Action, m))
			mm := map[string]any{"detail": m.Detail}
			if m.Statement != nil {
				mm["level"] = m.Level
				mm["policy"] = m.Statement.Policy
				mm["statement_index"] = m.Statement.Statement
				if m.Statement.Sid != "" {
					mm["sid"] = m.Statement.Sid
				}
				mm["code"] = string(m.Code)
			}
			misses = append(misses, mm)
		}
		k := strings.Join(why, "; ")
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], ar.Action)
		ev = append(ev, map[string]any{"action": ar.Action, "resource": ar.Resource, "why": misses})
	}
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		pronoun := plural(len(groups[k]), "it", "them")
		lines = append(lines, strings.Join(groups[k], ", ")+": "+strings.ReplaceAll(k, actionPlaceholder, pronoun))
	}
	return lines, ev
}

// actionPlaceholder stands for the action in a grouped reason.
const actionPlaceholder = "\x00"

// missText says why one Deny statement let action through, without
// repeating the action, so that actions with the same reason group.
func missText(action string, m policy.Miss) string {
	d := strings.TrimPrefix(m.Detail, "action "+action+" is ")
	if m.Statement == nil {
		return strings.ReplaceAll(d, action, actionPlaceholder)
	}
	return fmt.Sprintf("%s (%s attached to %s)", d, m.Statement.String(), m.Level)
}

// bullets renders lines as an indented list below a sentence.
func bullets(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return "\n  - " + strings.Join(lines, "\n  - ")
}

// listOrOne appends one item after a colon, or several as bullets.
func listOrOne(items []string) string {
	if len(items) == 1 {
		return ": " + items[0]
	}
	return ":" + bullets(items)
}

// disabledResult is the FAIL for an organization without SCPs enabled.
func disabledResult(v scpView, what string) Result {
	return Result{Status: Fail,
		Detail: fmt.Sprintf("service control policies are not enabled on the organization root %s, so nothing %s; "+
			"enable the SERVICE_CONTROL_POLICY policy type first", v.root, what),
		Evidence: map[string]any{"source_api": v.source, "scp_enabled": false, "root_id": v.root}}
}
