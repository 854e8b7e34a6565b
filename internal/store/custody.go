package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rootguard/rootguard/internal/custody"
)

// ErrCustodyConflict is returned (wrapped) by WriteCustody when a record
// changed since it was read: the caller reads the registry again and
// retries, nothing was written.
var ErrCustodyConflict = errors.New("the custody registry changed meanwhile; nothing was written, run the command again")

// Custody reads the custody registry; with nothing recorded it is empty
// (no accounts).
func (s *Store) Custody(ctx context.Context) (*custody.Registry, error) {
	rows, err := s.Query(ctx, "SELECT kind, id, body FROM custody ORDER BY kind, id")
	if err != nil {
		return nil, fmt.Errorf("store %s: read custody: %w", s.name, err)
	}
	defer rows.Close()
	var rs []custody.Record
	for rows.Next() {
		var r custody.Record
		if err := rows.Scan(&r.Kind, &r.Key, &r.Body); err != nil {
			return nil, fmt.Errorf("store %s: read custody: %w", s.name, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %s: read custody: %w", s.name, err)
	}
	reg, err := custody.FromRecords(rs)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.name, err)
	}
	return reg, nil
}

// WriteCustody makes the changes in one transaction, each only if its
// record is still as it was read (Change.Before); otherwise nothing is
// written and the error wraps ErrCustodyConflict.
func (s *Store) WriteCustody(ctx context.Context, changes []custody.Change, now time.Time) error {
	ms := now.UnixMilli()
	return s.Tx(ctx, func(tx *Tx) error {
		for _, c := range changes {
			var q string
			var args []any
			switch {
			case c.Before == "":
				// A concurrent insert of the same key fails on the primary key.
				q, args = "INSERT INTO custody (kind, id, body, updated_ms) VALUES (?, ?, ?, ?)", []any{c.Kind, c.Key, c.After, ms}
			case c.After == "":
				q, args = "DELETE FROM custody WHERE kind = ? AND id = ? AND body = ?", []any{c.Kind, c.Key, c.Before}
			default:
				q, args = "UPDATE custody SET body = ?, updated_ms = ? WHERE kind = ? AND id = ? AND body = ?", []any{c.After, ms, c.Kind, c.Key, c.Before}
			}
			res, err := tx.Exec(ctx, q, args...)
			if err != nil {
				if c.Before == "" {
					return fmt.Errorf("store %s: custody %s %s: %w (%v)", s.name, c.Kind, c.Key, ErrCustodyConflict, err)
				}
				return fmt.Errorf("store %s: custody %s %s: %w", s.name, c.Kind, c.Key, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("store %s: custody %s %s: %w", s.name, c.Kind, c.Key, ErrCustodyConflict)
			}
		}
		return nil
	})
}
