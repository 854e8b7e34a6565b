package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

func custodyRegistry(holder string) *custody.Registry {
	return &custody.Registry{
		Schema: custody.Schema,
		People: []custody.Person{{ID: "alice", Name: "Alice"}, {ID: "bob"}},
		Accounts: []custody.Account{{
			Account:   "111111111111",
			Password:  &custody.Password{Holder: holder, Storage: &custody.Storage{Kind: custody.StorageVault, Name: "vault", AWSAccount: "222222222222"}},
			MFA:       []custody.Device{{Serial: "GAHT1", Holder: "bob"}},
			PhoneLine: &custody.Owner{Kind: custody.OwnerOrganization, Name: "SOC line"},
		}},
	}
}

// TestCustodyRoundTrip: what WriteCustody writes, Custody reads back; a
// second write changes only what differs, and removes what is gone.
func TestCustodyRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		empty, err := s.Custody(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(empty.Accounts) != 0 || len(empty.People) != 0 {
			t.Fatalf("a fresh store holds %+v", empty)
		}
		want := custodyRegistry("alice")
		if err := s.WriteCustody(ctx, custody.Diff(empty, want), time.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := s.Custody(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("read back (-want +got):\n%s", diff)
		}
		next := got.Clone()
		next.People = next.People[:1]
		next.Accounts[0].MFA[0].Holder = "alice"
		changes := custody.Diff(got, next)
		if len(changes) != 2 {
			t.Fatalf("changes = %+v, want the person bob removed and the account updated", changes)
		}
		if err := s.WriteCustody(ctx, changes, time.Now()); err != nil {
			t.Fatal(err)
		}
		again, err := s.Custody(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(next, again); diff != "" {
			t.Errorf("after the update (-want +got):\n%s", diff)
		}
	})
}

// TestCustodyConflict: two edits made from the same reading: the second
// finds its record changed, writes nothing and says so.
func TestCustodyConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		empty := &custody.Registry{Schema: custody.Schema}
		base := custodyRegistry("alice")
		if err := s.WriteCustody(ctx, custody.Diff(empty, base), time.Now()); err != nil {
			t.Fatal(err)
		}
		first, second := base.Clone(), base.Clone()
		first.Accounts[0].Password.Holder = "bob"
		second.Accounts[0].Password.Holder = "alice"
		second.Accounts[0].PhoneLine = nil
		second.People = append(second.People, custody.Person{ID: "carol"})
		if err := s.WriteCustody(ctx, custody.Diff(base, first), time.Now()); err != nil {
			t.Fatal(err)
		}
		err := s.WriteCustody(ctx, custody.Diff(base, second), time.Now())
		if !errors.Is(err, store.ErrCustodyConflict) {
			t.Fatalf("second edit: %v, want ErrCustodyConflict", err)
		}
		got, err := s.Custody(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("the refused edit changed the store (-want +got):\n%s", diff)
		}
		// A second insert of a record that now exists conflicts too.
		if err := s.WriteCustody(ctx, custody.Diff(empty, base), time.Now()); !errors.Is(err, store.ErrCustodyConflict) {
			t.Errorf("insert over an existing record: %v, want ErrCustodyConflict", err)
		}
	})
}
