package policy

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opKind is the family of a condition operator: how one request value is
// compared with one policy value.
type opKind uint8

const (
	kindString opKind = iota
	kindStringIgnoreCase
	kindStringLike
	kindNumeric
	kindDate
	kindBool
	kindBinary
	kindIP
	kindARN
	kindNull
)

// cmpOp is the comparison of numeric and date operators.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// setQualifier is the ForAnyValue:/ForAllValues: prefix.
type setQualifier uint8

const (
	setNone setQualifier = iota
	setAny
	setAll
)

// operator is a parsed condition operator.
type operator struct {
	kind     opKind
	cmp      cmpOp
	negated  bool
	ifExists bool
	set      setQualifier
}

// baseOperators lists the operators AWS documents, without IfExists or a set
// prefix.
var baseOperators = map[string]operator{
	"StringEquals":              {kind: kindString},
	"StringNotEquals":           {kind: kindString, negated: true},
	"StringEqualsIgnoreCase":    {kind: kindStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {kind: kindStringIgnoreCase, negated: true},
	"StringLike":                {kind: kindStringLike},
	"StringNotLike":             {kind: kindStringLike, negated: true},
	"NumericEquals":             {kind: kindNumeric, cmp: cmpEq},
	"NumericNotEquals":          {kind: kindNumeric, cmp: cmpEq, negated: true},
	"NumericLessThan":           {kind: kindNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {kind: kindNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {kind: kindNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {kind: kindNumeric, cmp: cmpGe},
	"DateEquals":                {kind: kindDate, cmp: cmpEq},
	"DateNotEquals":             {kind: kindDate, cmp: cmpEq, negated: true},
	"DateLessThan":              {kind: kindDate, cmp: cmpLt},
	"DateLessThanEquals":        {kind: kindDate, cmp: cmpLe},
	"DateGreaterThan":           {kind: kindDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {kind: kindDate, cmp: cmpGe},
	"Bool":                      {kind: kindBool},
	"BinaryEquals":              {kind: kindBinary},
	"IpAddress":                 {kind: kindIP},
	"NotIpAddress":              {kind: kindIP, negated: true},
	"ArnEquals":                 {kind: kindARN},
	"ArnLike":                   {kind: kindARN},
	"ArnNotEquals":              {kind: kindARN, negated: true},
	"ArnNotLike":                {kind: kindARN, negated: true},
	"Null":                      {kind: kindNull},
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts.
// Operator names are case-sensitive, as written in the IAM reference.
func parseOperator(name string) (operator, bool) {
	rest := name
	set := setNone
	switch {
	case strings.HasPrefix(rest, "ForAnyValue:"):
		set, rest = setAny, strings.TrimPrefix(rest, "ForAnyValue:")
	case strings.HasPrefix(rest, "ForAllValues:"):
		set, rest = setAll, strings.TrimPrefix(rest, "ForAllValues:")
	}
	ifExists := false
	if base, ok := strings.CutSuffix(rest, "IfExists"); ok {
		ifExists, rest = true, base
	}
	op, ok := baseOperators[rest]
	if !ok {
		return operator{}, false
	}
	if op.kind == kindNull && (ifExists || set != setNone) {
		// Null tests presence itself; AWS has no NullIfExists or set form.
		return operator{}, false
	}
	op.ifExists, op.set = ifExists, set
	return op, true
}

// compile checks the policy values against the operator's type and
// pre-computes what evaluation needs. It returns the index of a bad value and
// why, or -1.
func (c *Condition) compile(allowVars bool) (int, string) {
	c.keyLower = strings.ToLower(c.Key)
	if allowVars && (c.op.kind == kindString || c.op.kind == kindStringIgnoreCase || c.op.kind == kindStringLike || c.op.kind == kindARN) {
		for _, v := range c.Values {
			if hasVariables(v) {
				c.hasVars = true
			}
		}
	}
	for i, v := range c.Values {
		switch c.op.kind {
		case kindStringLike:
			if !c.hasVars {
				c.globs = append(c.globs, compileGlob(v))
			}
		case kindARN:
			if !c.hasVars {
				c.arns = append(c.arns, compileARN(v))
			}
		case kindNumeric:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return i, fmt.Sprintf("%q is not a number", v)
			}
			c.numbers = append(c.numbers, f)
		case kindDate:
			t, ok := parseDate(v)
			if !ok {
				return i, fmt.Sprintf("%q is not an ISO 8601 date or epoch seconds", v)
			}
			c.dates = append(c.dates, t)
		case kindBool, kindNull:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return i, fmt.Sprintf("%q is not true or false", v)
			}
		case kindIP:
			p, err := parsePrefix(v)
			if err != nil {
				return i, fmt.Sprintf("%q is not an IP address or CIDR block", v)
			}
			c.prefixes = append(c.prefixes, p)
		}
	}
	return -1, ""
}

func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseDate reads the date forms AWS accepts: ISO 8601 variants or epoch
// seconds.
func parseDate(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// eval applies the condition to the request context, following the IAM
// reference: values of one key are OR'ed; an absent key makes a positive
// operator false and a negated one true, except that ...IfExists is true,
// Null tests presence, ForAllValues is true and ForAnyValue false.
func (c *Condition) eval(ctx map[string][]string) bool {
	vals := ctx[c.keyLower]
	present := len(vals) > 0
	if c.op.kind == kindNull {
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.op.ifExists, c.op.set == setAll:
			return true
		case c.op.set == setAny:
			return false
		}
		return c.op.negated
	}
	policyValues := c.Values
	if c.hasVars {
		policyValues = c.expandValues(ctx)
	}
	switch c.op.set {
	case setAll:
		for _, rv := range vals {
			if c.matchAny(rv, policyValues) == c.op.negated {
				return false
			}
		}
		return true
	case setAny:
		for _, rv := range vals {
			if c.matchAny(rv, policyValues) != c.op.negated {
				return true
			}
		}
		return false
	}
	for _, rv := range vals {
		if c.matchAny(rv, policyValues) {
			return !c.op.negated
		}
	}
	return c.op.negated
}

// expandValues substitutes policy variables; unresolvable values are dropped
// (they match nothing).
func (c *Condition) expandValues(ctx map[string][]string) []string {
	out := make([]string, 0, len(c.Values))
	forGlob := c.op.kind == kindStringLike || c.op.kind == kindARN
	for _, v := range c.Values {
		if e, ok := expand(v, ctx, forGlob); ok {
			out = append(out, e)
		}
	}
	return out
}

// matchAny reports whether request value rv matches at least one policy
// value under the operator's (non-negated) comparison.
func (c *Condition) matchAny(rv string, policyValues []string) bool {
	switch c.op.kind {
	case kindString, kindBinary:
		for _, pv := range policyValues {
			if rv == pv {
				return true
			}
		}
	case kindStringIgnoreCase, kindBool:
		for _, pv := range policyValues {
			if strings.EqualFold(rv, pv) {
				return true
			}
		}
	case kindStringLike:
		if c.hasVars {
			for _, pv := range policyValues {
				if wildMatch(pv, rv, true) {
					return true
				}
			}
			return false
		}
		for _, g := range c.globs {
			if g.match(rv) {
				return true
			}
		}
	case kindARN:
		if c.hasVars {
			for _, pv := range policyValues {
				if matchARNEscaped(pv, rv) {
					return true
				}
			}
			return false
		}
		for _, g := range c.arns {
			if matchARN(g, rv) {
				return true
			}
		}
	case kindNumeric:
		f, err := strconv.ParseFloat(rv, 64)
		if err != nil {
			return false
		}
		for _, pv := range c.numbers {
			if compare(cmpFloat(f, pv), c.op.cmp) {
				return true
			}
		}
	case kindDate:
		t, ok := parseDate(rv)
		if !ok {
			return false
		}
		for _, pv := range c.dates {
			if compare(t.Compare(pv), c.op.cmp) {
				return true
			}
		}
	case kindIP:
		a, err := netip.ParseAddr(rv)
		if err != nil {
			return false
		}
		for _, p := range c.prefixes {
			if p.Contains(a.Unmap()) || p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// matchARNEscaped matches an ARN pattern built by variable expansion (with
// backslash escapes) component by component.
func matchARNEscaped(pat, value string) bool {
	ps, ok := arnSegments(pat)
	if !ok {
		return false
	}
	vs, ok := arnSegments(value)
	if !ok {
		return false
	}
	for i := range ps {
		if !wildMatch(ps[i], vs[i], true) {
			return false
		}
	}
	return true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare turns a three-way comparison of request value against policy
// value into the operator's answer.
func compare(c int, op cmpOp) bool {
	switch op {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}

// explain describes, for a condition that evaluated false, what the request
// held and what the policy wanted.
func (c *Condition) explain(ctx map[string][]string) string {
	vals := ctx[c.keyLower]
	if len(vals) == 0 {
		return fmt.Sprintf("condition %s %s %q is false: the key is absent from the request", c.Operator, c.Key, c.Values)
	}
	return fmt.Sprintf("condition %s %s %q is false for request value %q", c.Operator, c.Key, c.Values, vals)
}
