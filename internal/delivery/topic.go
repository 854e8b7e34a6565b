package delivery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/policy"
)

// Publishers of root-activity alerts to an SNS topic.
const (
	// EventBridge publishes a rule's events; the topic policy must allow it.
	EventBridge = "events.amazonaws.com"
	// CloudWatch publishes an alarm's notifications; it does so under the
	// topic's default policy.
	CloudWatch = "cloudwatch.amazonaws.com"
)

// AWSManagedSNSKey is the AWS managed key of SNS, whose key policy no
// service principal may use: a topic encrypted with it receives nothing
// from EventBridge or CloudWatch alarms.
const AWSManagedSNSKey = "alias/aws/sns"

// Key managers, as kms:DescribeKey says them.
const (
	KeyManagerAWS      = "AWS"
	KeyManagerCustomer = "CUSTOMER"
)

// Key is what was read of the KMS key that encrypts a topic.
type Key struct {
	// ARN is the key's ARN (kms:DescribeKey); "" when it was not read.
	ARN string
	// Manager is KeyManagerCustomer or KeyManagerAWS.
	Manager string
	// Policy is the key policy (kms:GetKeyPolicy).
	Policy string
	// Unread, when set, says why the key is not known, completing "whose
	// key policy …": "was not collected (…)", "could not be read: …".
	Unread string
}

// TopicKey is what was read of the key that encrypts topic t.
func TopicKey(t inventory.Topic) Key {
	switch {
	case t.Key == nil:
		return Key{Unread: "was not collected (kms:DescribeKey and kms:GetKeyPolicy; a snapshot from an older rootguard)"}
	case !t.Key.Known():
		return Key{ARN: t.Key.Value.ARN, Unread: "could not be read: " + t.Key.Reason()}
	}
	v := t.Key.Value
	return Key{ARN: v.ARN, Manager: v.Manager, Policy: v.Policy}
}

// keyActions are what a service needs of the key that encrypts a topic to
// publish to it: kms:GenerateDataKey* (evaluated as kms:GenerateDataKey)
// and kms:Decrypt.
var keyActions = []struct{ action, name string }{
	{"kms:GenerateDataKey", "kms:GenerateDataKey*"},
	{"kms:Decrypt", "kms:Decrypt"},
}

// TopicAccess is whether a service may publish to an SNS topic (or SNS
// send to a queue). Exactly
// one of Allowed, Why and Unknown is set.
type TopicAccess struct {
	Allowed   bool
	Statement string // the deciding statement, quoted Sid or #index
	Why       string // why it may not
	Unknown   string // why it cannot be told
	// KeyPolicy is set when the topic's customer managed key decides and
	// its key policy (kms:DescribeKey, kms:GetKeyPolicy) was not read.
	KeyPolicy bool
	// KeyStatement names the key policy statements that let the service
	// use the topic's key (quoted Sids or #indexes, comma-separated), when
	// a customer managed key encrypts the topic and lets it.
	KeyStatement string
}

// TopicPublish decides whether service may publish to topicARN under its
// topic policy doc and server-side encryption key kmsKey ("" when the
// topic is not encrypted), key being what was read of that key.
// sourceARN and sourceAccount are the rule or alarm that publishes and
// its account (aws:SourceArn, aws:SourceAccount).
//
// EventBridge needs an Allow statement for events.amazonaws.com (the
// default policy, conditioned on AWS:SourceOwner, does not let it in);
// CloudWatch alarms publish under the default policy, so for them only a
// Deny decides. Either way a Deny covering the service wins. An AWS
// managed key (alias/aws/sns, or one kms:DescribeKey says AWS manages)
// blocks both; a customer managed key's policy must allow the service
// kms:GenerateDataKey* and kms:Decrypt on the key (a key policy's
// Resource "*" is the key itself), and a key policy that was not read
// leaves it unknown.
func TopicPublish(doc, kmsKey string, key Key, topicARN, service, sourceARN, sourceAccount string) TopicAccess {
	var a TopicAccess
	if strings.HasSuffix(kmsKey, AWSManagedSNSKey) {
		a.Why = fmt.Sprintf("is encrypted with the AWS managed key %s, whose key policy does not let %s use it", AWSManagedSNSKey, service)
		return a
	}
	var p *policy.Policy
	if strings.TrimSpace(doc) != "" {
		var err error
		if p, err = policy.Parse("topic policy", []byte(doc)); err != nil {
			a.Unknown = "its policy could not be read: " + err.Error()
			return a
		}
	}
	if p != nil {
		var denied bool
		if a.Statement, denied = serviceStatement(p, "sns:Publish", topicARN, service, sourceARN, sourceAccount); denied {
			a.Why = fmt.Sprintf("denies %s sns:Publish (statement %s)", service, a.Statement)
			return a
		}
	}
	switch {
	case a.Statement == "" && service == EventBridge:
		a.Why = "has no topic policy statement that lets " + service + " sns:Publish (the default policy does not)"
		return a
	case kmsKey != "":
		if !keyAccess(&a, kmsKey, key, topicARN, service, sourceARN, sourceAccount) {
			return a
		}
	}
	a.Allowed = true
	return a
}

// KeyName is a key as the topic names it (kmsKey), with its ARN when that
// differs (an alias or a key ID).
func KeyName(kmsKey, arn string) string {
	if arn == "" || arn == kmsKey {
		return kmsKey
	}
	return arn + " (" + kmsKey + ")"
}

// keyAccess judges the key kmsKey that encrypts topicARN: whether its key
// policy lets service kms:GenerateDataKey* and kms:Decrypt. It reports
// true when it does, otherwise it sets a.Why or a.Unknown.
func keyAccess(a *TopicAccess, kmsKey string, key Key, topicARN, service, sourceARN, sourceAccount string) bool {
	name := KeyName(kmsKey, key.ARN)
	if key.Unread != "" {
		a.KeyPolicy = true
		a.Unknown = fmt.Sprintf("it is encrypted with key %s, whose key policy %s, so whether %s may use the key is not known", name, key.Unread, service)
		return false
	}
	if key.Manager == KeyManagerAWS {
		a.Why = fmt.Sprintf("is encrypted with key %s, an AWS managed key (kms:DescribeKey), whose key policy does not let %s use it", name, service)
		return false
	}
	p, err := policy.Parse("key policy", []byte(key.Policy))
	if err != nil {
		a.Unknown = fmt.Sprintf("the key policy of key %s could not be read: %v", name, err)
		return false
	}
	resource := key.ARN
	if resource == "" {
		resource = kmsKey
	}
	// SNS asks KMS for data keys with the topic as encryption context.
	ctx := sourceContext(sourceARN, sourceAccount)
	ctx["kms:EncryptionContext:aws:sns:topicArn"] = []string{topicARN}
	var stmts, missing []string
	for _, act := range keyActions {
		stmt, denied := serviceStatementIn(p, act.action, resource, service, ctx)
		switch {
		case denied:
			a.Why = fmt.Sprintf("is encrypted with key %s, whose key policy denies %s %s (statement %s)", name, service, act.name, stmt)
			return false
		case stmt == "":
			missing = append(missing, act.name)
		case !slices.Contains(stmts, stmt):
			stmts = append(stmts, stmt)
		}
	}
	if len(missing) > 0 {
		a.Why = fmt.Sprintf("is encrypted with key %s, whose key policy has no statement that lets %s %s", name, service, strings.Join(missing, " or "))
		return false
	}
	a.KeyStatement = strings.Join(stmts, ", ")
	return true
}

// sourceContext is the request context of a service acting for sourceARN
// in sourceAccount (aws:SourceArn, aws:SourceAccount).
func sourceContext(sourceARN, sourceAccount string) map[string][]string {
	return map[string][]string{"aws:SourceArn": {sourceARN}, "aws:SourceAccount": {sourceAccount}}
}

// serviceStatement evaluates p for service doing action on resource on
// behalf of sourceARN in sourceAccount (aws:SourceArn, aws:SourceAccount):
// the deciding statement (quoted Sid or #index), "" when none allows it,
// and whether it is a Deny covering the service.
func serviceStatement(p *policy.Policy, action, resource, service, sourceARN, sourceAccount string) (stmt string, denied bool) {
	return serviceStatementIn(p, action, resource, service, sourceContext(sourceARN, sourceAccount))
}

// serviceStatementIn is serviceStatement with the request context given.
func serviceStatementIn(p *policy.Policy, action, resource, service string, ctx map[string][]string) (stmt string, denied bool) {
	dec := policy.Evaluate(p, policy.Request{Action: action, Resource: resource, Context: ctx})
	covers := func(ref policy.StatementRef) bool { return serviceCovered(&p.Statements[ref.Statement], service) }
	if i := slices.IndexFunc(dec.MatchedDeny, covers); i >= 0 {
		return stmtName(&p.Statements[dec.MatchedDeny[i].Statement]), true
	}
	if i := slices.IndexFunc(dec.MatchedAllow, covers); i >= 0 {
		return stmtName(&p.Statements[dec.MatchedAllow[i].Statement]), false
	}
	return "", false
}

// SNS is the service principal that delivers a topic's messages to a
// subscribed SQS queue.
const SNS = "sns.amazonaws.com"

// QueueSend decides whether SNS may deliver topicARN's messages to the
// SQS queue queueARN under the queue's access policy doc: SNS needs an
// Allow statement for sns.amazonaws.com on sqs:SendMessage (evaluated with
// the topic as aws:SourceArn), in the queue's account or another, and no
// Deny covering it. A queue without a policy lets no service in.
func QueueSend(doc, queueARN, topicARN, topicAccount string) TopicAccess {
	var a TopicAccess
	if strings.TrimSpace(doc) == "" {
		a.Why = "has no access policy, so SNS may not send to it"
		return a
	}
	p, err := policy.Parse("queue policy", []byte(doc))
	if err != nil {
		a.Unknown = "its policy could not be read: " + err.Error()
		return a
	}
	stmt, denied := serviceStatement(p, "sqs:SendMessage", queueARN, SNS, topicARN, topicAccount)
	a.Statement = stmt
	switch {
	case denied:
		a.Why = fmt.Sprintf("denies %s sqs:SendMessage (statement %s)", SNS, stmt)
	case stmt == "":
		a.Why = "has no policy statement that lets " + SNS + " sqs:SendMessage from topic " + topicARN
	default:
		a.Allowed = true
	}
	return a
}

// serviceCovered reports whether a statement's Principal (or NotPrincipal)
// takes in the service principal.
func serviceCovered(st *policy.Statement, service string) bool {
	names := func(pr *policy.Principal) bool {
		return pr.Any || slices.Contains(pr.Values["AWS"], "*") ||
			slices.ContainsFunc(pr.Values["Service"], func(v string) bool { return strings.EqualFold(v, service) })
	}
	return st.TakesIn(names)
}
