package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DeliveryState is where a delivery of the notification outbox stands.
type DeliveryState string

// Delivery states. Pending and failed deliveries are due at their next
// attempt; a sending one is leased to one dispatcher until its lease ends.
const (
	DeliveryPending DeliveryState = "pending"
	DeliverySending DeliveryState = "sending"
	DeliverySent    DeliveryState = "sent"
	DeliveryFailed  DeliveryState = "failed"
	DeliveryGaveUp  DeliveryState = "gave_up"
	DeliveryFolded  DeliveryState = "folded"
)

// DeliveryKind tells an alert's own message from the update that follows
// its de-duplication window.
type DeliveryKind string

// Delivery kinds.
const (
	// KindAlert is sent at once: the first alert of its group in a window.
	KindAlert DeliveryKind = "alert"
	// KindFolded is an alert folded into the group's first: never sent
	// itself, counted by the update.
	KindFolded DeliveryKind = "folded"
	// KindUpdate follows the window's end when alerts were folded.
	KindUpdate DeliveryKind = "update"
)

// ErrLeaseLost is recording the outcome of a delivery whose lease another
// dispatcher took meanwhile (the lease ran out): the outcome is not
// recorded, the other dispatcher's stands.
var ErrLeaseLost = errors.New("the delivery's lease was lost to another dispatcher")

// Delivery is one row of the outbox: one notification of one event to one
// destination. ID is its idempotency key.
type Delivery struct {
	ID, EventID, Destination string
	Kind                     DeliveryKind
	// GroupKey names what de-duplication folds together (rule, account
	// and destination); ParentID is the alert a folded delivery or an
	// update belongs to.
	GroupKey, ParentID string
	Body               []byte
	State              DeliveryState
	Attempts           int
	NextAttempt        time.Time
	LeaseOwner         string
	LeaseUntil         time.Time
	// PossibleRepeat is set once a lease ran out while sending: the
	// message may have gone out before its sender died.
	PossibleRepeat bool
	LastError      string
	Created, Sent  time.Time
}

// NewDelivery is what EnqueueDelivery records.
type NewDelivery struct {
	ID, EventID, Destination, GroupKey string
	Body                               []byte
	// Window is the de-duplication window: an alert of GroupKey within
	// Window of the group's first is folded into it; 0 sends every one.
	Window time.Duration
}

const deliveryColumns = "id, event_id, destination, kind, group_key, parent_id, body, state, attempts, next_attempt_ms, " +
	"lease_owner, lease_until_ms, possible_repeat, last_error, created_ms, sent_ms"

func scanDelivery(row scanner) (Delivery, error) {
	var d Delivery
	var body, kind, state string
	var next, lease, created, sent int64
	var repeat int
	err := row.Scan(&d.ID, &d.EventID, &d.Destination, &kind, &d.GroupKey, &d.ParentID, &body, &state, &d.Attempts, &next,
		&d.LeaseOwner, &lease, &repeat, &d.LastError, &created, &sent)
	d.Body, d.Kind, d.State, d.PossibleRepeat = []byte(body), DeliveryKind(kind), DeliveryState(state), repeat != 0
	d.NextAttempt, d.LeaseUntil, d.Created, d.Sent = fromMS(next), fromMS(lease), fromMS(created), fromMS(sent)
	return d, err
}

// EnqueueDelivery records d at now and returns its kind, or "" when a
// delivery of the same event to the same destination is recorded already
// (enqueueing is idempotent: a redelivered event enqueues nothing). Inside
// the window of its group's first alert, d is folded into it and the
// group's update (due at the window's end) carries d's body; several
// dispatchers enqueueing one group are serialized, so one alert opens it.
func (s *Store) EnqueueDelivery(ctx context.Context, d NewDelivery, now time.Time) (DeliveryKind, error) {
	var kind DeliveryKind
	err := s.Tx(ctx, func(tx *Tx) error {
		if s.dialect == Postgres && d.Window > 0 {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", d.GroupKey); err != nil {
				return err
			}
		}
		var parent, parentEvent string
		var opened int64
		if d.Window > 0 {
			err := tx.QueryRow(ctx, "SELECT id, event_id, created_ms FROM deliveries WHERE group_key = ? AND kind = ? AND created_ms > ? "+
				"ORDER BY created_ms DESC LIMIT 1", d.GroupKey, string(KindAlert), now.Add(-d.Window).UnixMilli()).Scan(&parent, &parentEvent, &opened)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		insert := "INSERT INTO deliveries (" + deliveryColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', 0, 0, '', ?, 0) " +
			"ON CONFLICT (event_id, destination) DO NOTHING"
		k, state, next := KindAlert, DeliveryPending, now.UnixMilli()
		if parent != "" {
			k, state, next = KindFolded, DeliveryFolded, 0
		}
		res, err := tx.Exec(ctx, insert, d.ID, d.EventID, d.Destination, string(k), d.GroupKey, parent, string(d.Body), string(state), next, now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		kind = k
		if parent == "" {
			return nil
		}
		_, err = tx.Exec(ctx, "INSERT INTO deliveries ("+deliveryColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', 0, 0, '', ?, 0) "+
			"ON CONFLICT (id) DO UPDATE SET body = excluded.body",
			parent+"-update", parentEvent+"#update", d.Destination, string(KindUpdate), d.GroupKey, parent, string(d.Body),
			string(DeliveryPending), opened+d.Window.Milliseconds(), now.UnixMilli())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store %s: enqueue delivery of %s to %s: %w", s.name, d.EventID, d.Destination, err)
	}
	return kind, nil
}

// DueDeliveries returns up to limit deliveries due at now, the longest
// due first: pending or failed ones whose next attempt has come, and
// sending ones whose lease ran out. Deliveries to the destinations in
// skip (held back by their rate limit) are left out.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, skip []string, limit int) ([]Delivery, error) {
	q := "SELECT " + deliveryColumns + " FROM deliveries WHERE ((state IN (?, ?) AND next_attempt_ms <= ?) OR (state = ? AND lease_until_ms <= ?))"
	args := []any{string(DeliveryPending), string(DeliveryFailed), now.UnixMilli(), string(DeliverySending), now.UnixMilli()}
	if len(skip) > 0 {
		q += " AND destination NOT IN (" + strings.Repeat("?, ", len(skip)-1) + "?)"
		for _, d := range skip {
			args = append(args, d)
		}
	}
	return s.deliveries(ctx, q+" ORDER BY next_attempt_ms, id LIMIT ?", append(args, limit)...)
}

// Deliveries returns every delivery of the outbox, oldest first.
func (s *Store) Deliveries(ctx context.Context) ([]Delivery, error) {
	return s.deliveries(ctx, "SELECT "+deliveryColumns+" FROM deliveries ORDER BY created_ms, id")
}

func (s *Store) deliveries(ctx context.Context, q string, args ...any) ([]Delivery, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store %s: deliveries: %w", s.name, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store %s: deliveries: %w", s.name, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store %s: deliveries: %w", s.name, err)
	}
	return out, nil
}

// ClaimDelivery leases d (as DueDeliveries returned it) to owner until
// now+lease and counts the attempt; false when another dispatcher claimed
// it first or it changed since it was read. A delivery whose lease ran out
// while sending is claimed as a possible repeat.
func (s *Store) ClaimDelivery(ctx context.Context, d Delivery, owner string, now time.Time, lease time.Duration) (Delivery, bool, error) {
	until := now.Add(lease)
	res, err := s.Exec(ctx, "UPDATE deliveries SET state = ?, lease_owner = ?, lease_until_ms = ?, attempts = attempts + 1, "+
		"possible_repeat = CASE WHEN state = ? THEN 1 ELSE possible_repeat END "+
		"WHERE id = ? AND state = ? AND lease_until_ms = ? AND attempts = ?",
		string(DeliverySending), owner, until.UnixMilli(), string(DeliverySending), d.ID, string(d.State), ms(d.LeaseUntil), d.Attempts)
	if err != nil {
		return d, false, fmt.Errorf("store %s: claim delivery %s: %w", s.name, d.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return d, false, err
	}
	d.PossibleRepeat = d.PossibleRepeat || d.State == DeliverySending
	d.State, d.LeaseOwner, d.LeaseUntil, d.Attempts = DeliverySending, owner, until.UTC().Truncate(time.Millisecond), d.Attempts+1
	return d, true, nil
}

// DeliverySent records that owner sent delivery id at now, or returns
// ErrLeaseLost when owner no longer holds its lease.
func (s *Store) DeliverySent(ctx context.Context, id, owner string, now time.Time) error {
	return s.settle(ctx, id, owner, "UPDATE deliveries SET state = ?, sent_ms = ?, lease_until_ms = 0, last_error = '' "+
		"WHERE id = ? AND state = ? AND lease_owner = ?", string(DeliverySent), now.UnixMilli(), id, string(DeliverySending), owner)
}

// DeliveryFailed records that owner's attempt at delivery id failed with
// reason (which must hold no secret): retried at next, or given up.
func (s *Store) DeliveryFailed(ctx context.Context, id, owner, reason string, next time.Time, gaveUp bool) error {
	state := DeliveryFailed
	if gaveUp {
		state = DeliveryGaveUp
	}
	return s.settle(ctx, id, owner, "UPDATE deliveries SET state = ?, next_attempt_ms = ?, lease_until_ms = 0, last_error = ? "+
		"WHERE id = ? AND state = ? AND lease_owner = ?", string(state), next.UnixMilli(), reason, id, string(DeliverySending), owner)
}

func (s *Store) settle(ctx context.Context, id, owner, q string, args ...any) error {
	res, err := s.Exec(ctx, q, args...)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n != 1 {
			err = ErrLeaseLost
		}
	}
	if err != nil {
		return fmt.Errorf("store %s: record delivery %s by %s: %w", s.name, id, owner, err)
	}
	return nil
}

// RecentSends counts the deliveries to destination sent after since or
// being sent now, for its rate limit.
func (s *Store) RecentSends(ctx context.Context, destination string, since time.Time) (int, error) {
	var n int
	err := s.QueryRow(ctx, "SELECT COUNT(*) FROM deliveries WHERE destination = ? AND ((state = ? AND sent_ms > ?) OR state = ?)",
		destination, string(DeliverySent), since.UnixMilli(), string(DeliverySending)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store %s: recent sends to %s: %w", s.name, destination, err)
	}
	return n, nil
}

// Folded counts the deliveries folded into the alert delivery parent, and
// when the first and the last of them were enqueued.
func (s *Store) Folded(ctx context.Context, parent string) (n int, first, last time.Time, err error) {
	var lo, hi sql.NullInt64
	err = s.QueryRow(ctx, "SELECT COUNT(*), MIN(created_ms), MAX(created_ms) FROM deliveries WHERE parent_id = ? AND kind = ?",
		parent, string(KindFolded)).Scan(&n, &lo, &hi)
	if err != nil {
		return 0, first, last, fmt.Errorf("store %s: folded into %s: %w", s.name, parent, err)
	}
	return n, fromMS(lo.Int64), fromMS(hi.Int64), nil
}

// AccountName is the name the newest recorded scan gave the account, ""
// when no recorded scan named it.
func (s *Store) AccountName(ctx context.Context, account string) (string, error) {
	var name string
	err := s.QueryRow(ctx, "SELECT f.account_name FROM scan_findings f JOIN scans s ON s.id = f.scan_id "+
		"WHERE f.account_id = ? AND f.account_name <> '' ORDER BY s.started_ms DESC LIMIT 1", account).Scan(&name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store %s: name of account %s: %w", s.name, account, err)
	}
	return name, nil
}
