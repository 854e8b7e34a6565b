package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SNS (awsQuery): ListTopics and ListSubscriptionsByTopic over the
// account's topics in the call's region. A pending subscription's ARN is
// "PendingConfirmation", as SNS reports it until the endpoint confirms.

func snsService() *service {
	return &service{
		name:  "sns",
		proto: protoQuery,
		xmlns: "http://sns.amazonaws.com/doc/2010-03-31/",
		ops: map[string]*operation{
			"ListTopics":               {handle: snsListTopics},
			"ListSubscriptionsByTopic": {handle: snsListSubscriptionsByTopic},
			"GetTopicAttributes":       {handle: snsGetTopicAttributes},
			"Publish":                  {handle: snsPublish}, // sns_publish.go

			// Writes (sns_write.go).
			"CreateTopic":        {write: true, handle: snsCreateTopic},
			"Subscribe":          {write: true, handle: snsSubscribe, target: topicTarget},
			"SetTopicAttributes": {write: true, handle: snsSetTopicAttributes},
		},
	}
}

// snsPageSize is how many topics or subscriptions SNS returns per page.
const snsPageSize = 100

func (w *world) topics(a *account, region string) []*Topic {
	var out []*Topic
	for i := range a.Topics {
		if w.regionOr(a.Topics[i].Region) == region {
			out = append(out, &a.Topics[i])
		}
	}
	return out
}

type snsTopic struct {
	TopicArn string `xml:"TopicArn"`
}

type listTopicsResult struct {
	Topics    []snsTopic `xml:"Topics>member"`
	NextToken string     `xml:"NextToken,omitempty"`
}

func snsPage[T any](items []T, token string) ([]T, string, error) {
	out, next, err := page(items, token, snsPageSize, snsPageSize)
	if err != nil {
		return nil, "", errf("InvalidParameter", http.StatusBadRequest, "Invalid parameter: NextToken")
	}
	return out, next, nil
}

func snsListTopics(r *request) (any, error) {
	a := r.account()
	var all []snsTopic
	for _, t := range r.srv.w.topics(a, r.region) {
		all = append(all, snsTopic{TopicArn: topicARN(r.region, a.ID, t.Name)})
	}
	out, next, err := snsPage(all, r.param("NextToken"))
	if err != nil {
		return nil, err
	}
	return listTopicsResult{Topics: out, NextToken: next}, nil
}

type snsSubscription struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type listSubscriptionsResult struct {
	Subscriptions []snsSubscription `xml:"Subscriptions>member"`
	NextToken     string            `xml:"NextToken,omitempty"`
}

func snsListSubscriptionsByTopic(r *request) (any, error) {
	a := r.account()
	arn := r.param("TopicArn")
	if !strings.HasPrefix(arn, "arn:aws:sns:") {
		return nil, errf("InvalidParameter", http.StatusBadRequest, "Invalid parameter: TopicArn")
	}
	var topic *Topic
	for _, t := range r.srv.w.topics(a, r.region) {
		if topicARN(r.region, a.ID, t.Name) == arn {
			topic = t
		}
	}
	if topic == nil {
		return nil, errf("NotFound", http.StatusNotFound, "Topic does not exist")
	}
	var all []snsSubscription
	for i, s := range topic.Subscriptions {
		sub := snsSubscription{Owner: a.ID, Protocol: s.Protocol, Endpoint: s.Endpoint, TopicArn: arn,
			SubscriptionArn: arn + ":" + subscriptionID(arn, i)}
		if s.Pending {
			sub.SubscriptionArn = "PendingConfirmation"
		}
		all = append(all, sub)
	}
	out, next, err := snsPage(all, r.param("NextToken"))
	if err != nil {
		return nil, err
	}
	return listSubscriptionsResult{Subscriptions: out, NextToken: next}, nil
}

// subscriptionID is a stable UUID-shaped subscription ID.
func subscriptionID(topic string, i int) string {
	h := strings.ToLower(token(topic+"/sub/"+string(rune('a'+i)), 32))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// SES (awsQuery): DescribeActiveReceiptRuleSet answers the account's
// inbound recipients as one rule of an active rule set, and a catch-all
// rule without recipients, in the scenario's region; elsewhere, and
// without either, there is no active set. ListIdentities and
// GetIdentityVerificationAttributes answer the account's domain
// identities there.

func sesService() *service {
	return &service{
		name:  "ses",
		proto: protoQuery,
		xmlns: "http://ses.amazonaws.com/doc/2010-12-01/",
		ops: map[string]*operation{
			"DescribeActiveReceiptRuleSet":      {handle: sesDescribeActiveReceiptRuleSet},
			"ListIdentities":                    {handle: sesListIdentities},
			"GetIdentityVerificationAttributes": {handle: sesGetIdentityVerificationAttributes},
		},
	}
}

type receiptRuleSetResult struct {
	Metadata *ruleSetMetadata `xml:"Metadata,omitempty"`
	Rules    []receiptRule    `xml:"Rules>member"`
}

type ruleSetMetadata struct {
	Name             string    `xml:"Name"`
	CreatedTimestamp time.Time `xml:"CreatedTimestamp"`
}

type receiptRule struct {
	Name        string          `xml:"Name"`
	Enabled     bool            `xml:"Enabled"`
	TLSPolicy   string          `xml:"TlsPolicy"`
	Recipients  []string        `xml:"Recipients>member"`
	Actions     []receiptAction `xml:"Actions>member"`
	ScanEnabled bool            `xml:"ScanEnabled"`
}

type receiptAction struct {
	BucketName string `xml:"S3Action>BucketName"`
}

func sesDescribeActiveReceiptRuleSet(r *request) (any, error) {
	a := r.account()
	if (len(a.SESRecipients) == 0 && !a.SESCatchAll) || r.region != r.srv.w.region {
		return struct{}{}, nil
	}
	var rules []receiptRule
	if len(a.SESRecipients) > 0 {
		rules = append(rules, receiptRule{
			Name: "store-inbound", Enabled: true, TLSPolicy: "Require", Recipients: a.SESRecipients, ScanEnabled: true,
			Actions: []receiptAction{{BucketName: "inbound-mail-" + a.ID}},
		})
	}
	if a.SESCatchAll {
		rules = append(rules, receiptRule{Name: "catch-all", Enabled: true, TLSPolicy: "Optional",
			Actions: []receiptAction{{BucketName: "inbound-mail-" + a.ID}}})
	}
	return receiptRuleSetResult{
		Metadata: &ruleSetMetadata{Name: "inbound", CreatedTimestamp: r.now.Add(-300 * 24 * time.Hour).Truncate(time.Hour)},
		Rules:    rules,
	}, nil
}

type listIdentitiesResult struct {
	Identities []string `xml:"Identities>member"`
}

// sesListIdentities lists the account's domain identities (one page;
// IdentityType EmailAddress lists none).
func sesListIdentities(r *request) (any, error) {
	a := r.account()
	out := listIdentitiesResult{Identities: []string{}}
	if r.region != r.srv.w.region || r.param("IdentityType") == "EmailAddress" {
		return out, nil
	}
	for d := range a.SESDomains {
		out.Identities = append(out.Identities, d)
	}
	slices.Sort(out.Identities)
	return out, nil
}

type verificationEntry struct {
	Key    string `xml:"key"`
	Status string `xml:"value>VerificationStatus"`
}

type verificationAttributesResult struct {
	Attributes []verificationEntry `xml:"VerificationAttributes>entry"`
}

// sesGetIdentityVerificationAttributes answers the status of each
// requested identity the account has; unknown identities are left out, as
// SES does.
func sesGetIdentityVerificationAttributes(r *request) (any, error) {
	a := r.account()
	out := verificationAttributesResult{Attributes: []verificationEntry{}}
	for i := 1; ; i++ {
		id := r.param(fmt.Sprintf("Identities.member.%d", i))
		if id == "" {
			break
		}
		if st, ok := a.SESDomains[id]; ok && r.region == r.srv.w.region {
			out.Attributes = append(out.Attributes, verificationEntry{Key: id, Status: st})
		}
	}
	return out, nil
}
