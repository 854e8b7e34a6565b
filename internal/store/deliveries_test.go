package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

func TestDeliveryOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		d := store.NewDelivery{ID: "k-1", EventID: "ev-1", Destination: "slack", GroupKey: "g", Body: []byte(`{"a":1}`)}
		if k, err := s.EnqueueDelivery(ctx, d, now); err != nil || k != store.KindAlert {
			t.Fatalf("enqueue: %q, %v", k, err)
		}
		// The same event again (another ID, as a redelivery might compute): nothing new.
		again := d
		again.ID = "k-other"
		if k, err := s.EnqueueDelivery(ctx, again, now); err != nil || k != "" {
			t.Fatalf("enqueue again: %q, %v", k, err)
		}
		if due, err := s.DueDeliveries(ctx, now, []string{"slack"}, 10); err != nil || len(due) != 0 {
			t.Fatalf("due with slack held back: %v, %v", due, err)
		}
		due, err := s.DueDeliveries(ctx, now, nil, 10)
		if err != nil || len(due) != 1 || due[0].ID != "k-1" || string(due[0].Body) != `{"a":1}` {
			t.Fatalf("due: %+v, %v", due, err)
		}
		a, ok, err := s.ClaimDelivery(ctx, due[0], "A", now, time.Minute)
		if err != nil || !ok || a.Attempts != 1 || a.PossibleRepeat {
			t.Fatalf("claim by A: %+v, %v, %v", a, ok, err)
		}
		// B read the same row before A claimed it: its claim loses.
		if _, ok, err := s.ClaimDelivery(ctx, due[0], "B", now, time.Minute); err != nil || ok {
			t.Fatalf("stale claim by B: %v, %v", ok, err)
		}
		if n, err := s.RecentSends(ctx, "slack", now.Add(-time.Minute)); err != nil || n != 1 {
			t.Errorf("recent sends while sending: %d, %v", n, err)
		}
		// Not due while the lease holds; due once it ran out.
		if due, _ := s.DueDeliveries(ctx, now.Add(59*time.Second), nil, 10); len(due) != 0 {
			t.Fatalf("due under lease: %+v", due)
		}
		due, _ = s.DueDeliveries(ctx, now.Add(time.Minute), nil, 10)
		if len(due) != 1 {
			t.Fatalf("due after the lease: %+v", due)
		}
		b, ok, err := s.ClaimDelivery(ctx, due[0], "B", now.Add(time.Minute), time.Minute)
		if err != nil || !ok || !b.PossibleRepeat || b.Attempts != 2 {
			t.Fatalf("claim by B after A's lease: %+v, %v, %v", b, ok, err)
		}
		if err := s.DeliverySent(ctx, "k-1", "A", now); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("A records after losing its lease: %v", err)
		}
		if err := s.DeliveryFailed(ctx, "k-1", "B", "503", now.Add(2*time.Minute), false); err != nil {
			t.Fatal(err)
		}
		due, _ = s.DueDeliveries(ctx, now.Add(2*time.Minute), nil, 10)
		if len(due) != 1 || due[0].State != store.DeliveryFailed || due[0].LastError != "503" || !due[0].PossibleRepeat {
			t.Fatalf("due after a failure: %+v", due)
		}
		c, ok, err := s.ClaimDelivery(ctx, due[0], "B", now.Add(2*time.Minute), time.Minute)
		if err != nil || !ok || c.Attempts != 3 {
			t.Fatalf("retry: %+v, %v, %v", c, ok, err)
		}
		if err := s.DeliverySent(ctx, "k-1", "B", now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		all, err := s.Deliveries(ctx)
		if err != nil || len(all) != 1 || all[0].State != store.DeliverySent || !all[0].Sent.Equal(now.Add(2*time.Minute)) || all[0].LastError != "" {
			t.Fatalf("outbox: %+v, %v", all, err)
		}
		if n, _ := s.RecentSends(ctx, "slack", now.Add(90*time.Second)); n != 1 {
			t.Errorf("recent sends: %d", n)
		}
		if n, _ := s.RecentSends(ctx, "slack", now.Add(3*time.Minute)); n != 0 {
			t.Errorf("sends after the minute: %d", n)
		}
	})
}

func TestDeliveryFolding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		const window = 10 * time.Minute
		enqueue := func(ev string, at time.Duration) store.DeliveryKind {
			t.Helper()
			k, err := s.EnqueueDelivery(ctx, store.NewDelivery{ID: "k-" + ev, EventID: ev, Destination: "mail", GroupKey: "brute|111", Body: []byte(ev), Window: window}, now.Add(at))
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		got := []store.DeliveryKind{enqueue("e1", 0), enqueue("e2", time.Minute), enqueue("e3", 9*time.Minute), enqueue("e2", 9*time.Minute), enqueue("e4", 11*time.Minute)}
		want := []store.DeliveryKind{store.KindAlert, store.KindFolded, store.KindFolded, "", store.KindAlert}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("kinds %v, want %v", got, want)
		}
		n, first, last, err := s.Folded(ctx, "k-e1")
		if err != nil || n != 2 || !first.Equal(now.Add(time.Minute)) || !last.Equal(now.Add(9*time.Minute)) {
			t.Fatalf("folded: %d %v %v %v", n, first, last, err)
		}
		due, _ := s.DueDeliveries(ctx, now.Add(9*time.Minute), nil, 10)
		if len(due) != 1 || due[0].ID != "k-e1" {
			t.Fatalf("due inside the window: %+v", due)
		}
		due, _ = s.DueDeliveries(ctx, now.Add(11*time.Minute), nil, 10)
		var ids []string
		for _, d := range due {
			ids = append(ids, d.ID+":"+string(d.Kind)+":"+string(d.Body))
		}
		// The update carries the last folded alert's body and is due at the window's end.
		if fmt.Sprint(ids) != "[k-e1:alert:e1 k-e1-update:update:e3 k-e4:alert:e4]" {
			t.Fatalf("due after the window: %v", ids)
		}
	})
}

// TestDeliveryClaimRace: dispatchers racing over one due delivery; one
// claims it.
func TestDeliveryClaimRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		if _, err := s.EnqueueDelivery(ctx, store.NewDelivery{ID: "k", EventID: "e", Destination: "d", GroupKey: "g", Body: []byte("{}")}, now); err != nil {
			t.Fatal(err)
		}
		due, err := s.DueDeliveries(ctx, now, nil, 1)
		if err != nil || len(due) != 1 {
			t.Fatal(due, err)
		}
		var wg sync.WaitGroup
		won := make([]bool, 8)
		for i := range won {
			wg.Go(func() {
				_, ok, err := s.ClaimDelivery(ctx, due[0], fmt.Sprint("owner-", i), now, time.Minute)
				if err != nil {
					t.Error(err)
				}
				won[i] = ok
			})
		}
		wg.Wait()
		n := 0
		for _, w := range won {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d claims won, want 1", n)
		}
	})
}
