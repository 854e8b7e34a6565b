package policy

import (
	"encoding/json"
	"fmt"
)

// Level is one node on the path from the organization root to an account,
// with the SCPs attached to it.
type Level struct {
	// Name says which node, e.g. "root r-abcd", "ou ou-prod", "account 222222222222".
	Name     string
	Policies []*Policy
}

// MarshalJSON writes the level with its policy names.
func (l Level) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(l.Policies))
	for _, p := range l.Policies {
		names = append(names, p.Name)
	}
	return json.Marshal(struct {
		Name     string   `json:"name"`
		Policies []string `json:"policies"`
	}{l.Name, names})
}

// Verdict is the outcome of the SCPs for one request.
type Verdict string

// Verdicts.
const (
	// Allowed: some policy allows the action at every level and none denies it.
	Allowed Verdict = "Allowed"
	// ExplicitDeny: a Deny statement at some level matches.
	ExplicitDeny Verdict = "ExplicitDeny"
	// ImplicitDeny: at some level no attached policy allows the action.
	ImplicitDeny Verdict = "ImplicitDeny"
)

// Reason is one piece of evidence for a Result: a statement that decided
// it, or a level that lacked an Allow (Statement zero).
type Reason struct {
	Level     string       `json:"level"`
	Statement StatementRef `json:"statement,omitzero"`
	// Explanation is set when there is no statement to point at: a level
	// lacking an Allow, or no levels at all. String renders every reason.
	Explanation string `json:"explanation,omitempty"`
}

// String renders the reason as one sentence.
func (r Reason) String() string {
	switch {
	case r.Explanation != "":
		return r.Explanation
	case r.Statement.Effect == Deny:
		return fmt.Sprintf("denied by %s attached to %s", r.Statement, r.Level)
	}
	return fmt.Sprintf("allowed at %s by %s", r.Level, r.Statement)
}

// Result is the SCP outcome for one request and why.
type Result struct {
	Decision Verdict `json:"decision"`
	// Reasons: for ExplicitDeny every matching Deny; for ImplicitDeny every
	// level without a matching Allow; for Allowed the matching Allows at each
	// level.
	Reasons []Reason `json:"reasons"`
}

// EvaluateSCPs applies service control policies the way Organizations does:
// levels run from the organization root down to the account; an action is
// allowed only if at every level some attached policy allows it, and any
// matching Deny at any level wins. With no levels at all nothing restricts
// the request (an account outside an organization, or the management
// account, which SCPs never affect): the result is Allowed.
func EvaluateSCPs(levels []Level, r Request) Result {
	return evaluateLevels(levels, prepare(r))
}

func evaluateLevels(levels []Level, req *prepared) Result {
	var denies, missing []Reason
	allows := make([]Reason, 0, len(levels))
	for _, l := range levels {
		allowed := false
		for _, p := range l.Policies {
			for i := range p.Statements {
				s := &p.Statements[i]
				if !s.matches(req) {
					continue
				}
				switch {
				case s.Effect == Deny:
					denies = append(denies, Reason{Level: l.Name, Statement: p.Ref(s)})
				case len(denies) == 0:
					allows = append(allows, Reason{Level: l.Name, Statement: p.Ref(s)})
					allowed = true
				default:
					allowed = true
				}
			}
		}
		if !allowed && len(denies) == 0 {
			missing = append(missing, Reason{Level: l.Name,
				Explanation: fmt.Sprintf("no policy attached to %s allows %s (%d attached)", l.Name, req.raw, len(l.Policies))})
		}
	}
	switch {
	case len(denies) > 0:
		return Result{Decision: ExplicitDeny, Reasons: denies}
	case len(missing) > 0:
		return Result{Decision: ImplicitDeny, Reasons: missing}
	case len(levels) == 0:
		return Result{Decision: Allowed, Reasons: []Reason{{Explanation: "no service control policy applies"}}}
	}
	return Result{Decision: Allowed, Reasons: allows}
}
