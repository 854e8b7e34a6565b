package checks

import (
	"fmt"
	"slices"
	"strings"
)

// RootActivityAlerting fails when nothing alerts a person on root activity
// in the account.
var RootActivityAlerting = &Check{
	ID:       "root-activity-alerting",
	Title:    "Root activity raises an alert that reaches a person",
	Severity: High,
	Doc: `Checks that root activity in the account raises an alert someone receives,
through either of two paths:

(a) an enabled EventBridge rule in us-east-1 (root console sign-ins are
    delivered there) on the default event bus, whose pattern matches root
    activity, with a target that delivers (below); or
(b) the CIS path: a trail delivering to a CloudWatch Logs group, a metric
    filter on that group whose pattern matches root activity, an alarm on
    the filter's metric with actions enabled, and an SNS topic among the
    alarm's actions with at least one confirmed subscription. For a member
    account, the management account's organization trail log group with
    such a filter and alarm counts: it sees every account.

A rule in state ENABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
runs; only the latter receives read-only management events, so a plain
ENABLED rule never sees root Get, List or Describe calls: the evidence
names that as partial coverage, not a failure.

A metric filter sees only what its trail delivers, so the trail is judged
as trail-multi-region-logging judges it: a trail that is not logging, does
not record management events or records only read-only ones (root write
calls never reach it) keeps the filter from alerting; a write-only trail
(no root read calls), advanced event selectors filtering on a field other
than eventCategory and readOnly (eventSource, eventName…: root events
outside the filter are dropped; not a userIdentity.arn or eventType
condition that every root event passes, such as leaving out a role's
sessions, nor a filter another selector makes moot by recording every
root event anyway), and a single-Region trail (only its
Region's calls; outside us-east-1 never a root console sign-in or IAM's
global events) are partial coverage, named. The alarm must fire on one
root event: a statistic that counts it (Sum, SampleCount, Maximum), a
threshold one event crosses (>= 1, or > a value below 1) and one breaching
datapoint (CIS: Sum, threshold 1, GreaterThanOrEqualToThreshold, one
period); an alarm that cannot is a named problem. Selector filters or an
alarm's condition not collected (a snapshot from an older rootguard) make
that path UNKNOWN.

A rule's targets are followed through the collected facts, never judged by
their names:
- an SNS topic counts only with at least one confirmed subscription; a
  topic whose subscriptions are all pending confirmation (named), or that
  has none, reaches nobody and fails. A topic in an account or Region the snapshot
  does not hold makes that target UNKNOWN. A confirmed SQS subscription
  delivers only if the queue's access policy lets sns.amazonaws.com
  sqs:SendMessage (evaluated with the topic as aws:SourceArn), read in the
  queue's account (sqs:ListQueues, GetQueueAttributes); a queue policy not
  read makes it UNKNOWN.
- the topic must also let the publisher in. The SNS default access policy
  does not let EventBridge (events.amazonaws.com) publish: a rule's topic
  needs a topic policy statement allowing it sns:Publish (evaluated with
  the rule's ARN as aws:SourceArn), and a Deny covering the service wins.
  CloudWatch alarms publish under the default policy. A topic encrypted
  with the AWS managed key alias/aws/sns (or a key kms:DescribeKey says
  AWS manages) receives from neither. A customer managed key (a key ID,
  key ARN, alias or alias ARN, resolved with kms:DescribeKey in the
  topic's account and Region) must let the publisher use it: its key
  policy (kms:GetKeyPolicy) needs a statement allowing the service
  kms:GenerateDataKey* and kms:Decrypt on the key (Resource "*" in a key
  policy is the key itself; evaluated with the rule or alarm as
  aws:SourceArn and the topic as the kms:EncryptionContext:aws:sns:topicArn
  encryption context), and a Deny covering the service wins; the detail
  names the key and the statement that allowed it, or the permission
  missing. A key policy not read (kms:DescribeKey or kms:GetKeyPolicy
  refused, GetKeyPolicy on another account's key, which KMS never
  allows, or a snapshot from an older rootguard) makes the topic UNKNOWN,
  as does a topic policy not read (a snapshot from an older rootguard, or
  sns:GetTopicAttributes refused).
- an event bus in another account (hub-and-spoke forwarding, as rootguard
  plan deploys it) counts when the bus policy lets this account put events
  (a statement naming the account, or an aws:PrincipalOrgID condition on
  its organization together with an IAM role on this account's rule
  target, which EventBridge requires under an organization grant; and no
  Deny) and a rule on that bus, enabled, whose
  pattern catches the forwarded events, has a target that delivers in
  turn (followed up to three buses deep; a cycle is UNKNOWN). A bus whose
  policy or rules were not collected, a custom bus (only default buses'
  rules are collected), a policy condition on a key the snapshot cannot
  answer, or an organization grant where the target's role was not
  collected (a snapshot from an older rootguard) make that target
  UNKNOWN.
- the account's own default bus in another Region (rootguard plan
  forwards each other Region's root API calls to the us-east-1 bus, with
  the IAM role EventBridge needs there) needs no grant; its rules are
  followed the same way. A forwarding account's other Regions forward
  to the central account's us-east-1 bus: its grant is judged as above.
- any other target (SQS queue, Lambda function, Kinesis or Firehose
  stream, Systems Manager OpsItem, API destination…) counts as delivering:
  rootguard cannot see past it, and the finding names it.
One delivering target is enough; a target that is not known does not
fail the rule on its own, but with nothing else delivering it leaves the
finding UNKNOWN.

Regions. A root API call reaches EventBridge only in the Region where it
was made: a rule in us-east-1 catches console sign-ins and calls to global
services (IAM, STS's global endpoint…), not root calls made in other
Regions. So, for each collected Region (the Regions enabled in the
account, account:ListRegions, or those named with --regions), the check
asks whether root API calls made there reach a person: through a wired
rule in that Region (a rule outside us-east-1 is partial coverage, for its
own Region's calls and never for sign-ins), or through a wired metric
filter fed by a multi-Region trail (which sees every Region; a
single-Region trail's filter covers its home Region only). The evidence's
regions map names, per Region, what carries the calls, "no path", or what
could not be read. A collected Region with no path fails; a Region whose
rules, topics, alarms or queues could not be read is UNKNOWN on its own
(what other Regions answered is still judged), and another Region proven
to have no path still fails.

Patterns are not compared with a reference text. rootguard evaluates each
rule's event pattern and each filter's pattern against representative
CloudTrail events (a root API call, a root console sign-in, a failed root
sign-in, an AssumeRoot session, and look-alikes that must not alert, such as
an IAM user named "root"), so a rule keyed on the wrong field or the
"Signin" misspelling shows as missing events. A forwarded event reaches a
person only if both the forwarding rule and the onward rule catch it. The
controls must together catch the root API call and the successful root
console sign-in; what else they miss is listed.

Facts: cloudtrail:DescribeTrails, GetTrailStatus and GetEventSelectors,
logs:DescribeMetricFilters, cloudwatch:DescribeAlarms (statistic, threshold,
comparison, evaluation periods, datapoints to alarm), sns:ListTopics, ListSubscriptionsByTopic and
GetTopicAttributes (the topic policy and encryption key), kms:DescribeKey
and GetKeyPolicy (the key that encrypts a topic and its key policy),
events:ListRules, ListTargetsByRule (targets and their roles) and DescribeEventBus
(the bus policy), in this account and in the accounts its targets lead to, and
the management account's organization trail.

PASS: wired controls catch root API calls and console sign-ins; the detail
names each rule and the target that decided (topic and its confirmed
subscriptions; for forwarding, the central bus, the statement that lets
the account in, the onward rule and its topic), or the filter, alarm and
topic, any events missed, and partial coverage (a plain ENABLED rule, a
write-only, filtered or single-Region trail).
FAIL: no control alerts, or a collected Region has no path for root API
calls (named); the detail names each candidate and what it misses
or lacks (disabled rule, no target, topic with pending-only
subscriptions, a bus that does not let the account in or has no rule
delivering onward, a topic whose policy or key keeps the publisher out,
a trail that is not logging or lacks management or write events, no
alarm, alarm actions disabled, an alarm one root event cannot fire). A FAIL stands even
with unread facts when they could not make the controls catch what they
miss.
UNKNOWN: nothing alerts among the facts read (or some Region has no path
among them), but some that could change that were not readable or not
collected.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Simplest: an EventBridge rule in us-east-1 on the default bus,
  aws events put-rule --region us-east-1 --name rootguard-root-activity \
    --state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS \
    --event-pattern '{"detail-type": ["AWS API Call via CloudTrail",
      "AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}'
  aws events put-targets --region us-east-1 --rule rootguard-root-activity \
    --targets Id=sns,Arn=arn:aws:sns:us-east-1:ACCOUNT_ID:root-alerts
with a topic policy statement letting events.amazonaws.com sns:Publish
(aws:SourceArn the rule's ARN), and no alias/aws/sns encryption;
or the CIS metric filter on the trail's log group
  { $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS &&
    $.eventType != "AwsServiceEvent" }
on a multi-Region trail recording all management events (read and write,
no selector filters), with an alarm that fires on one event (Sum,
GreaterThanOrEqualToThreshold 1, one datapoint) whose action is an SNS
topic. Root API calls reach EventBridge only in the Region of the call:
with the EventBridge path, put a rule in every other enabled Region too,
forwarding to the us-east-1 default bus (a cross-Region bus target needs a
role that may events:PutEvents on it), or alert on it there. Then confirm the
topic's subscription (the email link): a pending subscription alerts nobody.
An SQS queue in another account than the topic's confirms at once only when
the queue's owner subscribes it (the topic policy letting that account
sns:Subscribe); subscribed from the topic's account, it stays pending until
confirmed in the queue's account.
For an organization, rootguard plan deploys the rule, topic and
subscription in one account (subscribing a queue of another account from
that account, with the topic policy statement AllowQueueAccountSubscribe)
and, in every other account, a rule forwarding
root activity to that account's default bus, with the bus policy granting
each account. Every rule it deploys is in state
ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (one of its own left in plain
ENABLED is set to it). An account whose own root rule targets its own topic
without the events.amazonaws.com statement gets that statement added to
the topic policy (sid AllowRootActivityRuleEventBridge, aws:SourceArn its
rules; the policy's other statements kept) instead of forwarding, where
that alone makes this check pass. In every other collected Region, of that account and of
each forwarding account, it deploys a rule forwarding root API calls to
the central us-east-1 bus, with the IAM role EventBridge needs to put
events there, made once per account (export writes the same: the
regional template as a stack in the central account's Regions and as a
StackSet in the forwarding accounts').`,
	References: References{
		SEC01BP02:   stepDetective,
		CIS:         []string{"v1.4:4.3", "v3.0:4.3", "v5.0:4.3", "v6.0:5.3", "v7.0:5.3"},
		SecurityHub: []string{"CloudWatch.1"},
	},
	Run: activeOnly(runRootActivityAlerting),
}

func runRootActivityAlerting(in Input) Result {
	al := rootAlerting(in)
	return alertingResult(al)
}

func alertingResult(al alerting) Result {
	ev := map[string]any{}
	if s := sourceList(al.sources...); s != "" {
		ev["source_api"] = s
	}
	controls := make([]map[string]any, 0, len(al.controls))
	for _, c := range al.controls {
		controls = append(controls, c.evidenceMap())
	}
	ev["controls"] = controls
	if len(al.regions) > 0 {
		ev["regions"] = al.regionEvidence()
	}
	if al.passes() {
		var lines []string
		var missed []string
		for _, c := range al.controls {
			if c.wired() {
				lines = append(lines, c.line())
			}
		}
		for _, e := range rootEventNames() {
			if !slices.Contains(al.caught, e) {
				missed = append(missed, e)
			}
		}
		ev["catches"] = al.caught
		ev["misses"] = nonNil(missed)
		d := "root activity alerts through " + plural(len(lines), "one control", fmt.Sprintf("%d controls", len(lines)))
		if len(missed) > 0 {
			d += "; together they miss " + eventPhraseList(missed)
		}
		return Result{Status: Pass, Detail: d + ":" + bullets(lines), Evidence: ev}
	}
	lines := make([]string, 0, len(al.controls))
	for _, c := range al.controls {
		lines = append(lines, c.line())
	}
	missing := al.missing()
	notRead := slices.Clone(al.unread)
	for _, p := range al.regions {
		notRead = append(notRead, p.unread...)
	}
	notRead = dedupe(notRead)
	unread := dedupe(append(al.allUnread(), notRead...))
	if len(unread) > 0 && !al.decided() {
		for _, c := range al.controls {
			al.failed = append(al.failed, c.failed...)
		}
		ev["not_known"] = unread
		d := "no control read so far alerts on " + missing
		if len(notRead) > 0 {
			d += "; not readable: " + strings.Join(notRead, "; ")
		}
		return unknownFrom(d+bullets(lines), al.failed, ev)
	}
	if lacking := al.lacking(); len(lacking) > 0 && len(al.missedRequired()) == 0 {
		d := fmt.Sprintf("root API calls made in %s reach nobody: EventBridge sees a root API call only in the Region of the call, "+
			"and no rule there nor a metric filter fed by a multi-Region trail alerts on it", strings.Join(lacking, ", "))
		if open := al.regionsOpen(); len(open) > 0 {
			d += " (not known in " + strings.Join(open, ", ") + ")"
		}
		return Result{Status: Fail, Detail: d + ":" + bullets(lines), Evidence: ev}
	}
	if len(lines) == 0 {
		return Result{Status: Fail, Detail: "nothing alerts on root activity: no EventBridge rule and no CloudTrail " +
			"metric filter matches a root API call or a root console sign-in", Evidence: ev}
	}
	d := "nothing that reaches a person alerts on " + missing
	if len(unread) > 0 {
		ev["not_known"] = unread
		d += " (even if what could not be read delivered, the controls would still miss it)"
	}
	return Result{Status: Fail, Detail: d + ":" + bullets(lines), Evidence: ev}
}

// regionEvidence says, per collected Region, what carries root API calls
// made there to a person.
func (al alerting) regionEvidence() map[string]any {
	out := map[string]any{}
	for _, p := range al.regions {
		switch {
		case len(p.by) > 0:
			out[p.region] = "alerts through " + strings.Join(p.by, "; ")
		case len(p.unread) > 0:
			out[p.region] = "not known: " + strings.Join(p.unread, "; ")
		case len(al.unread) > 0:
			out[p.region] = "not known: " + strings.Join(al.unread, "; ")
		default:
			out[p.region] = "no path: root API calls made here reach nobody"
		}
	}
	return out
}

// AlertingRegions are the Regions root-activity-alerting judges for the
// account: its enabled Regions (with us-east-1) when they were read, else
// the snapshot's collected Regions.
func AlertingRegions(in Input) []string { return accountRegions(in).regions }

// RegionsWithoutAlerting are the collected Regions of the account proven
// to have no path for root API calls made there (none when the facts that
// could decide it were not read).
func RegionsWithoutAlerting(in Input) []string { return rootAlerting(in).lacking() }

// CatchesRootActivity reports whether an EventBridge event pattern matches
// some root event (a root API call, a root console sign-in…), as
// root-activity-alerting reads a rule's pattern.
func CatchesRootActivity(pattern string) bool {
	cov, err := patternCoverage(kindEventPattern, pattern)
	return err == nil && len(cov.Caught) > 0
}
