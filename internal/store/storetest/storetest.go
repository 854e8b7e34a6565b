// Package storetest runs a test body against every store backend: a fresh
// SQLite file, and a fresh database on the PostgreSQL server that
// ROOTGUARD_TEST_POSTGRES names (created for the test, dropped after it).
//
// Without ROOTGUARD_TEST_POSTGRES the PostgreSQL half skips with a
// message; with ROOTGUARD_REQUIRE_POSTGRES=1 it fails instead, so that CI
// cannot pass with the PostgreSQL tests skipped.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/rootguard/rootguard/internal/store"
)

// The environment variables that give and require the PostgreSQL server.
const (
	EnvPostgres        = "ROOTGUARD_TEST_POSTGRES"
	EnvRequirePostgres = "ROOTGUARD_REQUIRE_POSTGRES"
)

// Each runs body once per backend, as the subtests "sqlite" and
// "postgres", each on a fresh, migrated store closed at cleanup.
func Each(t *testing.T, body func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, b := range []string{store.SQLite, store.Postgres} {
		t.Run(b, func(t *testing.T) {
			dsn := DSN(t, b)
			s, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatalf("open %s store: %v", b, err)
			}
			t.Cleanup(func() { s.Close() })
			body(t, s)
		})
	}
}

// DSN is the DSN of a fresh, empty database of the backend b ("sqlite" or
// "postgres"), removed at the test's cleanup. It skips (or fails, see the
// package doc) when b is PostgreSQL and no server is given.
func DSN(t *testing.T, backend string) string {
	t.Helper()
	if backend == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), store.FileName)
	}
	admin := Server(t)
	name := "rootguard_test_" + randomHex(8)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres %s: %v", EnvPostgres, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database on the server %s names: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: not a URL", EnvPostgres)
	}
	u.Path = "/" + name
	return u.String()
}

// Server is the DSN of the PostgreSQL server tests may create databases
// on; it skips the test when there is none (fails when one is required).
func Server(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn != "" {
		return dsn
	}
	if os.Getenv(EnvRequirePostgres) == "1" {
		t.Fatalf("%s is not set but %s=1: the PostgreSQL tests must run (scripts/postgres-test.sh start)", EnvPostgres, EnvRequirePostgres)
	}
	t.Skipf("no PostgreSQL server: set %s=postgres://USER@HOST:PORT/DB (scripts/postgres-test.sh start prints one) to run this test on PostgreSQL too", EnvPostgres)
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
