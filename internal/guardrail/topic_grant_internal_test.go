package guardrail

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestWithTopicGrant: the merged topic policy keeps Version, Id and every
// other statement as they mean (compared decoded), adds statement
// TopicGrantSid once, and merging again gives the same document.
func TestWithTopicGrant(t *testing.T) {
	const (
		topic = "arn:aws:sns:us-east-1:222222222222:soc-root-alerts"
		rule  = "arn:aws:events:us-east-1:222222222222:rule/root-activity-to-soc"
		deflt = `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
			`"Action":["SNS:GetTopicAttributes","SNS:Publish"],"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"222222222222"}}}]}`
		want = `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
			`"Action":["SNS:GetTopicAttributes","SNS:Publish"],"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"222222222222"}}},` +
			`{"Sid":"AllowRootActivityRuleEventBridge","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `"}}}]}`
	)
	got, err := withTopicGrant(deflt, topic, []string{rule})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("merged policy:\n got %s\nwant %s", got, want)
	}
	again, err := withTopicGrant(got, topic, []string{rule})
	if err != nil || again != got {
		t.Errorf("merging twice: %v\n got %s\nwant %s", err, again, got)
	}
	var in, out struct{ Statement []any }
	_ = json.Unmarshal([]byte(deflt), &in)
	_ = json.Unmarshal([]byte(got), &out)
	if len(out.Statement) != 2 || !reflect.DeepEqual(in.Statement[0], out.Statement[0]) {
		t.Errorf("existing statement not kept: %v", out.Statement)
	}

	// A single statement object, two rules, and no policy at all.
	one := `{"Statement":{"Sid":"x","Effect":"Deny","Principal":"*","Action":"sns:Subscribe","Resource":"*"}}`
	got, err = withTopicGrant(one, topic, []string{rule, rule + "-2"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, `{"Version":"2012-10-17","Statement":[{"Sid":"x",`) || !strings.Contains(got, `"aws:SourceArn":["`+rule+`","`+rule+`-2"]`) {
		t.Errorf("single statement: %s", got)
	}
	if got, err = withTopicGrant("", topic, []string{rule}); err != nil || strings.Count(got, `"Sid"`) != 1 {
		t.Errorf("no policy: %v %s", err, got)
	}
	for _, bad := range []string{`[]`, `{"Statement":"x"}`, `{"Statement":[],"Extra":1}`} {
		if _, err := withTopicGrant(bad, topic, []string{rule}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
