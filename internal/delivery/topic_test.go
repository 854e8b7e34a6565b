package delivery

import (
	"strings"
	"testing"
)

func TestTopicPublish(t *testing.T) {
	t.Parallel()
	const (
		topic = "arn:aws:sns:us-east-1:111111111111:root-alerts"
		rule  = "arn:aws:events:us-east-1:111111111111:rule/root-activity"
		alarm = "arn:aws:cloudwatch:us-east-1:111111111111:alarm:root"
		acct  = "111111111111"
	)
	// defaultPolicy is the policy SNS gives a new topic.
	const defaultPolicy = `{"Version":"2008-10-17","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + acct + `"}}}]}`
	grant := func(cond string) string {
		return `{"Statement":[{"Sid":"Events","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `"` + cond + `}]}`
	}
	tests := []struct {
		name, doc, key, service, source string
		want                            string // "allowed", or a substring of Why / Unknown
	}{
		{"events under the default policy", defaultPolicy, "", EventBridge, rule, "the default policy does not"},
		{"events with no policy", "", "", EventBridge, rule, "has no topic policy statement"},
		{"events granted", grant(""), "", EventBridge, rule, "allowed"},
		{"events granted for this rule", grant(`,"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `"}}`), "", EventBridge, rule, "allowed"},
		{"events granted for another rule", grant(`,"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `-other"}}`), "", EventBridge, rule, "has no topic policy statement"},
		{"events granted to another service", strings.Replace(grant(""), "events.", "s3.", 1), "", EventBridge, rule, "has no topic policy statement"},
		{"events denied", `{"Statement":[{"Sid":"Events","Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*"},{"Sid":"No","Effect":"Deny","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:*","Resource":"*"}]}`, "", EventBridge, rule, `statement "No"`},
		{"alarm under the default policy", defaultPolicy, "", CloudWatch, alarm, "allowed"},
		{"alarm denied", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*"}]}`, "", CloudWatch, alarm, "statement #0"},
		{"AWS managed key, events", grant(""), "alias/aws/sns", EventBridge, rule, "AWS managed key alias/aws/sns"},
		{"AWS managed key by ARN, alarm", defaultPolicy, "arn:aws:kms:us-east-1:111111111111:alias/aws/sns", CloudWatch, alarm, "AWS managed key alias/aws/sns"},
		{"customer managed key", grant(""), "arn:aws:kms:us-east-1:111111111111:key/k", EventBridge, rule, "kms:GetKeyPolicy"},
		{"unparsable policy", "{not json", "", EventBridge, rule, "could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := TopicPublish(tt.doc, tt.key, topic, tt.service, tt.source, acct)
			set := 0
			for _, b := range []bool{a.Allowed, a.Why != "", a.Unknown != ""} {
				if b {
					set++
				}
			}
			if set != 1 {
				t.Fatalf("%+v: want exactly one of Allowed, Why, Unknown", a)
			}
			if tt.want == "allowed" {
				if !a.Allowed {
					t.Errorf("not allowed: %s%s", a.Why, a.Unknown)
				}
				return
			}
			if got := a.Why + a.Unknown; !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to mention %q", got, tt.want)
			}
		})
	}
}
