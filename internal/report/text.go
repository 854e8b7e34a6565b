package report

import (
	"strings"
	"unicode/utf8"
)

// wrap breaks s into lines of at most width runes, at spaces; a word longer
// than width (an ARN, say) gets a line of its own rather than being cut.
// Existing newlines are kept.
func wrap(s string, width int) []string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line, n := words[0], utf8.RuneCountInString(words[0])
		for _, w := range words[1:] {
			wn := utf8.RuneCountInString(w)
			if n+1+wn > width {
				out = append(out, line)
				line, n = w, wn
				continue
			}
			line += " " + w
			n += 1 + wn
		}
		out = append(out, line)
	}
	return out
}

// pad right-pads s with spaces to width runes.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}
