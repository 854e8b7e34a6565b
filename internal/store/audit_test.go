package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

// TestTryLock: two holders of one store (two hosts on one server, or two
// processes on one SQLite file) race for one organization's lock: exactly
// one gets it, the other is refused at once with ErrLocked; after the
// release it can be taken again, and another organization's lock is
// independent.
func TestTryLock(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		hosts := []*store.Store{mustOpen(t, dsn), mustOpen(t, dsn)}
		var wg sync.WaitGroup
		releases := make([]func(), len(hosts))
		errs := make([]error, len(hosts))
		for i, s := range hosts {
			wg.Go(func() { releases[i], errs[i] = s.TryLock(ctx, "apply-o-abcdefghij") })
		}
		wg.Wait()
		held := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if held >= 0 {
					t.Fatal("both holders got the lock")
				}
				held = i
			case !errors.Is(err, audit.ErrLocked) || !strings.Contains(err.Error(), "apply-o-abcdefghij"):
				t.Errorf("refused holder's error %q: want ErrLocked naming the lock", err)
			}
		}
		if held < 0 {
			t.Fatalf("nobody got the lock: %v", errs)
		}
		other := hosts[1-held]
		if rel, err := other.TryLock(ctx, "apply-o-zzzzzzzzzz"); err != nil {
			t.Errorf("another organization's lock: %v", err)
		} else {
			rel()
		}
		releases[held]()
		rel, err := other.TryLock(ctx, "apply-o-abcdefghij")
		if err != nil {
			t.Fatalf("after the release: %v", err)
		}
		rel()
	})
}

// TestAuditAnchorInStore: an audit log anchored in the store writes its
// head there on every append; a log cut at its end (or its anchor row
// moved back) is then refused by Open and reported by Verify.
func TestAuditAnchorInStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "audit.log")
		anchor := s.AuditAnchor("host-a:" + path)
		opts := audit.Options{Anchor: anchor}
		l, err := audit.Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range []string{"organizations:AttachPolicy", "account:PutAlternateContact"} {
			if err := l.Append(ctx, audit.Entry{Actor: "arn:aws:iam::111111111111:user/a", PlanID: "p", ChangeID: "c", AccountID: "111111111111", Operation: op, Phase: audit.PhaseIntent}); err != nil {
				t.Fatal(err)
			}
		}
		seq, hash := l.Head()
		l.Close()
		h, err := anchor.ReadHead(ctx)
		if err != nil || h == nil || h.Seq != seq || h.Hash != hash {
			t.Fatalf("anchored head %+v (%v); want seq %d hash %s", h, err, seq, hash)
		}
		if _, err := os.Stat(path + ".head"); !os.IsNotExist(err) {
			t.Errorf("a head file was written beside the log (%v); the store anchors it", err)
		}
		if err := anchor.WriteHead(ctx, audit.Head{Seq: seq - 1, Hash: hash}); err == nil {
			t.Error("the anchor moved back")
		}
		if res, err := audit.Verify(path, opts); err != nil || !res.OK() {
			t.Fatalf("Verify of the intact log: %+v, %v", res, err)
		}

		// Cut the last entry.
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
		if err := os.WriteFile(path, []byte(strings.Join(lines[:len(lines)-1], "")), 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := audit.Verify(path, opts)
		if err != nil || res.OK() || res.Broken.Kind != audit.KindCut {
			t.Errorf("Verify of the cut log: %+v, %v; want a cut", res.Broken, err)
		}
		if _, err := audit.Open(path, opts); !errors.Is(err, audit.ErrBroken) {
			t.Errorf("Open of the cut log: %v; want ErrBroken", err)
		}
	})
}
