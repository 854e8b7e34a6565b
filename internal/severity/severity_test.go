package severity

import "testing"

func TestRankAndParse(t *testing.T) {
	for i, l := range Descending {
		if got, want := l.Rank(), len(Descending)-1-i; got != want {
			t.Errorf("%s.Rank() = %d, want %d", l, got, want)
		}
		if i > 0 && l.Rank() >= Descending[i-1].Rank() {
			t.Errorf("%s ranks at or above %s", l, Descending[i-1])
		}
	}
	if r := Level("severe").Rank(); r != -1 {
		t.Errorf("unknown level ranks %d, want -1", r)
	}
	for _, tc := range []struct {
		in   string
		want Level
		ok   bool
	}{
		{"HIGH", High, true}, {" info ", Info, true}, {"critical", Critical, true}, {"severe", "", false}, {"", "", false},
	} {
		got, err := Parse(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
