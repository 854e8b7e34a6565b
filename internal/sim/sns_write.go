package sim

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rootguard/rootguard/internal/policy"
)

// SNS writes: CreateTopic (idempotent by name), Subscribe and
// SetTopicAttributes; and GetTopicAttributes to read what they set.
//
// Subscribe acts on the topic's account. A caller from another account
// needs the topic policy to allow it sns:Subscribe (with sns:Protocol and
// sns:Endpoint as condition keys), as SNS decides. Email and HTTP endpoints
// wait for confirmation, and so does an SQS queue in another account than
// the caller's: SNS sends the queue a SubscriptionConfirmation that its
// owner must confirm. A queue's owner subscribing its own queue (to its own
// topic or, when the topic policy lets it, another account's) is confirmed
// at once, as are the other protocols.

var (
	topicNameArg = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	emailArg     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	smsArg       = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
)

// topicAttributes are the attributes CreateTopic and SetTopicAttributes
// accept.
var topicAttributes = set("Policy", "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion",
	"TracingConfig", "FifoTopic", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope")

// pendingProtocols need the endpoint to confirm the subscription.
var pendingProtocols = set("email", "email-json", "http", "https")

var snsProtocols = set("email", "email-json", "http", "https", "sms", "sqs", "lambda", "firehose", "application")

func invalidParameter(format string, a ...any) *apiError {
	return errf("InvalidParameter", http.StatusBadRequest, "Invalid parameter: "+format, a...)
}

// queryMap reads a query-protocol map parameter (Name.entry.N.key/value).
func (r *request) queryMap(name string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		p := name + ".entry." + strconv.Itoa(i)
		k, ok := r.form[p+".key"]
		if !ok || len(k) == 0 {
			return out
		}
		out[k[0]] = r.param(p + ".value")
	}
}

// findTopic is the target account's topic with the ARN, in the call's
// region: the session account's, or the topic's account for Subscribe.
func findTopic(r *request, arn string) (*Topic, error) {
	if !strings.HasPrefix(arn, "arn:aws:sns:") {
		return nil, invalidParameter("TopicArn")
	}
	a := r.account()
	if a == nil {
		return nil, errf("NotFound", http.StatusNotFound, "Topic does not exist")
	}
	for _, t := range r.srv.w.topics(a, r.region) {
		if topicARN(r.region, a.ID, t.Name) == arn {
			return t, nil
		}
	}
	return nil, errf("NotFound", http.StatusNotFound, "Topic does not exist")
}

// topicTarget is the account of the call's TopicArn, when it names one.
func topicTarget(r *request) string {
	return resourceAccount(r.param("TopicArn"))
}

// resourceAccount is the account field of a service resource ARN
// (arn:aws:service:region:account:resource), or "".
func resourceAccount(arn string) string {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || !accountID.MatchString(p[4]) {
		return ""
	}
	return p[4]
}

// topicAccess decides a Subscribe by a caller from another account than
// the topic's under the topic policy (the default policy when none is
// set, which admits only the owner account): an Allow covering the caller
// (its account, its root ARN or its role) and no Deny covering it.
func topicAccess(r *request, t *Topic, arn, protocol, endpoint string) error {
	doc := string(t.Policy)
	if doc == "" {
		doc = defaultTopicPolicy(arn, r.target)
	}
	refuse := func() error {
		return errf("AuthorizationError", http.StatusForbidden,
			"User: %s is not authorized to perform: SNS:Subscribe on resource: %s", r.sess.arn, arn)
	}
	p, err := policy.Parse(arn, []byte(doc))
	if err != nil {
		return refuse()
	}
	d := policy.Evaluate(p, policy.Request{
		Action: "sns:Subscribe", Resource: arn, PrincipalARN: principalARN(r.sess.arn),
		Context: map[string][]string{"sns:Protocol": {protocol}, "sns:Endpoint": {endpoint}},
	})
	covers := func(ref policy.StatementRef) bool { return keyPrincipal(&p.Statements[ref.Statement], r.sess) }
	if slices.ContainsFunc(d.MatchedDeny, covers) || !slices.ContainsFunc(d.MatchedAllow, covers) {
		return refuse()
	}
	return nil
}

// pendingSubscription reports whether a new subscription waits for its
// endpoint to confirm it: an email or HTTP endpoint, or an SQS queue its
// caller does not own.
func pendingSubscription(r *request, protocol, endpoint string) bool {
	if protocol == "sqs" {
		return resourceAccount(endpoint) != r.sess.account
	}
	return pendingProtocols[protocol]
}

// setTopicAttribute checks and stores one attribute.
func setTopicAttribute(t *Topic, name, value string) error {
	if !topicAttributes[name] {
		return invalidParameter("AttributeName")
	}
	if name == "Policy" {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(value), &doc); err != nil {
			return invalidParameter("Policy Error: not a JSON object: %v", err)
		}
		if _, ok := doc["Statement"]; !ok {
			return invalidParameter("Policy Error: null")
		}
		t.Policy = PolicyDocument(value)
		return nil
	}
	if t.Attributes == nil {
		t.Attributes = map[string]string{}
	}
	t.Attributes[name] = value
	return nil
}

type createTopicResult struct {
	TopicArn string `xml:"TopicArn"`
}

func snsCreateTopic(r *request) (any, error) {
	name := r.param("Name")
	if !topicNameArg.MatchString(name) {
		return nil, invalidParameter("Topic Name")
	}
	attrs := r.queryMap("Attributes")
	for k := range attrs {
		if !topicAttributes[k] {
			return nil, invalidParameter("Attributes Reason: Unknown attribute %s", k)
		}
	}
	w, a := r.srv.w, r.account()
	arn := topicARN(r.region, a.ID, name)
	for _, t := range w.topics(a, r.region) {
		if t.Name != name {
			continue
		}
		// The topic exists: the same attributes (or none) answer its ARN.
		probe := &Topic{Policy: t.Policy, Attributes: maps.Clone(t.Attributes)}
		for k, v := range attrs {
			if err := setTopicAttribute(probe, k, v); err != nil {
				return nil, err
			}
		}
		if probe.Policy != t.Policy || !maps.Equal(probe.Attributes, t.Attributes) {
			return nil, invalidParameter("Attributes Reason: Topic already exists with different attributes")
		}
		return createTopicResult{TopicArn: arn}, nil
	}
	t := Topic{Name: name, Region: r.region}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if err := setTopicAttribute(&t, k, attrs[k]); err != nil {
			return nil, err
		}
	}
	a.Topics = append(a.Topics, t)
	return createTopicResult{TopicArn: arn}, nil
}

type subscribeResult struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

// checkEndpoint checks a subscription endpoint for its protocol.
func checkEndpoint(protocol, endpoint string) error {
	ok := true
	switch protocol {
	case "email", "email-json":
		ok = emailArg.MatchString(endpoint)
	case "https", "http":
		ok = strings.HasPrefix(endpoint, protocol+"://") && len(endpoint) > len(protocol)+3
	case "sms":
		ok = smsArg.MatchString(endpoint)
	case "sqs", "lambda", "firehose":
		ok = strings.HasPrefix(endpoint, "arn:aws:"+protocol+":")
	}
	if !ok {
		return invalidParameter("Invalid %s endpoint %s", protocol, endpoint)
	}
	return nil
}

func snsSubscribe(r *request) (any, error) {
	arn := r.param("TopicArn")
	protocol := r.param("Protocol")
	endpoint := r.param("Endpoint")
	if !snsProtocols[protocol] {
		return nil, invalidParameter("Amazon SNS does not support this protocol string: %s", protocol)
	}
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return nil, err
	}
	t, err := findTopic(r, arn)
	if err != nil {
		return nil, err
	}
	if r.target != r.sess.account {
		if err := topicAccess(r, t, arn, protocol, endpoint); err != nil {
			return nil, err
		}
	}
	returnARN := r.param("ReturnSubscriptionArn") == "true"
	answer := func(i int) subscribeResult {
		if t.Subscriptions[i].Pending && !returnARN {
			return subscribeResult{SubscriptionArn: "pending confirmation"}
		}
		return subscribeResult{SubscriptionArn: arn + ":" + subscriptionID(arn, i)}
	}
	for i, s := range t.Subscriptions {
		if s.Protocol == protocol && s.Endpoint == endpoint {
			return answer(i), nil
		}
	}
	t.Subscriptions = append(t.Subscriptions, Subscription{Protocol: protocol, Endpoint: endpoint, Pending: pendingSubscription(r, protocol, endpoint)})
	return answer(len(t.Subscriptions) - 1), nil
}

func snsSetTopicAttributes(r *request) (any, error) {
	t, err := findTopic(r, r.param("TopicArn"))
	if err != nil {
		return nil, err
	}
	if err := setTopicAttribute(t, r.param("AttributeName"), r.param("AttributeValue")); err != nil {
		return nil, err
	}
	return nil, nil
}

type attributeEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type getTopicAttributesResult struct {
	Attributes []attributeEntry `xml:"Attributes>entry"`
}

// defaultTopicPolicy is the policy SNS gives a new topic: the owner
// account may manage it and publish to it.
func defaultTopicPolicy(arn, acct string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":"` + arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + acct + `"}}}]}`
}

func snsGetTopicAttributes(r *request) (any, error) {
	arn := r.param("TopicArn")
	t, err := findTopic(r, arn)
	if err != nil {
		return nil, err
	}
	acct := r.account().ID
	confirmed, pending := 0, 0
	for _, s := range t.Subscriptions {
		if s.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	m := map[string]string{
		"TopicArn":                arn,
		"Owner":                   acct,
		"Policy":                  string(t.Policy),
		"DisplayName":             "",
		"SubscriptionsConfirmed":  strconv.Itoa(confirmed),
		"SubscriptionsPending":    strconv.Itoa(pending),
		"SubscriptionsDeleted":    "0",
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`,
	}
	if t.Policy == "" {
		m["Policy"] = defaultTopicPolicy(arn, acct)
	}
	maps.Copy(m, t.Attributes)
	var out getTopicAttributesResult
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out.Attributes = append(out.Attributes, attributeEntry{Key: k, Value: m[k]})
	}
	return out, nil
}
