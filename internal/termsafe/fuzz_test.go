package termsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// FuzzTermsafe: whatever a name holds, Escape leaves no character a
// terminal acts on, and JSON leaves none either while decoding to the same
// string.
func FuzzTermsafe(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[31mb", "x\u202ey", "\u0085\u009b", "\xff\xfe", "\U0010FFFF", "a\nb\tc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		unsafe := func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }
		if e := Escape(s, false); strings.ContainsFunc(e, unsafe) {
			t.Errorf("Escape(%q) = %q keeps a control character", s, e)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		out := JSON(b)
		if strings.ContainsFunc(string(out), unsafe) {
			t.Errorf("JSON(%s) = %s keeps a control character", b, out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("JSON(%s) = %s does not decode: %v", b, out, err)
		}
		var want string
		_ = json.Unmarshal(b, &want) // invalid UTF-8 became U+FFFD in both
		if back != want {
			t.Errorf("JSON(%s) decodes to %q, want %q", b, back, want)
		}
	})
}
