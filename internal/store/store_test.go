package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

func TestOpenMigrates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		v, err := s.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("SchemaVersion = %d, %v; want at least 1", v, err)
		}
		if _, err := s.Exec(ctx, "INSERT INTO alerts (event_id, rule, account_id, severity, event_time_ms, body, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"ev-1", "root-console-login", "111111111111", "high", int64(1), "{}", int64(2)); err != nil {
			t.Fatal(err)
		}
		// The same event again: the primary key makes alerts idempotent.
		if _, err := s.Exec(ctx, "INSERT INTO alerts (event_id, rule, account_id, severity, event_time_ms, body, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"ev-1", "root-console-login", "111111111111", "high", int64(1), "{}", int64(2)); err == nil {
			t.Error("a second alert with one event ID was stored")
		}
		if got := s.Dialect(); got != store.SQLite && got != store.Postgres {
			t.Errorf("Dialect = %q", got)
		}
	})
}

// TestReopen: opening a migrated database again applies nothing and
// keeps the data.
func TestReopen(t *testing.T) {
	for _, backend := range []string{store.SQLite, store.Postgres} {
		t.Run(backend, func(t *testing.T) {
			ctx := t.Context()
			dsn := storetest.DSN(t, backend)
			s := mustOpen(t, dsn)
			if _, err := s.Exec(ctx, "INSERT INTO audit_head (log, seq, hash, updated_ms) VALUES (?, ?, ?, ?)", "a", int64(3), "h", int64(0)); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s = mustOpen(t, dsn)
			var seq int64
			if err := s.QueryRow(ctx, "SELECT seq FROM audit_head WHERE log = ?", "a").Scan(&seq); err != nil || seq != 3 {
				t.Errorf("after reopening: seq %d, %v; want 3", seq, err)
			}
		})
	}
}

// TestOpenRefusesNewerSchema: a database that a newer rootguard migrated
// (here: a version row no migration of this binary has) is refused with
// one line that says so, and is left as it was.
func TestOpenRefusesNewerSchema(t *testing.T) {
	for _, backend := range []string{store.SQLite, store.Postgres} {
		t.Run(backend, func(t *testing.T) {
			ctx := t.Context()
			dsn := storetest.DSN(t, backend)
			s := mustOpen(t, dsn)
			if _, err := s.Exec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", int64(99999), true); err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err := store.Open(ctx, dsn)
			if err == nil {
				t.Fatal("a database with a migration from a newer rootguard was opened")
			}
			msg := err.Error()
			for _, want := range []string{"99999", "newer rootguard", "upgrade"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestRebindAndLiterals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var lit, arg string
		if err := s.QueryRow(t.Context(), "SELECT 'why?', ?", "x").Scan(&lit, &arg); err != nil {
			t.Fatal(err)
		}
		if lit != "why?" || arg != "x" {
			t.Errorf("got %q, %q; want \"why?\", \"x\"", lit, arg)
		}
	})
}

func TestTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		insert := func(tx *store.Tx, log string) error {
			_, err := tx.Exec(ctx, "INSERT INTO audit_head (log, seq, hash, updated_ms) VALUES (?, 1, 'h', 0)", log)
			return err
		}
		boom := errors.New("boom")
		if err := s.Tx(ctx, func(tx *store.Tx) error {
			if err := insert(tx, "rolled-back"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("Tx = %v, want the function's error", err)
		}
		func() {
			defer func() { recover() }()
			s.Tx(ctx, func(tx *store.Tx) error {
				insert(tx, "panicked")
				panic("in tx")
			})
		}()
		if err := s.Tx(ctx, func(tx *store.Tx) error { return insert(tx, "committed") }); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Query(ctx, "SELECT log FROM audit_head ORDER BY log")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var l string
			rows.Scan(&l)
			got = append(got, l)
		}
		if strings.Join(got, ",") != "committed" {
			t.Errorf("rows after commit, rollback and panic: %v; want only committed", got)
		}

		// A conditional update changes a row once: the second sees 0 rows.
		for i, want := range []int64{1, 0} {
			var n int64
			err := s.Tx(ctx, func(tx *store.Tx) error {
				res, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ? WHERE log = ? AND seq = ?", int64(2), "committed", int64(1))
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil || n != want {
				t.Errorf("conditional update %d: %d rows, %v; want %d", i+1, n, err, want)
			}
		}
	})
}

func TestOpenDefaultIsPrivateFileInStateDir(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	s := mustOpen(t, "")
	if s.Dialect() != store.SQLite {
		t.Errorf("Dialect = %q, want sqlite", s.Dialect())
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(state, "rootguard"):                 0o700,
		filepath.Join(state, "rootguard", store.FileName): 0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
}

func TestOpenPlainPathAndPrefix(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "a.db"), "sqlite:" + filepath.Join(dir, "b.db")} {
		s := mustOpen(t, dsn)
		if s.Dialect() != store.SQLite {
			t.Errorf("%s: Dialect %q", dsn, s.Dialect())
		}
	}
	for _, name := range []string{"a.db", "b.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

// TestOpenUnreachablePostgres: a server that does not answer is one clear
// line naming the host, quickly, and never the password.
func TestOpenUnreachablePostgres(t *testing.T) {
	for _, dsn := range []string{
		"postgres://rg:s3cretpw@127.0.0.1:1/rootguard",                        // refused
		"postgresql://rg:s3cretpw@192.0.2.1:5432/rootguard?connect_timeout=1", // no answer (TEST-NET-1)
	} {
		start := time.Now()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		_, err := store.Open(ctx, dsn)
		cancel()
		if err == nil {
			t.Fatalf("%s: opened", dsn)
		}
		msg := err.Error()
		host := strings.Split(strings.Split(dsn, "@")[1], "/")[0]
		if !strings.Contains(msg, host) || !strings.Contains(msg, "cannot connect") {
			t.Errorf("error %q does not name %s or say it cannot connect", msg, host)
		}
		if strings.Contains(msg, "s3cretpw") || strings.Contains(msg, "\n") {
			t.Errorf("error shows the password or spans lines: %q", msg)
		}
		if d := time.Since(start); d > store.ConnectTimeout+5*time.Second {
			t.Errorf("%s: took %v", dsn, d)
		}
	}
}

// TestSQLiteLockedIsAnError: while one process holds the write lock,
// another's transaction fails after the busy timeout with a clear error
// and writes nothing.
func TestSQLiteLockedIsAnError(t *testing.T) {
	ctx := t.Context()
	dsn := storetest.DSN(t, store.SQLite)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- a.Tx(ctx, func(tx *store.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	err := b.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO audit_head (log, seq, hash, updated_ms) VALUES ('x', 1, 'h', 0)")
		return err
	})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err == nil || !strings.Contains(err.Error(), "locked") || !strings.Contains(err.Error(), dsn) {
		t.Fatalf("Tx while another holds the lock = %v; want an error naming the database and the lock", err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT COUNT(*) FROM audit_head").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows written (%v); want none", n, err)
	}
}

func mustOpen(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
