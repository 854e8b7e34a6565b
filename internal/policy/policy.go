package policy

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"time"
)

// Effect is a statement's effect.
type Effect string

// Effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Versions of the policy language that AWS accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed and compiled policy document. Parse builds it; it is
// immutable afterwards and safe to share between goroutines and between the
// many accounts that inherit it.
type Policy struct {
	// Name identifies the policy in errors and reasons (an SCP's ID or name).
	Name string `json:"-"`
	// Version is the document's Version element, empty when omitted.
	Version string
	// ID is the document's Id element.
	ID string
	// Statements in document order.
	Statements []Statement
}

// Statement is one normalized statement. Action patterns are lower-cased;
// a missing Resource (common in SCPs) is stored as ["*"].
type Statement struct {
	// Index is the statement's position in the document, from 0.
	Index        int
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	// Actions holds the Action (or, with NotAction, the NotAction) patterns.
	Actions   []string
	NotAction bool
	// Resources holds the Resource (or, with NotResource, the NotResource) patterns.
	Resources   []string
	NotResource bool
	// Conditions are ordered by operator, then key; all must hold.
	Conditions []Condition

	actions   []glob
	resources []resourcePattern
}

// TakesIn reports whether the statement's Principal names a caller, or
// its NotPrincipal does not (names tells whether a principal names it). A
// statement with neither (an identity policy's) takes in no one.
func (s *Statement) TakesIn(names func(*Principal) bool) bool {
	switch {
	case s.Principal != nil:
		return names(s.Principal)
	case s.NotPrincipal != nil:
		return !names(s.NotPrincipal)
	}
	return false
}

// Principal is a Principal or NotPrincipal element. It is kept for
// completeness: SCPs and identity policies have none, and evaluation ignores
// it.
type Principal struct {
	// Any is true for "Principal": "*".
	Any bool
	// Values maps a principal type (AWS, Service, Federated, CanonicalUser)
	// to its identifiers.
	Values map[string][]string
}

// Condition is one operator/key pair of a Condition block with its values.
type Condition struct {
	// Operator as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator string
	// Key as written, e.g. "aws:PrincipalArn"; matched case-insensitively.
	Key string
	// Values as strings (booleans and numbers are kept in their JSON text).
	Values []string

	op       operator
	keyLower string
	hasVars  bool
	globs    []glob
	arns     [][]glob
	numbers  []float64
	dates    []time.Time
	prefixes []netip.Prefix
}

// StatementRef names one statement of one policy.
type StatementRef struct {
	Policy    string `json:"policy"`
	Statement int    `json:"index"`
	Sid       string `json:"sid,omitempty"`
	Effect    Effect `json:"effect"`
}

// String names the statement as people read it: by Sid when it has one,
// else by index ("statement 0 of policy DenyRoot").
func (r StatementRef) String() string {
	if r.Sid != "" {
		return fmt.Sprintf("statement %q of policy %s", r.Sid, r.Policy)
	}
	return fmt.Sprintf("statement %d of policy %s", r.Statement, r.Policy)
}

// Ref returns a reference to statement s of p.
func (p *Policy) Ref(s *Statement) StatementRef {
	return StatementRef{Policy: p.Name, Statement: s.Index, Sid: s.Sid, Effect: s.Effect}
}

// MarshalJSON renders the normalized form as an IAM policy document: every
// list element written as a list, action patterns lower-cased, the implicit
// Resource "*" made explicit. Parsing the output gives an equal policy.
func (p *Policy) MarshalJSON() ([]byte, error) {
	type stmt struct {
		Sid          string                         `json:"Sid,omitempty"`
		Effect       Effect                         `json:"Effect"`
		Principal    any                            `json:"Principal,omitempty"`
		NotPrincipal any                            `json:"NotPrincipal,omitempty"`
		Action       []string                       `json:"Action,omitempty"`
		NotAction    []string                       `json:"NotAction,omitempty"`
		Resource     []string                       `json:"Resource,omitempty"`
		NotResource  []string                       `json:"NotResource,omitempty"`
		Condition    map[string]map[string][]string `json:"Condition,omitempty"`
	}
	type doc struct {
		Version   string `json:"Version,omitempty"`
		ID        string `json:"Id,omitempty"`
		Statement []stmt `json:"Statement"`
	}
	d := doc{Version: p.Version, ID: p.ID, Statement: make([]stmt, 0, len(p.Statements))}
	for i := range p.Statements {
		s := &p.Statements[i]
		o := stmt{Sid: s.Sid, Effect: s.Effect}
		if s.Principal != nil {
			o.Principal = s.Principal.jsonValue()
		}
		if s.NotPrincipal != nil {
			o.NotPrincipal = s.NotPrincipal.jsonValue()
		}
		if s.NotAction {
			o.NotAction = s.Actions
		} else {
			o.Action = s.Actions
		}
		if s.NotResource {
			o.NotResource = s.Resources
		} else {
			o.Resource = s.Resources
		}
		if len(s.Conditions) > 0 {
			o.Condition = map[string]map[string][]string{}
			for _, c := range s.Conditions {
				if o.Condition[c.Operator] == nil {
					o.Condition[c.Operator] = map[string][]string{}
				}
				o.Condition[c.Operator][c.Key] = c.Values
			}
		}
		d.Statement = append(d.Statement, o)
	}
	return json.Marshal(d)
}

func (p *Principal) jsonValue() any {
	if p.Any {
		return "*"
	}
	return p.Values
}
