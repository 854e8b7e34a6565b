package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SetRole records person's dashboard role (the web package names the
// roles), granted by the person or identity by. The person must be
// registered for break-glass.
func (s *Store) SetRole(ctx context.Context, person, role, by string, now time.Time) error {
	return s.Tx(ctx, func(tx *Tx) error {
		var name string
		if err := tx.QueryRow(ctx, "SELECT name FROM breakglass_persons WHERE id = ?", person).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("role of %s: no such person", person)
			}
			return fmt.Errorf("store %s: role of %s: %w", s.name, person, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM web_roles WHERE person_id = ?", person); err != nil {
			return fmt.Errorf("store %s: role of %s: %w", s.name, person, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO web_roles (person_id, role, granted_by, granted_ms) VALUES (?, ?, ?, ?)",
			person, role, by, now.UnixMilli()); err != nil {
			return fmt.Errorf("store %s: role of %s: %w", s.name, person, err)
		}
		return nil
	})
}

// Roles returns the recorded role of each person that has one.
func (s *Store) Roles(ctx context.Context) (map[string]string, error) {
	rows, err := s.Query(ctx, "SELECT person_id, role FROM web_roles")
	if err != nil {
		return nil, fmt.Errorf("store %s: roles: %w", s.name, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, r string
		if err := rows.Scan(&p, &r); err != nil {
			return nil, fmt.Errorf("store %s: roles: %w", s.name, err)
		}
		out[p] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %s: roles: %w", s.name, err)
	}
	return out, nil
}

// Session is one dashboard session, by the hash of its cookie.
type Session struct {
	IDHash   string
	Identity string
	CSRF     string
	Created  time.Time
	Expires  time.Time
}

// CreateSession stores a session and removes the expired ones.
func (s *Store) CreateSession(ctx context.Context, ss Session) error {
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM web_sessions WHERE expires_ms <= ?", ss.Created.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO web_sessions (id_hash, identity, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)",
			ss.IDHash, ss.Identity, ss.CSRF, ss.Created.UnixMilli(), ss.Expires.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("store %s: create session: %w", s.name, err)
	}
	return nil
}

// Session returns the session with the hash, unless it has expired by now;
// false when there is none.
func (s *Store) Session(ctx context.Context, idHash string, now time.Time) (Session, bool, error) {
	ss := Session{IDHash: idHash}
	var created, expires int64
	err := s.QueryRow(ctx, "SELECT identity, csrf, created_ms, expires_ms FROM web_sessions WHERE id_hash = ? AND expires_ms > ?",
		idHash, now.UnixMilli()).Scan(&ss.Identity, &ss.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, false, nil
	}
	if err != nil {
		return ss, false, fmt.Errorf("store %s: session: %w", s.name, err)
	}
	ss.Created, ss.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return ss, true, nil
}

// DeleteSession ends a session (sign out).
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.Exec(ctx, "DELETE FROM web_sessions WHERE id_hash = ?", idHash); err != nil {
		return fmt.Errorf("store %s: delete session: %w", s.name, err)
	}
	return nil
}

// Login is an OIDC sign-in under way.
type Login struct {
	State    string
	Nonce    string
	Verifier string
	Expires  time.Time
}

// SaveLogin stores a sign-in under way and removes the expired ones.
func (s *Store) SaveLogin(ctx context.Context, l Login, now time.Time) error {
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM web_logins WHERE expires_ms <= ?", now.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO web_logins (state, nonce, verifier, expires_ms) VALUES (?, ?, ?, ?)",
			l.State, l.Nonce, l.Verifier, l.Expires.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("store %s: save login: %w", s.name, err)
	}
	return nil
}

// TakeLogin returns and removes the sign-in with the state, unless it
// expired by now: a state is used once, whichever replica receives it.
func (s *Store) TakeLogin(ctx context.Context, state string, now time.Time) (Login, bool, error) {
	l := Login{State: state}
	found := false
	err := s.Tx(ctx, func(tx *Tx) error {
		var expires int64
		err := tx.QueryRow(ctx, "SELECT nonce, verifier, expires_ms FROM web_logins WHERE state = ?", state).Scan(&l.Nonce, &l.Verifier, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM web_logins WHERE state = ?", state)
		if err != nil {
			return err
		}
		// Of two replicas taking the same state, one deletes the row.
		n, err := res.RowsAffected()
		l.Expires = time.UnixMilli(expires).UTC()
		found = err == nil && n == 1 && l.Expires.After(now)
		return err
	})
	if err != nil {
		return l, false, fmt.Errorf("store %s: take login: %w", s.name, err)
	}
	return l, found, nil
}

// ScanCounts is how many of an account's findings had each status in one
// scan.
type ScanCounts struct {
	Started  time.Time
	ByStatus map[string]int
}

// AccountHistory returns, for each of the latest limit scans that
// reported the account, its findings counted by status, oldest first.
func (s *Store) AccountHistory(ctx context.Context, account string, limit int) ([]ScanCounts, error) {
	rows, err := s.Query(ctx, `SELECT s.id, s.started_ms, f.status, COUNT(*) FROM scan_findings f JOIN scans s ON s.id = f.scan_id
		WHERE f.account_id = ? AND s.id IN (SELECT s2.id FROM scans s2 JOIN scan_findings f2 ON f2.scan_id = s2.id
			WHERE f2.account_id = ? GROUP BY s2.id, s2.started_ms ORDER BY s2.started_ms DESC LIMIT ?)
		GROUP BY s.id, s.started_ms, f.status ORDER BY s.started_ms, s.id`, account, account, limit)
	if err != nil {
		return nil, fmt.Errorf("store %s: history of %s: %w", s.name, account, err)
	}
	defer rows.Close()
	var out []ScanCounts
	last := ""
	for rows.Next() {
		var id, status string
		var started int64
		var n int
		if err := rows.Scan(&id, &started, &status, &n); err != nil {
			return nil, fmt.Errorf("store %s: history of %s: %w", s.name, account, err)
		}
		if id != last {
			out = append(out, ScanCounts{Started: time.UnixMilli(started).UTC(), ByStatus: map[string]int{}})
			last = id
		}
		out[len(out)-1].ByStatus[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %s: history of %s: %w", s.name, account, err)
	}
	return out, nil
}
