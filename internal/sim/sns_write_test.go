package sim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootguard/rootguard/internal/sim"
)

const topicPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowEventBridge","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:111111111111:rootguard-root-activity"}]}`

// memberQueue is a queue in another account than the demo's alert topics.
const memberQueue = "arn:aws:sqs:us-east-1:222222222222:root-activity-alerts"

// queueAccountSubscribe is a topic policy that lets memberQueue's account
// subscribe that queue, and nothing else, to rootguard-root-activity.
const queueAccountSubscribe = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowQueueAccountSubscribe","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sns:Subscribe","Resource":"arn:aws:sns:us-east-1:111111111111:rootguard-root-activity",` +
	`"Condition":{"StringEquals":{"sns:Protocol":"sqs","sns:Endpoint":"` + memberQueue + `"}}}]}`

func snsc(e *env) *sns.Client { return sns.NewFromConfig(e.caller()) }

// subscriptions lists a topic's subscriptions as "protocol endpoint arn".
func subscriptions(t *testing.T, c *sns.Client, arn string) ([]string, error) {
	out, err := c.ListSubscriptionsByTopic(t.Context(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	var got []string
	for _, s := range out.Subscriptions {
		sa := aws.ToString(s.SubscriptionArn)
		if len(sa) > len(arn) && sa[:len(arn)] == arn {
			sa = "confirmed"
		}
		got = append(got, aws.ToString(s.Protocol)+" "+aws.ToString(s.Endpoint)+" "+sa)
	}
	return got, nil
}

func TestSNSWrites(t *testing.T) {
	const arn = "arn:aws:sns:us-east-1:111111111111:rootguard-root-activity"
	create := func(t *testing.T, c *sns.Client, attrs map[string]string) (string, error) {
		out, err := c.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("rootguard-root-activity"), Attributes: attrs})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.TopicArn), nil
	}
	runWrites(t, sim.Demo, []opCase{
		{
			name: "CreateTopic twice answers one topic",
			run: func(t *testing.T, e *env) (any, error) {
				c := snsc(e)
				a1, err := create(t, c, nil)
				if err != nil {
					return nil, err
				}
				a2, err := create(t, c, nil)
				if err != nil {
					return nil, err
				}
				list, err := c.ListTopics(t.Context(), &sns.ListTopicsInput{})
				if err != nil {
					return nil, err
				}
				var arns []string
				for _, tp := range list.Topics {
					arns = append(arns, aws.ToString(tp.TopicArn))
				}
				return []any{a1, a2, arns}, nil
			},
			want: []any{arn, arn, []string{"arn:aws:sns:us-east-1:111111111111:root-activity-alerts", arn}},
		},
		{
			name: "CreateTopic again with other attributes",
			run: func(t *testing.T, e *env) (any, error) {
				c := snsc(e)
				if _, err := create(t, c, map[string]string{"DisplayName": "root"}); err != nil {
					return nil, err
				}
				return create(t, c, map[string]string{"DisplayName": "other"})
			},
			wantCode: "InvalidParameter",
		},
		{
			name: "CreateTopic with a name SNS refuses",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := snsc(e).CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("no spaces")})
				return nil, err
			},
			wantCode: "InvalidParameter",
		},
		{
			name: "Subscribe: email and https wait for confirmation, lambda and sqs do not",
			run: func(t *testing.T, e *env) (any, error) {
				c := snsc(e)
				if _, err := create(t, c, nil); err != nil {
					return nil, err
				}
				var answers []string
				for _, s := range [][2]string{
					{"email", "security@acme.example"},
					{"https", "https://soc.acme.example/hooks/aws-root"},
					{"lambda", "arn:aws:lambda:us-east-1:111111111111:function:page"},
					{"sqs", "arn:aws:sqs:us-east-1:111111111111:root-events"},
					{"email", "security@acme.example"},
				} {
					out, err := c.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String(s[0]), Endpoint: aws.String(s[1])})
					if err != nil {
						return nil, err
					}
					a := aws.ToString(out.SubscriptionArn)
					if a != "pending confirmation" {
						a = "arn"
					}
					answers = append(answers, a)
				}
				subs, err := subscriptions(t, c, arn)
				return []any{answers, subs}, err
			},
			want: []any{
				[]string{"pending confirmation", "pending confirmation", "arn", "arn", "pending confirmation"},
				[]string{
					"email security@acme.example PendingConfirmation",
					"https https://soc.acme.example/hooks/aws-root PendingConfirmation",
					"lambda arn:aws:lambda:us-east-1:111111111111:function:page confirmed",
					"sqs arn:aws:sqs:us-east-1:111111111111:root-events confirmed",
				},
			},
		},
		{
			name: "Subscribe by the topic's owner to a queue in another account waits for the queue's owner",
			run: func(t *testing.T, e *env) (any, error) {
				c := snsc(e)
				if _, err := create(t, c, nil); err != nil {
					return nil, err
				}
				out, err := c.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String(memberQueue)})
				if err != nil {
					return nil, err
				}
				subs, err := subscriptions(t, c, arn)
				return []any{aws.ToString(out.SubscriptionArn), subs}, err
			},
			want: []any{"pending confirmation", []string{"sqs " + memberQueue + " PendingConfirmation"}},
		},
		{
			name: "Subscribe by the queue's owner to another account's topic that lets it is confirmed",
			run: func(t *testing.T, e *env) (any, error) {
				c := snsc(e)
				if _, err := create(t, c, map[string]string{"Policy": queueAccountSubscribe}); err != nil {
					return nil, err
				}
				out, err := sns.NewFromConfig(e.role(t, "222222222222")).Subscribe(t.Context(), &sns.SubscribeInput{
					TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String(memberQueue),
				})
				if err != nil {
					return nil, err
				}
				a := aws.ToString(out.SubscriptionArn)
				subs, err := subscriptions(t, c, arn)
				return []any{strings.HasPrefix(a, arn+":"), subs}, err
			},
			want: []any{true, []string{"sqs " + memberQueue + " confirmed"}},
		},
		{
			name: "Subscribe by the queue's owner to another account's topic whose policy does not let it",
			run: func(t *testing.T, e *env) (any, error) {
				if _, err := create(t, snsc(e), nil); err != nil {
					return nil, err
				}
				_, err := sns.NewFromConfig(e.role(t, "222222222222")).Subscribe(t.Context(), &sns.SubscribeInput{
					TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String(memberQueue),
				})
				return nil, err
			},
			wantCode: "AuthorizationError",
		},
		{
			name: "Subscribe by another account to an endpoint the topic policy's condition does not name",
			run: func(t *testing.T, e *env) (any, error) {
				if _, err := create(t, snsc(e), map[string]string{"Policy": queueAccountSubscribe}); err != nil {
					return nil, err
				}
				_, err := sns.NewFromConfig(e.role(t, "222222222222")).Subscribe(t.Context(), &sns.SubscribeInput{
					TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String(memberQueue + "-other"),
				})
				return nil, err
			},
			wantCode: "AuthorizationError",
		},
		{
			name: "Subscribe with ReturnSubscriptionArn answers the pending subscription's ARN",
			run: func(t *testing.T, e *env) (any, error) {
				out, err := snsc(e).Subscribe(t.Context(), &sns.SubscribeInput{
					TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:root-activity-alerts"), Protocol: aws.String("email"),
					Endpoint: aws.String("oncall@acme.example"), ReturnSubscriptionArn: true,
				})
				if err != nil {
					return nil, err
				}
				return aws.ToString(out.SubscriptionArn)[:len("arn:aws:sns:us-east-1:111111111111:root-activity-alerts:")], nil
			},
			want: "arn:aws:sns:us-east-1:111111111111:root-activity-alerts:",
		},
		{
			name: "Subscribe an email endpoint that is not an address",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := snsc(e).Subscribe(t.Context(), &sns.SubscribeInput{
					TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:root-activity-alerts"), Protocol: aws.String("email"), Endpoint: aws.String("security"),
				})
				return nil, err
			},
			wantCode: "InvalidParameter",
		},
		{
			name: "Subscribe to a topic that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := snsc(e).Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("a@b.example")})
				return nil, err
			},
			wantCode: "NotFound",
		},
		{
			name: "SetTopicAttributes Policy, then GetTopicAttributes",
			run: func(t *testing.T, e *env) (any, error) {
				c := snsc(e)
				before, err := create(t, c, map[string]string{"DisplayName": "Root activity"})
				if err != nil {
					return nil, err
				}
				def, err := c.GetTopicAttributes(t.Context(), &sns.GetTopicAttributesInput{TopicArn: aws.String(before)})
				if err != nil {
					return nil, err
				}
				if _, err := c.SetTopicAttributes(t.Context(), &sns.SetTopicAttributesInput{
					TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String(topicPolicy),
				}); err != nil {
					return nil, err
				}
				out, err := c.GetTopicAttributes(t.Context(), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
				if err != nil {
					return nil, err
				}
				return []string{def.Attributes["Policy"][:37], out.Attributes["Policy"], out.Attributes["DisplayName"], out.Attributes["Owner"]}, nil
			},
			want: []string{`{"Version":"2008-10-17","Id":"__defau`, topicPolicy, "Root activity", mgmt},
		},
		{
			name: "SetTopicAttributes with a policy that is not JSON",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := snsc(e).SetTopicAttributes(t.Context(), &sns.SetTopicAttributesInput{
					TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:root-activity-alerts"), AttributeName: aws.String("Policy"), AttributeValue: aws.String("{"),
				})
				return nil, err
			},
			wantCode: "InvalidParameter",
		},
		{
			name: "SetTopicAttributes of an unknown attribute",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := snsc(e).SetTopicAttributes(t.Context(), &sns.SetTopicAttributesInput{
					TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:root-activity-alerts"), AttributeName: aws.String("Color"), AttributeValue: aws.String("red"),
				})
				return nil, err
			},
			wantCode: "InvalidParameter",
		},
	})
}
