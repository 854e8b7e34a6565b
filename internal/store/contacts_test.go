package store_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

func TestContactVerifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		sent := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		token, hash, err := contacts.NewToken(nil)
		if err != nil {
			t.Fatal(err)
		}
		mx := []contacts.MXHost{{Host: "mx.example.com", Where: "account 111122223333 (Route 53 zone example.com.)"}, {Host: "mx.elsewhere.net"}}
		id, err := s.AddContactVerification(ctx, contacts.Verification{AccountID: "111122223333", Kind: contacts.RootEmail,
			Address: "aws-root@example.com", Method: contacts.ByToken, TokenHash: hash, SentAt: sent, MX: mx})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddContactVerification(ctx, contacts.Verification{AccountID: "444455556666", Kind: contacts.Phone,
			Address: "+1 555 0100", Method: contacts.Attested, SentAt: sent, ConfirmedAt: sent, By: "alice"}); err != nil {
			t.Fatal(err)
		}

		if _, err := s.ConfirmContactToken(ctx, "RG-NOPE", "bob", sent.Add(time.Hour), 72*time.Hour); !errors.Is(err, store.ErrTokenUnknown) {
			t.Errorf("unknown token: %v", err)
		}
		if _, err := s.ConfirmContactToken(ctx, token, "bob", sent.Add(73*time.Hour), 72*time.Hour); !errors.Is(err, store.ErrTokenExpired) {
			t.Errorf("expired token: %v", err)
		}
		// Racing confirmations: exactly one wins. The token may be typed
		// in lower case with blanks around it.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = s.ConfirmContactToken(ctx, "  "+strings.ToLower(token)+"\n", "bob", sent.Add(time.Hour), 72*time.Hour)
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrTokenUsed):
				t.Errorf("losing confirmation: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d confirmations won, want 1: %v", won, errs)
		}

		vs, err := s.ContactVerifications(ctx, "111122223333")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].ID != id || !vs[0].ConfirmedAt.Equal(sent.Add(time.Hour)) || vs[0].By != "bob" || len(vs[0].MX) != 2 || !vs[0].MX[1].Outside() {
			t.Fatalf("verifications: %+v", vs)
		}
		all, err := s.ContactVerifications(ctx)
		if err != nil || len(all) != 2 {
			t.Fatalf("all verifications: %d, %v", len(all), err)
		}
		// A verification whose mail could not be sent is removed; a
		// confirmed one stays.
		if err := s.DeleteContactVerification(ctx, id); err != nil {
			t.Fatal(err)
		}
		if vs, _ := s.ContactVerifications(ctx, "111122223333"); len(vs) != 1 {
			t.Errorf("a confirmed verification was deleted")
		}
	})
}
