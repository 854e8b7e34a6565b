// Package contacts verifies that an account's contacts reach a person:
// which addresses and phone lines an account has (from the snapshot), the
// one-time tokens a verification mail carries, the record of each
// verification (confirmed by token, or attested for a phone call) and the
// verdict over that record. It is pure: the DNS lookups, the SMTP delivery
// and the store are adapters that call it.
package contacts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
)

// Kind is what a contact is for.
type Kind string

// Kinds of contact SEC01-BP02 asks to verify. The operations and billing
// contacts are verified when asked (--kind) but not required by the check.
const (
	RootEmail       Kind = "root-email"
	SecurityEmail   Kind = "security-email"
	OperationsEmail Kind = "operations-email"
	BillingEmail    Kind = "billing-email"
	Phone           Kind = "phone"
)

// Kinds lists every kind, in report order.
var Kinds = []Kind{RootEmail, SecurityEmail, OperationsEmail, BillingEmail, Phone}

// Required are the kinds contacts-verified-recent requires for every account.
var Required = []Kind{RootEmail, SecurityEmail, Phone}

// ParseKind accepts a kind's name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("contact kind %q: want one of %s", s, strings.Join(names, ", "))
}

// IsEmail reports whether the kind is verified by mail.
func (k Kind) IsEmail() bool { return k != Phone }

// Target is one contact of one account.
type Target struct {
	AccountID   string
	AccountName string
	Kind        Kind
	// Address is the email address or the phone number; empty when the
	// account has no such contact or it could not be read (Missing says which).
	Address string
	Missing string
}

// Targets lists the contacts of each account in the snapshot whose ID is in
// accounts (all when empty), in account then kind order. A contact that is
// not set or could not be read is listed with Missing saying so, never left
// out: an account whose contacts cannot be read is not verified.
func Targets(snap *inventory.Snapshot, accounts []string, kinds []Kind) []Target {
	var out []Target
	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		if len(accounts) == 0 || slices.Contains(accounts, a.ID) {
			out = append(out, AccountTargets(a, kinds)...)
		}
	}
	return out
}

// AccountTargets lists one account's contacts of the given kinds (all when
// none is given), as Targets does.
func AccountTargets(a *inventory.Account, kinds []Kind) []Target {
	if len(kinds) == 0 {
		kinds = Kinds
	}
	out := make([]Target, 0, len(kinds))
	for _, k := range kinds {
		t := Target{AccountID: a.ID, AccountName: a.Name, Kind: k}
		t.Address, t.Missing = address(a, k)
		out = append(out, t)
	}
	return out
}

func address(a *inventory.Account, k Kind) (addr, missing string) {
	if a.Skipped != "" {
		return "", "account not assessed: " + a.Skipped
	}
	alternate := func(typ string) (string, string) {
		f, ok := a.Contacts.Alternates[typ]
		switch {
		case !ok || !f.Collected():
			return "", "the " + strings.ToLower(typ) + " contact was not collected"
		case !f.Known():
			return "", f.Reason()
		case f.Value == nil || f.Value.EmailAddress == "":
			return "", "no " + strings.ToLower(typ) + " contact is set"
		}
		return f.Value.EmailAddress, ""
	}
	switch k {
	case RootEmail:
		if !a.RootEmail.Known() {
			return "", "root email unknown: " + a.RootEmail.Reason()
		}
		if a.RootEmail.Value == "" {
			return "", "no root email"
		}
		return a.RootEmail.Value, ""
	case SecurityEmail:
		return alternate("SECURITY")
	case OperationsEmail:
		return alternate("OPERATIONS")
	case BillingEmail:
		return alternate("BILLING")
	case Phone:
		p := a.Contacts.Primary
		switch {
		case !p.Known():
			return "", "primary contact unknown: " + p.Reason()
		case p.Value == nil || p.Value.PhoneNumber == "":
			return "", "no phone number in the primary contact"
		}
		return p.Value.PhoneNumber, ""
	}
	return "", "unknown kind " + string(k)
}

// Domain is the part of an email address after its last @, lower-cased.
func Domain(addr string) (string, error) {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return "", fmt.Errorf("%q is not an email address", addr)
	}
	return strings.ToLower(strings.TrimSuffix(addr[i+1:], ".")), nil
}

// tokenEncoding writes tokens without padding in capitals, easy to read
// out and to type.
var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken returns a one-time token (128 random bits) and the hash the
// store keeps; the token itself is only ever in the mail.
func NewToken(r io.Reader) (token, hash string, err error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", "", fmt.Errorf("token: %w", err)
	}
	token = "RG-" + tokenEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is what the store keeps of a token. Case and blanks around it
// do not matter, as a person may type it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(token))))
	return hex.EncodeToString(sum[:])
}

// Method is how a contact was verified.
type Method string

// Methods.
const (
	// ByToken: a mail with a one-time token was sent and the token confirmed.
	ByToken Method = "token"
	// Attested: a person says they reached the contact (a phone call);
	// recorded as said, not proven.
	Attested Method = "attested"
)

// Verification is one attempt to verify a contact.
type Verification struct {
	ID        string `json:"id,omitempty"`
	AccountID string `json:"account_id"`
	Kind      Kind   `json:"kind"`
	Address   string `json:"address"`
	Method    Method `json:"method"`
	// TokenHash is HashToken of the mailed token (ByToken only).
	TokenHash string `json:"-"`
	// SentAt is when the mail was sent or the attestation recorded.
	SentAt time.Time `json:"sent_at"`
	// ConfirmedAt is when the token was confirmed or the contact attested;
	// zero while a token waits.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	// By is who attested, or who confirmed (the confirming identity).
	By string `json:"by,omitempty"`
	// MX are the mail exchangers of the address's domain when the mail was
	// sent, with where each is.
	MX []MXHost `json:"mx,omitempty"`
}

// Confirmed reports whether the verification succeeded.
func (v Verification) Confirmed() bool { return !v.ConfirmedAt.IsZero() }

// Policy is what counts as recent.
type Policy struct {
	// MaxAge: a verification older than this is stale (default 90 days).
	MaxAge time.Duration
	// ConfirmWithin: a token not confirmed this long after it was sent is
	// overdue: nobody reads that inbox (default 72 hours).
	ConfirmWithin time.Duration
}

// DefaultPolicy is 90 days and 72 hours.
var DefaultPolicy = Policy{MaxAge: 90 * 24 * time.Hour, ConfirmWithin: 72 * time.Hour}

// WithDefaults fills what is not set with DefaultPolicy.
func (p Policy) WithDefaults() Policy {
	if p.MaxAge <= 0 {
		p.MaxAge = DefaultPolicy.MaxAge
	}
	if p.ConfirmWithin <= 0 {
		p.ConfirmWithin = DefaultPolicy.ConfirmWithin
	}
	return p
}

// State is the verdict on one contact.
type State string

// States.
const (
	Verified    State = "verified"   // confirmed within MaxAge
	Pending     State = "pending"    // a token sent, not yet overdue, and no recent confirmation
	Overdue     State = "overdue"    // a token sent longer than ConfirmWithin ago, never confirmed
	Stale       State = "stale"      // the newest confirmation is older than MaxAge
	Never       State = "never"      // no verification of this address at all
	Changed     State = "changed"    // verified, but the address is no longer the contact's
	NoAddress   State = "no-address" // the account has no such contact
	Unreachable State = "unknown"    // the contact could not be read
)

// Status is the verdict on one contact with what it rests on.
type Status struct {
	Target Target
	State  State
	// Last is the newest confirmed verification of the current address;
	// Waiting the newest unconfirmed one sent after it.
	Last, Waiting *Verification
}

// Assess judges one contact against its verification history. Only
// verifications of the contact's current address count: a changed address
// must be verified again.
func Assess(t Target, history []Verification, now time.Time, p Policy) Status {
	p = p.WithDefaults()
	st := Status{Target: t}
	if t.Address == "" {
		st.State = NoAddress
		if !strings.HasPrefix(t.Missing, "no ") {
			st.State = Unreachable
		}
		return st
	}
	var other bool
	for i := range history {
		v := &history[i]
		if v.AccountID != t.AccountID || v.Kind != t.Kind {
			continue
		}
		if !strings.EqualFold(v.Address, t.Address) {
			other = other || v.Confirmed()
			continue
		}
		if v.Confirmed() {
			if st.Last == nil || v.ConfirmedAt.After(st.Last.ConfirmedAt) {
				st.Last = v
			}
		} else if st.Waiting == nil || v.SentAt.After(st.Waiting.SentAt) {
			st.Waiting = v
		}
	}
	if st.Waiting != nil && st.Last != nil && !st.Waiting.SentAt.After(st.Last.SentAt) {
		st.Waiting = nil // an older unconfirmed attempt does not matter
	}
	switch {
	case st.Waiting != nil && now.Sub(st.Waiting.SentAt) > p.ConfirmWithin:
		st.State = Overdue
	case st.Last != nil && now.Sub(st.Last.ConfirmedAt) <= p.MaxAge:
		st.State = Verified
	case st.Waiting != nil:
		st.State = Pending
	case st.Last != nil:
		st.State = Stale
	case other:
		st.State = Changed
	default:
		st.State = Never
	}
	return st
}

// History is what the store holds of verifications, as the checks read it.
type History struct {
	Verifications []Verification
	Policy        Policy
}
