package logfilter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Kind says which of the filter pattern languages a pattern is written in.
type Kind int

// Pattern kinds.
const (
	// KindAll is the empty pattern, which matches every log event.
	KindAll Kind = iota
	// KindJSON is a { SELECTOR OP VALUE } pattern over JSON log events.
	KindJSON
	// KindTerms is a pattern of terms and quoted phrases over the raw text.
	KindTerms
	// KindSpaceDelimited is a [field, field, ...] pattern over space-delimited events.
	KindSpaceDelimited
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindAll:
		return "all"
	case KindJSON:
		return "json"
	case KindTerms:
		return "terms"
	case KindSpaceDelimited:
		return "space-delimited"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// SyntaxError reports a pattern that could not be parsed, with the byte
// offset in the pattern where the problem was found.
type SyntaxError struct {
	Pattern string
	Offset  int
	Msg     string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter pattern %s: offset %d: %s", quoteShort(e.Pattern), e.Offset, e.Msg)
}

func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		return fmt.Sprintf("%q…", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

// Filter is a parsed filter pattern. It is immutable and safe for concurrent use.
type Filter struct {
	src   string
	kind  Kind
	json  expr
	terms *terms
	space *spaceDelimited
}

// Parse parses a CloudWatch Logs filter pattern. Errors are *SyntaxError.
func Parse(pattern string) (*Filter, error) {
	f := &Filter{src: pattern}
	trimmed := strings.TrimSpace(pattern)
	// Leading whitespace shifts offsets; keep them relative to the original.
	lead := len(pattern) - len(strings.TrimLeft(pattern, " \t\r\n"))
	switch {
	case trimmed == "" || trimmed == `""`:
		f.kind = KindAll
	case trimmed[0] == '{':
		f.kind = KindJSON
		e, err := parseJSONPattern(pattern, lead, trimmed)
		if err != nil {
			return nil, err
		}
		f.json = e
	case trimmed[0] == '[':
		f.kind = KindSpaceDelimited
		s, err := parseSpaceDelimited(pattern, lead, trimmed)
		if err != nil {
			return nil, err
		}
		f.space = s
	default:
		f.kind = KindTerms
		t, err := parseTerms(pattern, lead, trimmed)
		if err != nil {
			return nil, err
		}
		f.terms = t
	}
	return f, nil
}

// MustParse is Parse for patterns known to be valid, such as constants; it
// panics on a syntax error.
func MustParse(pattern string) *Filter {
	f, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return f
}

// Kind reports the pattern language.
func (f *Filter) Kind() Kind { return f.kind }

// String returns the pattern as it was given to Parse.
func (f *Filter) String() string { return f.src }

// Match reports whether the log event (its message text; for CloudTrail log
// groups, one JSON record) matches the pattern.
func (f *Filter) Match(event []byte) bool {
	switch f.kind {
	case KindAll:
		return true
	case KindJSON:
		doc, ok := decodeObject(event)
		if !ok {
			return false
		}
		return f.json.eval(doc)
	case KindTerms:
		return f.terms.match(event)
	case KindSpaceDelimited:
		return f.space.match(event)
	}
	return false
}

// decodeObject decodes a log event that must be a single JSON object, keeping
// numbers as json.Number so that their text survives.
func decodeObject(event []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, false
	}
	if len(bytes.TrimSpace(event[dec.InputOffset():])) != 0 {
		return nil, false // trailing data: not one JSON object
	}
	return doc, true
}
