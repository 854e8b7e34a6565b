package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
)

// Breakglass is the store's side of the break-glass workflow: the person
// registry and the requests, as breakglass.Repository.
type Breakglass struct{ s *Store }

// Breakglass returns the break-glass repository of the store.
func (s *Store) Breakglass() Breakglass { return Breakglass{s: s} }

var _ breakglass.Repository = Breakglass{}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// AddPerson registers a person with the identities they sign in with, or
// adds identities to a registered one. An identity already mapped to
// another person is an error; nothing is written then.
func (b Breakglass) AddPerson(ctx context.Context, p breakglass.Person, identities []string, now time.Time) error {
	for _, id := range identities {
		if err := (breakglass.Mapping{Identity: id, Person: p.ID}).Validate(); err != nil {
			return err
		}
	}
	return b.s.Tx(ctx, func(tx *Tx) error {
		var name string
		err := tx.QueryRow(ctx, "SELECT name FROM breakglass_persons WHERE id = ?", p.ID).Scan(&name)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(ctx, "INSERT INTO breakglass_persons (id, name, created_ms) VALUES (?, ?, ?)", p.ID, p.Name, ms(now)); err != nil {
				return fmt.Errorf("add person %s: %w", p.ID, err)
			}
		case err != nil:
			return fmt.Errorf("read person %s: %w", p.ID, err)
		case p.Name != "" && p.Name != name:
			if _, err := tx.Exec(ctx, "UPDATE breakglass_persons SET name = ? WHERE id = ?", p.Name, p.ID); err != nil {
				return fmt.Errorf("rename person %s: %w", p.ID, err)
			}
		}
		for _, id := range identities {
			var owner string
			err := tx.QueryRow(ctx, "SELECT person_id FROM breakglass_identities WHERE identity = ?", id).Scan(&owner)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(ctx, "INSERT INTO breakglass_identities (identity, person_id) VALUES (?, ?)", id, p.ID); err != nil {
					return fmt.Errorf("map identity %s: %w", id, err)
				}
			case err != nil:
				return fmt.Errorf("read identity %s: %w", id, err)
			case owner != p.ID:
				return fmt.Errorf("identity %s is already mapped to person %s", id, owner)
			}
		}
		return nil
	})
}

// Registry returns every person and identity mapping.
func (b Breakglass) Registry(ctx context.Context) (breakglass.Registry, error) {
	reg := breakglass.Registry{Persons: map[string]breakglass.Person{}}
	rows, err := b.s.Query(ctx, "SELECT id, name FROM breakglass_persons ORDER BY id")
	if err != nil {
		return reg, fmt.Errorf("read persons: %w", err)
	}
	for rows.Next() {
		var p breakglass.Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			rows.Close()
			return reg, fmt.Errorf("read persons: %w", err)
		}
		reg.Persons[p.ID] = p
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return reg, fmt.Errorf("read persons: %w", err)
	}
	rows, err = b.s.Query(ctx, "SELECT identity, person_id FROM breakglass_identities ORDER BY person_id, identity")
	if err != nil {
		return reg, fmt.Errorf("read identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m breakglass.Mapping
		if err := rows.Scan(&m.Identity, &m.Person); err != nil {
			return reg, fmt.Errorf("read identities: %w", err)
		}
		reg.Mappings = append(reg.Mappings, m)
	}
	if err := rows.Err(); err != nil {
		return reg, fmt.Errorf("read identities: %w", err)
	}
	return reg, nil
}

const requestColumns = "id, account_id, reason, duration_ms, task, task_param, requester, requester_arn, created_ms, expires_ms, " +
	"state, decider, decider_arn, decided_ms, closed_ms, closed_by, drill"

// Create adds a new request.
func (b Breakglass) Create(ctx context.Context, r breakglass.Request) error {
	_, err := b.s.Exec(ctx, "INSERT INTO breakglass_requests ("+requestColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.AccountID, r.Reason, r.Duration.Milliseconds(), r.Task, r.TaskParam, r.Requester, r.RequesterARN,
		ms(r.CreatedAt), ms(r.ExpiresAt), string(r.State), r.Decider, r.DeciderARN, ms(r.DecidedAt), ms(r.ClosedAt), r.ClosedBy, r.Drill)
	if err != nil {
		return fmt.Errorf("store request %s: %w", r.ID, err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRequest(row scanner) (breakglass.Request, error) {
	var r breakglass.Request
	var dur, created, expires, decided, closed int64
	var state string
	err := row.Scan(&r.ID, &r.AccountID, &r.Reason, &dur, &r.Task, &r.TaskParam, &r.Requester, &r.RequesterARN,
		&created, &expires, &state, &r.Decider, &r.DeciderARN, &decided, &closed, &r.ClosedBy, &r.Drill)
	r.Duration, r.State = time.Duration(dur)*time.Millisecond, breakglass.State(state)
	r.CreatedAt, r.ExpiresAt, r.DecidedAt, r.ClosedAt = fromMS(created), fromMS(expires), fromMS(decided), fromMS(closed)
	return r, err
}

// Get returns the request with the ID, or breakglass.ErrNotFound.
func (b Breakglass) Get(ctx context.Context, id string) (breakglass.Request, error) {
	r, err := scanRequest(b.s.QueryRow(ctx, "SELECT "+requestColumns+" FROM breakglass_requests WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("request %s: %w", id, breakglass.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read request %s: %w", id, err)
	}
	return r, nil
}

// List returns the requests, of one account unless account is "", newest
// first.
func (b Breakglass) List(ctx context.Context, account string) ([]breakglass.Request, error) {
	rows, err := b.s.Query(ctx, "SELECT "+requestColumns+" FROM breakglass_requests WHERE ? = '' OR account_id = ? ORDER BY created_ms DESC, id", account, account)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	var out []breakglass.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return out, nil
}

// Update writes r over the stored request only while its state is still
// from, and records the decision, in one transaction: of two racing
// transitions exactly one wins, the other gets breakglass.ErrConflict.
func (b Breakglass) Update(ctx context.Context, from breakglass.State, r breakglass.Request, d breakglass.Decision) error {
	return b.s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE breakglass_requests SET state = ?, decider = ?, decider_arn = ?, decided_ms = ?, closed_ms = ?, closed_by = ? "+
			"WHERE id = ? AND state = ?",
			string(r.State), r.Decider, r.DeciderARN, ms(r.DecidedAt), ms(r.ClosedAt), r.ClosedBy, r.ID, string(from))
		if err != nil {
			return fmt.Errorf("update request %s: %w", r.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update request %s: %w", r.ID, err)
		} else if n != 1 {
			var now string
			if err := tx.QueryRow(ctx, "SELECT state FROM breakglass_requests WHERE id = ?", r.ID).Scan(&now); err != nil {
				return fmt.Errorf("request %s: %w", r.ID, breakglass.ErrConflict)
			}
			return fmt.Errorf("request %s was %s and is now %s: %w", r.ID, from, now, breakglass.ErrConflict)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO breakglass_decisions (request_id, action, person_id, identity, at_ms) VALUES (?, ?, ?, ?, ?)",
			d.RequestID, d.Action, d.Person, d.Identity, ms(d.At)); err != nil {
			return fmt.Errorf("record %s of request %s: %w", d.Action, r.ID, err)
		}
		return nil
	})
}

// Windows returns the approved windows of every request that was approved
// (whether its window is still open or closed), for trail scan --windows.
func (b Breakglass) Windows(ctx context.Context) ([]breakglass.Request, error) {
	all, err := b.List(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []breakglass.Request
	for _, r := range all {
		if !r.Window().Start.IsZero() {
			out = append(out, r)
		}
	}
	return out, nil
}
