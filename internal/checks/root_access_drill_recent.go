package checks

import (
	"fmt"

	"github.com/rootguard/rootguard/internal/drill"
)

// RootAccessDrillRecent fails when root access was not proven to work by a
// drill within the configured interval.
var RootAccessDrillRecent = &Check{
	ID:       "root-access-drill-recent",
	Title:    "Root access was tested by a verified drill recently",
	Severity: Medium,
	Doc: `Checks that the account's last verified root access drill is within the
configured interval (default 180 days). For an account whose root user has
a console password (management, standalone, or a member that kept its
credentials) the drill is a root console sign-in with MFA; for a member
whose root credentials centralized root access removed, it is an
sts:AssumeRoot session. A drill is verified from CloudTrail: rootguard
drill start opens its window and rootguard drill verify finds the event
inside it with the detection engine. An sts:AssumeRoot session with the
audit task policy (the one rootguard's own collection uses) never counts,
and neither does activity outside a drill window.

SEC01-BP02 lists not testing emergency procedures regularly as an
anti-pattern: a root password nobody can find, an MFA device with a dead
battery or a recovery mailbox that bounces is discovered the day root is
needed. A drill recorded with rootguard drill record (attested by a
person) is shown as evidence but does not pass: CloudTrail did not see it.

Facts: the root user's password (iam:GetLoginProfile, the account summary
or the credential report) and the drills in rootguard's store.

PASS: a drill of the right kind was verified within the interval.
FAIL: none was, or the last one is older (an attested drill is named).
UNKNOWN: no drill history was read (scan without a store), or whether the
root user has a password could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Run a drill with two custodians present, then verify it from CloudTrail:
  rootguard drill start --account ACCOUNT_ID --kind sign-in   # or assume-root for a member
  (sign in as root with MFA inside the window)
  rootguard drill verify DRILL_ID s3://trail-bucket/AWSLogs/ORG_ID/ACCOUNT_ID/CloudTrail/
A recovery drill (--kind recovery) tests the password reset mail path too.`,
	References: References{SEC01BP02: stepRareUse},
	Run:        activeOnly(runRootAccessDrillRecent),
}

func runRootAccessDrillRecent(in Input) Result {
	h := in.Config.Drills
	if h == nil {
		return unknown("no drill history was read: scan with the store (--db or ROOTGUARD_DB) that rootguard drill wrote to",
			map[string]any{"source_api": "rootguard store: drills"})
	}
	pw := passwordPresent(in.Account)
	if !pw.known {
		return unknownFrom("whether the root user has a password: "+pw.reason, pw.failed, map[string]any{"source_api": "rootguard store: drills"})
	}
	kind := drill.KindFor(pw.yes)
	interval := h.Interval
	if interval <= 0 {
		interval = drill.DefaultInterval
	}
	verified, attested := drill.Last(h.Drills, in.Account.ID, kind)
	ev := map[string]any{"source_api": pw.source + ", rootguard store: drills", "drill_kind": string(kind), "interval_days": days(interval)}
	if attested != nil {
		ev["last_attested"] = map[string]any{"id": attested.ID, "at": stamp(attested.CheckedAt), "note": attested.Note}
	}
	if verified == nil {
		detail := fmt.Sprintf("no %s drill was ever verified from CloudTrail", kind)
		if attested != nil {
			detail += fmt.Sprintf(" (one was attested %s, which CloudTrail did not show)", attested.CheckedAt.Format("2006-01-02"))
		}
		return Result{Status: Fail, Detail: detail, Evidence: ev}
	}
	ev["last_verified"] = map[string]any{"id": verified.ID, "event_id": verified.EventID, "at": stamp(verified.EventTime)}
	if age := in.Config.Now.Sub(verified.EventTime); age > interval {
		return Result{Status: Fail, Detail: fmt.Sprintf("the last verified %s drill was %d days ago (%s)", kind, days(age), verified.EventTime.Format("2006-01-02")), Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("%s drill verified from CloudTrail on %s", kind, verified.EventTime.Format("2006-01-02")), Evidence: ev}
}
