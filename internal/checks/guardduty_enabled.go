package checks

import (
	"fmt"
	"strings"
)

// GuardDutyEnabled fails when a collected Region has no enabled GuardDuty
// detector.
var GuardDutyEnabled = &Check{
	ID:       "guardduty-enabled",
	Title:    "GuardDuty is enabled in every collected Region",
	Severity: Medium,
	Doc: `Checks that the account has a GuardDuty detector with status ENABLED in each
Region rootguard collected.

GuardDuty raises findings on root use (Policy:IAMUser/RootCredentialUsage),
on credentials used from unusual places, and on discovery and exfiltration
patterns that follow a compromised root user. It is the detective control
that needs no rule writing.

The Regions are those enabled in the account (account:ListRegions) when
the collector read them, else those the snapshot records as collected
(its regions list): a collected Region with no detector fails, naming the
Region. A Region whose calls failed is UNKNOWN on its own: another Region
proven to lack a detector still fails. A
snapshot written before that list was recorded falls back to inference:
us-east-1 (always collected: root console sign-ins land there) and every
Region named by any account's regional facts in the snapshot (detectors,
EventBridge rules, alarms, event buses, topics), so a Region where another
account has a detector but this one has none fails. The evidence's
regions_source says which: "account:ListRegions", "snapshot" or
"inferred".

Facts: guardduty:ListDetectors and guardduty:GetDetector, per Region.

PASS: an ENABLED detector in every collected Region (evidence per Region).
FAIL: a Region has no detector, or only a disabled one.
UNKNOWN: the detectors could not be read, or every Region read has an
enabled detector and some Region's could not be read (named).
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Enable GuardDuty in each Region, best organization-wide from a delegated
administrator with auto-enable for new accounts:
  aws guardduty enable-organization-admin-account --admin-account-id ID --region R
  aws guardduty update-organization-configuration --detector-id D \
    --auto-enable-organization-members ALL --region R
In a single account: aws guardduty create-detector --enable --region R
A disabled detector: aws guardduty update-detector --detector-id D --enable.`,
	References: References{SEC01BP02: stepDetective, SecurityHub: []string{"GuardDuty.1"}},
	Run:        activeOnly(runGuardDutyEnabled),
}

func runGuardDutyEnabled(in Input) Result {
	f := in.Account.Detective.GuardDuty
	if !partlyRead(f) {
		return unknownFrom(unreadWhy(in.Account, "GuardDuty detectors", f), failedOf(f), nil)
	}
	cr := accountRegions(in)
	regions := cr.regions
	per := map[string]any{}
	var off, unread []string
	for _, r := range regions {
		if !readIn(f, r) {
			per[r] = "not read"
			unread = append(unread, r)
			continue
		}
		var states []string
		enabled := false
		for _, d := range f.Value {
			if d.Region != r {
				continue
			}
			states = append(states, fmt.Sprintf("%s %s", d.ID, d.Status))
			enabled = enabled || strings.EqualFold(d.Status, "ENABLED")
		}
		switch {
		case enabled:
			per[r] = "enabled (" + strings.Join(states, ", ") + ")"
		case len(states) == 0:
			per[r] = "no detector"
			off = append(off, r+": no detector")
		default:
			per[r] = "disabled (" + strings.Join(states, ", ") + ")"
			off = append(off, r+": detector "+strings.Join(states, ", "))
		}
	}
	ev := map[string]any{"source_api": f.Source.API, "regions": per, "regions_source": cr.source}
	if len(unread) > 0 {
		ev["not_read"] = unread
	}
	if len(off) > 0 {
		ev["not_enabled"] = off
		d := fmt.Sprintf("GuardDuty is not enabled in %d of %d collected Regions: %s",
			len(off), len(regions), strings.Join(off, "; "))
		if len(unread) > 0 {
			d += " (not read in " + strings.Join(unread, ", ") + ": " + f.Reason() + ")"
		}
		return Result{Status: Fail, Detail: d, Evidence: ev}
	}
	if len(unread) > 0 {
		return unknownFrom(fmt.Sprintf("GuardDuty is enabled in every Region read, but the detectors of %s were not read: %s",
			strings.Join(unread, ", "), f.Reason()), failedOf(f), ev)
	}
	return Result{Status: Pass, Detail: "GuardDuty is enabled in " + strings.Join(regions, ", "), Evidence: ev}
}
