package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

func TestDrills(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		opened := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		id, err := s.AddDrill(ctx, drill.Drill{AccountID: "111111111111", Kind: drill.SignIn, OpenedAt: opened, ClosesAt: opened.Add(time.Hour), OpenedBy: "alice", Result: drill.Open})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Drill(ctx, "drill-nope"); !errors.Is(err, store.ErrNoDrill) {
			t.Errorf("unknown drill: %v", err)
		}
		d, err := s.Drill(ctx, id)
		if err != nil || d.OpenedBy != "alice" || !d.ClosesAt.Equal(opened.Add(time.Hour)) {
			t.Fatalf("drill %+v, %v", d, err)
		}
		// Two results racing (a verification and an attestation): one is recorded.
		v := d
		v.Result, v.EventID, v.EventTime, v.CheckedAt = drill.Verified, "ev-1", opened.Add(10*time.Minute), opened.Add(2*time.Hour)
		a := d
		a.Result, a.CheckedAt, a.Note = drill.Attested, opened.Add(2*time.Hour), "bob: signed in"
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, x := range []drill.Drill{v, a} {
			wg.Go(func() { errs[i] = s.DecideDrill(ctx, x) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("both or neither result recorded: %v", errs)
		}
		for _, err := range errs {
			if err != nil && !errors.Is(err, store.ErrDrillDecided) {
				t.Errorf("losing result: %v", err)
			}
		}
		ds, err := s.Drills(ctx)
		if err != nil || len(ds) != 1 || ds[0].Result == drill.Open {
			t.Fatalf("drills %+v, %v", ds, err)
		}
	})
}
