package guardrail

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
)

// TopicGrantSid names the statement rootguard adds to an account's own
// topic policy so that the account's own root activity rule may publish.
const TopicGrantSid = "AllowRootActivityRuleEventBridge"

// TopicGrant is an account's own SNS topic that its own enabled
// EventBridge rules catching root activity target, but whose policy lets
// none of them publish (no statement allows events.amazonaws.com
// sns:Publish, none denies it). Adding one statement (TopicGrantSid) lets
// those rules' alerts reach the topic's subscribers.
type TopicGrant struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	TopicARN  string `json:"topic_arn"`
	// RuleARNs are the rules the statement lets publish (aws:SourceArn),
	// sorted.
	RuleARNs []string `json:"rule_arns"`
	// Policy is the topic policy as sns:GetTopicAttributes read it, and
	// Granted that policy with the statement added; both empty when the
	// policy was not read (Unread says why).
	Policy  string `json:"policy,omitempty"`
	Granted string `json:"granted,omitempty"`
	Unread  string `json:"unread,omitempty"`
}

// topicGrants finds the topic grants of account a (none when its rules or
// topics were not read).
func topicGrants(a *inventory.Account) []TopicGrant {
	rules, topics := a.Detective.EventRules, a.Detective.Topics
	if !rules.Known() || !topics.Known() {
		return nil
	}
	byTopic := map[string]*TopicGrant{}
	for _, r := range rules.Value {
		if on, _ := delivery.RuleState(r.State); !on || !delivery.DefaultBus(r.EventBusName) || !checks.CatchesRootActivity(r.EventPattern) {
			continue
		}
		ruleARN := r.ARN
		if ruleARN == "" {
			ruleARN = "arn:aws:events:" + r.Region + ":" + a.ID + ":rule/" + r.Name
		}
		for _, target := range r.Targets {
			i := slices.IndexFunc(topics.Value, func(t inventory.Topic) bool { return t.ARN == target })
			if i < 0 || !strings.HasPrefix(target, "arn:aws:sns:"+r.Region+":"+a.ID+":") {
				continue // not a topic of this account in the rule's Region
			}
			t := topics.Value[i]
			g := byTopic[target]
			if g == nil {
				g = &TopicGrant{AccountID: a.ID, Region: r.Region, TopicARN: target}
				if t.Attributes == nil || !t.Attributes.Known() {
					g.Unread = "not collected"
					if t.Attributes != nil {
						g.Unread = t.Attributes.Reason()
					}
				} else {
					g.Policy = t.Attributes.Value.Policy
				}
			}
			if g.Unread == "" {
				attrs := t.Attributes.Value
				was := delivery.TopicPublish(g.Policy, attrs.KMSMasterKeyID, delivery.TopicKey(t), target, delivery.EventBridge, ruleARN, a.ID)
				if was.Allowed || was.Statement != "" || was.Unknown != "" {
					continue // allowed, denied by a statement, or not known
				}
				doc, err := withTopicGrant(g.Policy, target, []string{ruleARN})
				if err != nil {
					g.Unread = err.Error()
				} else if now := delivery.TopicPublish(doc, attrs.KMSMasterKeyID, delivery.TopicKey(t), target, delivery.EventBridge, ruleARN, a.ID); !now.Allowed {
					continue // the grant alone would not let it publish (its key)
				}
			}
			byTopic[target] = g
			if !slices.Contains(g.RuleARNs, ruleARN) {
				g.RuleARNs = append(g.RuleARNs, ruleARN)
			}
		}
	}
	out := make([]TopicGrant, 0, len(byTopic))
	for _, arn := range slices.Sorted(maps.Keys(byTopic)) {
		g := byTopic[arn]
		slices.Sort(g.RuleARNs)
		if g.Unread == "" {
			doc, err := withTopicGrant(g.Policy, g.TopicARN, g.RuleARNs)
			if err != nil {
				g.Unread = err.Error()
			}
			g.Granted = doc
		}
		if g.Unread != "" {
			g.Policy, g.Granted = "", ""
		}
		out = append(out, *g)
	}
	return out
}

// withTopicGrant returns topic policy doc with the statement TopicGrantSid
// letting EventBridge publish to topicARN on behalf of rules (aws:SourceArn)
// added. Every other statement is kept as it is; a statement already named
// TopicGrantSid is replaced, so granting twice gives the same document. An
// empty doc starts a new policy.
func withTopicGrant(doc, topicARN string, rules []string) (string, error) {
	var in map[string]json.RawMessage
	if strings.TrimSpace(doc) != "" {
		if err := json.Unmarshal([]byte(doc), &in); err != nil {
			return "", fmt.Errorf("the topic policy is not a JSON object: %w", err)
		}
	}
	for k := range in {
		if k != "Version" && k != "Id" && k != "Statement" {
			return "", fmt.Errorf("the topic policy has an unknown element %q", k)
		}
	}
	var stmts []json.RawMessage
	if raw := in["Statement"]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &stmts); err != nil {
			var one json.RawMessage // a single statement object
			if json.Unmarshal(raw, &one) != nil || !strings.HasPrefix(strings.TrimSpace(string(one)), "{") {
				return "", fmt.Errorf("the topic policy's Statement is neither a statement nor a list of them")
			}
			stmts = []json.RawMessage{one}
		}
	}
	stmts = slices.DeleteFunc(stmts, func(s json.RawMessage) bool {
		var x struct{ Sid string }
		return json.Unmarshal(s, &x) == nil && x.Sid == TopicGrantSid
	})
	var source any = rules[0]
	if len(rules) > 1 {
		source = rules
	}
	st, err := json.Marshal(statement{Sid: TopicGrantSid, Effect: "Allow", Principal: map[string]string{"Service": delivery.EventBridge},
		Action: "sns:Publish", Resource: topicARN, Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": source}}})
	if err != nil {
		return "", err
	}
	out := struct {
		Version   json.RawMessage   `json:"Version"`
		ID        json.RawMessage   `json:"Id,omitempty"`
		Statement []json.RawMessage `json:"Statement"`
	}{json.RawMessage(`"2012-10-17"`), in["Id"], append(stmts, st)}
	if v := in["Version"]; len(v) > 0 {
		out.Version = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}
