package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/contacts"
)

// Errors of ConfirmContactToken.
var (
	ErrTokenUnknown = errors.New("no verification was sent with this token")
	ErrTokenUsed    = errors.New("this token was already confirmed")
	ErrTokenExpired = errors.New("this token expired")
)

// AddContactVerification records a verification; its ID is set when empty
// and returned.
func (s *Store) AddContactVerification(ctx context.Context, v contacts.Verification) (string, error) {
	if v.ID == "" {
		v.ID = "cv-" + NewID()
	}
	mx, err := json.Marshal(v.MX)
	if err != nil {
		return "", err
	}
	var token any
	if v.TokenHash != "" {
		token = v.TokenHash
	}
	_, err = s.Exec(ctx, `INSERT INTO contact_verifications
		(id, account_id, kind, address, method, token_hash, sent_ms, confirmed_ms, by_person, mx)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.AccountID, string(v.Kind), v.Address, string(v.Method), token, ms(v.SentAt), ms(v.ConfirmedAt), v.By, string(mx))
	if err != nil {
		return "", fmt.Errorf("store %s: record contact verification: %w", s.name, err)
	}
	return v.ID, nil
}

// DeleteContactVerification removes a verification whose mail could not be
// sent, so that it never reads as waiting.
func (s *Store) DeleteContactVerification(ctx context.Context, id string) error {
	if _, err := s.Exec(ctx, `DELETE FROM contact_verifications WHERE id = ? AND confirmed_ms = 0`, id); err != nil {
		return fmt.Errorf("store %s: delete contact verification %s: %w", s.name, id, err)
	}
	return nil
}

// ConfirmContactToken confirms the verifications sent with token (one per
// contact sharing the address) at now, by whoever confirms, and returns
// them. A token confirms once, and only within validFor of its sending;
// confirming races resolve to one winner.
func (s *Store) ConfirmContactToken(ctx context.Context, token, by string, now time.Time, validFor time.Duration) ([]contacts.Verification, error) {
	hash := contacts.HashToken(token)
	var vs []contacts.Verification
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		vs, err = scanVerifications(tx.Query(ctx, verificationColumns+` WHERE token_hash = ? ORDER BY account_id, kind`, hash))
		switch {
		case err != nil:
			return err
		case len(vs) == 0:
			return ErrTokenUnknown
		case vs[0].Confirmed():
			return ErrTokenUsed
		case now.Sub(vs[0].SentAt) > validFor:
			return fmt.Errorf("%w: sent %s, valid for %s; run contacts verify again", ErrTokenExpired, vs[0].SentAt.Format(time.RFC3339), validFor)
		}
		res, err := tx.Exec(ctx, `UPDATE contact_verifications SET confirmed_ms = ?, by_person = ? WHERE token_hash = ? AND confirmed_ms = 0`, ms(now), by, hash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(vs)) {
			return ErrTokenUsed
		}
		for i := range vs {
			vs[i].ConfirmedAt, vs[i].By = now.UTC().Truncate(time.Millisecond), by
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("contacts confirm: %w", err)
	}
	return vs, nil
}

// ContactVerifications returns the verifications of the accounts (all when
// none is given), oldest first.
func (s *Store) ContactVerifications(ctx context.Context, accounts ...string) ([]contacts.Verification, error) {
	q, args := verificationColumns, []any{}
	if len(accounts) > 0 {
		q += ` WHERE account_id IN (?` + strings.Repeat(", ?", len(accounts)-1) + `)`
		for _, a := range accounts {
			args = append(args, a)
		}
	}
	vs, err := scanVerifications(s.Query(ctx, q+` ORDER BY sent_ms, id`, args...))
	if err != nil {
		return nil, fmt.Errorf("store %s: contact verifications: %w", s.name, err)
	}
	return vs, nil
}

const verificationColumns = `SELECT id, account_id, kind, address, method, COALESCE(token_hash, ''), sent_ms, confirmed_ms, by_person, mx FROM contact_verifications`

func scanVerifications(rows *sql.Rows, err error) ([]contacts.Verification, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []contacts.Verification
	for rows.Next() {
		var v contacts.Verification
		var kind, method, mx string
		var sent, confirmed int64
		if err := rows.Scan(&v.ID, &v.AccountID, &kind, &v.Address, &method, &v.TokenHash, &sent, &confirmed, &v.By, &mx); err != nil {
			return nil, err
		}
		v.Kind, v.Method = contacts.Kind(kind), contacts.Method(method)
		v.SentAt, v.ConfirmedAt = fromMS(sent), fromMS(confirmed)
		if err := json.Unmarshal([]byte(mx), &v.MX); err != nil {
			return nil, fmt.Errorf("verification %s: mx: %w", v.ID, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
