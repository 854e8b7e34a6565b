package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"root-mfa", "root-mfa", 0},
		{"root-mfa-hardwar", "root-mfa-hardware", 1},
		{"héllo", "hello", 1},
	} {
		if got := distance(tc.a, tc.b); got != tc.want {
			t.Errorf("distance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNearest(t *testing.T) {
	ids := []string{"root-mfa-enabled", "root-mfa-hardware", "root-access-keys", "guardduty-enabled"}
	for _, tc := range []struct {
		word, want string
		ok         bool
	}{
		{"root-mfa-hardwre", "root-mfa-hardware", true},
		{"root-acess-keys", "root-access-keys", true},
		{"guardduty", "", false}, // too far from guardduty-enabled
		{"NOPE", "", false},
		{"", "", false},
	} {
		got, ok := Nearest(tc.word, ids)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("Nearest(%q) = %q, %v; want %q, %v", tc.word, got, ok, tc.want, tc.ok)
		}
	}
	if got := DidYouMean("root-mfa-enabld", ids); got != " (did you mean root-mfa-enabled?)" {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := DidYouMean("zzz", ids); got != "" {
		t.Errorf("DidYouMean(zzz) = %q; want none", got)
	}
}
