package logfilter

import (
	"regexp"
	"strconv"
	"strings"
)

// value is the right-hand side of a comparison.
type value struct {
	// text is the literal (without quotes and without the wildcard stars).
	text string
	// anyText: the value is a lone * and matches any string or number.
	anyText bool
	// leadStar/trailStar: a leading or trailing * wildcard.
	leadStar, trailStar bool
	// num is set when the literal is an unquoted number.
	num    float64
	isNum  bool
	regexp *regexp.Regexp
}

// matchString matches the value against a string (or a number's text).
func (v *value) matchString(s string) bool {
	switch {
	case v.regexp != nil:
		return v.regexp.MatchString(s)
	case v.anyText:
		return true
	case v.leadStar && v.trailStar:
		return strings.Contains(s, v.text)
	case v.leadStar:
		return strings.HasSuffix(s, v.text)
	case v.trailStar:
		return strings.HasPrefix(s, v.text)
	}
	return s == v.text
}

// stringValue builds a string value from its literal, turning a leading or
// trailing * into a wildcard. An inner * stays literal.
func stringValue(lit string) value {
	if lit == "*" || lit == "**" {
		return value{anyText: true}
	}
	v := value{}
	if strings.HasPrefix(lit, "*") {
		v.leadStar = true
		lit = lit[1:]
	}
	if strings.HasSuffix(lit, "*") {
		v.trailStar = true
		lit = lit[:len(lit)-1]
	}
	v.text = lit
	return v
}

// parseNumber accepts the documented numeric literal: an integer or decimal
// with an optional sign, optionally followed by e and a signed integer.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	i := 0
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			exp++
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// op is a comparison operator.
type op int

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

func (o op) String() string {
	return [...]string{"=", "!=", "<", "<=", ">", ">="}[o]
}

// compareNum applies a numeric operator.
func compareNum(o op, a, b float64) bool {
	switch o {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	case opGt:
		return a > b
	case opGe:
		return a >= b
	}
	return false
}
