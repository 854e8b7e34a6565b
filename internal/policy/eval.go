package policy

import (
	"fmt"
	"strings"
)

// Request is the request context a policy is evaluated against.
type Request struct {
	// Action is "service:Action"; matched case-insensitively.
	Action string `json:"action"`
	// Resource is the ARN acted on; empty means "*". Matched case-sensitively.
	Resource string `json:"resource,omitempty"`
	// PrincipalARN is the caller; it stands in for aws:PrincipalArn when
	// Context has no such key.
	PrincipalARN string `json:"principal_arn,omitempty"`
	// Context holds condition keys (case-insensitive, like AWS) and their
	// values. A key that is missing or has no values is absent.
	Context map[string][]string `json:"context,omitempty"`
}

// prepared is a Request normalized once for evaluation against many
// statements: lower-cased action and context keys.
type prepared struct {
	raw      string // the action as given, for messages
	action   string
	resource string
	ctx      map[string][]string
}

func prepare(r Request) *prepared {
	p := &prepared{raw: r.Action, action: strings.ToLower(r.Action), resource: r.Resource}
	if p.resource == "" {
		p.resource = "*"
	}
	p.ctx = make(map[string][]string, len(r.Context))
	for k, v := range r.Context {
		lk := strings.ToLower(k)
		p.ctx[lk] = append(p.ctx[lk], v...)
	}
	if r.PrincipalARN != "" && len(p.ctx["aws:principalarn"]) == 0 {
		p.ctx["aws:principalarn"] = []string{r.PrincipalARN}
	}
	return p
}

// Decision is the outcome of one policy for one request.
type Decision struct {
	// Allowed is true when some Allow statement matches.
	Allowed bool `json:"allowed"`
	// Denied is true when some Deny statement matches.
	Denied       bool           `json:"denied"`
	MatchedAllow []StatementRef `json:"matched_allow,omitempty"`
	MatchedDeny  []StatementRef `json:"matched_deny,omitempty"`
}

// Evaluate matches every statement of p against r. Principal and
// NotPrincipal are not evaluated: SCPs and identity policies carry none.
func Evaluate(p *Policy, r Request) Decision {
	return p.evaluate(prepare(r))
}

func (p *Policy) evaluate(req *prepared) Decision {
	var d Decision
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.matches(req) {
			continue
		}
		if s.Effect == Deny {
			d.Denied = true
			d.MatchedDeny = append(d.MatchedDeny, p.Ref(s))
		} else {
			d.Allowed = true
			d.MatchedAllow = append(d.MatchedAllow, p.Ref(s))
		}
	}
	return d
}

func (s *Statement) matches(req *prepared) bool {
	return s.matchAction(req.action) && s.matchResource(req) && s.matchConditions(req.ctx)
}

// matchAction reports whether the statement applies to the (lower-cased)
// action: some Action pattern matches, or with NotAction none does.
func (s *Statement) matchAction(action string) bool {
	for _, g := range s.actions {
		if g.match(action) {
			return !s.NotAction
		}
	}
	return s.NotAction
}

func (s *Statement) matchResource(req *prepared) bool {
	for _, r := range s.resources {
		if r.match(req.resource, req.ctx) {
			return !s.NotResource
		}
	}
	return s.NotResource
}

func (s *Statement) matchConditions(ctx map[string][]string) bool {
	for i := range s.Conditions {
		if !s.Conditions[i].eval(ctx) {
			return false
		}
	}
	return true
}

// MissCode classifies why a statement did not apply to a request.
type MissCode string

// Miss codes.
const (
	// MissAction: the action is not in the statement's Action list.
	MissAction MissCode = "action-not-listed"
	// MissNotAction: the action is exempted by the statement's NotAction list.
	MissNotAction MissCode = "action-exempted-by-notaction"
	// MissResource: the resource is not in Resource, or exempted by NotResource.
	MissResource MissCode = "resource-not-matched"
	// MissCondition: a condition evaluated false.
	MissCondition MissCode = "condition-false"
)

// explain returns why the statement does not match the request, or "" when
// it matches.
func (s *Statement) explain(req *prepared) (MissCode, string) {
	if !s.matchAction(req.action) {
		if s.NotAction {
			for i, g := range s.actions {
				if g.match(req.action) {
					return MissNotAction, fmt.Sprintf("action %s is exempted by NotAction %q", req.raw, s.Actions[i])
				}
			}
		}
		return MissAction, fmt.Sprintf("action %s is not in Action %q", req.raw, s.Actions)
	}
	if !s.matchResource(req) {
		field := "Resource"
		if s.NotResource {
			field = "NotResource"
		}
		return MissResource, fmt.Sprintf("resource %s does not fit %s %q", req.resource, field, s.Resources)
	}
	for i := range s.Conditions {
		if c := &s.Conditions[i]; !c.eval(req.ctx) {
			return MissCondition, c.explain(req.ctx)
		}
	}
	return "", ""
}
