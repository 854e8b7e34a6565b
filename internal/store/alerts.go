package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// RecordAlert stores a unless an alert of the same CloudTrail event is
// stored already (alerts are idempotent by event ID: a record delivered
// twice, or read again from another source, alerts once). It reports
// whether a was new. created is when it was stored.
func (s *Store) RecordAlert(ctx context.Context, a detect.Alert, created time.Time) (bool, error) {
	if a.EventID == "" {
		return false, errors.New("record alert: no event ID to tell a repeat by")
	}
	body, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	// An event time that does not parse is stored as 0; the body keeps
	// the text as the record gave it.
	var at int64
	if t, err := time.Parse(time.RFC3339, a.EventTime); err == nil {
		at = t.UnixMilli()
	}
	res, err := s.Exec(ctx, `INSERT INTO alerts (event_id, rule, account_id, severity, event_time_ms, body, created_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
		a.EventID, a.RuleID, a.AccountID, string(a.Severity), at, string(body), created.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("store %s: record alert %s: %w", s.name, a.EventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store %s: record alert %s: %w", s.name, a.EventID, err)
	}
	return n == 1, nil
}

// Alerts returns the stored alerts whose event happened in [since,
// until), oldest first.
func (s *Store) Alerts(ctx context.Context, since, until time.Time) ([]detect.Alert, error) {
	stored, err := s.alerts(ctx, "alerts", `SELECT body, created_ms FROM alerts WHERE event_time_ms >= ? AND event_time_ms < ?
		ORDER BY event_time_ms, event_id`, since.UnixMilli(), until.UnixMilli())
	if err != nil {
		return nil, err
	}
	out := make([]detect.Alert, len(stored))
	for i, a := range stored {
		out[i] = a.Alert
	}
	return out, nil
}

// StoredAlert is an alert with when it was stored.
type StoredAlert struct {
	detect.Alert
	Stored time.Time `json:"stored"`
}

// RecentAlerts returns the latest limit alerts by when they were stored,
// newest first.
func (s *Store) RecentAlerts(ctx context.Context, limit int) ([]StoredAlert, error) {
	return s.alerts(ctx, "recent alerts", "SELECT body, created_ms FROM alerts ORDER BY created_ms DESC, event_id LIMIT ?", limit)
}

// alerts runs query, which selects an alert's body and created_ms, and
// decodes its rows; what names it in errors.
func (s *Store) alerts(ctx context.Context, what, query string, args ...any) ([]StoredAlert, error) {
	rows, err := s.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store %s: %s: %w", s.name, what, err)
	}
	defer rows.Close()
	out := []StoredAlert{}
	for rows.Next() {
		var body string
		var created int64
		if err := rows.Scan(&body, &created); err != nil {
			return nil, fmt.Errorf("store %s: %s: %w", s.name, what, err)
		}
		a := StoredAlert{Stored: time.UnixMilli(created).UTC()}
		if err := json.Unmarshal([]byte(body), &a.Alert); err != nil {
			return nil, fmt.Errorf("store %s: %s: %w", s.name, what, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %s: %s: %w", s.name, what, err)
	}
	return out, nil
}
