package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
)

// TryLock takes the exclusive lock called name, for work that must not
// run twice at once (two applies to one organization), and returns its
// release. It fails at once, wrapping audit.ErrLocked, while another
// holder has it.
//
// On PostgreSQL the lock is a session advisory lock on a connection held
// until the release, so it is shared by every host that uses the server;
// if that connection drops, the server releases the lock. On SQLite it is
// a file lock beside the database file (one host).
func (s *Store) TryLock(ctx context.Context, name string) (func(), error) {
	if s.dialect != Postgres {
		dir := filepath.Dir(strings.TrimPrefix(s.name, "sqlite:"))
		return audit.FileLocks(filepath.Join(dir, "locks")).TryLock(ctx, name)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store %s: lock %s: %w", s.name, name, err)
	}
	key := lockKey(name)
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store %s: lock %s: %w", s.name, name, err)
	}
	if !got {
		conn.Close()
		return nil, fmt.Errorf("store %s: lock %s: %w", s.name, name, audit.ErrLocked)
	}
	return func() {
		// Ending the session releases the lock whatever happens to the
		// unlock: the connection is not returned to the pool.
		ctx, cancel := context.WithTimeout(context.Background(), ConnectTimeout)
		defer cancel()
		conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}, nil
}

// lockKey is the advisory lock key of a lock name.
func lockKey(name string) int64 {
	sum := sha256.Sum256([]byte("rootguard lock " + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// AuditAnchor is an audit.Anchor in the audit_head table: the head of the
// audit log called name, kept in the database so that a log cut or
// rewritten on its host no longer leads to it.
func (s *Store) AuditAnchor(name string) audit.Anchor { return auditAnchor{s: s, name: name} }

type auditAnchor struct {
	s    *Store
	name string
}

func (a auditAnchor) ReadHead(ctx context.Context) (*audit.Head, error) {
	var h audit.Head
	var seq int64
	err := a.s.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE log = ?", a.name).Scan(&seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: audit head of %s: %w", a.s.name, a.name, err)
	}
	h.Seq = uint64(seq)
	return &h, nil
}

// WriteHead moves the head forward, never back: a head at a lower
// sequence number than the one stored (or another hash at the same one)
// is refused.
func (a auditAnchor) WriteHead(ctx context.Context, h audit.Head) error {
	res, err := a.s.Exec(ctx, `INSERT INTO audit_head (log, seq, hash, updated_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (log) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_ms = excluded.updated_ms
		WHERE audit_head.seq < excluded.seq OR (audit_head.seq = excluded.seq AND audit_head.hash = excluded.hash)`,
		a.name, int64(h.Seq), h.Hash, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("store %s: audit head of %s: %w", a.s.name, a.name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store %s: audit head of %s: the anchored head is ahead of seq %d; refusing to move it back", a.s.name, a.name, h.Seq)
	}
	return nil
}
