package teddy

import (
	"bytes"
	"strings"
	"testing"
)

var needles = [][]byte{[]byte("Root"), []byte("PasswordRecovery"), []byte("Contact"), []byte("PrimaryEmail"),
	[]byte("SetAccountPreferences"), []byte("SecurityQuestions"), []byte(`\u`)}

// naive is Index by definition: the first position where a needle's first
// three bytes (two for a two-byte needle) start.
func naive(buf []byte, needles [][]byte) int {
	for i := range buf {
		for _, n := range needles {
			if bytes.HasPrefix(buf[i:], n[:min(3, len(n))]) {
				return i
			}
		}
	}
	return -1
}

func TestIndex(t *testing.T) {
	tab, ok := New(needles)
	if !ok {
		t.Skip("no vectorised pass on this CPU")
	}
	filler := strings.Repeat(`"type":"Role","arn":"arn:aws:sts::1:assumed-role/Co/Se",`, 4) // near misses
	for _, n := range needles {
		for size := 0; size <= 100; size++ {
			for at := 0; at <= size; at++ {
				buf := []byte(filler[:size])
				if at+len(n) <= size {
					copy(buf[at:], n)
				}
				if got, want := tab.Index(buf), naive(buf, needles); got != want {
					t.Fatalf("Index(%q) = %d, want %d", buf, got, want)
				}
			}
		}
	}
}

func TestNewRefuses(t *testing.T) {
	for name, ns := range map[string][][]byte{
		"a needle of one byte": {[]byte("Root"), []byte("R")},
		"nine needles":         bytes.Fields([]byte("aa bb cc dd ee ff gg hh ii")),
	} {
		if _, ok := New(ns); ok {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func FuzzIndex(f *testing.F) {
	f.Add([]byte(`{"type":"Root"}`+strings.Repeat("x", 40)+`\u`), "Roo")
	f.Add([]byte("SetAccountPreferencesContac"), "ab")
	f.Fuzz(func(t *testing.T, buf []byte, extra string) {
		ns := append([][]byte{[]byte(extra)}, needles...)
		tab, ok := New(ns)
		if !ok {
			return // a short extra needle, or no vectorised pass
		}
		if got, want := tab.Index(buf), naive(buf, ns); got != want {
			t.Fatalf("Index(%q) with %q = %d, want %d", buf, extra, got, want)
		}
	})
}
