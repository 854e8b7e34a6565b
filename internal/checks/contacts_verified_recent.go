package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/contacts"
)

// ContactsVerifiedRecent fails when an account's root email, security
// contact or phone line was not verified recently, or a verification mail
// went unconfirmed.
var ContactsVerifiedRecent = &Check{
	ID:       "contacts-verified-recent",
	Title:    "Root email, security contact and phone were verified recently",
	Severity: Medium,
	Doc: `Checks that each account's root email address, SECURITY alternate
contact email and contact phone number were verified (as rootguard's store
records) within the configured interval (default 90 days), and that no verification
mail waits unconfirmed past its deadline (default 72 hours).

SEC01-BP02 asks teams to check regularly that the root and contact emails
and the phone number are valid and reached: AWS sends security
notifications and account recovery mail to them, and calls the phone. A
well-formed address that bounces, or a list nobody reads, fails silently
until the day AWS needs a person. rootguard contacts verify looks up each
address's mail exchangers and mails it a one-time token; rootguard contacts
confirm TOKEN records that a person read it. A phone line is verified by a
call that rootguard contacts attest records (attested, not proven).

Only a verification of the contact's current address counts: when an
address changes, it must be verified again.

Facts: the contacts in the snapshot (organizations:ListAccounts,
account:GetAlternateContact, account:GetContactInformation) and the
verifications in the store.

PASS: all three were verified within the interval and no token is overdue.
FAIL: one was never verified, was verified too long ago, was verified at
another address, is not set, or a token went unconfirmed past its deadline
(nobody watches that inbox).
UNKNOWN: no verification history was read (scan without a store), or a
contact could not be read and nothing else failed.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Verify the contacts and confirm the tokens that arrive:
  rootguard contacts verify --account ACCOUNT_ID --smtp smtp.example.com:587 --from rootguard@example.com
  rootguard contacts confirm TOKEN            # by whoever reads the mail
  rootguard contacts attest --account ACCOUNT_ID --kind phone --by "NAME"   # after a call that got through
An overdue token means nobody reads that inbox: make the address a
monitored distribution list (aws account put-alternate-contact, or the root
email through the account's settings) and verify it again.`,
	References: References{SEC01BP02: stepContacts},
	Run:        activeOnly(runContactsVerifiedRecent),
}

func runContactsVerifiedRecent(in Input) Result {
	h := in.Config.Contacts
	if h == nil {
		return unknown("no contact verification history was read: scan with the store (--db or ROOTGUARD_DB) that rootguard contacts verify wrote to",
			map[string]any{"source_api": "rootguard store: contact_verifications"})
	}
	policy := h.Policy.WithDefaults()
	var failed, pending []string
	states := map[string]any{}
	for _, t := range contacts.AccountTargets(in.Account, contacts.Required) {
		st := contacts.Assess(t, h.Verifications, in.Config.Now, policy)
		e := map[string]any{"state": string(st.State)}
		if t.Address != "" {
			e["address"] = t.Address
		}
		if st.Last != nil {
			e["verified_at"] = st.Last.ConfirmedAt
			e["method"] = string(st.Last.Method)
		}
		if st.Waiting != nil {
			e["token_sent_at"] = st.Waiting.SentAt
		}
		states[strings.ReplaceAll(string(t.Kind), "-", "_")] = e
		what := string(t.Kind)
		switch st.State {
		case contacts.Verified:
		case contacts.Pending:
			pending = append(pending, what+": a token was sent and waits for confirmation")
		case contacts.Unreachable:
			pending = append(pending, what+": "+t.Missing)
		case contacts.Overdue:
			failed = append(failed, fmt.Sprintf("%s: the token sent %s was never confirmed: nobody watches that inbox", what, st.Waiting.SentAt.Format("2006-01-02")))
		case contacts.Stale:
			failed = append(failed, fmt.Sprintf("%s: last verified %s", what, st.Last.ConfirmedAt.Format("2006-01-02")))
		case contacts.Changed:
			failed = append(failed, what+": verified at another address; the current one never was")
		case contacts.NoAddress:
			failed = append(failed, what+": "+t.Missing)
		default:
			failed = append(failed, what+": never verified")
		}
	}
	ev := map[string]any{"contacts": states, "max_age_days": int(policy.MaxAge.Hours() / 24),
		"source_api": "rootguard store: contact_verifications"}
	switch {
	case len(failed) > 0:
		return Result{Status: Fail, Detail: strings.Join(failed, "; "), Evidence: ev}
	case len(pending) > 0:
		return unknown(strings.Join(pending, "; "), ev)
	}
	return Result{Status: Pass, Detail: "root email, security contact and phone verified recently", Evidence: ev}
}
