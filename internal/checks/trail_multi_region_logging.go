package checks

import (
	"fmt"
	"strings"
)

// TrailMultiRegionLogging fails when no multi-Region trail records the
// account's management events.
var TrailMultiRegionLogging = &Check{
	ID:       "trail-multi-region-logging",
	Title:    "A multi-Region trail logs all management events",
	Severity: High,
	Doc: `Checks that a CloudTrail trail covering the account is multi-Region, is
logging, and records management events, both read and write
(ReadWriteType All, in basic or advanced event selectors), without an
advanced selector condition that can drop root events (eventSource,
eventName…; a userIdentity.arn or eventType condition every root event
passes, such as leaving out a role's sessions, does not count), judged as
root-activity-alerting judges the trail behind a metric filter.

Every root action is a management event: without such a trail there is no
record of what root did, no input for root-activity alerts, and nothing to
investigate a misuse with. Root console sign-ins are recorded in us-east-1,
so a single-Region trail elsewhere misses them.

An organization trail covers every member account: it counts whether it is
seen in the member as a shadow trail or read in the management account
(IsOrganizationTrail). When a shadow trail's status cannot be read from the
member, the management account's facts for the same trail are used.

Facts: cloudtrail:DescribeTrails (shadow trails included),
cloudtrail:GetTrailStatus (IsLogging), cloudtrail:GetEventSelectors.

PASS: such a trail exists; the detail names it (and whether it is the
organization trail).
FAIL: no trail qualifies; the detail names each trail and what it lacks
(single-Region, not logging, no or partial management events), or says
there is none.
UNKNOWN: no trail qualifies among those read, but the trail list or a
trail's status or selectors could not be read (or, in a snapshot from an
older rootguard, its selector filters were not collected).
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Create (or fix) one multi-Region trail; in an organization, an organization trail
from the management account covers every member:
  aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET \
    --is-multi-region-trail --is-organization-trail
  aws cloudtrail put-event-selectors --trail-name org-trail \
    --event-selectors '[{"ReadWriteType": "All", "IncludeManagementEvents": true}]'
  aws cloudtrail start-logging --name org-trail
For an existing trail: update-trail --is-multi-region-trail, start-logging, and
set ReadWriteType All.`,
	References: References{
		SEC01BP02:   stepDetective,
		CIS:         []string{"v1.4:3.1", "v3.0:3.1"},
		SecurityHub: []string{"CloudTrail.1"},
	},
	Run: activeOnly(runTrailMultiRegionLogging),
}

func runTrailMultiRegionLogging(in Input) Result {
	js, unread, failed, sources := trailCandidates(in)
	ev := map[string]any{}
	trails := make([]map[string]any, 0, len(js))
	for _, j := range js {
		m := map[string]any{"name": j.trail.Name, "arn": j.trail.ARN, "home_region": j.trail.HomeRegion,
			"multi_region": j.trail.IsMultiRegion, "organization_trail": j.trail.IsOrganizationTrail,
			"read_from_account": j.owner}
		if len(j.lacks) > 0 {
			m["lacks"] = j.lacks
		}
		if len(j.unread) > 0 {
			m["not_known"] = j.unread
		}
		trails = append(trails, m)
	}
	ev["trails"] = trails
	for _, j := range js {
		if !j.ok() {
			continue
		}
		ev["source_api"] = sourceList(append(sources, j.sources...)...)
		ev["trail"] = j.trail.Name
		d := fmt.Sprintf("%s is multi-Region, logging, and records all management events", j.name())
		if j.owner != in.Account.ID {
			d += fmt.Sprintf(" (read in the management account %s)", j.owner)
		}
		return Result{Status: Pass, Detail: d, Evidence: ev}
	}
	var lines []string
	anyUnread := len(unread) > 0
	for _, j := range js {
		parts := append([]string{}, j.lacks...)
		for _, u := range j.unread {
			parts = append(parts, "not known: "+u)
		}
		lines = append(lines, j.name()+": "+strings.Join(parts, "; "))
		anyUnread = anyUnread || len(j.unread) > 0
		failed = append(failed, j.failed...)
		sources = append(sources, j.sources...)
	}
	if anyUnread {
		d := "no trail read so far qualifies"
		if len(unread) > 0 {
			d += "; not readable: " + strings.Join(unread, "; ")
		}
		return unknownFrom(d+bullets(lines), failed, ev)
	}
	ev["source_api"] = sourceList(sources...)
	if len(js) == 0 {
		return Result{Status: Fail, Detail: "no CloudTrail trail covers the account", Evidence: ev}
	}
	return Result{Status: Fail, Detail: "no trail is multi-Region, logging and recording all management events:" + bullets(lines), Evidence: ev}
}
