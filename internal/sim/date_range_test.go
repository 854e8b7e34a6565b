package sim_test

import (
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/sim"
)

// TestDateOutOfRange: a relative date past time.Duration's range (about 292
// years) is refused, never wrapped to a date on the other side of now.
func TestDateOutOfRange(t *testing.T) {
	for _, in := range []string{"-999999y", "+999999y", "-293y", "-999999d", "-999999w"} {
		if d, err := sim.ParseDate(in); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("ParseDate(%q) = %v, %v; want an out-of-range error", in, d, err)
		}
	}
	for _, in := range []string{"-292y", "+999999h", "-999999m"} {
		if _, err := sim.ParseDate(in); err != nil {
			t.Errorf("ParseDate(%q): %v", in, err)
		}
	}
}
