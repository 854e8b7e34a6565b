package termsafe

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		keepNewlines bool
		want         string
	}{
		{"plain", "prod-payments", false, "prod-payments"},
		{"unicode kept", "Zürich → ops ✓", false, "Zürich → ops ✓"},
		{"ansi escape", "a\x1b[31mb", false, `a\x1b[31mb`},
		{"newline kept", "a\nb", true, "a\nb"},
		{"newline escaped", "a\nb", false, `a\nb`},
		{"tab and cr", "a\tb\rc", true, `a\tb\rc`},
		{"bidi override", "abc\u202egnp.exe", false, `abc\u202egnp.exe`},
		{"c1 control", "a\u0085b", false, `a\x85b`},
		{"line separator", "a\u2028b", false, `a\u2028b`},
		{"invalid utf-8", "a\xffb", false, `a\xffb`},
		{"noncharacter", "a\uFFFEb\U0010FFFF", false, `a\ufffeb\U0010ffff`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in, tt.keepNewlines); got != tt.want {
				t.Errorf("Escape(%q, %v) = %q, want %q", tt.in, tt.keepNewlines, got, tt.want)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"ééééé", 4, "ééé…"},
	}
	for _, tt := range tests {
		if got := Shorten(tt.in, tt.n); got != tt.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"plain é → ✓"}` + "\n", `{"a":"plain é → ✓"}` + "\n"},
		{`{"a":"x` + "\u202e" + `y"}`, `{"a":"x\u202ey"}`},
		{`{"a":"` + "\u0085\u009b\x7f" + `"}`, `{"a":"\u0085\u009b\u007f"}`},
		{`{"a":"` + "\U0010FFFF" + `"}`, `{"a":"\udbff\udfff"}`},
	}
	for _, tt := range tests {
		if got := string(JSON([]byte(tt.in))); got != tt.want {
			t.Errorf("JSON(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
