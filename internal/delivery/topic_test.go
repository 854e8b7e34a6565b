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
	const cmk = "arn:aws:kms:us-east-1:111111111111:key/k"
	keyPolicy := func(stmts ...string) Key {
		return Key{ARN: cmk, Manager: KeyManagerCustomer, Policy: `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`}
	}
	const (
		adminStmt  = `{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}`
		eventsStmt = `{"Sid":"Events","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}`
	)
	tests := []struct {
		name, doc, key  string
		k               Key
		service, source string
		want            string // "allowed", or a substring of Why / Unknown
	}{
		{"events under the default policy", defaultPolicy, "", Key{}, EventBridge, rule, "the default policy does not"},
		{"events with no policy", "", "", Key{}, EventBridge, rule, "has no topic policy statement"},
		{"events granted", grant(""), "", Key{}, EventBridge, rule, "allowed"},
		{"events granted for this rule", grant(`,"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `"}}`), "", Key{}, EventBridge, rule, "allowed"},
		{"events granted for another rule", grant(`,"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `-other"}}`), "", Key{}, EventBridge, rule, "has no topic policy statement"},
		{"events granted to another service", strings.Replace(grant(""), "events.", "s3.", 1), "", Key{}, EventBridge, rule, "has no topic policy statement"},
		{"events denied", `{"Statement":[{"Sid":"Events","Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*"},{"Sid":"No","Effect":"Deny","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:*","Resource":"*"}]}`, "", Key{}, EventBridge, rule, `statement "No"`},
		{"alarm under the default policy", defaultPolicy, "", Key{}, CloudWatch, alarm, "allowed"},
		{"alarm denied", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*"}]}`, "", Key{}, CloudWatch, alarm, "statement #0"},
		{"AWS managed key, events", grant(""), "alias/aws/sns", Key{}, EventBridge, rule, "AWS managed key alias/aws/sns"},
		{"AWS managed key by ARN, alarm", defaultPolicy, "arn:aws:kms:us-east-1:111111111111:alias/aws/sns", Key{}, CloudWatch, alarm, "AWS managed key alias/aws/sns"},
		{"customer managed key", grant(""), cmk, Key{Unread: "was not collected (kms:GetKeyPolicy)"}, EventBridge, rule, "whose key policy was not collected (kms:GetKeyPolicy)"},
		{"customer managed key refused", grant(""), cmk, Key{ARN: cmk, Manager: KeyManagerCustomer, Unread: "could not be read: kms:GetKeyPolicy failed: AccessDenied"}, EventBridge, rule, "kms:GetKeyPolicy failed"},
		{"customer managed key lets events", grant(""), cmk, keyPolicy(adminStmt, eventsStmt), EventBridge, rule, "allowed"},
		{"key by alias lets events", grant(""), "alias/root-alerts", keyPolicy(adminStmt, eventsStmt), EventBridge, rule, "allowed"},
		{"key lets the account only", grant(""), cmk, keyPolicy(adminStmt), EventBridge, rule, "has no statement that lets events.amazonaws.com kms:GenerateDataKey* or kms:Decrypt"},
		{"key lets events decrypt only", grant(""), cmk, keyPolicy(adminStmt, strings.Replace(eventsStmt, `"kms:GenerateDataKey*",`, "", 1)), EventBridge, rule, "lets events.amazonaws.com kms:GenerateDataKey*"},
		{"key lets events, alarm", defaultPolicy, cmk, keyPolicy(adminStmt, eventsStmt), CloudWatch, alarm, "has no statement that lets cloudwatch.amazonaws.com"},
		{"key lets every service principal", defaultPolicy, cmk, keyPolicy(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`), CloudWatch, alarm, "allowed"},
		{"key lets events for this topic", grant(""), cmk, keyPolicy(strings.Replace(eventsStmt, `"Resource":"*"`, `"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:sns:topicArn":"`+topic+`"}}`, 1)), EventBridge, rule, "allowed"},
		{"key lets events for another topic", grant(""), cmk, keyPolicy(strings.Replace(eventsStmt, `"Resource":"*"`, `"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:sns:topicArn":"`+topic+`-other"}}`, 1)), EventBridge, rule, "has no statement"},
		{"key denies events", grant(""), cmk, keyPolicy(eventsStmt, `{"Sid":"NoEvents","Effect":"Deny","Principal":{"Service":"events.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}`), EventBridge, rule, `denies events.amazonaws.com kms:Decrypt (statement "NoEvents")`},
		{"AWS managed key by key ARN", grant(""), cmk, Key{ARN: cmk, Manager: KeyManagerAWS}, EventBridge, rule, "an AWS managed key (kms:DescribeKey)"},
		{"unparsable key policy", grant(""), cmk, Key{ARN: cmk, Manager: KeyManagerCustomer, Policy: "{"}, EventBridge, rule, "could not be read"},
		{"unparsable policy", "{not json", "", Key{}, EventBridge, rule, "could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := TopicPublish(tt.doc, tt.key, tt.k, topic, tt.service, tt.source, acct)
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
				if tt.key != "" && a.KeyStatement == "" {
					t.Errorf("allowed through key %s, but no key statement is named", tt.key)
				}
				return
			}
			if got := a.Why + a.Unknown; !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to mention %q", got, tt.want)
			}
		})
	}
}
