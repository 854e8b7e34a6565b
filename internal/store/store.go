package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// The backends, as Dialect names them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// FileName is the SQLite file Open uses for the DSN "".
const FileName = "rootguard.db"

// ConnectTimeout bounds connecting to a PostgreSQL server whose DSN sets
// no connect_timeout: an unreachable server is an error within seconds.
const ConnectTimeout = 5 * time.Second

// busyTimeout is how long a SQLite connection waits for another writer
// before it fails with "database is locked".
const busyTimeout = 5 * time.Second

// Store is an open database with rootguard's schema. Its methods are safe
// for concurrent use.
type Store struct {
	db      *sql.DB
	dialect string
	name    string // the DSN without a password, for errors
}

// Open opens the database dsn names and brings its schema up to date:
//
//   - "": the SQLite file rootguard.db in the state directory
//     ($XDG_STATE_HOME/rootguard, else ~/.local/state/rootguard);
//   - postgres://… or postgresql://…: a PostgreSQL server;
//   - sqlite:PATH or a plain PATH: a SQLite file.
//
// A SQLite file is created readable by its owner only, in a directory
// only its owner may enter. A database whose schema holds a migration
// this binary does not know (written by a newer rootguard) is refused.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, s.db, s.dialect, migrations); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store %s: %w", s.name, err)
	}
	return s, nil
}

// open connects without migrating.
func open(ctx context.Context, dsn string) (*Store, error) {
	if isPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	path, _ := strings.CutPrefix(dsn, "sqlite:")
	if path == "" {
		dir, err := StateDir()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(dir, FileName)
	}
	return openSQLite(ctx, path)
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// StateDir is the directory of rootguard's state: $XDG_STATE_HOME/rootguard,
// else ~/.local/state/rootguard.
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "rootguard"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "rootguard"), nil
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	name := "sqlite:" + path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store %s: %w", name, err)
	}
	// Create the file first so that it is 0600 whatever the umask;
	// SQLite gives its journal and WAL files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", name, err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err == nil {
		err = db.PingContext(ctx)
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", name, err)
	}
	return &Store{db: db, dialect: SQLite, name: name}, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	name := redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx quotes the DSN, password included, in some parse errors.
		return nil, fmt.Errorf("store %s: not a valid PostgreSQL URL", name)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = ConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: cannot connect: %s", name, scrub(err, cfg.Password))
	}
	return &Store{db: db, dialect: Postgres, name: name}, nil
}

// redact is dsn without its password and query, for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://(unparsable)"
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// scrub is err's text on one line, with the password removed should the
// driver quote it.
func scrub(err error, password string) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "********")
	}
	return msg
}

// Dialect names the backend: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Exec runs a statement with ? placeholders outside a transaction.
func (s *Store) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.rebind(query), args...)
}

// Query runs a query with ? placeholders outside a transaction.
func (s *Store) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.rebind(query), args...)
}

// QueryRow runs a query with ? placeholders that returns at most one row.
func (s *Store) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.rebind(query), args...)
}

// Tx is one transaction, valid inside the function given to Store.Tx.
type Tx struct {
	tx *sql.Tx
	s  *Store
}

// Exec runs a statement with ? placeholders in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.s.rebind(query), args...)
}

// Query runs a query with ? placeholders in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.s.rebind(query), args...)
}

// QueryRow runs a query with ? placeholders in the transaction that
// returns at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.rebind(query), args...)
}

// Tx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise (and when fn panics). On SQLite the transaction takes the
// write lock when it begins (BEGIN IMMEDIATE), waiting up to the busy
// timeout for another writer.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store %s: begin: %w", s.name, err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := fn(&Tx{tx: tx, s: s}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store %s: commit: %w", s.name, err)
	}
	return nil
}

// rebind turns ? placeholders into $1, $2, … for PostgreSQL. A ? inside a
// quoted literal or identifier stays.
func (s *Store) rebind(query string) string {
	if s.dialect != Postgres {
		return query
	}
	return rebind(query)
}

func rebind(query string) string {
	var b strings.Builder
	n := 0
	var quote rune
	for _, r := range query {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
