package checks

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
)

const testBus = "arn:aws:events:us-east-1:111111111111:event-bus/default"

func busPolicyDoc(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ", ") + `]}`
}

// chainSnapshot is an organization whose accounts forward root activity
// along a chain, each to the next one's default bus (granted by account);
// the last has the root rule with a topic with a confirmed subscription.
func chainSnapshot(ids ...string) *inventory.Snapshot {
	at := time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)
	src := func(api string) inventory.Source { return inventory.Source{API: api, At: at} }
	busARN := func(id string) string { return "arn:aws:events:us-east-1:" + id + ":event-bus/default" }
	s := &inventory.Snapshot{Organization: &inventory.Organization{ID: "o-abc123def4", ManagementAccountID: ids[len(ids)-1]}}
	for i, id := range ids {
		a := inventory.Account{ID: id, State: "ACTIVE", Role: inventory.RoleMember}
		d := &a.Detective
		d.Trails = inventory.Fact[[]inventory.Trail]{Value: []inventory.Trail{}, Source: src("cloudtrail:DescribeTrails")}
		d.Topics = inventory.Fact[[]inventory.Topic]{Value: []inventory.Topic{}, Source: src("sns:ListTopics")}
		bus := inventory.EventBus{Region: "us-east-1", Name: "default", ARN: busARN(id)}
		if i > 0 {
			prev := ids[i-1]
			bus.Policy = busPolicyDoc(fmt.Sprintf(`{"Sid": "from-%s", "Effect": "Allow", "Principal": {"AWS": %q}, "Action": "events:PutEvents", "Resource": %q}`, prev, prev, busARN(id)))
		}
		d.EventBuses = inventory.Fact[[]inventory.EventBus]{Value: []inventory.EventBus{bus}, Source: src("events:DescribeEventBus")}
		rule := inventory.EventRule{Name: "root", Region: "us-east-1", EventBusName: "default", State: "ENABLED",
			EventPattern: `{"detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}`}
		if i == len(ids)-1 {
			a.Role = inventory.RoleManagement
			topic := "arn:aws:sns:us-east-1:" + id + ":root-alerts"
			rule.Targets = []string{topic}
			d.Topics.Value = []inventory.Topic{{ARN: topic, Subscriptions: []inventory.Subscription{{Protocol: "email", Endpoint: "security@example.org", Confirmed: true}},
				Attributes: &inventory.Fact[inventory.TopicAttributes]{Value: inventory.TopicAttributes{Policy: eventsTopicPolicy(topic)}, Source: src("sns:GetTopicAttributes")}}}
		} else {
			rule.Targets = []string{busARN(ids[i+1])}
		}
		d.EventRules = inventory.Fact[[]inventory.EventRule]{Value: []inventory.EventRule{rule}, Source: src("events:ListTargetsByRule")}
		s.Accounts = append(s.Accounts, a)
	}
	return s
}

// TestForwardingChain follows forwarding over several buses: up to
// maxForwardHops buses are followed, a longer chain is UNKNOWN.
func TestForwardingChain(t *testing.T) {
	t.Parallel()
	ids := []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005", "100000000006"}
	tests := []struct {
		name   string
		chain  []string
		status Status
		detail string
	}{
		{"one bus", ids[:2], Pass, "→ bus arn:aws:events:us-east-1:100000000002:event-bus/default"},
		{"three buses", ids[:maxForwardHops+1], Pass, "rule \"root\" of 100000000004 (us-east-1) → topic arn:aws:sns:us-east-1:100000000004:root-alerts (1 confirmed subscription(s))"},
		{"four buses", ids[:maxForwardHops+2], Unknown, "crosses more than 3 event buses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := chainSnapshot(tt.chain...)
			f := RootActivityAlerting.assess(Input{Snapshot: s, Account: s.Account(tt.chain[0]), Config: Config{Now: testNow}.withDefaults()})
			if f.Status != tt.status || !strings.Contains(f.Detail, tt.detail) {
				t.Errorf("status %s, detail:\n%s\nwant %s with %q", f.Status, f.Detail, tt.status, tt.detail)
			}
		})
	}
}

// TestTopicRegion: a topic missing from the account's topics is "not known"
// when its Region was not collected and "does not exist" when it was; the
// collected Regions are the snapshot's record when it has one, else those
// inferred from its facts, and the evidence says which.
func TestTopicRegion(t *testing.T) {
	t.Parallel()
	const topic = "arn:aws:sns:eu-west-1:100000000001:root-alerts"
	tests := []struct {
		name    string
		regions []string
		// alarmRegion, when set, adds an alarm there, which inference counts.
		alarmRegion string
		unknown     string
		problem     string
		source      string
	}{
		{name: "not recorded, not inferred", source: regionsInferred,
			unknown: "topic " + topic + " is in eu-west-1, a Region not collected"},
		{name: "not recorded, inferred from an alarm", alarmRegion: "eu-west-1", source: regionsInferred,
			problem: "topic " + topic + " does not exist"},
		{name: "recorded without it", regions: []string{"us-east-1"}, alarmRegion: "eu-west-1", source: regionsFromSnapshot,
			unknown: "topic " + topic + " is in eu-west-1, a Region not collected"},
		{name: "recorded with it", regions: []string{"eu-west-1", "us-east-1"}, source: regionsFromSnapshot,
			problem: "topic " + topic + " does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := chainSnapshot("100000000001")
			s.Regions = tt.regions
			a := s.Account("100000000001")
			if tt.alarmRegion != "" {
				a.Detective.Alarms = inventory.Fact[[]inventory.Alarm]{
					Value:  []inventory.Alarm{{Name: "other", Region: tt.alarmRegion}},
					Source: inventory.Source{API: "cloudwatch:DescribeAlarms", At: testNow},
				}
			}
			r := a.Detective.EventRules.Value[0]
			d := follower{in: Input{Snapshot: s, Account: a, run: &runCache{}}}.target(a, r, topic, rootEventNames(), nil)
			if !strings.Contains(d.unknown, tt.unknown) || !strings.Contains(d.problem, tt.problem) ||
				(tt.unknown == "") != (d.unknown == "") || (tt.problem == "") != (d.problem == "") {
				t.Errorf("unknown %q problem %q, want unknown %q problem %q", d.unknown, d.problem, tt.unknown, tt.problem)
			}
			if got := d.evidence["regions_source"]; got != tt.source {
				t.Errorf("regions_source = %v, want %q", got, tt.source)
			}
		})
	}
}

// BenchmarkForwarding assesses root-activity-alerting in an organization
// whose every member forwards root activity to the management account's
// default bus (an organization-wide grant plus 50 account statements, as
// rootguard plan writes them), whose rule sends it to a confirmed topic.
// One op is every account.
func BenchmarkForwarding(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			hub := fmt.Sprintf("%012d", 100000000000)
			ids := []string{fmt.Sprintf("%012d", 100000000001), hub}
			s := chainSnapshot(ids...)
			h := s.Account(hub)
			var stmts []string
			for i := range 50 {
				id := fmt.Sprintf("%012d", 200000000000+i)
				stmts = append(stmts, fmt.Sprintf(`{"Sid": "rootguard-%s", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root"}, "Action": "events:PutEvents", "Resource": %q}`, id, id, h.Detective.EventBuses.Value[0].ARN))
			}
			stmts = append(stmts, `{"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}}`)
			h.Detective.EventBuses.Value[0].Policy = busPolicyDoc(stmts...)
			// The members come in through the organization grant, with
			// the IAM role on their target that it needs.
			member := s.Accounts[0]
			member.Detective.EventRules.Value[0].TargetRoles = map[string]string{h.Detective.EventBuses.Value[0].ARN: "arn:aws:iam::" + member.ID + ":role/forward"}
			s.Accounts = []inventory.Account{*h}
			for i := range n - 1 {
				a := member
				a.ID = fmt.Sprintf("%012d", 300000000000+i)
				s.Accounts = append(s.Accounts, a)
			}
			reg, err := NewRegistry(RootActivityAlerting)
			if err != nil {
				b.Fatal(err)
			}
			cfg := Config{Now: testNow}
			b.ReportAllocs()
			for b.Loop() {
				fs := reg.Assess(s, cfg)
				if fs[len(fs)-1].Status != Pass {
					b.Fatalf("member: %s %s", fs[len(fs)-1].Status, fs[len(fs)-1].Detail)
				}
			}
		})
	}
}

// eventsTopicPolicy lets EventBridge publish to topic.
func eventsTopicPolicy(topic string) string {
	return fmt.Sprintf(`{"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": %q}]}`, topic)
}
