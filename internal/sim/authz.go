package sim

import (
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/policy"
)

// Authorisation with rootguard's policy engine, as AWS decides a request:
// an explicit Deny anywhere wins; a member account's principal (a role
// session or an sts:AssumeRoot session) needs an Allow at every level of
// its account's service control policies; a principal given an identity
// policy (Options.CallerPolicy, Options.RolePolicy) needs an Allow in it.
// The management account is never restricted by SCPs.

// Action is the IAM action of an operation the endpoint serves:
// "service:Operation" with the IAM service prefix (CloudWatch is signed as
// "monitoring" and authorised as "cloudwatch").
func Action(service, operation string) string {
	if service == "monitoring" {
		service = "cloudwatch"
	}
	return service + ":" + operation
}

// freeActions need no permission: AWS answers them whatever the policies
// say.
var freeActions = set("sts:GetCallerIdentity")

// policyRequest is the request context AWS builds for the call: the
// principal's ARN (the role, not the session, for a role session), its
// account, organization ID and path, the Region, and aws:AssumedRoot in a
// centralized root session. The resource is the role for sts:AssumeRole,
// the target's root user for sts:AssumeRoot and for IAM calls of a root
// session (they act on it), and "*" otherwise, as for the listing and
// describing calls rootguard makes.
func (s *Server) policyRequest(r *request, action string, orgPath string) policy.Request {
	c := policy.Caller{AccountID: r.sess.account, Region: r.region, OrgPath: orgPath}
	if w := s.w; w.org != nil {
		c.OrgID = w.org.ID
	}
	if r.sess.kind == sessRoot {
		return c.AssumedRootRequest(action)
	}
	req := c.PrincipalRequest(principalARN(r.sess.arn), r.sess.userID, action)
	switch action {
	case "sts:AssumeRole":
		req.Resource = r.param("RoleArn")
	case "sts:AssumeRoot":
		req.Resource = policy.RootARN(r.target)
	}
	return req
}

// principalARN is what aws:PrincipalArn holds for a session ARN: the role
// ARN for an assumed-role session, the ARN itself otherwise.
func principalARN(arn string) string {
	acct := arnAccount(arn)
	res := arn[strings.LastIndex(arn, ":")+1:]
	if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
		if i := strings.LastIndex(rest, "/"); i > 0 {
			return "arn:aws:iam::" + acct + ":role/" + rest[:i]
		}
	}
	return arn
}

// enforce decides a call with the policy engine: SCPs for member
// principals, then the principal's identity policy when one is given.
func (s *Server) enforce(r *request) error {
	action := r.action()
	if freeActions[action] {
		return nil
	}
	identity := s.identityPolicy(r.sess)
	s.state.RLock()
	levels, orgPath := s.scpLevels(r.sess)
	s.state.RUnlock()
	if levels == nil && identity == nil {
		return nil
	}
	req := s.policyRequest(r, action, orgPath)
	if levels != nil {
		switch res := policy.EvaluateSCPs(levels, req); res.Decision {
		case policy.ExplicitDeny:
			return deniedBy(r, action, "with an explicit deny in a service control policy")
		case policy.ImplicitDeny:
			return deniedBy(r, action, "because no service control policy allows the "+action+" action")
		}
	}
	if identity != nil {
		switch d := policy.Evaluate(identity, req); {
		case d.Denied:
			return deniedBy(r, action, "with an explicit deny in an identity-based policy")
		case !d.Allowed:
			return deniedBy(r, action, "because no identity-based policy allows the "+action+" action")
		}
	}
	return nil
}

// identityPolicy is the identity policy given for the session's principal:
// CallerPolicy for the scenario's caller, RolePolicy for role sessions.
// Root sessions are scoped by their task policy instead.
func (s *Server) identityPolicy(sess *session) *policy.Policy {
	switch sess.kind {
	case sessCaller:
		return s.opts.CallerPolicy
	case sessRole:
		return s.opts.RolePolicy
	}
	return nil
}

// scpLevels are the SCP levels (organization root, each OU, the account)
// that restrict the session, with the account's organization path; nil
// when none do: the scenario's caller, the management account, an account
// outside the organization, or SCPs disabled. The caller holds s.state.
// An SCP the engine cannot parse (AWS would have refused it) is left out.
func (s *Server) scpLevels(sess *session) ([]policy.Level, string) {
	w := s.w
	a := w.accounts[sess.account]
	if sess.kind == sessCaller || w.org == nil || w.org.SCPsDisabled || a == nil || a.ID == w.mgmt || w.tree == nil {
		return nil, ""
	}
	var ids []string
	for u := w.tree.byID[a.parent]; u != nil; u = w.tree.byID[u.parent] {
		ids = append([]string{u.id}, ids...)
	}
	path := w.org.ID + "/" + strings.Join(ids, "/") + "/"
	ids = append(ids, a.ID)
	levels := make([]policy.Level, 0, len(ids))
	for _, id := range ids {
		l := policy.Level{Name: id}
		for _, p := range w.policies {
			if !slices.Contains(p.targets, id) {
				continue
			}
			if cp, err := s.scps.Parse(p.id, []byte(p.content)); err == nil {
				l.Policies = append(l.Policies, cp)
			}
		}
		levels = append(levels, l)
	}
	return levels, path
}
