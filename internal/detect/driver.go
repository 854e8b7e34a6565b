package detect

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Window is a half-open time range [Since, Until); a zero bound is open.
type Window struct {
	Since, Until time.Time
}

// Contains reports whether t is in the window. A zero t (no eventTime) is kept.
func (w Window) Contains(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	if !w.Since.IsZero() && t.Before(w.Since) {
		return false
	}
	return w.Until.IsZero() || t.Before(w.Until)
}

// DeliverySlack is how long after an event CloudTrail may deliver it: a source that is organised
// by delivery time (date folders, date partitions) holds the events of [day - DeliverySlack,
// day + 24h) under a day.
const DeliverySlack = 24 * time.Hour

// Driver takes CloudTrail records from a feeder (an archive scan, a query's rebuilt rows, a live
// queue) to alerts: it keeps the records inside its window, runs the engine on them, leaves out
// alerts already reported, and on Close adds the aggregate and join alerts.
//
// A feeder that reads one record at a time calls Feed for each, then Close. A feeder that reads
// in parallel calls Observe from its workers and Admit, from one goroutine, for each alert it is
// about to report, in the order it reports them; then Close.
type Driver struct {
	eng    *Engine
	window Window
	seen   map[[sha256.Size]byte]bool // dedupKey of each single-event alert admitted
	dups   int
	// approvals, when set by Approve, are the windows Judge checks root activity against.
	approvals *approvals
}

// NewDriver returns a driver of a new engine (see NewEngine) that keeps the records inside w.
func NewDriver(cfg Config, w Window) (*Driver, error) {
	eng, err := NewEngine(cfg)
	if err != nil {
		return nil, err
	}
	return &Driver{eng: eng, window: w, seen: map[[sha256.Size]byte]bool{}}, nil
}

// Observe runs the engine on r when its eventTime is inside the window and returns the alerts
// decidable now, not yet de-duplicated (see Admit); inWindow is false, and nothing is observed,
// for a record outside the window (or nil). It is safe for concurrent use.
func (d *Driver) Observe(r *Record, src Source) (alerts []Alert, inWindow bool) {
	if r == nil || !d.window.Contains(r.EventTime) {
		return nil, false
	}
	return d.eng.Observe(r, src), true
}

// Admit reports whether a is to be reported: false for a single-event alert equal, apart from
// where it was read, to one admitted before (CloudTrail may deliver an event twice, and archives
// are often copied). Aggregate alerts de-duplicate their records themselves and are always
// admitted. It is not safe for concurrent use.
func (d *Driver) Admit(a Alert) bool {
	if a.Count > 0 {
		return true
	}
	k := dedupKey(a)
	if d.seen[k] {
		d.dups++
		return false
	}
	d.seen[k] = true
	return true
}

// Feed observes r and returns its alerts that are to be reported (Observe, then Admit). It is
// not safe for concurrent use.
func (d *Driver) Feed(r *Record, src Source) (alerts []Alert, inWindow bool) {
	alerts, inWindow = d.Observe(r, src)
	return d.admitted(alerts), inWindow
}

// Close returns the aggregate and join alerts of everything observed (Engine.Flush) that are to
// be reported. Call it once, after the last record.
func (d *Driver) Close() []Alert {
	return d.admitted(d.eng.Flush())
}

// admitted keeps the alerts Admit admits, in place.
func (d *Driver) admitted(alerts []Alert) []Alert {
	return slices.DeleteFunc(alerts, func(a Alert) bool { return !d.Admit(a) })
}

// Duplicates counts the alerts left out so far because an equal alert was admitted before.
func (d *Driver) Duplicates() int { return d.dups }

// dedupKey identifies a single-event alert apart from where it was read: a redelivered or copied
// record gives an alert equal in every other field. The event ID alone is not enough: synthetic
// and hand-edited logs (peer test scenarios, replays) reuse IDs such as "1" for different events,
// and records without an eventID (AWS documentation examples) would never be matched. The key is
// a SHA-256 of the alert's JSON without its source, so the set costs 32 bytes per alert.
func dedupKey(a Alert) [sha256.Size]byte {
	a.Source, a.Sources = Source{}, nil
	b, err := json.Marshal(a)
	if err != nil { // an Alert always marshals; keep it distinct if not
		b = fmt.Appendf(nil, "%p", &a)
	}
	return sha256.Sum256(b)
}
