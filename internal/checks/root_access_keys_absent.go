package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootAccessKeysAbsent fails when the root user has any access key.
var RootAccessKeysAbsent = &Check{
	ID:       "root-access-keys-absent",
	Title:    "The root user has no access keys",
	Severity: Critical,
	Doc: `Checks that the root user has no access keys at all, active or inactive.

A root access key is a long-lived secret with the full, unrestricted power of
the account, and SCPs do not limit the management account's root user. An
inactive key is one API call away from active, so it counts too (as in CIS
and AWS Config's iam-root-access-key-check; Prowler only counts active keys).

Facts: the key list (iam:ListAccessKeys and iam:GetAccessKeyLastUsed in an
sts:AssumeRoot audit session for member accounts; the credential report's
root row for management and standalone accounts) cross-checked with
iam:GetAccountSummary's AccountAccessKeysPresent. Either one showing a key
is enough to fail.

PASS: no key listed and none counted.
FAIL: at least one key. The evidence lists each key's ID or slot, status,
creation date and last use (date, service, Region), so the owner can move
whatever uses it to an IAM role before deleting it.
UNKNOWN: neither the key list nor the account summary could be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Find what uses each key first (last used service and Region in the evidence; CloudTrail
events with that access key ID), move it to an IAM role, then delete the key.
Member account with centralized root access: from the management account,
  aws sts assume-root --target-principal ACCOUNT_ID \
    --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials
  then, with those credentials: aws iam delete-access-key --access-key-id AKIA...
  (or: rootguard plan / rootguard apply, which do the same).
Management or standalone account: sign in as root, open Security credentials
(account menu > Security credentials > Access keys), and delete each key.`,
	References: References{
		SEC01BP02:   stepNoAccessKeys,
		CIS:         []string{"v1.4:1.4", "v3.0:1.4", "v5.0:1.3", "v6.0:2.3", "v7.0:2.4"},
		SecurityHub: []string{"IAM.4"},
	},
	Run: activeOnly(runRootAccessKeysAbsent),
}

func runRootAccessKeysAbsent(in Input) Result {
	a := in.Account
	p := accessKeys(a)
	if !p.known {
		return unknownFrom(p.reason, p.failed, nil)
	}
	ev := map[string]any{"source_api": p.source}
	if sum := a.Root.Summary; sum.Known() {
		ev["account_access_keys_present"] = sum.Value.AccountAccessKeysPresent
	}
	if !p.yes {
		return Result{Status: Pass, Detail: "the root user has no access keys", Evidence: ev}
	}
	if p.listed && p.items > 0 {
		keys := make([]map[string]any, 0, p.items)
		var active, inactive []string
		for _, k := range a.Root.AccessKeys.Value {
			keys = append(keys, keyEvidence(k))
			if strings.EqualFold(k.Status, "Active") {
				active = append(active, keyName(k))
			} else {
				inactive = append(inactive, keyName(k))
			}
		}
		ev["access_keys"] = keys
		ev["source_api"] = a.Root.AccessKeys.Source.API
		return Result{Status: Fail, Detail: fmt.Sprintf("the root user has %d access key(s): %s",
			p.items, describeKeys(active, inactive)), Evidence: ev}
	}
	detail := "iam:GetAccountSummary counts root access keys (AccountAccessKeysPresent) but the key list "
	if p.disagree {
		detail += "is empty; the list may be stale (credential reports are cached for up to 4 hours)"
	} else {
		detail += "could not be read: " + why(a, a.Root.AccessKeys)
	}
	return Result{Status: Fail, Detail: detail, Evidence: ev}
}

func describeKeys(active, inactive []string) string {
	var parts []string
	if len(active) > 0 {
		parts = append(parts, "active "+strings.Join(active, ", "))
	}
	if len(inactive) > 0 {
		parts = append(parts, "inactive "+strings.Join(inactive, ", "))
	}
	return strings.Join(parts, "; ")
}

func keyEvidence(k inventory.AccessKey) map[string]any {
	m := map[string]any{"status": k.Status}
	if k.ID != "" {
		m["id"] = k.ID
	}
	if k.Slot > 0 {
		m["slot"] = k.Slot
	}
	if k.CreateDate != nil {
		m["create_date"] = stamp(*k.CreateDate)
	}
	if u := k.LastUsed; u != nil {
		switch {
		case u.Date != nil:
			m["last_used_date"] = stamp(*u.Date)
		case u.Error != nil:
			m["last_used_error"] = u.Error.Error()
		default:
			m["last_used_date"] = "never"
		}
		if u.Service != "" {
			m["last_used_service"] = u.Service
		}
		if u.Region != "" {
			m["last_used_region"] = u.Region
		}
	}
	return m
}
