package guardrail

import (
	"math"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
)

// TestKeyRiskWindowPastDurationRange: a window whose days × 24h is past
// time.Duration's range (Validate refuses one, but keyRisk does not rely on
// it) keeps a key used 3 days ago recent instead of wrapping to a negative
// window that switches apply's flag off.
func TestKeyRiskWindowPastDurationRange(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	used := now.AddDate(0, 0, -3)
	key := inventory.AccessKey{ID: "AKIAEXAMPLE", LastUsed: &inventory.KeyLastUsed{Date: &used}}
	for _, days := range []int{3, 200_000, math.MaxInt} {
		if _, recent, text := keyRisk(key, now, days); recent != (days > 3) {
			t.Errorf("window %d days: recent = %v, want %v (%s)", days, recent, days > 3, text)
		}
	}
}
