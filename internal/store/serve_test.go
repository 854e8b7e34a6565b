package store_test

import (
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

// TestTakeLease: a lease is one owner's until its term ends, then the
// next taker's; a taker learns until when another holds it.
func TestTakeLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		end := t0.Add(time.Hour)
		for _, c := range []struct {
			name       string
			owner      string
			now, until time.Time
			held       bool
			holdUntil  time.Time
		}{
			{"first taker", "a", t0, end, true, end},
			{"another within the term", "b", t0.Add(time.Minute), t0.Add(61 * time.Minute), false, end},
			{"the holder within its term", "a", t0.Add(time.Minute), t0.Add(61 * time.Minute), false, end},
			{"another once the term ended", "b", end, end.Add(time.Hour), true, end.Add(time.Hour)},
		} {
			held, until, err := s.TakeLease(ctx, "scan", c.owner, c.now, c.until)
			if err != nil || held != c.held || !until.Equal(c.holdUntil) {
				t.Errorf("%s: TakeLease = %v, %s, %v; want %v, %s", c.name, held, until, err, c.held, c.holdUntil)
			}
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema of a migrated database: %v", err)
		}
	})
}
