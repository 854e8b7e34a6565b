package checks

import (
	"fmt"
	"strings"
)

// RootRecentUse fails when the root user's password or an access key was
// used within the configured window.
var RootRecentUse = &Check{
	ID:       "root-recent-use",
	Title:    "The root user has not been used recently",
	Severity: High,
	Doc: `Checks that the root user's most recent use, across its password and both
access keys, is older than the configured window (default 90 days).

Root should be used only for the few tasks that truly require it. Recent
root use means daily work is being done with the most powerful identity in
the account, or that someone else has its credentials. The check takes the
NEWEST of the three last-used dates. (Prowler takes the first date that is
set, password before keys, so a key used yesterday hides behind a password
used last year; Steampipe's key comparison is inverted. Neither is done
here.) A planned break-glass drill also counts as use: record drills so the
finding can be explained.

Facts: member accounts (sts:AssumeRoot audit): iam:GetUser's
PasswordLastUsed and iam:GetAccessKeyLastUsed per key. Management and
standalone accounts: the credential report's password_last_used and
access_key_N_last_used_date columns ("no_information" and "N/A" mean never
used). The credential report can be up to four hours old. A root access
key rootguard deleted (apply, or breakglass run delete-root-credentials)
keeps its last use: IAM forgets it with the key, but rootguard records it
in its audit log with the deletion, and collection reads it back
(--audit-log), so deleting a recently used key does not turn this check
PASS. A key deleted outside rootguard takes its last use with it.

PASS: no recorded use, or the newest use is older than the window.
FAIL: the newest use is within the window (evidence: which credential, when).
UNKNOWN: no known date is within the window and some date could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Find out who used root and why: CloudTrail events with userIdentity.type "Root"
around the date in the evidence (rootguard trail scan). If the task did not
require root, give that person an IAM role. If it is unexplained, treat it as
an incident: rotate the root password, review MFA devices and access keys.`,
	References: References{
		SEC01BP02: stepRareUse,
		CIS:       []string{"v1.4:1.7", "v3.0:1.7", "v5.0:1.6", "v6.0:2.6", "v7.0:2.7"},
	},
	Run: activeOnly(runRootRecentUse),
}

func runRootRecentUse(in Input) Result {
	uses, sources, gaps, failed := lastUses(in.Account)
	window := in.Config.RecentUseWindow
	ev := map[string]any{"window_days": days(window)}
	if len(sources) > 0 {
		ev["source_api"] = sourceList(sources...)
	}
	if len(uses) > 0 {
		last := map[string]any{}
		for _, u := range uses {
			last[u.credential] = stamp(u.date)
		}
		ev["last_used"] = last
	}
	n, ok := newest(uses)
	if ok {
		ev["newest_use"] = map[string]any{"credential": n.credential, "date": stamp(n.date), "source_api": n.source}
		age := in.Config.Now.Sub(n.date)
		if age < window {
			return Result{Status: Fail, Detail: fmt.Sprintf("root %s was used on %s, %d days ago (window %d days)",
				n.credential, n.date.UTC().Format("2006-01-02"), days(age), days(window)), Evidence: ev}
		}
	}
	if len(gaps) > 0 {
		return unknownFrom(strings.Join(gaps, "; "), failed, ev)
	}
	if !ok {
		return Result{Status: Pass, Detail: "no recorded use of the root password or access keys", Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("root was last used on %s (%s), %d days ago",
		n.date.UTC().Format("2006-01-02"), n.credential, days(in.Config.Now.Sub(n.date))), Evidence: ev}
}
