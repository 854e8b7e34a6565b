package logfilter

import "strings"

// spaceDelimited is a [field, field, ...] pattern.
type spaceDelimited struct {
	slots []slot
}

// slot is one field of the pattern: an ellipsis, or a named field with an
// optional condition (which may mention other fields by name).
type slot struct {
	ellipsis bool
	name     string
	cond     sexpr // nil when the field carries no condition
}

type sexpr interface {
	eval(fields map[string]string) bool
}

type sand struct{ l, r sexpr }

func (e sand) eval(f map[string]string) bool { return e.l.eval(f) && e.r.eval(f) }

type sor struct{ l, r sexpr }

func (e sor) eval(f map[string]string) bool { return e.l.eval(f) || e.r.eval(f) }

// scond is "name op value"; a bare name is always true.
type scond struct {
	name string
	op   op
	val  *value
}

func (c scond) eval(f map[string]string) bool {
	if c.val == nil {
		return true
	}
	s, ok := f[c.name]
	if !ok {
		return false
	}
	if c.val.isNum {
		if n, ok := parseNumber(s); ok {
			return compareNum(c.op, n, c.val.num)
		}
		switch c.op {
		case opEq:
			return s == c.val.text
		case opNe:
			return s != c.val.text
		}
		return false
	}
	eq := c.val.matchString(s)
	return (c.op == opEq) == eq
}

func (s *spaceDelimited) match(event []byte) bool {
	fields := splitFields(string(event))
	budget := alignBudget
	return s.align(0, fields, map[string]string{}, &budget)
}

// alignBudget bounds the backtracking over ellipses: a pattern such as
// [..., a, ..., b, ..., c, ...] against a long line could otherwise try a
// combinatorial number of alignments. An event that needs more is not matched.
const alignBudget = 100_000

// align assigns event fields to slots from slot i on, backtracking over
// ellipses, and checks the conditions once every slot is placed.
func (s *spaceDelimited) align(i int, fields []string, bound map[string]string, budget *int) bool {
	if *budget--; *budget < 0 {
		return false
	}
	if i == len(s.slots) {
		if len(fields) != 0 {
			return false
		}
		for _, sl := range s.slots {
			if sl.cond != nil && !sl.cond.eval(bound) {
				return false
			}
		}
		return true
	}
	sl := s.slots[i]
	if sl.ellipsis {
		for skip := 0; skip <= len(fields); skip++ {
			if s.align(i+1, fields[skip:], bound, budget) {
				return true
			}
		}
		return false
	}
	if len(fields) == 0 {
		return false
	}
	prev, had := bound[sl.name]
	bound[sl.name] = fields[0]
	if s.align(i+1, fields[1:], bound, budget) {
		return true
	}
	if had {
		bound[sl.name] = prev
	} else {
		delete(bound, sl.name)
	}
	return false
}

// splitFields splits a space-delimited event; text between [ ] or between
// double quotes is one field, without its brackets or quotes.
func splitFields(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		var closer byte
		switch s[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			if j := strings.IndexByte(s[i+1:], closer); j >= 0 {
				out = append(out, s[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

type sparser struct {
	jparser
}

func parseSpaceDelimited(pattern string, lead int, trimmed string) (*spaceDelimited, error) {
	p := &sparser{jparser{src: pattern, pos: lead + 1, end: lead + len(trimmed) - 1}}
	if trimmed[len(trimmed)-1] != ']' || len(trimmed) < 2 {
		return nil, p.errorf(len(pattern), "space-delimited pattern must end with ]")
	}
	sd := &spaceDelimited{}
	for {
		p.skipSpace()
		if p.pos >= p.end {
			break
		}
		if p.src[p.pos] == ',' { // empty field, as in [a, b,]
			p.pos++
			continue
		}
		if p.hasPrefix("...") || p.hasPrefix("…") {
			if p.hasPrefix("...") {
				p.pos += 3
			} else {
				p.pos += len("…")
			}
			if n := len(sd.slots); n == 0 || !sd.slots[n-1].ellipsis {
				sd.slots = append(sd.slots, slot{ellipsis: true})
			}
		} else {
			sl, err := p.parseSlot()
			if err != nil {
				return nil, err
			}
			sd.slots = append(sd.slots, sl)
		}
		p.skipSpace()
		if p.pos < p.end {
			if p.src[p.pos] != ',' {
				return nil, p.errorf(p.pos, "expected , between fields, found %q", p.src[p.pos:p.pos+1])
			}
			p.pos++
		}
	}
	if len(sd.slots) == 0 {
		return nil, p.errorf(lead, "space-delimited pattern names no field")
	}
	return sd, nil
}

func (p *sparser) parseSlot() (slot, error) {
	var name string
	e, err := p.parseSOr(&name)
	if err != nil {
		return slot{}, err
	}
	sl := slot{name: name}
	if _, bare := e.(scond); !bare || e.(scond).val != nil {
		sl.cond = e
	}
	return sl, nil
}

func (p *sparser) parseSOr(first *string) (sexpr, error) {
	return chain(&p.jparser, "||", func() (sexpr, error) { return p.parseSAnd(first) }, func(l, r sexpr) sexpr { return sor{l, r} })
}

func (p *sparser) parseSAnd(first *string) (sexpr, error) {
	return chain(&p.jparser, "&&", func() (sexpr, error) { return p.parseSCond(first) }, func(l, r sexpr) sexpr { return sand{l, r} })
}

func (p *sparser) parseSCond(first *string) (sexpr, error) {
	p.skipSpace()
	s := p.pos
	for p.pos < p.end && (isNameByte(p.src[p.pos]) || p.src[p.pos] == '$') {
		p.pos++
	}
	if p.pos == s {
		if p.pos < p.end {
			return nil, p.errorf(s, "expected a field name, found %q", p.src[s:s+1])
		}
		return nil, p.errorf(s, "expected a field name")
	}
	c := scond{name: p.src[s:p.pos]}
	if *first == "" {
		*first = c.name
	}
	p.skipSpace()
	at := p.pos
	var ok bool
	if c.op, ok = p.comparison(); !ok {
		return c, nil
	}
	p.skipSpace()
	v, err := p.parseSValue()
	if err != nil {
		return nil, err
	}
	if c.op != opEq && c.op != opNe && !v.isNum {
		return nil, p.errorf(at, "operator %s on field %s needs a number", c.op, c.name)
	}
	c.val = &v
	return c, nil
}

func (p *sparser) parseSValue() (value, error) {
	at := p.pos
	if p.pos < p.end && (p.src[p.pos] == '"' || p.src[p.pos] == '%') {
		return p.parseValue()
	}
	tok := p.token(",&|")
	if tok == "" {
		return value{}, p.errorf(at, "expected a value")
	}
	return tokenValue(tok), nil
}
