package trailquery

import (
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/detect"
)

// Field is a record field a predicate can test. Its SQL path is the same in both dialects.
type Field int

// The fields the pushed-down predicates read.
const (
	IdentityType Field = iota // userIdentity.type
	EventSource
	EventName
	IssuerType  // userIdentity.sessionContext.sessionIssuer.type
	AssumedRoot // userIdentity.sessionContext.assumedRoot
)

var fieldPaths = [...]string{
	IdentityType: "useridentity.type",
	EventSource:  "eventsource",
	EventName:    "eventname",
	IssuerType:   "useridentity.sessioncontext.sessionissuer.type",
	AssumedRoot:  "useridentity.sessioncontext.assumedroot",
}

// Path is the field's column path in SQL.
func (f Field) Path() string { return fieldPaths[f] }

// value reads the field from a decoded record; a field the record lacks reads as "", which,
// like SQL's NULL, equals none of the non-empty constants the predicates compare with.
func (f Field) value(r *detect.Record) string {
	switch f {
	case IdentityType:
		return r.UserIdentity.Type
	case EventSource:
		return r.EventSource
	case EventName:
		return r.EventName
	case IssuerType:
		if sc := r.UserIdentity.SessionContext; sc != nil {
			return sc.SessionIssuer.Type
		}
	case AssumedRoot:
		if sc := r.UserIdentity.SessionContext; sc != nil {
			return sc.AssumedRoot
		}
	}
	return ""
}

// Pred is a condition on a CloudTrail record. The same value renders as SQL and evaluates in Go,
// with the same meaning: Eval is what the SQL engine would answer for the record's row.
type Pred interface {
	Eval(r *detect.Record) bool
	SQL() string
}

// eq is field = 'value' (case-sensitive, as the rules compare).
type eq struct {
	f Field
	v string
}

func (p eq) Eval(r *detect.Record) bool { return p.f.value(r) == p.v }
func (p eq) SQL() string                { return p.f.Path() + " = " + literal(p.v) }

// in is field IN ('a', 'b', ...).
type in struct {
	f  Field
	vs []string
}

func isIn(f Field, vs ...string) in {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return in{f: f, vs: vs}
}

func (p in) Eval(r *detect.Record) bool { return slices.Contains(p.vs, p.f.value(r)) }
func (p in) SQL() string {
	lits := make([]string, len(p.vs))
	for i, v := range p.vs {
		lits[i] = literal(v)
	}
	return p.f.Path() + " IN (" + strings.Join(lits, ", ") + ")"
}

// lowerEq is lower(field) = 'value': value is lower case.
type lowerEq struct {
	f Field
	v string
}

func (p lowerEq) Eval(r *detect.Record) bool { return strings.ToLower(p.f.value(r)) == p.v }
func (p lowerEq) SQL() string                { return "lower(" + p.f.Path() + ") = " + literal(p.v) }

// always is TRUE.
type always struct{}

func (always) Eval(*detect.Record) bool { return true }
func (always) SQL() string              { return "TRUE" }

// and is a conjunction.
type and []Pred

func (p and) Eval(r *detect.Record) bool {
	for _, q := range p {
		if !q.Eval(r) {
			return false
		}
	}
	return true
}

func (p and) SQL() string {
	parts := make([]string, len(p))
	for i, q := range p {
		parts[i] = q.SQL()
		if _, ok := q.(or); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " AND ")
}

// or is a disjunction.
type or []Pred

func (p or) Eval(r *detect.Record) bool {
	for _, q := range p {
		if q.Eval(r) {
			return true
		}
	}
	return false
}

func (p or) SQL() string {
	parts := make([]string, len(p))
	for i, q := range p {
		parts[i] = q.SQL()
		if _, ok := q.(and); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " OR ")
}

// anyOf is the disjunction of ps, flattened, without duplicates, and without a conjunction
// that has another term as one of its conjuncts (absorption: A OR (A AND B) is A). The order
// of first appearance is kept, so the SQL text is stable.
func anyOf(ps ...Pred) Pred {
	var flat []Pred
	var add func(p Pred)
	add = func(p Pred) {
		if o, ok := p.(or); ok {
			for _, q := range o {
				add(q)
			}
			return
		}
		flat = append(flat, p)
	}
	for _, p := range ps {
		add(p)
	}
	terms := map[string]bool{}
	for _, p := range flat {
		terms[p.SQL()] = true
	}
	var out or
	seen := map[string]bool{}
	for _, p := range flat {
		s := p.SQL()
		if seen[s] || absorbed(p, terms) {
			continue
		}
		seen[s] = true
		out = append(out, p)
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func absorbed(p Pred, terms map[string]bool) bool {
	a, ok := p.(and)
	if !ok {
		return false
	}
	for _, q := range a {
		if terms[q.SQL()] {
			return true
		}
	}
	return false
}

// literal quotes s as an SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
