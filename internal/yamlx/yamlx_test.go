package yamlx_test

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/rootguard/rootguard/internal/yamlx"
)

// laughs is a document whose last anchor expands to 10^levels strings.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= levels; i++ {
		p := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(p+", ", 9) + p + "]\n")
	}
	return b.String()
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       string // error substring, "" for a document
		empty      bool
	}{
		{"plain", "a: 1\n", "", false},
		{"byte-order mark", "\xEF\xBB\xBFa: 1\n", "", false},
		{"document markers", "---\na: 1\n...\n", "", false},
		{"empty", "", "", true},
		{"comment only", "# nothing\n", "", true},
		{"two documents", "a: 1\n---\nb: 2\n", "more than one YAML document", false},
		{"three documents counted", "a: 1\n---\nb: 2\n---\nc: 3\n", "holds 3 YAML documents", false},
		{"anchors shared a little", laughs(4), "", false},
		{"anchors past the bound", laughs(6), "aliases expand to more than 1000000", false},
		{"billion laughs", laughs(9), "aliases expand to more than", false},
		{"too large", strings.Repeat("#", yamlx.MaxSize+1), "larger than the 32 MiB", false},
		{"syntax error", "a: [\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := yamlx.Parse([]byte(tt.data))
			switch {
			case tt.name == "syntax error":
				if err == nil {
					t.Errorf("Parse(%q) = nil error, want the parser's", tt.data)
				}
			case tt.want != "":
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Parse = %v, want an error saying %q", err, tt.want)
				}
			case err != nil:
				t.Errorf("Parse: %v", err)
			case (doc == nil) != tt.empty:
				t.Errorf("Parse = %v, want empty %v", doc, tt.empty)
			}
		})
	}
}

// FuzzParse: no input panics Parse, and a document it accepts stays
// within the alias bound.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a: 1\n", "\xEF\xBB\xBFa: [1, 2]\n", "a: 1\n---\nb: 2\n", laughs(3), laughs(9), "a: !foo", "a: &x [*x]\n", "a: &x\nb: *x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		yamlx.Parse(data) //nolint:errcheck // only panics matter here.
	})
}

// TestParseBounded: a caller's own alias bound refuses what the default
// one lets through.
func TestParseBounded(t *testing.T) {
	t.Parallel()
	if _, err := yamlx.Parse([]byte(laughs(4))); err != nil {
		t.Fatalf("Parse of 10^5 nodes: %v", err)
	}
	_, err := yamlx.ParseBounded([]byte(laughs(4)), 10_000)
	if err == nil || !strings.Contains(err.Error(), "aliases expand to more than 10000 nodes") {
		t.Errorf("ParseBounded(10_000) of 10^5 nodes = %v, want the bound", err)
	}
}

// TestDecode: a tag without a value, on which the decoder panics, is an
// error; null and nothing are Empty.
func TestDecode(t *testing.T) {
	t.Parallel()
	var v struct {
		S struct {
			L []string `yaml:"l"`
		} `yaml:"s"`
	}
	tests := []struct {
		data, want string
		empty      bool
	}{
		{"s:\n  l: !foo\n", "cannot decode the YAML", false},
		{"s: !foo\n", "tag was used", false},
		{"s:\n  l: [a]\n", "", false},
		{"s:\n  x: [a]\n", `unknown field "x"`, false},
		{"null\n", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		doc, err := yamlx.Parse([]byte(tt.data))
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.data, err)
		}
		if got := yamlx.Empty(doc); got != tt.empty {
			t.Errorf("Empty(%q) = %v, want %v", tt.data, got, tt.empty)
		}
		if tt.empty {
			continue
		}
		err = yamlx.Decode(doc, &v, yaml.Strict())
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Decode(%q) = %v, want %q", tt.data, err, tt.want)
		}
	}
}

// TestParseRefusesNonPrintable: YAML 1.2 allows only printable characters
// in a stream; the parser accepted DEL, and the encoder then wrote a
// string it could not read back (found by FuzzParseScenario).
func TestParseRefusesNonPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a: b\nsid: x\x7fy\n", "line 2: character U+007F"},
		{"a: \x01\n", "line 1: character U+0001"},
		{"a: \u0085b\u00e9\tc\r\n", ""},
		{"a: \xff\n", "line 1: not UTF-8"},
		{"a: b\nc: \"x\\x7fy\"\n", "line 2: a string holds character U+007F"},
	} {
		_, err := yamlx.Parse([]byte(tc.in))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}
