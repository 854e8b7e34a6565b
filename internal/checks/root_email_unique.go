package checks

import (
	"fmt"
	"strings"
)

// RootEmailUnique fails when another account in the snapshot has the same
// root email address.
var RootEmailUnique = &Check{
	ID:       "root-email-unique",
	Title:    "No other account shares this root email address",
	Severity: Medium,
	Doc: `Checks that no other account in the snapshot uses the same root email address,
compared case-insensitively.

Each account's root user needs its own address so that a password reset, a
security notice or an ownership question points to exactly one account, and
so that taking over one mailbox address does not open several accounts at
once. One shared mailbox with plus-addressing (aws+prod@, aws+dev@) gives
every account a distinct address and passes.

Facts: every account's email from organizations:ListAccounts.

PASS: no other account has this address.
FAIL: another account has it (the evidence names the other accounts).
UNKNOWN: this account's root email, or another account's, could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Give each account its own address, for example by plus-addressing one shared
mailbox (aws-root+ACCOUNT_NAME@example.com), then change the duplicate:
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
	want := strings.ToLower(email)
	ev := map[string]any{"source_api": src, "email": email}
	var dups []map[string]any
	var names, unread []string
	compared := 0
	for i := range in.Snapshot.Accounts {
		o := &in.Snapshot.Accounts[i]
		if o.ID == a.ID {
			continue
		}
		if !o.RootEmail.Known() {
			unread = append(unread, o.ID)
			continue
		}
		compared++
		if strings.ToLower(strings.TrimSpace(o.RootEmail.Value)) == want {
			d := map[string]any{"account_id": o.ID}
			name := o.ID
			if o.Name != "" {
				d["account_name"] = o.Name
				name = fmt.Sprintf("%s (%s)", o.ID, o.Name)
			}
			if o.State != "" {
				d["state"] = o.State
			}
			dups = append(dups, d)
			names = append(names, name)
		}
	}
	ev["accounts_compared"] = compared
	if len(dups) > 0 {
		ev["shared_with"] = dups
		return Result{Status: Fail, Detail: "the root email " + email + " is also used by " + strings.Join(names, ", "), Evidence: ev}
	}
	if len(unread) > 0 {
		ev["accounts_unread"] = unread
		return unknown(fmt.Sprintf("the root email of %d other account(s) could not be read: %s", len(unread), strings.Join(unread, ", ")), ev)
	}
	if compared == 0 {
		return Result{Status: Pass, Detail: "the only account in the snapshot, so no other account uses " + email, Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("no other account (of %d) uses %s", compared, email), Evidence: ev}
}
