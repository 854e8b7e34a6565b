package checks

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/policy"
)

// AssumeRootRestricted fails when a principal of the management account or
// of a delegated administrator may call sts:AssumeRoot without being held
// to the root task policies.
var AssumeRootRestricted = &Check{
	ID:       "assume-root-restricted",
	Title:    "Only principals held to the root task policies may call sts:AssumeRoot",
	Severity: High,
	Doc: `Checks who in the management account, or in a delegated administrator of
centralized root access, may call sts:AssumeRoot, and that each such grant
is limited by an sts:TaskPolicyArn condition.

sts:AssumeRoot opens a root session in any member account. The two-person
rule of break-glass (a request approved by someone else, then performed by
a dedicated executor role) binds only if nobody else can call it: an
AdministratorAccess role can open a root session in every member on its
own. rootguard evaluates every user's (with its groups'), and every role's
identity policies, inline and managed, with its policy engine: a principal
may call sts:AssumeRoot when an Allow matches the call on a member's root
user and no Deny does. The call is evaluated twice: without an
sts:TaskPolicyArn (a grant that still matches is not limited to the root
task policies: a broad grant such as Action "*" or "sts:*", or one without
the condition) and with each root task policy (a grant limited to them).
Permissions boundaries, SCPs (which never restrict the management account)
and session policies are not evaluated. For each role that may call it,
the evidence names who its trust policy lets assume it.

Facts: organizations:ListDelegatedAdministrators (iam.amazonaws.com) and
iam:GetAccountAuthorizationDetails in the management account and each
delegated administrator.

PASS: no principal may call sts:AssumeRoot, or each one that may is limited
to the root task policies (evidence: the principals, ten at most, with
who may assume each role, and their count).
FAIL: some principal may call it without an sts:TaskPolicyArn limit
(evidence: those principals and the statements that grant it).
UNKNOWN: the principals could not be read, a policy could not be parsed,
or whether the account is a delegated administrator is not known; a FAIL
stands regardless.
NOT_APPLICABLE: an account outside an organization, a member that is not a
delegated administrator of centralized root access, or an account that is
suspended or closing.`,
	Remediation: `Remove sts:AssumeRoot from every principal but the break-glass executor role
(rootguard breakglass run assumes it), for example with an explicit Deny on
sts:AssumeRoot in the other roles' policies, and hold the executor to the
root task policies:
  {"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*",
   "Condition": {"StringEquals": {"sts:TaskPolicyArn": [
     "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
     "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"]}}}
Let only the people of the two-person rule assume the executor role (its
trust policy), and keep delegated administration of centralized root
access to one security account.`,
	References: References{SEC01BP02: stepBreakGlass},
	Run:        activeOnly(runAssumeRootRestricted),
}

// RootCaller is a principal that may call sts:AssumeRoot.
type RootCaller struct {
	ARN string `json:"arn"`
	// Limited is true when the call is allowed only with a root task
	// policy (sts:TaskPolicyArn), refused without one.
	Limited bool `json:"limited"`
	// Grants are the statements that allow the call.
	Grants []string `json:"grants"`
	// AssumableBy are the principals a role's trust policy lets assume it
	// ("*" for anyone).
	AssumableBy []string `json:"assumable_by,omitempty"`
}

// RootCallers is who in one account may call sts:AssumeRoot.
type RootCallers struct {
	Callers []RootCaller
	// Unreadable are the principals whose policies could not be
	// evaluated, with the reason.
	Unreadable []string
}

// Unlimited returns the callers not held to the root task policies.
func (rc RootCallers) Unlimited() []RootCaller {
	var out []RootCaller
	for _, c := range rc.Callers {
		if !c.Limited {
			out = append(out, c)
		}
	}
	return out
}

// AssumeRootCallers evaluates the identity policies of a's principals
// (a.IAM.Principals) for sts:AssumeRoot on the root user of each of
// members (the accounts a root session could target), with orgID as
// aws:PrincipalOrgID. It fails when the principals were not read.
func AssumeRootCallers(a *inventory.Account, orgID string, members []string) (RootCallers, error) {
	f := a.IAM.Principals
	if !f.Known() {
		if !f.Collected() {
			return RootCallers{}, errors.New("its IAM principals were not collected (a snapshot from an older rootguard)")
		}
		return RootCallers{}, errors.New(f.Reason())
	}
	if len(members) == 0 {
		members = []string{"000000000000"}
	}
	groups := map[string]inventory.Principal{}
	for _, p := range f.Value {
		if p.Kind == inventory.PrincipalGroup {
			groups[p.Name()] = p
		}
	}
	var out RootCallers
principals:
	for _, p := range f.Value {
		if p.Kind == inventory.PrincipalGroup {
			continue
		}
		docs := slices.Clone(p.Policies)
		for _, g := range p.Groups {
			gp, ok := groups[g]
			if !ok {
				out.Unreadable = append(out.Unreadable, fmt.Sprintf("%s: its group %s was not listed", p.ARN, g))
				continue principals
			}
			docs = append(docs, gp.Policies...)
		}
		ps, err := parsePolicies(docs)
		if err != nil {
			out.Unreadable = append(out.Unreadable, p.ARN+": "+err.Error())
			continue
		}
		c, ok := assumeRootGrant(ps, p.ARN, a.ID, orgID, members)
		if !ok {
			continue
		}
		if p.Kind == inventory.PrincipalRole {
			c.AssumableBy, err = trustedPrincipals(p)
			if err != nil {
				out.Unreadable = append(out.Unreadable, p.ARN+": trust policy: "+err.Error())
			}
		}
		out.Callers = append(out.Callers, c)
	}
	return out, nil
}

func parsePolicies(docs []inventory.NamedPolicy) ([]*policy.Policy, error) {
	ps := make([]*policy.Policy, 0, len(docs))
	for _, d := range docs {
		if strings.TrimSpace(d.Document) == "" {
			return nil, fmt.Errorf("policy %s: no document read", d.Name)
		}
		p, err := policy.Parse(d.Name, []byte(d.Document))
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// assumeRootGrant decides whether the principal arn may call
// sts:AssumeRoot on some member's root user, and whether only with a root
// task policy.
func assumeRootGrant(ps []*policy.Policy, arn, account, orgID string, members []string) (RootCaller, bool) {
	caller := policy.Caller{AccountID: account, OrgID: orgID}
	try := func(task string) []string {
		for _, m := range members {
			req := caller.PrincipalRequest(arn, "", "sts:AssumeRoot")
			req.Resource = policy.RootARN(m)
			if task != "" {
				req.Context["sts:TaskPolicyArn"] = []string{task}
			}
			if grants := allowedBy(ps, req); grants != nil {
				return grants
			}
		}
		return nil
	}
	if grants := try(""); grants != nil {
		return RootCaller{ARN: arn, Grants: grants}, true
	}
	for _, tp := range policy.TaskPolicies() {
		if grants := try("arn:aws:iam::aws:policy/root-task/" + tp.Name); grants != nil {
			return RootCaller{ARN: arn, Limited: true, Grants: grants}, true
		}
	}
	return RootCaller{}, false
}

// allowedBy returns the Allow statements that let req through ps, or nil
// when none does or a Deny matches.
func allowedBy(ps []*policy.Policy, req policy.Request) []string {
	var grants []string
	for _, p := range ps {
		d := policy.Evaluate(p, req)
		if d.Denied {
			return nil
		}
		for _, r := range d.MatchedAllow {
			grants = append(grants, r.String())
		}
	}
	return grants
}

// trustedPrincipals lists who a role's trust policy lets call
// sts:AssumeRole.
func trustedPrincipals(p inventory.Principal) ([]string, error) {
	if p.Trust == "" {
		return nil, errors.New("not read")
	}
	tp, err := policy.Parse(p.ARN+" trust", []byte(p.Trust))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, s := range tp.Statements {
		if s.Effect != policy.Allow || s.Principal == nil || s.NotAction || !slices.ContainsFunc(s.Actions, assumeRoleAction) {
			continue
		}
		if s.Principal.Any {
			seen["*"] = true
		}
		for _, v := range s.Principal.Values["AWS"] {
			seen[v] = true
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

func assumeRoleAction(pattern string) bool {
	return pattern == "*" || pattern == "sts:*" || pattern == "sts:assumerole"
}

func runAssumeRootRestricted(in Input) Result {
	a, s := in.Account, in.Snapshot
	org := s.Organization
	if org == nil {
		return Result{Status: NotApplicable, Detail: "account outside an organization: sts:AssumeRoot targets member accounts only"}
	}
	if a.Role != inventory.RoleManagement {
		da := org.DelegatedAdministrators
		switch {
		case !da.Known():
			reason := da.Reason()
			if !da.Collected() {
				reason = "the delegated administrators were not collected (collect --org, or a snapshot from an older rootguard)"
			}
			return unknownFrom("whether this account is a delegated administrator of centralized root access is not known: "+reason, failedOf(da), nil)
		case !slices.Contains(da.Value, a.ID):
			return Result{Status: NotApplicable, Detail: "neither the management account nor a delegated administrator of centralized root access: its principals cannot call sts:AssumeRoot",
				Evidence: map[string]any{"source_api": da.Source.API}}
		}
	}
	var members []string
	for _, m := range s.Accounts {
		if m.Role == inventory.RoleMember {
			members = append(members, m.ID)
		}
	}
	rc, err := AssumeRootCallers(a, org.ID, members)
	if err != nil {
		return unknownFrom("could not read who may call sts:AssumeRoot: "+err.Error(), failedOf(a.IAM.Principals), nil)
	}
	ev := map[string]any{"source_api": a.IAM.Principals.Source.API, "callers": len(rc.Callers),
		"principals": callerEvidence(rc.Callers)}
	if bad := rc.Unlimited(); len(bad) > 0 {
		ev["unlimited"] = callerEvidence(bad)
		return Result{Status: Fail, Detail: fmt.Sprintf("%s may call sts:AssumeRoot without an sts:TaskPolicyArn limit: %s",
			plural(len(bad), "one principal", fmt.Sprintf("%d principals", len(bad))), callerList(bad)), Evidence: ev}
	}
	if len(rc.Unreadable) > 0 {
		ev["not_known"] = rc.Unreadable
		return unknownFrom("no principal read may call sts:AssumeRoot without a root task policy, but some could not be evaluated: "+
			strings.Join(rc.Unreadable, "; "), nil, ev)
	}
	if len(rc.Callers) == 0 {
		return Result{Status: Pass, Detail: "no principal may call sts:AssumeRoot", Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("only principals limited to the root task policies may call sts:AssumeRoot: %s",
		callerList(rc.Callers)), Evidence: ev}
}

// callerEvidence lists at most listedMax callers.
func callerEvidence(cs []RootCaller) []RootCaller {
	return cs[:min(len(cs), listedMax)]
}

// callerList names the callers, ten at most, with who may assume each
// role.
func callerList(cs []RootCaller) string {
	var parts []string
	for _, c := range callerEvidence(cs) {
		p := c.ARN + " (" + strings.Join(c.Grants, "; ") + ")"
		if len(c.AssumableBy) > 0 {
			p += ", assumable by " + strings.Join(c.AssumableBy, ", ")
		}
		parts = append(parts, p)
	}
	s := strings.Join(parts, "; ")
	if len(cs) > listedMax {
		s += fmt.Sprintf(" and %d more", len(cs)-listedMax)
	}
	return s
}
