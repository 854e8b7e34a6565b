package eventpattern

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// matcher matches one leaf value of the event (string, json.Number, bool or nil).
type matcher interface {
	match(v any) bool
}

type existsMatcher bool

func (existsMatcher) match(any) bool { return false } // handled by field.match

type exactString string

func (m exactString) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if s == string(m) {
		return true
	}
	// A pattern string that is an IP address matches the address in any
	// spelling ("::1" and "0:0::1"), as event-ruler turns it into a range.
	a, err := netip.ParseAddr(string(m))
	if err != nil {
		return false
	}
	b, err := netip.ParseAddr(s)
	return err == nil && a.Unmap() == b.Unmap()
}

type exactNumber struct {
	text string
	val  float64
}

func (m exactNumber) match(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	if n.String() == m.text {
		return true
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	return err == nil && f == m.val
}

type exactBool bool

func (m exactBool) match(v any) bool { b, ok := v.(bool); return ok && b == bool(m) }

type exactNull struct{}

func (exactNull) match(v any) bool { return v == nil }

type prefixMatcher struct {
	s          string
	ignoreCase bool
}

func (m prefixMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.ignoreCase {
		return hasPrefixFold(s, m.s)
	}
	return strings.HasPrefix(s, m.s)
}

type suffixMatcher struct {
	s          string
	ignoreCase bool
}

func (m suffixMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.ignoreCase {
		return hasSuffixFold(s, m.s)
	}
	return strings.HasSuffix(s, m.s)
}

// hasPrefixFold and hasSuffixFold compare rune by rune so that a case
// mapping which changes the byte length does not misalign the cut.
func hasPrefixFold(s, prefix string) bool {
	sr, pr := []rune(s), []rune(prefix)
	return len(sr) >= len(pr) && strings.EqualFold(string(sr[:len(pr)]), prefix)
}

func hasSuffixFold(s, suffix string) bool {
	sr, sf := []rune(s), []rune(suffix)
	return len(sr) >= len(sf) && strings.EqualFold(string(sr[len(sr)-len(sf):]), suffix)
}

type equalsIgnoreCase string

func (m equalsIgnoreCase) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, string(m))
}

// wildcard is a pattern split on its unescaped stars.
type wildcard struct {
	parts []string // literal segments; a star sits between each pair
}

func (m wildcard) match(v any) bool {
	s, ok := v.(string)
	return ok && m.matchString(s)
}

func (m wildcard) matchString(s string) bool {
	if len(m.parts) == 1 {
		return s == m.parts[0]
	}
	first, last := m.parts[0], m.parts[len(m.parts)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, mid := range m.parts[1 : len(m.parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

// parseWildcard splits a wildcard pattern; \* is a literal star, \\ a
// literal backslash, and two consecutive stars are invalid.
func parseWildcard(p, path string) (wildcard, error) {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 >= len(p) || (p[i+1] != '*' && p[i+1] != '\\') {
				return wildcard{}, errorAt(path, "wildcard %q: a backslash may escape only * or \\", p)
			}
			b.WriteByte(p[i+1])
			i++
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				return wildcard{}, errorAt(path, "wildcard %q: consecutive wildcard characters are not allowed", p)
			}
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	parts = append(parts, b.String())
	return wildcard{parts: parts}, nil
}

// anythingBut matches a leaf value that none of its inner matchers match.
// The value forms (a string, a number, a list of either) accept any leaf
// value; the operator forms (prefix, suffix, equals-ignore-case, wildcard)
// accept only strings.
type anythingBut struct {
	inner       []matcher
	stringsOnly bool
}

func (m anythingBut) match(v any) bool {
	if _, ok := v.(string); m.stringsOnly && !ok {
		return false
	}
	for _, in := range m.inner {
		if in.match(v) {
			return false
		}
	}
	return true
}

// numericMatcher holds up to two bounds, or an equality.
type numericMatcher struct {
	conds []numCond
}

type numCond struct {
	op  string
	val float64
}

func (m numericMatcher) match(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil {
		return false
	}
	for _, c := range m.conds {
		var ok bool
		switch c.op {
		case "=":
			ok = f == c.val
		case "<":
			ok = f < c.val
		case "<=":
			ok = f <= c.val
		case ">":
			ok = f > c.val
		case ">=":
			ok = f >= c.val
		}
		if !ok {
			return false
		}
	}
	return true
}

type cidrMatcher struct{ prefix netip.Prefix }

func (m cidrMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return m.prefix.Contains(a.Unmap())
}

// parseLeaf parses the non-empty array of alternatives of a leaf field.
func parseLeaf(arr []any, path string) ([]matcher, error) {
	if len(arr) == 0 {
		return nil, errorAt(path, "empty arrays are not allowed")
	}
	out := make([]matcher, 0, len(arr))
	for i, e := range arr {
		ep := fmt.Sprintf("%s[%d]", path, i)
		var m matcher
		switch x := e.(type) {
		case string:
			m = exactString(x)
		case json.Number:
			n, err := number(x, ep)
			if err != nil {
				return nil, err
			}
			m = exactNumber{text: x.String(), val: n}
		case bool:
			m = exactBool(x)
		case nil:
			m = exactNull{}
		case map[string]any:
			op, err := parseOperator(x, ep)
			if err != nil {
				return nil, err
			}
			m = op
		default:
			return nil, errorAt(ep, "a match value must be a string, number, true, false, null or an operator object, not %s", kindOf(e))
		}
		out = append(out, m)
	}
	return out, nil
}

func number(n json.Number, path string) (float64, error) {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, errorAt(path, "number %s is out of range", n)
	}
	return f, nil
}

// single returns the only key and value of an operator object.
func single(m map[string]any, path string) (string, any, error) {
	if len(m) != 1 {
		if len(m) == 0 {
			return "", nil, errorAt(path, "empty operator object")
		}
		return "", nil, errorAt(path, "only one key allowed in a match expression, found %d", len(m))
	}
	for k, v := range m {
		return k, v, nil
	}
	panic("unreachable")
}

func parseOperator(m map[string]any, path string) (matcher, error) {
	op, v, err := single(m, path)
	if err != nil {
		return nil, err
	}
	opPath := path + "." + op
	switch op {
	case "prefix", "suffix":
		s, ignoreCase, err := stringOrIgnoreCase(v, opPath)
		if err != nil {
			return nil, err
		}
		if op == "prefix" {
			return prefixMatcher{s: s, ignoreCase: ignoreCase}, nil
		}
		return suffixMatcher{s: s, ignoreCase: ignoreCase}, nil
	case "equals-ignore-case":
		s, ok := v.(string)
		if !ok {
			return nil, errorAt(opPath, "must be a string, not %s", kindOf(v))
		}
		return equalsIgnoreCase(s), nil
	case "wildcard":
		s, ok := v.(string)
		if !ok {
			return nil, errorAt(opPath, "must be a string, not %s", kindOf(v))
		}
		return parseWildcard(s, opPath)
	case "anything-but":
		return parseAnythingBut(v, opPath)
	case "numeric":
		return parseNumeric(v, opPath)
	case "cidr":
		s, ok := v.(string)
		if !ok {
			return nil, errorAt(opPath, "must be a string, not %s", kindOf(v))
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, errorAt(opPath, "%q is not a CIDR block", s)
		}
		return cidrMatcher{prefix: p.Masked()}, nil
	case "exists":
		b, ok := v.(bool)
		if !ok {
			return nil, errorAt(opPath, "must be true or false, not %s", kindOf(v))
		}
		return existsMatcher(b), nil
	}
	return nil, errorAt(path, "unrecognized match type %q", op)
}

// stringOrIgnoreCase reads the operand of prefix or suffix: a string, or
// {"equals-ignore-case": string}.
func stringOrIgnoreCase(v any, path string) (string, bool, error) {
	switch x := v.(type) {
	case string:
		return x, false, nil
	case map[string]any:
		k, inner, err := single(x, path)
		if err != nil {
			return "", false, err
		}
		if k != "equals-ignore-case" {
			return "", false, errorAt(path, "unsupported operator %q (only equals-ignore-case may qualify it)", k)
		}
		s, ok := inner.(string)
		if !ok {
			return "", false, errorAt(path+"."+k, "must be a string, not %s", kindOf(inner))
		}
		return s, true, nil
	}
	return "", false, errorAt(path, "must be a string, not %s", kindOf(v))
}

func parseAnythingBut(v any, path string) (matcher, error) {
	switch x := v.(type) {
	case string:
		return anythingBut{inner: []matcher{exactString(x)}}, nil
	case json.Number:
		n, err := number(x, path)
		if err != nil {
			return nil, err
		}
		return anythingBut{inner: []matcher{exactNumber{text: x.String(), val: n}}}, nil
	case []any:
		if len(x) == 0 {
			return nil, errorAt(path, "empty arrays are not allowed")
		}
		var inner []matcher
		var nStr, nNum int
		for i, e := range x {
			switch y := e.(type) {
			case string:
				inner = append(inner, exactString(y))
				nStr++
			case json.Number:
				n, err := number(y, fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return nil, err
				}
				inner = append(inner, exactNumber{text: y.String(), val: n})
				nNum++
			default:
				return nil, errorAt(fmt.Sprintf("%s[%d]", path, i), "anything-but lists hold strings or numbers, not %s", kindOf(e))
			}
		}
		if nStr > 0 && nNum > 0 {
			return nil, errorAt(path, "anything-but lists must be all strings or all numbers")
		}
		return anythingBut{inner: inner}, nil
	case map[string]any:
		op, operand, err := single(x, path)
		if err != nil {
			return nil, err
		}
		opPath := path + "." + op
		switch op {
		case "prefix", "suffix":
			s, ok := operand.(string)
			if !ok {
				return nil, errorAt(opPath, "must be a string, not %s", kindOf(operand))
			}
			if s == "" {
				return nil, errorAt(opPath, "an empty %s is not allowed", op)
			}
			if op == "prefix" {
				return anythingBut{inner: []matcher{prefixMatcher{s: s}}, stringsOnly: true}, nil
			}
			return anythingBut{inner: []matcher{suffixMatcher{s: s}}, stringsOnly: true}, nil
		case "equals-ignore-case", "wildcard":
			list, err := stringList(operand, opPath)
			if err != nil {
				return nil, err
			}
			inner := make([]matcher, 0, len(list))
			for _, s := range list {
				if op == "wildcard" {
					w, err := parseWildcard(s, opPath)
					if err != nil {
						return nil, err
					}
					inner = append(inner, w)
				} else {
					inner = append(inner, equalsIgnoreCase(s))
				}
			}
			return anythingBut{inner: inner, stringsOnly: true}, nil
		}
		return nil, errorAt(path, "unsupported anything-but operator %q", op)
	}
	return nil, errorAt(path, "must be a string, a number, a list or an operator object, not %s", kindOf(v))
}

func stringList(v any, path string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if len(x) == 0 {
			return nil, errorAt(path, "empty arrays are not allowed")
		}
		out := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, errorAt(fmt.Sprintf("%s[%d]", path, i), "must be a string, not %s", kindOf(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errorAt(path, "must be a string or a list of strings, not %s", kindOf(v))
}

// parseNumeric reads ["=", n], [op, n] or [lower-op, n, upper-op, m].
func parseNumeric(v any, path string) (matcher, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, errorAt(path, "must be an array, not %s", kindOf(v))
	}
	if len(arr) != 2 && len(arr) != 4 {
		return nil, errorAt(path, "expected [operator, number] or [lower operator, number, upper operator, number], got %d elements", len(arr))
	}
	var conds []numCond
	for i := 0; i < len(arr); i += 2 {
		op, ok := arr[i].(string)
		if !ok {
			return nil, errorAt(fmt.Sprintf("%s[%d]", path, i), "expected an operator string, not %s", kindOf(arr[i]))
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, errorAt(fmt.Sprintf("%s[%d]", path, i), "unrecognized numeric operator %q", op)
		}
		n, ok := arr[i+1].(json.Number)
		if !ok {
			return nil, errorAt(fmt.Sprintf("%s[%d]", path, i+1), "value of %s must be numeric, not %s", op, kindOf(arr[i+1]))
		}
		f, err := number(n, fmt.Sprintf("%s[%d]", path, i+1))
		if err != nil {
			return nil, err
		}
		conds = append(conds, numCond{op: op, val: f})
	}
	if len(conds) == 2 {
		lo, hi := conds[0], conds[1]
		if lo.op != ">" && lo.op != ">=" {
			return nil, errorAt(path, "a numeric range starts with > or >=, not %q", lo.op)
		}
		if hi.op != "<" && hi.op != "<=" {
			return nil, errorAt(path, "a numeric range ends with < or <=, not %q", hi.op)
		}
		if lo.val >= hi.val {
			return nil, errorAt(path, "bottom %v must be less than top %v", lo.val, hi.val)
		}
	}
	return numericMatcher{conds: conds}, nil
}
