package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

// TestWebSessions: a session is found by its hash until it expires; an
// expired one is removed by the next sign-in; sign-out removes it.
func TestWebSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		old := store.Session{IDHash: "h-old", Identity: "oidc:https://idp.example.com#a", CSRF: "c1", Created: t0, Expires: t0.Add(time.Hour)}
		if err := s.CreateSession(ctx, old); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.Session(ctx, "h-old", t0.Add(time.Minute)); err != nil || !ok || got.Identity != old.Identity || got.CSRF != "c1" {
			t.Fatalf("Session = %+v, %v, %v", got, ok, err)
		}
		if _, ok, err := s.Session(ctx, "h-old", t0.Add(time.Hour)); err != nil || ok {
			t.Fatalf("an expired session was found (%v)", err)
		}
		later := t0.Add(2 * time.Hour)
		if err := s.CreateSession(ctx, store.Session{IDHash: "h-new", Identity: "local:admin", CSRF: "c2", Created: later, Expires: later.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.QueryRow(ctx, "SELECT COUNT(*) FROM web_sessions").Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d sessions stored after the old one expired (%v)", n, err)
		}
		if err := s.DeleteSession(ctx, "h-new"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Session(ctx, "h-new", later); ok {
			t.Fatal("a deleted session was found")
		}
	})
}

// TestWebLoginsTakenOnce: of many takers of one state (replicas racing
// on a replayed callback), exactly one gets it; an expired one nobody.
func TestWebLoginsTakenOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		for _, l := range []store.Login{{State: "s1", Nonce: "n1", Verifier: "v1", Expires: t0.Add(time.Minute)}, {State: "s2", Nonce: "n2", Verifier: "v2", Expires: t0}} {
			if err := s.SaveLogin(ctx, l, t0.Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := 0
		for range 4 {
			wg.Go(func() {
				l, ok, err := s.TakeLogin(ctx, "s1", t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					got++
					mu.Unlock()
					if l.Nonce != "n1" || l.Verifier != "v1" {
						t.Errorf("took %+v", l)
					}
				}
			})
		}
		wg.Wait()
		if got != 1 {
			t.Errorf("the state was taken %d times, want once", got)
		}
		if _, ok, err := s.TakeLogin(ctx, "s2", t0); ok || err != nil {
			t.Errorf("an expired sign-in was taken (%v)", err)
		}
	})
}

func TestWebRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if err := s.SetRole(ctx, "nobody", "admin", "local:admin", t0); err == nil || !strings.Contains(err.Error(), "no such person") {
			t.Fatalf("role of an unregistered person: %v", err)
		}
		if err := s.Breakglass().AddPerson(ctx, breakglass.Person{ID: "bob"}, []string{"oidc:https://idp.example.com#bob"}, t0); err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{"approver", "admin"} {
			if err := s.SetRole(ctx, "bob", r, "local:admin", t0); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.Roles(ctx); err != nil || len(got) != 1 || got["bob"] != "admin" {
			t.Fatalf("Roles = %v, %v", got, err)
		}
	})
}

// TestRecentAlerts: newest stored first, limited.
func TestRecentAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		for i, id := range []string{"ev-a", "ev-b", "ev-c"} {
			a := detect.Alert{RuleID: "root-console-login", EventID: id, EventTime: "2026-12-01T10:00:00Z", AccountID: "111111111111"}
			if _, err := s.RecordAlert(ctx, a, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.RecentAlerts(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].EventID != "ev-c" || got[1].EventID != "ev-b" || !got[0].Stored.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("RecentAlerts = %+v", got)
		}
	})
}
