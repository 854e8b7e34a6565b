// Package termsafe makes text from AWS, CloudTrail records, configs and
// file names safe to print for people: control characters and bidirectional
// overrides become visible escapes, and overlong fields are shortened, so a
// hostile name can neither drive the terminal nor push the real content
// out of view.
package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Escape makes text safe to print on a terminal: control characters
// (including ESC, which starts ANSI sequences) and bidirectional overrides
// are written as Go escapes, so an account name cannot recolour, move the
// cursor or reorder what follows it. Newlines are kept when keepNewlines.
func Escape(s string, keepNewlines bool) string {
	clean := true
	for _, r := range s {
		if needsEscape(r, keepNewlines) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r, keepNewlines):
			switch {
			case r == '\t':
				b.WriteString(`\t`)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r < 0x100:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r > 0xFFFF:
				fmt.Fprintf(&b, `\U%08x`, r)
			default:
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune, keepNewlines bool) bool {
	if r == '\n' {
		return !keepNewlines
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) ||
		r == '\u2028' || r == '\u2029' || isNonCharacter(r)
}

// isNonCharacter reports Unicode noncharacters (U+FDD0–U+FDEF and the last
// two code points of every plane), which have no business in a name.
func isNonCharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}

// Shorten cuts s to at most n runes, ending a cut string with "…".
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// JSON rewrites encoded JSON so that it is safe on a terminal too: the
// characters Escape makes visible that encoding/json leaves as they are
// (DEL, C1 controls, bidirectional controls, line separators,
// noncharacters) become \u escapes. The document decodes to the same value.
func JSON(b []byte) []byte {
	clean := true
	for _, r := range string(b) {
		if jsonEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for _, r := range string(b) {
		if !jsonEscape(r) {
			out = utf8.AppendRune(out, r)
			continue
		}
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
			continue
		}
		out = fmt.Appendf(out, `\u%04x`, r)
	}
	return out
}

// jsonEscape reports the runes JSON escapes; below DEL, encoding/json has
// escaped every control character already (a raw newline ends a line).
func jsonEscape(r rune) bool { return r >= 0x7F && needsEscape(r, true) }
