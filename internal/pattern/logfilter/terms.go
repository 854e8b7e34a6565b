package logfilter

import (
	"bytes"
	"regexp"
)

// term is one search term of a term pattern.
type term struct {
	text   string
	regexp *regexp.Regexp
}

func (t term) in(event []byte) bool {
	if t.regexp != nil {
		return t.regexp.Match(event)
	}
	return bytes.Contains(event, []byte(t.text))
}

// terms is a term pattern: every required term must appear, no excluded term
// may appear, and when ?optional terms are given at least one must appear.
type terms struct {
	required, excluded, optional []term
}

func (t *terms) match(event []byte) bool {
	for _, r := range t.required {
		if !r.in(event) {
			return false
		}
	}
	for _, x := range t.excluded {
		if x.in(event) {
			return false
		}
	}
	if len(t.optional) == 0 {
		return true
	}
	for _, o := range t.optional {
		if o.in(event) {
			return true
		}
	}
	return false
}

func parseTerms(pattern string, lead int, trimmed string) (*terms, error) {
	end := lead + len(trimmed)
	pos := lead
	t := &terms{}
	for {
		for pos < end && isSpace(pattern[pos]) {
			pos++
		}
		if pos >= end {
			break
		}
		list := &t.required
		switch pattern[pos] {
		case '?':
			list = &t.optional
			pos++
		case '-':
			list = &t.excluded
			pos++
			// "ERROR" - "Exiting": the minus may stand apart from its term.
			for pos < end && isSpace(pattern[pos]) {
				pos++
			}
		}
		if pos >= end {
			return nil, &SyntaxError{Pattern: pattern, Offset: pos, Msg: "expected a term after ? or -"}
		}
		var tm term
		switch pattern[pos] {
		case '"':
			s, next, err := readQuoted(pattern, pos, end)
			if err != nil {
				return nil, err
			}
			if s == "" {
				return nil, &SyntaxError{Pattern: pattern, Offset: pos, Msg: "empty quoted term"}
			}
			tm.text, pos = s, next
		case '%':
			re, next, err := readRegexp(pattern, pos, end)
			if err != nil {
				return nil, err
			}
			tm.regexp, pos = re, next
		default:
			s := pos
			for pos < end && !isSpace(pattern[pos]) {
				pos++
			}
			tm.text = pattern[s:pos]
		}
		*list = append(*list, tm)
	}
	return t, nil
}
