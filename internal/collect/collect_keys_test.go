package collect_test

import (
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
)

// keyScenario has a member whose topics are encrypted every way a topic
// can be: not at all, with alias/aws/sns, with a customer managed key
// named by alias, with an AWS managed key named by ARN, with a key whose
// policy lets the account describe it but not read the policy, with
// another account's key, and with a key that does not exist.
const keyScenario = `
name: topic-keys
caller: {arn: "arn:aws:sts::111111111111:assumed-role/Admin/ci"}
organization: {id: o-topickeys01, management_account: "111111111111"}
accounts:
  - id: "111111111111"
    keys:
      - id: 1111aaaa-0000-4000-8000-000000000001
        policy:
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "kms:*", Resource: "*"}
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: kms:DescribeKey, Resource: "*"}
  - id: "222222222222"
    keys:
      - id: 2222aaaa-0000-4000-8000-000000000001
        aliases: [alias/root-alerts]
        policy:
          Statement:
            - {Sid: Admin, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: "kms:*", Resource: "*"}
            - {Sid: EventBridge, Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*"}
      - {id: 2222bbbb-0000-4000-8000-000000000002, manager: AWS, aliases: [alias/aws/sqs]}
      - id: 2222cccc-0000-4000-8000-000000000003
        policy:
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: kms:DescribeKey, Resource: "*"}
    topics:
      - {name: plain}
      - {name: aws-managed, attributes: {KmsMasterKeyId: alias/aws/sns}}
      - {name: by-alias, attributes: {KmsMasterKeyId: alias/root-alerts}}
      - {name: aws-key-by-arn, attributes: {KmsMasterKeyId: "arn:aws:kms:us-east-1:222222222222:key/2222bbbb-0000-4000-8000-000000000002"}}
      - {name: policy-unreadable, attributes: {KmsMasterKeyId: 2222cccc-0000-4000-8000-000000000003}}
      - {name: other-account, attributes: {KmsMasterKeyId: "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"}}
      - {name: missing, attributes: {KmsMasterKeyId: "arn:aws:kms:us-east-1:222222222222:key/2222dddd-0000-4000-8000-000000000004"}}
`

// TestCollectTopicKeys: the key behind each encrypted topic is read with
// the member's session (kms:DescribeKey, then kms:GetKeyPolicy for a
// customer managed key); a refusal or a missing key is kept on the fact,
// naming the call; unencrypted and alias/aws/sns topics get no key fact.
func TestCollectTopicKeys(t *testing.T) {
	t.Parallel()
	scn, err := sim.ParseScenario("keys.yaml", []byte(keyScenario))
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := collectSim(t, scn, collect.Options{Org: true})
	keys := map[string]*inventory.Fact[inventory.TopicKey]{}
	for _, tp := range snap.Account("222222222222").Detective.Topics.Value {
		keys[tp.ARN[strings.LastIndex(tp.ARN, ":")+1:]] = tp.Key
	}
	if len(keys) != 7 {
		t.Fatalf("topics %v, want 7", keys)
	}
	for _, name := range []string{"plain", "aws-managed"} {
		if keys[name] != nil {
			t.Errorf("%s: key fact %+v, want none", name, keys[name])
		}
	}
	tests := []struct {
		topic, api, errCode, arn, manager, policy string
	}{
		{"by-alias", "kms:GetKeyPolicy", "", "arn:aws:kms:us-east-1:222222222222:key/2222aaaa-0000-4000-8000-000000000001", "CUSTOMER", `"Sid":"EventBridge"`},
		{"aws-key-by-arn", "kms:DescribeKey", "", "arn:aws:kms:us-east-1:222222222222:key/2222bbbb-0000-4000-8000-000000000002", "AWS", ""},
		{"policy-unreadable", "kms:GetKeyPolicy", "AccessDenied", "arn:aws:kms:us-east-1:222222222222:key/2222cccc-0000-4000-8000-000000000003", "CUSTOMER", ""},
		{"other-account", "kms:GetKeyPolicy", "AccessDenied", "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001", "CUSTOMER", ""},
		{"missing", "kms:DescribeKey", "NotFoundException", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			k := keys[tt.topic]
			if k == nil {
				t.Fatal("no key fact")
			}
			code := ""
			if k.Source.Error != nil {
				code = k.Source.Error.Code
			}
			if k.Source.API != tt.api || code != tt.errCode || k.Value.ARN != tt.arn || k.Value.Manager != tt.manager ||
				(tt.policy == "") != (k.Value.Policy == "") || !strings.Contains(k.Value.Policy, tt.policy) {
				t.Errorf("key fact %+v (error %v), want %s %s, %s %s with policy %q", k, k.Source.Error, tt.api, tt.errCode, tt.arn, tt.manager, tt.policy)
			}
		})
	}
}
