package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
)

// GuardDutyRootFindingsRouted fails when GuardDuty's root credential usage
// findings reach nobody.
var GuardDutyRootFindingsRouted = &Check{
	ID:       "guardduty-root-findings-routed",
	Title:    "GuardDuty root credential usage findings reach a person",
	Severity: Medium,
	Doc: `Checks that GuardDuty's Policy:IAMUser/RootCredentialUsage findings, raised when
root credentials are used, reach someone: an enabled EventBridge rule on
the default bus whose pattern matches such a finding, with a target that
delivers (an SNS topic with a confirmed subscription that lets EventBridge
publish, as root-activity-alerting judges it, or a target rootguard cannot
see past).

A finding left in the GuardDuty console alerts nobody. The pattern is not
compared with a reference text: rootguard evaluates each rule against a
representative finding event (source aws.guardduty, detail-type "GuardDuty
Finding", type Policy:IAMUser/RootCredentialUsage, severity 2, low), so a
rule filtering on high severity only, or on other finding types, shows as
not matching. GuardDuty publishes findings in the Region of the detector;
a rule counts in a Region where the account has an enabled detector.

For a member account, GuardDuty also sends findings to its administrator
account, whose identity rootguard does not read: without a rule of its
own, a member is UNKNOWN, not FAIL. A rule forwarding the findings to
another event bus is not followed (UNKNOWN).

Facts: guardduty:ListDetectors and GetDetector, events:ListRules and
ListTargetsByRule, sns:ListTopics, ListSubscriptionsByTopic and
GetTopicAttributes.

PASS: a rule delivers the finding; the detail names the rule and target.
FAIL: GuardDuty is not enabled, or no rule delivering the finding exists
(each candidate and what it lacks is named) in a management or
standalone account.
UNKNOWN: the detectors, rules or a target's facts could not be read, or a
member has no rule of its own.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Route the findings to a person, in each Region with a detector (or in the
GuardDuty administrator account, which receives the members' findings):
  aws events put-rule --name guardduty-root-credential-usage --event-pattern \
    '{"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
      "detail": {"type": ["Policy:IAMUser/RootCredentialUsage"]}}'
  aws events put-targets --rule guardduty-root-credential-usage \
    --targets Id=sns,Arn=arn:aws:sns:REGION:ACCOUNT_ID:root-alerts
with a topic policy statement letting events.amazonaws.com sns:Publish, and
a confirmed subscription.`,
	References: References{SEC01BP02: stepDetective},
	Run:        activeOnly(runGuardDutyRootFindingsRouted),
}

// guardDutyRootFinding is the representative GuardDuty finding event a
// rule must match, for account in region.
func guardDutyRootFinding(account, region string) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":"c8c4daa7-a20c-2f03-0070-b7393dd542ad","detail-type":"GuardDuty Finding","source":"aws.guardduty",
"account":%q,"time":"2026-06-01T00:00:00Z","region":%q,"resources":[],
"detail":{"schemaVersion":"2.0","accountId":%q,"region":%q,"type":"Policy:IAMUser/RootCredentialUsage","severity":2,
"title":"API GetCallerIdentity was invoked using root credentials.",
"resource":{"resourceType":"AccessKey","accessKeyDetails":{"userType":"Root","userName":"Root","principalId":%q}},
"service":{"serviceName":"guardduty","action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"GetCallerIdentity","serviceName":"sts.amazonaws.com"}}}}}`,
		account, region, account, region, account)
}

// guardDutyEvent names the finding in a target's delivered events.
const guardDutyEvent = "guardduty-root-finding"

func runGuardDutyRootFindingsRouted(in Input) Result {
	a := in.Account
	gd, rf := a.Detective.GuardDuty, a.Detective.EventRules
	for _, f := range []struct {
		what   string
		reason string
		failed []string
		ok     bool
	}{
		{"GuardDuty detectors", unreadWhy(a, "GuardDuty detectors", gd), failedOf(gd), gd.Known()},
		{"EventBridge rules", unreadWhy(a, "EventBridge rules", rf), failedOf(rf), rf.Known()},
	} {
		if !f.ok {
			return unknownFrom(f.reason, f.failed, nil)
		}
	}
	var enabled []string
	for _, d := range gd.Value {
		if strings.EqualFold(d.Status, "ENABLED") {
			enabled = append(enabled, d.Region)
		}
	}
	ev := map[string]any{"source_api": sourceList(gd.Source.API, rf.Source.API), "detector_regions": nonNil(enabled)}
	if len(enabled) == 0 {
		return Result{Status: Fail, Detail: "GuardDuty is not enabled in any collected Region, so no root credential usage finding is raised", Evidence: ev}
	}
	var lines, unknowns, failed []string
	var rules []map[string]any
	w := follower{in: in}
	for _, r := range rf.Value {
		if !slices.Contains(enabled, r.Region) || strings.TrimSpace(r.EventPattern) == "" {
			continue
		}
		p, err := eventpattern.Parse([]byte(r.EventPattern))
		if err != nil || !p.Match(guardDutyRootFinding(a.ID, r.Region)) {
			continue
		}
		name := fmt.Sprintf("EventBridge rule %q (%s)", r.Name, r.Region)
		re := map[string]any{"name": r.Name, "region": r.Region, "state": r.State, "targets": nonNil(r.Targets)}
		rules = append(rules, re)
		if on, _ := delivery.RuleState(r.State); !on {
			lines = append(lines, name+" is "+strings.ToLower(r.State))
			continue
		}
		if !delivery.DefaultBus(r.EventBusName) {
			lines = append(lines, name+" is on event bus "+r.EventBusName+"; GuardDuty publishes findings to the default bus")
			continue
		}
		if len(r.Targets) == 0 {
			lines = append(lines, name+" has no target")
			continue
		}
		for _, t := range r.Targets {
			if tp, ok := delivery.ParseARN(t); ok && tp.Service == "events" {
				unknowns = append(unknowns, fmt.Sprintf("%s forwards to event bus %s, which rootguard does not follow for GuardDuty findings", name, t))
				continue
			}
			d := w.target(a, r, t, []string{guardDutyEvent}, nil)
			failed = append(failed, d.failed...)
			switch d.outcome() {
			case outcomeDelivers:
				ev["rule"], ev["delivery"] = r.Name, d.evidence
				ev["rules"] = rules
				return Result{Status: Pass, Detail: fmt.Sprintf("GuardDuty root credential usage findings reach a person: %s → %s", name, d.via), Evidence: ev}
			case outcomeUnknown:
				unknowns = append(unknowns, name+" → "+d.unknown)
			default:
				lines = append(lines, name+": its target "+d.problem)
			}
		}
	}
	ev["rules"] = nonNilMaps(rules)
	if len(unknowns) > 0 {
		return unknownFrom("no rule read so far delivers GuardDuty root credential usage findings: "+strings.Join(unknowns, "; ")+bullets(lines), failed, ev)
	}
	d := "no enabled EventBridge rule in a Region with a GuardDuty detector (" + strings.Join(enabled, ", ") +
		") delivers Policy:IAMUser/RootCredentialUsage findings to a person"
	if len(lines) > 0 {
		d += ":" + bullets(lines)
	}
	if a.Role == inventory.RoleMember {
		return unknownFrom(d+"; GuardDuty also sends a member's findings to its administrator account, which rootguard does not read "+
			"(guardduty:ListOrganizationAdminAccounts is not collected), so whose rules deliver them there is not known", []string{"guardduty:ListOrganizationAdminAccounts"}, ev)
	}
	return Result{Status: Fail, Detail: d, Evidence: ev}
}
