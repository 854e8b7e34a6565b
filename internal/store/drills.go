package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rootguard/rootguard/internal/drill"
)

// ErrNoDrill is a drill ID the store does not hold.
var ErrNoDrill = errors.New("no such drill")

// ErrDrillDecided is a drill whose result was already recorded.
var ErrDrillDecided = errors.New("the drill's result is already recorded")

// AddDrill records a drill; its ID is set when empty and returned.
func (s *Store) AddDrill(ctx context.Context, d drill.Drill) (string, error) {
	if d.ID == "" {
		d.ID = "drill-" + NewID()
	}
	_, err := s.Exec(ctx, `INSERT INTO drills (id, account_id, kind, opened_ms, closes_ms, opened_by, result, checked_ms, event_id, event_ms, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.AccountID, string(d.Kind), ms(d.OpenedAt), ms(d.ClosesAt), d.OpenedBy, string(d.Result), ms(d.CheckedAt), d.EventID, ms(d.EventTime), d.Note)
	if err != nil {
		return "", fmt.Errorf("store %s: record drill: %w", s.name, err)
	}
	return d.ID, nil
}

// Drill returns one drill.
func (s *Store) Drill(ctx context.Context, id string) (drill.Drill, error) {
	ds, err := scanDrills(s.Query(ctx, drillColumns+` WHERE id = ?`, id))
	if err != nil {
		return drill.Drill{}, fmt.Errorf("store %s: drill %s: %w", s.name, id, err)
	}
	if len(ds) == 0 {
		return drill.Drill{}, fmt.Errorf("drill %s: %w", id, ErrNoDrill)
	}
	return ds[0], nil
}

// Drills returns every drill, oldest first.
func (s *Store) Drills(ctx context.Context) ([]drill.Drill, error) {
	ds, err := scanDrills(s.Query(ctx, drillColumns+` ORDER BY opened_ms, id`))
	if err != nil {
		return nil, fmt.Errorf("store %s: drills: %w", s.name, err)
	}
	return ds, nil
}

// DecideDrill records the result of an open drill, and its window (a
// drill's break-glass window opens at approval); a drill is decided once.
func (s *Store) DecideDrill(ctx context.Context, d drill.Drill) error {
	res, err := s.Exec(ctx, `UPDATE drills SET result = ?, checked_ms = ?, event_id = ?, event_ms = ?, note = ?, opened_ms = ?, closes_ms = ? WHERE id = ? AND result = ?`,
		string(d.Result), ms(d.CheckedAt), d.EventID, ms(d.EventTime), d.Note, ms(d.OpenedAt), ms(d.ClosesAt), d.ID, string(drill.Open))
	if err != nil {
		return fmt.Errorf("store %s: drill %s: %w", s.name, d.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("drill %s: %w", d.ID, ErrDrillDecided)
	}
	return nil
}

const drillColumns = `SELECT id, account_id, kind, opened_ms, closes_ms, opened_by, result, checked_ms, event_id, event_ms, note FROM drills`

func scanDrills(rows *sql.Rows, err error) ([]drill.Drill, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []drill.Drill
	for rows.Next() {
		var d drill.Drill
		var kind, result string
		var opened, closes, checked, event int64
		if err := rows.Scan(&d.ID, &d.AccountID, &kind, &opened, &closes, &d.OpenedBy, &result, &checked, &d.EventID, &event, &d.Note); err != nil {
			return nil, err
		}
		d.Kind, d.Result = drill.Kind(kind), drill.Result(result)
		d.OpenedAt, d.ClosesAt, d.CheckedAt, d.EventTime = fromMS(opened), fromMS(closes), fromMS(checked), fromMS(event)
		out = append(out, d)
	}
	return out, rows.Err()
}
