package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

type historyDoc struct {
	Schema   string                 `json:"schema"`
	Findings []store.FindingHistory `json:"findings"`
}

// TestScanRecordHistory, on both backends: the demo scanned and recorded,
// then the changed demo scanned against the recorded scan (--baseline
// store) and recorded too; the diff names the new and the resolved
// finding, and history says since when each finding holds.
func TestScanRecordHistory(t *testing.T) {
	for _, backend := range []string{store.SQLite, store.Postgres} {
		t.Run(backend, func(t *testing.T) {
			db := storetest.DSN(t, backend)
			code, _, stderr := run(t, "scan", "--demo", "--db", db, "--baseline", "store")
			if code != ExitError || !strings.Contains(stderr, "no scan recorded") {
				t.Errorf("--baseline store with nothing recorded: exit %d, %s; want %d and a message", code, stderr, ExitError)
			}
			before := time.Now()
			if code, _, stderr := run(t, "scan", "--demo", "--db", db, "--record", "--format", "json"); code != ExitOK {
				t.Fatalf("scan --record: exit %d\n%s", code, stderr)
			}
			between := time.Now()
			code, out, stderr := run(t, "scan", "--scenario", changedDemo(t), "--db", db, "--record", "--baseline", "store", "--fail-on-new", "--format", "json")
			if code != ExitFindings {
				t.Fatalf("scan --baseline store --fail-on-new on the changed demo: exit %d, want %d\n%s", code, ExitFindings, stderr)
			}
			d := decodeScan(t, out).Diff
			if d == nil || !hasEntry(d.New, "111111111111", "root-mfa-enabled") || !hasEntry(d.Resolved, "666666666666", "root-access-keys-absent") {
				t.Errorf("diff against the recorded scan = %+v; want root-mfa-enabled new in 111111111111, root-access-keys-absent resolved in 666666666666", d)
			}

			code, out, stderr = run(t, "history", "--db", db, "--format", "json")
			if code != ExitOK {
				t.Fatalf("history: exit %d\n%s", code, stderr)
			}
			doc := decodeJSON[historyDoc](t, out)
			got := map[string]store.FindingHistory{}
			for _, h := range doc.Findings {
				got[h.CheckID+" "+h.AccountID] = h
			}
			for _, c := range []struct {
				key    string
				status string
				scans  int
				since  time.Time // the run began at or after since
				before time.Time // and before this
			}{
				{"root-mfa-enabled 111111111111", "FAIL", 1, between, time.Now()},
				{"root-access-keys-absent 666666666666", "PASS", 1, between, time.Now()},
				{"guardduty-enabled 101010101010", "FAIL", 2, before, between}, // failing in both scans
			} {
				h, ok := got[c.key]
				if !ok {
					t.Errorf("history has no %s", c.key)
					continue
				}
				if string(h.Status) != c.status || h.Scans != c.scans || h.Since.Before(c.since.Truncate(time.Millisecond)) || !h.Since.Before(c.before) {
					t.Errorf("%s: %+v; want %s for %d scan(s), since between %v and %v", c.key, h, c.status, c.scans, c.since, c.before)
				}
			}
			if doc.Schema != HistorySchema {
				t.Errorf("schema %q", doc.Schema)
			}

			code, out, _ = run(t, "history", "--db", db, "--account", "111111111111", "--check", "root-mfa-enabled")
			if lines := strings.Split(strings.TrimSpace(out), "\n"); code != ExitOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "CHECK") || !strings.Contains(lines[1], "FAIL") {
				t.Errorf("history --account --check table: exit %d\n%s", code, out)
			}
		})
	}
}

func hasEntry(es []diffEntry, account, check string) bool {
	for _, e := range es {
		if e.AccountID == account && e.CheckID == check {
			return true
		}
	}
	return false
}

// TestScanRecordUnreachableDatabase: a database that cannot be reached
// (here named by ROOTGUARD_DB) stops scan with one line naming the server,
// without the password, before anything is collected.
func TestScanRecordUnreachableDatabase(t *testing.T) {
	t.Setenv(EnvDB, "postgres://rg:s3cretpw@127.0.0.1:1/rootguard")
	code, out, stderr := run(t, "scan", "--demo", "--record")
	if code != ExitError || out != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, ExitError)
	}
	if !strings.Contains(stderr, "127.0.0.1:1") || strings.Contains(stderr, "s3cretpw") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stderr %q: want one line naming 127.0.0.1:1 and no password", stderr)
	}
}

func TestHistoryUsage(t *testing.T) {
	for _, args := range [][]string{
		{"history", "--format", "csv"},
		{"history", "--check", "root-acess-keys-absent"},
	} {
		if code, _, stderr := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, ExitUsage, stderr)
		}
	}
}
