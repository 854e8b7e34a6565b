package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// day is the start of the nth daily scan.
func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

func finding(check, account string, st checks.Status) checks.Finding {
	return checks.Finding{CheckID: check, AccountID: account, AccountName: "acct-" + account, Status: st, Severity: checks.High,
		Detail: check + " is " + string(st), Evidence: map[string]any{"n": float64(1)}}
}

func record(t *testing.T, s *store.Store, n int, fs ...checks.Finding) string {
	t.Helper()
	rep := report.New(report.Meta{Mode: "demo"}, fs, day(n))
	id, err := s.RecordScan(t.Context(), rep, day(n), day(n).Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if h, err := s.History(ctx, store.HistoryFilter{}); err != nil || len(h) != 0 {
			t.Fatalf("History of no scans = %v, %v", h, err)
		}
		const a, b = "111111111111", "222222222222"
		// keys: broken FAIL run (a), FAIL with a scan that did not report
		// it (b), steady PASS (c), resolved (d).
		record(t, s, 0, finding("keys", a, checks.Fail), finding("mfa", b, checks.Fail), finding("contact", a, checks.Pass), finding("trail", a, checks.Fail))
		record(t, s, 1, finding("keys", a, checks.Pass), finding("mfa", b, checks.Fail), finding("contact", a, checks.Pass), finding("trail", a, checks.Fail))
		record(t, s, 2, finding("keys", a, checks.Fail), finding("contact", a, checks.Pass), finding("trail", a, checks.Pass))
		record(t, s, 3, finding("keys", a, checks.Fail), finding("mfa", b, checks.Fail), finding("contact", a, checks.Pass))
		h := func(check, acct string, st checks.Status, since, n, last int) store.FindingHistory {
			return store.FindingHistory{CheckID: check, AccountID: acct, AccountName: "acct-" + acct, Status: st, Severity: checks.High, Since: day(since), Scans: n, LastSeen: day(last)}
		}
		for _, c := range []struct {
			name   string
			filter store.HistoryFilter
			want   []store.FindingHistory
		}{
			{"all", store.HistoryFilter{}, []store.FindingHistory{
				h("contact", a, checks.Pass, 0, 4, 3),
				h("keys", a, checks.Fail, 2, 2, 3),
				h("mfa", b, checks.Fail, 0, 3, 3),
				h("trail", a, checks.Pass, 2, 1, 2),
			}},
			{"account", store.HistoryFilter{AccountID: b}, []store.FindingHistory{h("mfa", b, checks.Fail, 0, 3, 3)}},
			{"check", store.HistoryFilter{CheckID: "keys"}, []store.FindingHistory{h("keys", a, checks.Fail, 2, 2, 3)}},
			{"both, no match", store.HistoryFilter{CheckID: "keys", AccountID: b}, []store.FindingHistory{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.History(ctx, c.filter)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(c.want, got); d != "" {
					t.Errorf("History (-want +got):\n%s", d)
				}
			})
		}
	})
}

// TestLatestScanAsBaseline: the latest recorded scan reads back with its
// findings as they were stored, and report.Compare against it finds what
// is new and resolved.
func TestLatestScanAsBaseline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if sc, rep, err := s.LatestScan(ctx); sc != nil || rep != nil || err != nil {
			t.Fatalf("LatestScan of an empty store = %v, %v, %v", sc, rep, err)
		}
		record(t, s, 0, finding("keys", "1", checks.Pass))
		muted := finding("mfa", "1", checks.Fail)
		muted.Muted = &checks.Mute{Reason: "accepted", AcceptedBy: "sec", Expires: "2027-01-01"}
		want := []checks.Finding{finding("keys", "1", checks.Fail), muted, finding("trail", "2", checks.Pass)}
		id := record(t, s, 1, want...)
		sc, base, err := s.LatestScan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sc.ID != id || !sc.Started.Equal(day(1)) || !base.GeneratedAt.Equal(day(1).Add(time.Minute)) || sc.AccountsAssessed != 2 || sc.AccountsFailed != 1 || sc.Source != "demo" {
			t.Errorf("LatestScan = %+v, generated %v", sc, base.GeneratedAt)
		}
		if d := cmp.Diff(want, base.Findings); d != "" {
			t.Errorf("findings read back (-stored +read):\n%s", d)
		}
		d := report.Compare(base, []checks.Finding{finding("keys", "1", checks.Pass), finding("trail", "2", checks.Fail)})
		if len(d.New) != 1 || d.New[0].CheckID != "trail" || len(d.Resolved) != 2 {
			t.Errorf("Compare against the stored scan: new %+v, resolved %+v", d.New, d.Resolved)
		}
	})
}

// TestRecordScanAllOrNothing: a scan whose findings cannot all be stored
// (here the same finding twice) leaves no trace.
func TestRecordScanAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		rep := report.New(report.Meta{Mode: "demo"}, []checks.Finding{finding("keys", "1", checks.Fail), finding("keys", "1", checks.Pass)}, day(0))
		_, err := s.RecordScan(ctx, rep, day(0), day(0))
		if err == nil || !strings.Contains(err.Error(), "record scan") {
			t.Fatalf("RecordScan with a duplicate finding = %v; want an error", err)
		}
		for _, table := range []string{"scans", "scan_findings"} {
			var n int
			if err := s.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d rows (%v) after a failed record; want 0", table, n, err)
			}
		}
	})
}
