package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootEmailUnique fails when another account in the snapshot has the same
// root email address.
var RootEmailUnique = &Check{
	ID:       "root-email-unique",
	Title:    "No other account shares this root email address",
	Severity: Medium,
	Doc: `Checks that no other account in the snapshot uses the same root email
mailbox: addresses are compared case-insensitively and without a "+tag"
(aws+prod@example.com and AWS@example.com are both aws@example.com).

Each account's root user needs its own address so that a password reset, a
security notice or an ownership question points to exactly one account, and
so that taking over one mailbox address does not open several accounts at
once. Plus-addressing (aws+prod@, aws+dev@) gives each account a distinct
address but not a distinct mailbox: mail systems deliver every variant to
the one inbox, so whoever reads it can reset every such account's root
password. It fails like an identical address.

Facts: every account's email from organizations:ListAccounts.

PASS: no other account has an address of this mailbox.
FAIL: another account has one (the evidence names the other accounts and
their addresses).
UNKNOWN: this account's root email, or another account's, could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Give each account its own mailbox (a distribution list per account, such as
aws-root-ACCOUNT_NAME@example.com, not a +tag of a shared one), then change
the duplicate.
Member account, from the management account:
  aws account start-primary-email-update --account-id ACCOUNT_ID --primary-email NEW
  aws account accept-primary-email-update --account-id ACCOUNT_ID --primary-email NEW --otp CODE
Management or standalone account: sign in as root, account menu > Account >
Account details > Edit.`,
	References: References{SEC01BP02: stepContacts},
	Run:        activeOnly(runRootEmailUnique),
}

func runRootEmailUnique(in Input) Result {
	a := in.Account
	email, src, r, ok := rootEmail(a)
	if !ok {
		return r
	}
	want := mailbox(email)
	ev := map[string]any{"source_api": src, "email": email, "mailbox": want}
	idx := in.emails()
	var dups []map[string]any
	var names, unread []string
	unreadCount := 0
	for _, o := range idx.unread {
		if o.ID != a.ID {
			unreadCount++
			if len(unread) < maxListed {
				unread = append(unread, o.ID)
			}
		}
	}
	compared := idx.read
	shared := 0
	for _, o := range idx.byEmail[want] {
		if o.ID == a.ID {
			compared-- // this account itself
			continue
		}
		// Every account of a thousand plus-addresses of one mailbox shares
		// it with all the others: list the first few, count them all.
		if shared++; shared > maxListed {
			continue
		}
		d := map[string]any{"account_id": o.ID, "email": strings.TrimSpace(o.RootEmail.Value)}
		name := o.ID
		if o.Name != "" {
			d["account_name"] = o.Name
			name = fmt.Sprintf("%s (%s)", o.ID, o.Name)
		}
		name += " as " + strings.TrimSpace(o.RootEmail.Value)
		if o.State != "" {
			d["state"] = o.State
		}
		dups = append(dups, d)
		names = append(names, name)
	}
	ev["accounts_compared"] = compared
	if shared > 0 {
		ev["shared_with"] = dups
		list := strings.Join(names, ", ")
		if shared > len(dups) {
			ev["shared_with_count"] = shared
			list += fmt.Sprintf(" and %d more", shared-len(dups))
		}
		return Result{Status: Fail, Detail: "the root email " + email + " shares the mailbox " + want + " with " + list, Evidence: ev}
	}
	if unreadCount > 0 {
		ev["accounts_unread"] = unread
		ev["accounts_unread_count"] = unreadCount
		list := strings.Join(unread, ", ")
		if unreadCount > len(unread) {
			list += ", …"
		}
		return unknown(fmt.Sprintf("the root email of %d other account(s) could not be read: %s", unreadCount, list), ev)
	}
	if compared == 0 {
		return Result{Status: Pass, Detail: "the only account in the snapshot, so no other account uses " + email, Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("no other account (of %d) uses %s", compared, email), Evidence: ev}
}

// maxListed caps the account IDs listed in one finding.
const maxListed = 10

// emailIndex groups the snapshot's accounts by root email mailbox.
type emailIndex struct {
	byEmail map[string][]*inventory.Account
	unread  []*inventory.Account
	read    int
}

func newEmailIndex(s *inventory.Snapshot) *emailIndex {
	idx := &emailIndex{byEmail: map[string][]*inventory.Account{}}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if !a.RootEmail.Known() {
			idx.unread = append(idx.unread, a)
			continue
		}
		idx.read++
		key := mailbox(a.RootEmail.Value)
		idx.byEmail[key] = append(idx.byEmail[key], a)
	}
	return idx
}

// emails returns the snapshot's email index, built once per Assess run.
func (in Input) emails() *emailIndex {
	return in.cache().emails.get(func() *emailIndex { return newEmailIndex(in.Snapshot) })
}
