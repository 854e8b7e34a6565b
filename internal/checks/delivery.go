package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
)

// This file follows an EventBridge rule's targets (and a CloudWatch alarm's
// SNS actions) to where the root events end up, from collected facts
// only: an SNS topic counts with a confirmed subscription; another
// account's event bus counts when its policy lets the sender in (by
// account, or through the organization with an IAM role on the sender's
// target, as EventBridge requires) and one of its own rules catching the
// events delivers them onward; any other target
// (SQS, Lambda, Kinesis, an API destination…) counts, since rootguard
// cannot see past it. Whatever the snapshot does not hold makes the target
// UNKNOWN, with the reason, rather than PASS or FAIL.

// maxForwardHops bounds how many event buses a forwarding chain may cross
// before rootguard stops following it (and calls the target UNKNOWN).
const maxForwardHops = 3

// Outcomes of one target.
const (
	outcomeDelivers = "delivers"
	outcomeFails    = "reaches nobody"
	outcomeUnknown  = "not known"
)

// reach is what one target does with the root events sent to it.
type reach struct {
	// events are the events sent to the target that reach a person (or a
	// destination rootguard cannot see past), in rootevents order.
	events  []string
	via     string // how they reach one, when events is not empty
	problem string // why nothing reaches anyone, when that is known
	unknown string // why it is not known
	failed  []string
	sources []string
	// evidence names the target, its kind, the outcome and, for a bus,
	// the grant and the onward rules.
	evidence map[string]any
}

func (d *reach) outcome() string {
	switch {
	case len(d.events) > 0:
		return outcomeDelivers
	case d.unknown != "":
		return outcomeUnknown
	}
	return outcomeFails
}

// finish records the outcome and its explanation in the evidence.
func (d reach) finish() reach {
	d.evidence["outcome"] = d.outcome()
	switch d.outcome() {
	case outcomeDelivers:
		d.evidence["delivers"] = d.events
		d.evidence["via"] = d.via
	case outcomeUnknown:
		d.evidence["not_known"] = d.unknown
	default:
		d.evidence["problem"] = d.problem
	}
	return d
}

// targetKinds name the target types rootguard cannot follow, by service.
var targetKinds = map[string]string{
	"sqs":       "SQS queue",
	"lambda":    "Lambda function",
	"kinesis":   "Kinesis stream",
	"firehose":  "Data Firehose stream",
	"ssm":       "Systems Manager target",
	"logs":      "CloudWatch Logs group",
	"states":    "Step Functions state machine",
	"ecs":       "ECS task",
	"batch":     "Batch job queue",
	"codebuild": "CodeBuild project",
	"sagemaker": "SageMaker pipeline",
	"redshift":  "Redshift cluster",
	"inspector": "Inspector assessment",
}

func targetKind(p delivery.ARN) string {
	switch {
	case p.Service == "events" && strings.HasPrefix(p.Resource, "api-destination/"):
		return "API destination"
	case p.Service == "ssm" && strings.HasPrefix(p.Resource, "opsitem"):
		return "Systems Manager OpsItem"
	}
	if k, ok := targetKinds[p.Service]; ok {
		return k
	}
	return p.Service + " target"
}

// busKey identifies an event bus in a forwarding chain.
type busKey struct{ account, region, name string }

func (k busKey) String() string { return k.account + "/" + k.region + "/" + k.name }

// follower follows targets through the snapshot.
type follower struct {
	in Input
}

// target follows one target (arn) of rule r in account from that sends it
// events (the names of the root events the rule catches). path lists the
// buses the events have crossed, the sender's own first.
func (w follower) target(from *inventory.Account, r inventory.EventRule, arn string, events []string, path []busKey) reach {
	d := reach{evidence: map[string]any{"target": arn}}
	p, ok := delivery.ParseARN(arn)
	if !ok {
		d.evidence["kind"] = "unrecognized"
		d.unknown = fmt.Sprintf("target %q is not an ARN, so where it delivers cannot be told", arn)
		return d.finish()
	}
	switch {
	case p.Service == "sns":
		d.evidence["kind"] = "sns-topic"
		pub := publisher{service: delivery.EventBridge, source: r.ARN, account: from.ID}
		if pub.source == "" {
			pub.source = "arn:aws:events:" + r.Region + ":" + from.ID + ":rule/" + r.Name
		}
		if w.topic(&d, arn, p, pub) {
			d.events = slices.Clone(events)
		}
	case p.Service == "events" && strings.HasPrefix(p.Resource, "event-bus/"):
		d.evidence["kind"] = "event-bus"
		w.bus(&d, from, r, arn, p, events, path)
	default:
		kind := targetKind(p)
		d.evidence["kind"] = strings.ReplaceAll(strings.ToLower(kind), " ", "-")
		d.events = slices.Clone(events)
		d.via = fmt.Sprintf("%s %s (counts as delivering: rootguard cannot see past it)", kind, arn)
	}
	return d.finish()
}

// publisher is what publishes root-activity alerts to a topic: the
// service principal, the rule or alarm (aws:SourceArn) and its account.
type publisher struct{ service, source, account string }

// noun is what the publisher sends.
func (p publisher) noun() string {
	if p.service == delivery.CloudWatch {
		return "alarm"
	}
	return "alert"
}

// topic reports whether an SNS topic delivers: it has at least one
// confirmed subscription, and its policy and encryption key let pub
// publish. Otherwise d says why not, or why that is not known.
func (w follower) topic(d *reach, arn string, p delivery.ARN, pub publisher) bool {
	noun := pub.noun()
	holder := w.in.Snapshot.Account(p.Account)
	if holder == nil {
		d.unknown = fmt.Sprintf("topic %s is in account %s, whose facts are not in the snapshot", arn, p.Account)
		return false
	}
	tf := holder.Detective.Topics
	if !readIn(tf, p.Region) {
		d.unknown = unreadWhy(holder, "SNS topics of "+holder.ID, tf)
		d.failed = append(d.failed, failedOf(tf)...)
		return false
	}
	d.sources = append(d.sources, tf.Source.API)
	i := slices.IndexFunc(tf.Value, func(t inventory.Topic) bool { return t.ARN == arn })
	if i < 0 {
		// Whether the topic's Region was collected decides between "not
		// known" and "does not exist"; the evidence says how that is known.
		cr := collectedRegions(w.in)
		d.evidence["regions_source"] = cr.source
		if p.Region != "" && !slices.Contains(cr.regions, p.Region) {
			d.unknown = fmt.Sprintf("topic %s is in %s, a Region not collected", arn, p.Region)
			return false
		}
		d.problem = fmt.Sprintf("topic %s does not exist: it is not among the topics of %s in %s", arn, holder.ID, p.Region)
		return false
	}
	var confirmed, pending, queueProblems, queueUnknowns []string
	var queues []map[string]any
	for _, s := range tf.Value[i].Subscriptions {
		name := s.Protocol + ":" + s.Endpoint
		switch {
		case !s.Confirmed:
			pending = append(pending, name)
		case s.Protocol != "sqs":
			confirmed = append(confirmed, name)
		default:
			// SNS delivers to a queue only if the queue's policy lets it.
			q := w.queue(d, s.Endpoint, arn, p.Account)
			queues = append(queues, q.evidence)
			switch {
			case q.problem != "":
				queueProblems = append(queueProblems, q.problem)
			case q.unknown != "":
				queueUnknowns = append(queueUnknowns, q.unknown)
			default:
				confirmed = append(confirmed, name)
			}
		}
	}
	d.evidence["confirmed_subscriptions"] = nonNil(confirmed)
	d.evidence["pending_subscriptions"] = nonNil(pending)
	if len(queues) > 0 {
		d.evidence["queue_subscriptions"] = queues
	}
	switch {
	case len(confirmed) > 0:
		d.via = fmt.Sprintf("topic %s (%d confirmed subscription(s))", arn, len(confirmed))
	case len(queueUnknowns) > 0:
		d.unknown = fmt.Sprintf("whether topic %s reaches its subscribed queues: %s", arn, strings.Join(append(queueUnknowns, queueProblems...), "; "))
		return false
	case len(queueProblems) > 0:
		d.problem = fmt.Sprintf("topic %s reaches no subscriber: %s", arn, strings.Join(queueProblems, "; "))
		if len(pending) > 0 {
			d.problem += fmt.Sprintf("; %d subscription(s) pending confirmation (%s)", len(pending), strings.Join(pending, ", "))
		}
		return false
	case len(pending) > 0:
		d.problem = fmt.Sprintf("topic %s has only subscriptions pending confirmation (%d: %s), so nobody receives the %s", arn, len(pending), strings.Join(pending, ", "), noun)
		return false
	default:
		d.problem = fmt.Sprintf("topic %s has no subscriptions", arn)
		return false
	}
	return w.publishes(d, arn, tf.Value[i], pub)
}

// queueReach is whether SNS delivers a topic's messages to one confirmed
// SQS subscription: a problem or an unknown, or neither when it does.
type queueReach struct {
	problem, unknown string
	evidence         map[string]any
}

// queue judges a confirmed SQS subscription of topicARN (in topicAccount)
// to queueARN by the queue's access policy, read in the queue's account.
func (w follower) queue(d *reach, queueARN, topicARN, topicAccount string) queueReach {
	q := queueReach{evidence: map[string]any{"queue": queueARN}}
	defer func() {
		switch {
		case q.problem != "":
			q.evidence["problem"] = q.problem
		case q.unknown != "":
			q.evidence["not_known"] = q.unknown
		default:
			q.evidence["delivers"] = true
		}
	}()
	p, ok := delivery.ParseARN(queueARN)
	if !ok || p.Service != "sqs" {
		q.unknown = fmt.Sprintf("subscription endpoint %q is not an SQS queue ARN", queueARN)
		return q
	}
	holder := w.in.Snapshot.Account(p.Account)
	if holder == nil {
		q.unknown = fmt.Sprintf("queue %s is in account %s, whose facts are not in the snapshot", queueARN, p.Account)
		return q
	}
	qf := holder.Detective.Queues
	switch {
	case !qf.Collected():
		q.unknown = fmt.Sprintf("the policy of queue %s was not collected (sqs:GetQueueAttributes; a snapshot from an older rootguard)", queueARN)
		d.failed = append(d.failed, "sqs:GetQueueAttributes")
		return q
	case !readIn(qf, p.Region):
		q.unknown = unreadWhy(holder, "SQS queues of "+holder.ID, qf)
		d.failed = append(d.failed, failedOf(qf)...)
		return q
	}
	d.sources = append(d.sources, qf.Source.API)
	i := slices.IndexFunc(qf.Value, func(x inventory.Queue) bool { return x.ARN == queueARN })
	if i < 0 {
		if !slices.Contains(accountRegions(Input{Snapshot: w.in.Snapshot, Account: holder, run: w.in.run}).regions, p.Region) {
			q.unknown = fmt.Sprintf("queue %s is in %s, a Region not collected", queueARN, p.Region)
			return q
		}
		q.problem = fmt.Sprintf("queue %s does not exist: it is not among the queues of %s in %s", queueARN, holder.ID, p.Region)
		return q
	}
	acc := delivery.QueueSend(qf.Value[i].Policy, queueARN, topicARN, topicAccount)
	if acc.Statement != "" {
		q.evidence["statement"] = acc.Statement
	}
	switch {
	case acc.Unknown != "":
		q.unknown = "whether SNS may send to queue " + queueARN + ": " + acc.Unknown
	case !acc.Allowed:
		q.problem = "queue " + queueARN + " " + acc.Why
	}
	return q
}

// publishes reports whether the topic's policy and encryption key let pub
// publish to it (sns:GetTopicAttributes); otherwise d says why not, or
// why that is not known.
func (w follower) publishes(d *reach, arn string, t inventory.Topic, pub publisher) bool {
	switch {
	case t.Attributes == nil:
		d.unknown = fmt.Sprintf("whether %s may publish to topic %s: its policy and encryption key were not collected (sns:GetTopicAttributes; a snapshot from an older rootguard)", pub.service, arn)
		d.failed = append(d.failed, "sns:GetTopicAttributes")
		return false
	case !t.Attributes.Known():
		d.unknown = fmt.Sprintf("whether %s may publish to topic %s: %s", pub.service, arn, t.Attributes.Reason())
		d.failed = append(d.failed, failedOf(*t.Attributes)...)
		return false
	}
	d.sources = append(d.sources, t.Attributes.Source.API)
	at := t.Attributes.Value
	key, keyFailed := topicKey(t)
	acc := delivery.TopicPublish(at.Policy, at.KMSMasterKeyID, key, arn, pub.service, pub.source, pub.account)
	access := map[string]any{"publisher": pub.service, "allowed": acc.Allowed}
	if acc.Statement != "" {
		access["statement"] = acc.Statement
	}
	if at.KMSMasterKeyID != "" {
		access["kms_key"] = at.KMSMasterKeyID
	}
	if key.ARN != "" && key.ARN != at.KMSMasterKeyID {
		access["key_arn"] = key.ARN
	}
	if acc.KeyStatement != "" {
		access["key_statement"] = acc.KeyStatement
	}
	if t.Key != nil && t.Key.Known() {
		d.sources = append(d.sources, "kms:DescribeKey")
		if t.Key.Source.API != "kms:DescribeKey" {
			d.sources = append(d.sources, t.Key.Source.API)
		}
	}
	d.evidence["topic_access"] = access
	switch {
	case acc.Unknown != "":
		d.unknown = fmt.Sprintf("whether %s may publish to topic %s: %s", pub.service, arn, acc.Unknown)
		if acc.KeyPolicy {
			d.failed = append(d.failed, keyFailed...)
		}
	case !acc.Allowed:
		d.problem = fmt.Sprintf("topic %s %s, so no %s reaches its subscribers", arn, acc.Why, pub.noun())
		d.via = ""
	default:
		if acc.Statement != "" {
			d.via += fmt.Sprintf(", whose policy statement %s lets %s publish", acc.Statement, pub.service)
		}
		if acc.KeyStatement != "" {
			d.via += fmt.Sprintf(", and the key policy of its key %s lets it use the key (statement %s)", delivery.KeyName(at.KMSMasterKeyID, key.ARN), acc.KeyStatement)
		}
	}
	return acc.Allowed
}

// topicKey is what the snapshot holds of the key that encrypts topic t,
// for delivery.TopicPublish (which judges it only for a customer managed
// key), and the calls to name when it was not read.
func topicKey(t inventory.Topic) (delivery.Key, []string) {
	switch k := delivery.TopicKey(t); {
	case t.Key == nil:
		return k, []string{"kms:GetKeyPolicy"}
	case !t.Key.Known():
		return k, failedOf(*t.Key)
	default:
		return k, nil
	}
}

// bus judges a target that is an event bus: the bus must let the sender
// put events on it (when it is another account's) and one of its rules
// must catch the events and deliver them onward.
func (w follower) bus(d *reach, from *inventory.Account, r inventory.EventRule, arn string, p delivery.ARN, events []string, path []busKey) {
	key := busKey{p.Account, p.Region, strings.TrimPrefix(p.Resource, "event-bus/")}
	d.evidence["bus"] = arn
	if slices.Contains(path, key) {
		hops := make([]string, 0, len(path)+1)
		for _, k := range append(slices.Clip(path), key) {
			hops = append(hops, k.String())
		}
		d.unknown = "forwarding loops back to bus " + arn + " (" + strings.Join(hops, " → ") + "); rootguard does not follow a cycle"
		return
	}
	if len(path) > maxForwardHops {
		d.unknown = fmt.Sprintf("forwarding to bus %s crosses more than %d event buses; rootguard stops following there", arn, maxForwardHops)
		return
	}
	holder := w.in.Snapshot.Account(p.Account)
	if holder == nil {
		d.unknown = fmt.Sprintf("event bus %s is in account %s, whose facts are not in the snapshot", arn, p.Account)
		return
	}
	if key.name != "default" {
		d.unknown = fmt.Sprintf("event bus %s is a custom bus; rootguard collects the rules of default buses only", arn)
		return
	}
	if holder.ID != from.ID && !w.grant(d, from, holder, r, arn, p.Region) {
		return
	}
	w.onward(d, holder, arn, p.Region, events, append(slices.Clip(path), key))
}

// grant records whether the bus of holder in region lets from's rule r put
// events on it; false when it does not or that is not known. A grant to
// the organization (aws:PrincipalOrgID) lets the events in only when r
// gives the target an IAM role: EventBridge's PutTargets requires a
// RoleArn for another account's bus that grants the sender through its
// organization rather than by account.
func (w follower) grant(d *reach, from, holder *inventory.Account, r inventory.EventRule, arn, region string) bool {
	bf := holder.Detective.EventBuses
	if !bf.Known() {
		d.unknown = unreadWhy(holder, fmt.Sprintf("policy of event bus %s", arn), bf)
		d.failed = append(d.failed, failedOf(bf)...)
		return false
	}
	d.sources = append(d.sources, bf.Source.API)
	i := slices.IndexFunc(bf.Value, func(b inventory.EventBus) bool { return b.Region == region && b.Name == "default" })
	if i < 0 {
		d.unknown = fmt.Sprintf("the default event bus of %s in %s was not collected, so its policy is not known", holder.ID, region)
		return false
	}
	bus := bf.Value[i]
	busARN := bus.ARN
	if busARN == "" {
		busARN = arn
	}
	g := judgeBusPolicy(bus.Policy, busARN, from.ID, orgIDOf(w.in.Snapshot, from))
	if g.Allowed && g.Org {
		g.Role, g.RoleKnown = targetRole(r, arn)
	}
	d.evidence["grant"] = g.Evidence()
	rule := fmt.Sprintf("rule %q of %s (%s)", r.Name, from.ID, r.Region)
	switch {
	case g.Allowed && g.Org && !g.RoleKnown:
		d.unknown = fmt.Sprintf("bus %s lets %s in only through the organization (statement %s), which needs an IAM role on the target of %s, and whether it has one was not collected",
			arn, from.ID, g.Statement, rule)
	case g.Allowed && g.Org && g.Role == "":
		d.problem = fmt.Sprintf("bus %s lets %s in only through the organization (statement %s), and EventBridge delivers under an organization grant only with an IAM role (RoleArn) on the sender's target: the target of %s has none",
			arn, from.ID, g.Statement, rule)
	case g.Allowed:
		return true
	case g.Unknown != "":
		d.unknown = "whether bus " + arn + " lets " + from.ID + " put events: its policy " + g.Unknown
	default:
		d.problem = "bus " + arn + " " + g.Why
	}
	return false
}

// onward follows the rules on holder's default bus in region that catch
// the events sent to it.
func (w follower) onward(d *reach, holder *inventory.Account, arn, region string, events []string, path []busKey) {
	rf := holder.Detective.EventRules
	if !rf.Known() {
		d.unknown = unreadWhy(holder, "EventBridge rules of "+holder.ID, rf)
		d.failed = append(d.failed, failedOf(rf)...)
		return
	}
	d.sources = append(d.sources, rf.Source.API)
	var onward []map[string]any
	var delivered, vias, problems, unknowns []string
	for _, r := range rf.Value {
		if r.Region != region || !delivery.DefaultBus(r.EventBusName) || strings.TrimSpace(r.EventPattern) == "" {
			continue
		}
		name := fmt.Sprintf("rule %q of %s (%s)", r.Name, holder.ID, region)
		cov, err := patternCoverage(kindEventPattern, r.EventPattern)
		if err != nil {
			if mentionsRoot(r.EventPattern) {
				problems = append(problems, name+": its event pattern could not be evaluated: "+err.Error())
			}
			continue
		}
		caught := intersect(events, cov.Caught)
		if len(caught) == 0 {
			continue
		}
		ev := map[string]any{"rule": r.Name, "account_id": holder.ID, "region": region, "state": r.State, "catches": caught}
		onward = append(onward, ev)
		if enabled, _ := delivery.RuleState(r.State); !enabled {
			problems = append(problems, name+" is "+strings.ToLower(r.State))
			continue
		}
		if len(r.Targets) == 0 {
			problems = append(problems, name+" has no target")
			continue
		}
		var targets []map[string]any
		for _, t := range r.Targets {
			sub := w.target(holder, r, t, caught, path)
			d.failed = append(d.failed, sub.failed...)
			d.sources = append(d.sources, sub.sources...)
			targets = append(targets, sub.evidence)
			switch sub.outcome() {
			case outcomeDelivers:
				delivered = union(delivered, sub.events)
				vias = append(vias, name+" → "+sub.via)
			case outcomeUnknown:
				unknowns = append(unknowns, name+" → "+sub.unknown)
			default:
				problems = append(problems, name+" → "+sub.problem)
			}
		}
		ev["targets"] = targets
	}
	d.evidence["onward_rules"] = nonNilMaps(onward)
	grant := ""
	if g, ok := d.evidence["grant"].(map[string]any); ok {
		grant = fmt.Sprintf(" (%s)", g["summary"])
	}
	switch {
	case len(delivered) > 0:
		d.events = inOrder(intersect(events, delivered))
		d.via = "bus " + arn + grant + " → " + vias[0]
	case len(unknowns) > 0:
		d.unknown = "what bus " + arn + grant + " does with the events: " + strings.Join(append(unknowns, problems...), "; ")
	case len(problems) > 0:
		d.problem = "bus " + arn + grant + " receives the events, but nothing there delivers them: " + strings.Join(problems, "; ")
	default:
		d.problem = "bus " + arn + grant + " receives the events, but no rule there catches " + eventPhraseList(events)
	}
}

// targetRole returns the IAM role rule r gives its target arn ("" for
// none), and false when the snapshot does not say (collected before roles
// were read).
func targetRole(r inventory.EventRule, arn string) (string, bool) {
	role, ok := r.TargetRoles[arn]
	return role, ok
}

// orgIDOf is the organization of account a, when the snapshot holds it.
func orgIDOf(s *inventory.Snapshot, a *inventory.Account) string {
	if s.Organization == nil || a.Role == inventory.RoleStandalone {
		return ""
	}
	return s.Organization.ID
}

// intersect keeps the items of a that b holds, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// inOrder sorts event names in rootevents order.
func inOrder(names []string) []string {
	var out []string
	for _, n := range rootEventNames() {
		if slices.Contains(names, n) {
			out = append(out, n)
		}
	}
	return out
}

func nonNilMaps(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}

// busPolicyMemo keeps parsed bus policies: every member forwarding to one
// central bus reads the same policy.
var busPolicyMemo boundedMemo[string, delivery.BusPolicy]

// judgeBusPolicy is delivery.JudgeBusPolicy through busPolicyMemo.
func judgeBusPolicy(doc, busARN, account, orgID string) delivery.Grant {
	return busPolicyMemo.get(doc, func() delivery.BusPolicy { return delivery.ParseBusPolicy(doc) }).Judge(busARN, account, orgID)
}
