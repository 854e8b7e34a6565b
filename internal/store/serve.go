package store

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TakeLease gives the lease called name to owner until until, when it is
// free at now (never taken, or its term ended at or before now), in one
// conditional statement, so that of several replicas racing for it one
// wins. It reports whether owner holds it now, and until when the lease
// is held (by owner or by another).
func (s *Store) TakeLease(ctx context.Context, name, owner string, now, until time.Time) (held bool, holdUntil time.Time, err error) {
	res, err := s.Exec(ctx, `INSERT INTO leases (name, owner, until_ms) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
		WHERE leases.until_ms <= ?`, name, owner, until.UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, time.Time{}, fmt.Errorf("store %s: lease %s: %w", s.name, name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, time.Time{}, fmt.Errorf("store %s: lease %s: %w", s.name, name, err)
	}
	if n == 1 {
		return true, until, nil
	}
	var ms int64
	if err := s.QueryRow(ctx, `SELECT until_ms FROM leases WHERE name = ?`, name).Scan(&ms); err != nil {
		return false, time.Time{}, fmt.Errorf("store %s: lease %s: %w", s.name, name, err)
	}
	return false, time.UnixMilli(ms).UTC(), nil
}

// CheckSchema returns an error unless the database holds every migration
// this binary embeds (another replica may have been started by an older
// rootguard, or the database restored from a backup), and answers at all.
func (s *Store) CheckSchema(ctx context.Context) error {
	applied, err := appliedVersions(ctx, s.db)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.name, err)
	}
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return err
	}
	for _, n := range names {
		v, err := strconv.ParseInt(strings.SplitN(n, "_", 2)[0], 10, 64)
		if err != nil {
			return fmt.Errorf("migration %s: %w", n, err)
		}
		if !slices.Contains(applied, v) {
			return fmt.Errorf("store %s: migration %s not applied", s.name, n)
		}
	}
	return nil
}
