package cli

import (
	"os"
	"path/filepath"
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
	storetest.EachDSN(t, func(t *testing.T, db string) {
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

// TestApplyWithStore, on both backends: with --db, apply's lock of the
// organization is the store's (held here as another host would hold it:
// the second apply is refused before it writes anything), and the audit
// log's head is anchored in the store, where audit verify --db finds it.
func TestApplyWithStore(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, db string) {
		ctx := t.Context()
		srv := captureServers(t)
		dir := t.TempDir()
		planPath, src := demoPlanFile(t, dir)
		srv.take()
		logPath := filepath.Join(dir, "audit.log")
		apply := append([]string{"apply", planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", logPath, "--db", db}, src...)

		other, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		release, err := other.TryLock(ctx, "apply-o-acme0demo1")
		if err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, apply...)
		release()
		if code != ExitError || !strings.Contains(stderr, "another apply of organization o-acme0demo1 is running") {
			t.Errorf("apply while another holds the lock: exit %d, %q; want a refusal naming the lock", code, stderr)
		}
		if w := writes(srv.take()); len(w) > 0 {
			t.Errorf("the refused apply wrote: %v", w)
		}
		if _, err := os.Stat(logPath); err == nil {
			t.Error("the refused apply created its audit log")
		}

		if code, out, stderr := run(t, apply...); code != ExitOK {
			t.Fatalf("apply after the release: exit %d\n%s\n%s", code, stderr, out)
		}
		var rows, seq int64
		if err := other.QueryRow(ctx, "SELECT COUNT(*), MAX(seq) FROM audit_head").Scan(&rows, &seq); err != nil || rows != 1 || seq < 2 {
			t.Errorf("audit_head: %d rows, seq %d (%v); want the log's head", rows, seq, err)
		}
		if _, err := os.Stat(logPath + ".head"); err == nil {
			t.Error("a head file was written beside the log; the store anchors it")
		}
		if code, out, stderr := run(t, "audit", "verify", "--log", logPath, "--db", db); code != ExitOK || !strings.Contains(out+stderr, "intact") {
			t.Errorf("audit verify --db: exit %d\n%s%s", code, out, stderr)
		}
		if code, _, stderr := run(t, "audit", "verify", "--log", logPath); code != ExitError || !strings.Contains(stderr, "head anchor") {
			t.Errorf("audit verify without the store that anchors the head: exit %d, %q; want the missing anchor", code, stderr)
		}
	})
}
