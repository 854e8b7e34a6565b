package logfilter

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// expr is a node of a parsed JSON pattern.
type expr interface {
	eval(doc any) bool
}

type andExpr struct{ l, r expr }

func (e andExpr) eval(doc any) bool { return e.l.eval(doc) && e.r.eval(doc) }

type orExpr struct{ l, r expr }

func (e orExpr) eval(doc any) bool { return e.l.eval(doc) || e.r.eval(doc) }

// step is one step of a selector: .name, [index] or [*].
type step struct {
	name  string
	index int
	all   bool
	isIdx bool
}

type selector struct {
	text  string
	steps []step
}

// resolve returns the values the selector reaches; an empty result means the
// property does not exist. JSON null is a nil element.
func (s selector) resolve(doc any) []any {
	cur := []any{doc}
	for _, st := range s.steps {
		var next []any
		for _, c := range cur {
			switch {
			case st.all:
				if a, ok := c.([]any); ok {
					next = append(next, a...)
				}
			case st.isIdx:
				if a, ok := c.([]any); ok && st.index < len(a) {
					next = append(next, a[st.index])
				}
			default:
				if m, ok := c.(map[string]any); ok {
					if v, ok := m[st.name]; ok {
						next = append(next, v)
					}
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			break
		}
	}
	return cur
}

type condKind int

const (
	condCompare condKind = iota
	condIsTrue
	condIsFalse
	condIsNull
	condNotExists
)

type cond struct {
	sel  selector
	kind condKind
	op   op
	val  value
}

func (c *cond) eval(doc any) bool {
	vals := c.sel.resolve(doc)
	switch c.kind {
	case condNotExists:
		return len(vals) == 0
	case condIsTrue:
		for _, v := range vals {
			if b, ok := v.(bool); ok && b {
				return true
			}
		}
		return false
	case condIsFalse:
		for _, v := range vals {
			if b, ok := v.(bool); ok && !b {
				return true
			}
		}
		return false
	case condIsNull:
		for _, v := range vals {
			if v == nil {
				return true
			}
		}
		return false
	}
	for _, v := range vals {
		if c.compare(v) {
			return true
		}
	}
	return false
}

// compare applies the comparison to one value node. Anything that is not a
// string or a number (missing, null, boolean, array, object) never matches,
// for != as much as for =.
func (c *cond) compare(v any) bool {
	switch x := v.(type) {
	case string:
		if c.val.isNum {
			switch c.op {
			case opEq:
				return c.numText(x)
			case opNe:
				return !c.numText(x)
			}
			return false
		}
		eq := c.val.matchString(x)
		return (c.op == opEq) == eq
	case json.Number:
		if c.val.isNum {
			f, err := strconv.ParseFloat(x.String(), 64)
			if err != nil {
				return false
			}
			return compareNum(c.op, f, c.val.num)
		}
		eq := c.val.matchString(x.String())
		return (c.op == opEq) == eq
	}
	return false
}

// numText compares a numeric literal with a string property: equal text, or a
// string that is itself a number with the same value.
func (c *cond) numText(s string) bool {
	if s == c.val.text {
		return true
	}
	f, ok := parseNumber(s)
	return ok && f == c.val.num
}

// jparser is a recursive-descent parser over pattern[pos:end].
type jparser struct {
	src string
	pos int
	end int
}

func (p *jparser) errorf(at int, format string, args ...any) error {
	return &SyntaxError{Pattern: p.src, Offset: at, Msg: fmt.Sprintf(format, args...)}
}

func parseJSONPattern(pattern string, lead int, trimmed string) (expr, error) {
	p := &jparser{src: pattern, pos: lead + 1, end: lead + len(trimmed) - 1}
	if trimmed[len(trimmed)-1] != '}' || len(trimmed) < 2 {
		return nil, p.errorf(len(pattern), "JSON pattern must end with }")
	}
	p.skipSpace()
	if p.pos >= p.end {
		return nil, p.errorf(p.pos, "empty JSON pattern")
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < p.end {
		return nil, p.errorf(p.pos, "unexpected %q after a complete expression", p.src[p.pos:p.end])
	}
	return e, nil
}

func (p *jparser) skipSpace() {
	for p.pos < p.end && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *jparser) hasPrefix(s string) bool {
	return p.pos+len(s) <= p.end && p.src[p.pos:p.pos+len(s)] == s
}

// chain parses operand (sep operand)*, joining left to right: the shared
// shape of || and && in both pattern forms.
func chain[E any](p *jparser, sep string, operand func() (E, error), join func(l, r E) E) (E, error) {
	l, err := operand()
	if err != nil {
		return l, err
	}
	for {
		p.skipSpace()
		if !p.hasPrefix(sep) {
			return l, nil
		}
		p.pos += len(sep)
		r, err := operand()
		if err != nil {
			return r, err
		}
		l = join(l, r)
	}
}

func (p *jparser) parseOr() (expr, error) {
	return chain(p, "||", p.parseAnd, func(l, r expr) expr { return orExpr{l, r} })
}

func (p *jparser) parseAnd() (expr, error) {
	return chain(p, "&&", p.parsePrimary, func(l, r expr) expr { return andExpr{l, r} })
}

func (p *jparser) parsePrimary() (expr, error) {
	p.skipSpace()
	if p.pos >= p.end {
		return nil, p.errorf(p.pos, "expected a condition or (")
	}
	if p.src[p.pos] == '(' {
		open := p.pos
		p.pos++
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= p.end || p.src[p.pos] != ')' {
			return nil, p.errorf(p.pos, "missing ) for ( at offset %d", open)
		}
		p.pos++
		return e, nil
	}
	return p.parseCond()
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '@' || c == ':'
}

func (p *jparser) parseSelector() (selector, error) {
	start := p.pos
	if p.pos >= p.end || p.src[p.pos] != '$' {
		return selector{}, p.errorf(p.pos, "expected a selector starting with $")
	}
	p.pos++
	var steps []step
loop:
	for p.pos < p.end {
		switch p.src[p.pos] {
		case '.':
			p.pos++
			ns := p.pos
			for p.pos < p.end && isNameByte(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == ns {
				return selector{}, p.errorf(p.pos, "expected a property name after .")
			}
			steps = append(steps, step{name: p.src[ns:p.pos]})
			continue
		case '[':
			open := p.pos
			p.pos++
			if p.pos < p.end && p.src[p.pos] == '*' {
				p.pos++
				if p.pos >= p.end || p.src[p.pos] != ']' {
					return selector{}, p.errorf(p.pos, "expected ] after [*")
				}
				p.pos++
				steps = append(steps, step{all: true})
				continue
			}
			ds := p.pos
			for p.pos < p.end && isDigit(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == ds || p.pos >= p.end || p.src[p.pos] != ']' {
				return selector{}, p.errorf(open, "array index must be [NUMBER] or [*]")
			}
			n, err := strconv.Atoi(p.src[ds:p.pos])
			if err != nil {
				return selector{}, p.errorf(ds, "array index %q out of range", p.src[ds:p.pos])
			}
			p.pos++
			steps = append(steps, step{index: n, isIdx: true})
		default:
			break loop
		}
	}
	if len(steps) == 0 {
		return selector{}, p.errorf(start, "selector $ names no property")
	}
	return selector{text: p.src[start:p.pos], steps: steps}, nil
}

// word reads a bare word (letters only) for keywords.
func (p *jparser) word() string {
	s := p.pos
	for p.pos < p.end && (p.src[p.pos] >= 'a' && p.src[p.pos] <= 'z' || p.src[p.pos] >= 'A' && p.src[p.pos] <= 'Z') {
		p.pos++
	}
	return p.src[s:p.pos]
}

func (p *jparser) parseCond() (expr, error) {
	sel, err := p.parseSelector()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	at := p.pos
	if p.pos >= p.end {
		return nil, p.errorf(at, "expected an operator after %s", sel.text)
	}
	c := &cond{sel: sel}
	var ok bool
	if c.op, ok = p.comparison(); !ok {
		w := strings.ToUpper(p.word())
		switch w {
		case "IS":
			p.skipSpace()
			kwAt := p.pos
			switch k := strings.ToUpper(p.word()); k {
			case "TRUE":
				c.kind = condIsTrue
			case "FALSE":
				c.kind = condIsFalse
			case "NULL":
				c.kind = condIsNull
			default:
				return nil, p.errorf(kwAt, "expected TRUE, FALSE or NULL after IS, found %q", k)
			}
			return c, nil
		case "NOT":
			p.skipSpace()
			kwAt := p.pos
			if k := strings.ToUpper(p.word()); k != "EXISTS" {
				return nil, p.errorf(kwAt, "expected EXISTS after NOT, found %q", k)
			}
			c.kind = condNotExists
			return c, nil
		case "":
			return nil, p.errorf(at, "expected an operator after %s, found %q", sel.text, p.src[at:at+1])
		default:
			return nil, p.errorf(at, "unknown operator %q after %s (want =, !=, <, <=, >, >=, IS TRUE, IS FALSE, IS NULL or NOT EXISTS)", w, sel.text)
		}
	}
	p.skipSpace()
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if c.op != opEq && c.op != opNe && !v.isNum {
		return nil, p.errorf(at, "operator %s on %s needs a number", c.op, sel.text)
	}
	c.val = v
	return c, nil
}

func (p *jparser) parseValue() (value, error) {
	at := p.pos
	if p.pos >= p.end {
		return value{}, p.errorf(at, "expected a value")
	}
	switch p.src[p.pos] {
	case '"':
		lit, err := p.quoted()
		if err != nil {
			return value{}, err
		}
		return stringValue(lit), nil
	case '%':
		return p.regexValue()
	}
	tok := p.token("()&|")
	if tok == "" {
		return value{}, p.errorf(at, "expected a value, found %q", p.src[at:at+1])
	}
	return tokenValue(tok), nil
}

// comparison reads a comparison operator (=, !=, <, <=, >, >=), if one
// comes next.
func (p *jparser) comparison() (op, bool) {
	for _, c := range []struct {
		text string
		op   op
	}{{"!=", opNe}, {"<=", opLe}, {">=", opGe}, {"=", opEq}, {"<", opLt}, {">", opGt}} {
		if p.hasPrefix(c.text) {
			p.pos += len(c.text)
			return c.op, true
		}
	}
	return 0, false
}

// token reads an unquoted value up to white space or a byte of stop.
func (p *jparser) token(stop string) string {
	at := p.pos
	for p.pos < p.end && !isSpace(p.src[p.pos]) && !strings.ContainsRune(stop, rune(p.src[p.pos])) {
		p.pos++
	}
	return p.src[at:p.pos]
}

// tokenValue is an unquoted value: a number when it reads as one.
func tokenValue(tok string) value {
	if f, ok := parseNumber(tok); ok {
		return value{text: tok, num: f, isNum: true}
	}
	return stringValue(tok)
}

// quoted reads a double-quoted string; \" and \\ are escapes.
func (p *jparser) quoted() (string, error) {
	s, next, err := readQuoted(p.src, p.pos, p.end)
	if err != nil {
		return "", err
	}
	p.pos = next
	return s, nil
}

func readQuoted(src string, pos, end int) (string, int, error) {
	open := pos
	pos++
	var b strings.Builder
	for pos < end {
		c := src[pos]
		switch {
		case c == '\\' && pos+1 < end && (src[pos+1] == '"' || src[pos+1] == '\\'):
			b.WriteByte(src[pos+1])
			pos += 2
		case c == '"':
			return b.String(), pos + 1, nil
		default:
			b.WriteByte(c)
			pos++
		}
	}
	return "", pos, &SyntaxError{Pattern: src, Offset: open, Msg: "unterminated quoted string"}
}

func (p *jparser) regexValue() (value, error) {
	re, next, err := readRegexp(p.src, p.pos, p.end)
	if err != nil {
		return value{}, err
	}
	p.pos = next
	return value{regexp: re}, nil
}

// readRegexp reads %regex% starting at the opening %; \% is a literal %.
func readRegexp(src string, pos, end int) (*regexp.Regexp, int, error) {
	open := pos
	pos++
	var b strings.Builder
	for pos < end {
		c := src[pos]
		switch {
		case c == '\\' && pos+1 < end && src[pos+1] == '%':
			b.WriteByte('%')
			pos += 2
		case c == '%':
			if b.Len() == 0 {
				return nil, pos, &SyntaxError{Pattern: src, Offset: open, Msg: "empty regular expression"}
			}
			re, err := regexp.Compile(b.String())
			if err != nil {
				return nil, pos, &SyntaxError{Pattern: src, Offset: open, Msg: fmt.Sprintf("bad regular expression: %v", err)}
			}
			return re, pos + 1, nil
		default:
			b.WriteByte(c)
			pos++
		}
	}
	return nil, pos, &SyntaxError{Pattern: src, Offset: open, Msg: "unterminated regular expression (missing %)"}
}
