package detect

import (
	"bytes"
	"slices"
)

// needles are the union of the rules' Needles, in registry order. Rules compare these values
// case-sensitively, so an IAM user named "root" does not pass.
var needles = unionNeedles(registry)

// unionNeedles returns every rule's needles once each, in the order rs first names them.
func unionNeedles(rs []*Rule) [][]byte {
	var out [][]byte
	for _, r := range rs {
		for _, n := range r.Needles {
			if !slices.ContainsFunc(out, func(b []byte) bool { return string(b) == n }) {
				out = append(out, []byte(n))
			}
		}
	}
	return out
}

// escape starts a JSON \uXXXX escape, through which a string can spell a needle without
// containing its bytes.
var escape = []byte(`\u`)

// exported is needles plus escape: the complete list a chunk scanner must look for.
var exported = append(append([][]byte{}, needles...), escape)

// Needles returns every byte string Interesting looks for: the literal needles and the start of
// a \u escape. A raw record that contains none of them can be skipped without calling
// Interesting; one that contains any of them still needs Interesting to decide. The slices are
// shared; do not modify them.
func Needles() [][]byte { return exported }

// Interesting reports whether any rule could fire on the raw JSON record, or an aggregate or
// join could need it. False guarantees that Engine.Observe would return nothing for the record
// and that Flush would not change without it. It never decodes JSON: it looks for the literal
// needles, and only when the record holds a \u escape (which could spell a needle) does it
// also look in a copy with those escapes undone.
func Interesting(raw []byte) bool {
	if containsNeedle(raw) {
		return true
	}
	if !bytes.Contains(raw, escape) {
		return false
	}
	return containsNeedle(unescapeU(raw))
}

func containsNeedle(b []byte) bool {
	for _, n := range needles {
		if bytes.Contains(b, n) {
			return true
		}
	}
	return false
}

// unescapeU returns b with every \uXXXX escape of an ASCII character replaced by the character.
// Other bytes, including other escapes, are copied unchanged; needles are ASCII letters, which a
// JSON string can only spell differently through \u escapes.
func unescapeU(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			if b[i+1] == 'u' && i+5 < len(b) {
				if v, ok := hex4(b[i+2 : i+6]); ok && v < 0x80 {
					out = append(out, byte(v))
					i += 5
					continue
				}
			}
			// Any other escape: copy both bytes so an escaped backslash cannot start a \u.
			out = append(out, b[i], b[i+1])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}

func hex4(h []byte) (rune, bool) {
	var v rune
	for _, c := range h {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			v |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			v |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return v, true
}
