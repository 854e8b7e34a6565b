package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
)

// Scan is a recorded scan, without its findings.
type Scan struct {
	ID               string    `json:"id"`
	Started          time.Time `json:"started"`
	Finished         time.Time `json:"finished"`
	Source           string    `json:"source"`
	AccountsAssessed int       `json:"accounts_assessed"`
	AccountsFailed   int       `json:"accounts_failed"`
}

// RecordScan stores rep's findings as one scan that ran from started to
// finished, in one transaction: all of it or, on an error, nothing. It
// returns the scan's ID.
func (s *Store) RecordScan(ctx context.Context, rep *report.Report, started, finished time.Time) (string, error) {
	summary, err := json.Marshal(rep.Summary)
	if err != nil {
		return "", err
	}
	failed := 0
	for _, a := range rep.Summary.Accounts {
		if a.ByStatus.Fail > 0 {
			failed++
		}
	}
	id := NewID()
	err = s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO scans (id, started_ms, finished_ms, source, accounts_assessed, accounts_failed, summary)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, started.UnixMilli(), finished.UnixMilli(), rep.Meta.Mode,
			int64(rep.Summary.AccountsAssessed), int64(failed), string(summary)); err != nil {
			return err
		}
		for _, f := range rep.Findings {
			evidence, err := json.Marshal(f.Evidence)
			if err != nil {
				return fmt.Errorf("finding %s %s: %w", f.CheckID, f.AccountID, err)
			}
			muted := ""
			if f.Muted != nil {
				b, err := json.Marshal(f.Muted)
				if err != nil {
					return err
				}
				muted = string(b)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO scan_findings (scan_id, check_id, account_id, account_name, status, severity, detail, evidence, muted)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, f.CheckID, f.AccountID, f.AccountName, string(f.Status), string(f.Severity), f.Detail, string(evidence), muted); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store %s: record scan: %w", s.name, err)
	}
	return id, nil
}

// LatestScan returns the most recently started scan with its findings as
// a report that report.Compare accepts (GeneratedAt is when the scan
// finished); nil when no scan is recorded.
func (s *Store) LatestScan(ctx context.Context) (*Scan, *report.Report, error) {
	var sc Scan
	var started, finished int64
	err := s.QueryRow(ctx, `SELECT id, started_ms, finished_ms, source, accounts_assessed, accounts_failed
		FROM scans ORDER BY started_ms DESC, id DESC LIMIT 1`).Scan(&sc.ID, &started, &finished, &sc.Source, &sc.AccountsAssessed, &sc.AccountsFailed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store %s: latest scan: %w", s.name, err)
	}
	sc.Started, sc.Finished = time.UnixMilli(started).UTC(), time.UnixMilli(finished).UTC()
	rows, err := s.Query(ctx, `SELECT check_id, account_id, account_name, status, severity, detail, evidence, muted
		FROM scan_findings WHERE scan_id = ? ORDER BY account_id, check_id`, sc.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("store %s: scan %s: %w", s.name, sc.ID, err)
	}
	defer rows.Close()
	rep := &report.Report{Schema: report.SchemaID, GeneratedAt: sc.Finished, Meta: report.Meta{Mode: sc.Source}, Findings: []checks.Finding{}}
	for rows.Next() {
		var f checks.Finding
		var evidence, muted string
		if err := rows.Scan(&f.CheckID, &f.AccountID, &f.AccountName, &f.Status, &f.Severity, &f.Detail, &evidence, &muted); err != nil {
			return nil, nil, fmt.Errorf("store %s: scan %s: %w", s.name, sc.ID, err)
		}
		if err := json.Unmarshal([]byte(evidence), &f.Evidence); err != nil {
			return nil, nil, fmt.Errorf("store %s: scan %s: finding %s %s: evidence: %w", s.name, sc.ID, f.CheckID, f.AccountID, err)
		}
		if muted != "" {
			f.Muted = new(checks.Mute)
			if err := json.Unmarshal([]byte(muted), f.Muted); err != nil {
				return nil, nil, fmt.Errorf("store %s: scan %s: finding %s %s: muted: %w", s.name, sc.ID, f.CheckID, f.AccountID, err)
			}
		}
		rep.Findings = append(rep.Findings, f)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store %s: scan %s: %w", s.name, sc.ID, err)
	}
	return &sc, rep, nil
}

// FindingHistory is where one finding (a check in an account) stands
// across the recorded scans.
type FindingHistory struct {
	CheckID     string          `json:"check_id"`
	AccountID   string          `json:"account_id"`
	AccountName string          `json:"account_name"`
	Status      checks.Status   `json:"status"`
	Severity    checks.Severity `json:"severity"`
	// Since is when the first scan of the current uninterrupted run of
	// Status started: for a FAIL, failing since. Scans that did not
	// report the finding (another --account or --check) do not interrupt
	// a run.
	Since time.Time `json:"since"`
	// Scans counts the scans in that run.
	Scans int `json:"scans"`
	// LastSeen is when the latest scan that reported the finding started.
	LastSeen time.Time `json:"last_seen"`
}

// HistoryFilter narrows History; empty fields match everything.
type HistoryFilter struct {
	AccountID string
	CheckID   string
}

// History returns each finding's current status and since when it has
// held, from the latest scan that reported it, ordered by check and
// account.
func (s *Store) History(ctx context.Context, f HistoryFilter) ([]FindingHistory, error) {
	var where []string
	var args []any
	if f.AccountID != "" {
		where, args = append(where, "f.account_id = ?"), append(args, f.AccountID)
	}
	if f.CheckID != "" {
		where, args = append(where, "f.check_id = ?"), append(args, f.CheckID)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	// obs: every observation; cur: each finding's latest; brk: its latest
	// observation with another status, which ended the previous run.
	q := `WITH obs AS (
		SELECT f.check_id, f.account_id, f.account_name, f.status, f.severity, s.started_ms
		FROM scan_findings f JOIN scans s ON s.id = f.scan_id ` + cond + `),
	latest AS (SELECT check_id, account_id, MAX(started_ms) AS t FROM obs GROUP BY check_id, account_id),
	cur AS (SELECT o.* FROM obs o JOIN latest l ON o.check_id = l.check_id AND o.account_id = l.account_id AND o.started_ms = l.t),
	brk AS (SELECT o.check_id, o.account_id, MAX(o.started_ms) AS t FROM obs o
		JOIN cur c ON o.check_id = c.check_id AND o.account_id = c.account_id AND o.status <> c.status
		GROUP BY o.check_id, o.account_id)
	SELECT c.check_id, c.account_id, c.account_name, c.status, c.severity, MIN(o.started_ms), COUNT(*), c.started_ms
	FROM cur c
	JOIN obs o ON o.check_id = c.check_id AND o.account_id = c.account_id
	LEFT JOIN brk b ON b.check_id = c.check_id AND b.account_id = c.account_id
	WHERE b.t IS NULL OR o.started_ms > b.t
	GROUP BY c.check_id, c.account_id, c.account_name, c.status, c.severity, c.started_ms
	ORDER BY c.check_id, c.account_id`
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store %s: history: %w", s.name, err)
	}
	defer rows.Close()
	out := []FindingHistory{}
	for rows.Next() {
		var h FindingHistory
		var since, last int64
		if err := rows.Scan(&h.CheckID, &h.AccountID, &h.AccountName, &h.Status, &h.Severity, &since, &h.Scans, &last); err != nil {
			return nil, fmt.Errorf("store %s: history: %w", s.name, err)
		}
		h.Since, h.LastSeen = time.UnixMilli(since).UTC(), time.UnixMilli(last).UTC()
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %s: history: %w", s.name, err)
	}
	return out, nil
}

// NewID is a random 128-bit ID in hex, for the TEXT primary keys that
// the schema leaves to Go.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
