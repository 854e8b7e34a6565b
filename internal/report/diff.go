package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/jsonstrict"
)

// Diff is what changed since a baseline report (scan --baseline). A
// finding is identified by its check and account.
type Diff struct {
	// BaselineGeneratedAt is when the baseline report was made.
	BaselineGeneratedAt time.Time `json:"baseline_generated_at"`
	// New are the findings that FAIL now and did not in the baseline
	// (another status, or absent).
	New []DiffEntry `json:"new"`
	// Resolved are the findings that failed in the baseline and do not
	// now (another status, or absent).
	Resolved []DiffEntry `json:"resolved"`
	// Changed are the other changes: a status change that neither starts
	// nor ends a FAIL (PASS to UNKNOWN…), a finding that appeared or went
	// away without failing.
	Changed []DiffEntry `json:"changed"`
}

// DiffEntry is one finding that changed.
type DiffEntry struct {
	CheckID     string          `json:"check_id"`
	AccountID   string          `json:"account_id"`
	AccountName string          `json:"account_name"`
	Severity    checks.Severity `json:"severity"`
	// Status is the status now, "" when the finding went away.
	Status checks.Status `json:"status"`
	// PreviousStatus is the baseline's, "" when the finding is new.
	PreviousStatus checks.Status `json:"previous_status"`
	// Muted: the finding is muted now.
	Muted bool `json:"muted,omitempty"`
}

// ReadBaseline reads a findings/v1 json report, as scan --format json
// writes it, strictly (duplicate keys, unknown fields) and bounded.
func ReadBaseline(path string) (*Report, error) {
	data, err := filelimit.ReadFile(path, filelimit.Document)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	var r Report
	if err := jsonstrict.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("baseline %s: not a rootguard json report: %w", path, err)
	}
	if r.Schema != SchemaID {
		return nil, fmt.Errorf("baseline %s: schema %q: want %q (scan --format json)", path, r.Schema, SchemaID)
	}
	for i, f := range r.Findings {
		if f.CheckID == "" || f.AccountID == "" {
			return nil, fmt.Errorf("baseline %s: finding %d has no check_id or account_id", path, i)
		}
	}
	return &r, nil
}

// Compare returns what changed from base's findings to now, entries in the
// order of now's findings, then the findings that went away in base's
// order.
func Compare(base *Report, now []checks.Finding) *Diff {
	type key struct{ check, account string }
	was := map[key]checks.Finding{}
	for _, f := range base.Findings {
		was[key{f.CheckID, f.AccountID}] = f
	}
	d := &Diff{BaselineGeneratedAt: base.GeneratedAt, New: []DiffEntry{}, Resolved: []DiffEntry{}, Changed: []DiffEntry{}}
	add := func(e DiffEntry) {
		switch {
		case e.Status == e.PreviousStatus:
		case e.Status == checks.Fail:
			d.New = append(d.New, e)
		case e.PreviousStatus == checks.Fail:
			d.Resolved = append(d.Resolved, e)
		default:
			d.Changed = append(d.Changed, e)
		}
	}
	seen := map[key]bool{}
	for _, f := range now {
		k := key{f.CheckID, f.AccountID}
		seen[k] = true
		e := DiffEntry{CheckID: f.CheckID, AccountID: f.AccountID, AccountName: f.AccountName, Severity: f.Severity, Status: f.Status, Muted: f.Muted != nil}
		if b, ok := was[k]; ok {
			e.PreviousStatus = b.Status
		}
		add(e)
	}
	for _, f := range base.Findings {
		if !seen[key{f.CheckID, f.AccountID}] {
			add(DiffEntry{CheckID: f.CheckID, AccountID: f.AccountID, AccountName: f.AccountName, Severity: f.Severity, PreviousStatus: f.Status})
		}
	}
	return d
}

// NewAtOrAbove counts the unmuted new FAIL findings of severity sev or
// higher; it backs scan --fail-on-new.
func (d *Diff) NewAtOrAbove(sev checks.Severity) int {
	n := 0
	for _, e := range d.New {
		if !e.Muted && e.Severity.Rank() >= sev.Rank() {
			n++
		}
	}
	return n
}

// diffGroups are the diff's sections for people, with their labels.
func (d *Diff) groups() []diffGroup {
	return []diffGroup{{"New", "NEW", d.New}, {"Resolved", "RESOLVED", d.Resolved}, {"Changed", "CHANGED", d.Changed}}
}

type diffGroup struct {
	title, label string
	entries      []DiffEntry
}

// sorted returns entries by severity, highest first, then account and check.
func sorted(es []DiffEntry) []DiffEntry {
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(a, b DiffEntry) int {
		return cmp.Or(cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.CheckID, b.CheckID))
	})
	return es
}

// transition is "PASS → FAIL", "(new) → FAIL" or "FAIL → (gone)".
func transition(e DiffEntry) string {
	from, to := statusLabel(e.PreviousStatus), statusLabel(e.Status)
	if e.PreviousStatus == "" {
		from = "(new)"
	}
	if e.Status == "" {
		to = "(gone)"
	}
	s := from + " → " + to
	if e.Muted {
		s += " MUTED"
	}
	return s
}
