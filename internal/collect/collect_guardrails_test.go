package collect_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
)

// guardrailScenario is an organization served from eu-west-1, so that a
// default collection reads two Regions (us-east-1 and eu-west-1). Its
// members are read through AuditRole; 333333333333 refuses it.
const guardrailScenario = `
name: guardrails
region: eu-west-1
caller:
  arn: arn:aws:sts::111111111111:assumed-role/Admin/alice
organization:
  id: o-guard00001
  management_account: "111111111111"
  access_role: AuditRole
  features: [RootCredentialsManagement, RootSessions]
  trusted_services: [iam.amazonaws.com, account.amazonaws.com]
  ous:
    - name: Workloads
  policies:
    - id: p-denyrootkey
      name: DenyRootAccessKeys
      description: No root access keys
      content:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: iam:CreateAccessKey
            Resource: "*"
            Condition: {StringLike: {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
      targets: [Workloads, "333333333333"]
    - id: p-unattached
      name: Unattached
      content: {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
accounts:
  - id: "111111111111"
    name: management
    email: aws-root@acme.example
    trails:
      - {name: org-trail, home_region: us-east-1, multi_region: true, organization: true, s3_bucket: org-trail-bucket, log_group: org-trail-logs}
    metric_filters:
      - {name: root-usage, region: us-east-1, log_group: org-trail-logs, pattern: '{ $.userIdentity.type = "Root" }', metric_name: RootUsage, namespace: CIS}
    alarms:
      - {name: root-usage, region: us-east-1, namespace: CIS, metric_name: RootUsage, actions: [root-alerts]}
    topics:
      - name: root-alerts
        region: us-east-1
        subscriptions:
          - {protocol: email, endpoint: secops@acme.example}
          - {protocol: email, endpoint: oncall@acme.example, pending: true}
    event_rules:
      - name: root-activity
        region: us-east-1
        pattern: {"detail": {"userIdentity": {"type": ["Root"]}}}
        targets: [root-alerts]
      - name: root-activity-eu
        pattern: {"detail": {"userIdentity": {"type": ["Root"]}}}
        state: DISABLED
    guardduty: {us-east-1: ENABLED, eu-west-1: DISABLED}
    hosted_zones:
      - {name: acme.example}
      - {name: internal.acme.example., private: true}
    registered_domains: [acme.example]
    ses_recipients: [acme.example, root@acme.example]
    workmail_domains: [acme.example]
  - id: "222222222222"
    name: prod
    email: aws-prod@acme.example
    ou: Workloads
    trails:
      - {name: local, home_region: eu-west-1, management_events: ReadOnly, advanced_selectors: true}
    event_rules:
      - name: forward-root-activity
        region: us-east-1
        pattern: {"detail": {"userIdentity": {"type": ["Root"]}}}
        targets:
          - {arn: "arn:aws:events:us-east-1:111111111111:event-bus/default", role_arn: "arn:aws:iam::222222222222:role/forward-root-activity"}
    guardduty: {eu-west-1: ENABLED}
  - id: "333333333333"
    name: locked
    email: aws-locked@acme.example
    ou: Workloads
    access_role_denied: true
`

func guardrails(t *testing.T) *sim.Scenario {
	t.Helper()
	scn, err := sim.ParseScenario("guardrails.yaml", []byte(guardrailScenario))
	if err != nil {
		t.Fatal(err)
	}
	return scn
}

// detectiveFacts are the facts read with an account's own credentials.
func detectiveFacts(a *inventory.Account) []fact {
	d, m := a.Detective, a.Mail
	return []fact{
		{"trails", d.Trails.Source},
		{"metric_filters", d.MetricFilters.Source},
		{"alarms", d.Alarms.Source},
		{"topics", d.Topics.Source},
		{"event_rules", d.EventRules.Source},
		{"guardduty", d.GuardDuty.Source},
		{"hosted_zones", m.HostedZones.Source},
		{"registered_domains", m.Domains.Source},
		{"ses_recipients", m.SESRecipients.Source},
		{"workmail_domains", m.WorkMailDomains.Source},
	}
}

func TestCollectGuardrails(t *testing.T) {
	t.Parallel()
	snap, srv := collectSim(t, guardrails(t), collect.Options{Org: true, Role: "AuditRole"})
	acct := func(id string) *inventory.Account {
		a := snap.Account(id)
		if a == nil {
			t.Fatalf("account %s missing", id)
		}
		return a
	}

	t.Run("service control policies", func(t *testing.T) {
		org := snap.Organization
		if !org.Policies.Known() {
			t.Fatalf("policies: %s", org.Policies.Reason())
		}
		byID := map[string]inventory.OrgPolicy{}
		for _, p := range org.Policies.Value {
			byID[p.ID] = p
		}
		deny, ok := byID["p-denyrootkey"]
		if !ok {
			t.Fatalf("policies %v lack p-denyrootkey", org.Policies.Value)
		}
		var workloads string
		for _, u := range org.Units.Value {
			if u.Name == "Workloads" {
				workloads = u.ID
			}
		}
		if diff := cmp.Diff([]string{"333333333333", workloads}, deny.Targets); diff != "" {
			t.Errorf("p-denyrootkey targets (-want +got):\n%s", diff)
		}
		if deny.Name != "DenyRootAccessKeys" || deny.Description != "No root access keys" || deny.AWSManaged {
			t.Errorf("p-denyrootkey summary %+v", deny)
		}
		if !strings.Contains(deny.Content, `"Action":"iam:CreateAccessKey"`) || !strings.Contains(deny.Content, `arn:aws:iam::*:root`) {
			t.Errorf("p-denyrootkey content %s", deny.Content)
		}
		if p := byID["p-unattached"]; p.Targets == nil || len(p.Targets) != 0 {
			t.Errorf("p-unattached targets %#v, want an empty list", p.Targets)
		}
		if full := byID["p-FullAWSAccess"]; !full.AWSManaged || !slices.Contains(full.Targets, "111111111111") {
			t.Errorf("FullAWSAccess %+v, want AWS managed and attached everywhere", full)
		}
		root := org.Units.Value[0]
		if diff := cmp.Diff([]string{"SERVICE_CONTROL_POLICY"}, root.PolicyTypes); diff != "" {
			t.Errorf("root %s policy types (-want +got):\n%s", root.ID, diff)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		if s := acct("111111111111").Session; s.Collected() {
			t.Errorf("the caller's own account has a role session %+v", s)
		}
		s := acct("222222222222").Session
		if !s.Known() || s.Value != "arn:aws:iam::222222222222:role/AuditRole" || s.Source.API != "sts:AssumeRole" {
			t.Errorf("member session %+v", s)
		}
	})

	t.Run("organization trail seen from a member", func(t *testing.T) {
		m := acct("222222222222").Detective
		if !m.Trails.Known() {
			t.Fatalf("member trails: %s", m.Trails.Reason())
		}
		var names []string
		var org *inventory.Trail
		for i, tr := range m.Trails.Value {
			names = append(names, tr.Name)
			if tr.IsOrganizationTrail {
				org = &m.Trails.Value[i]
			}
		}
		slices.Sort(names)
		if diff := cmp.Diff([]string{"local", "org-trail"}, names); diff != "" {
			t.Fatalf("member trails, each once (-want +got):\n%s", diff)
		}
		if org == nil || org.HomeRegion != "us-east-1" || !org.IsMultiRegion || !strings.Contains(org.ARN, ":111111111111:trail/org-trail") {
			t.Errorf("organization trail %+v", org)
		}
		if org != nil && !strings.HasSuffix(org.LogGroupARN, ":111111111111:log-group:org-trail-logs:*") {
			t.Errorf("organization trail log group %q", org.LogGroupARN)
		}
		for _, tr := range m.Trails.Value {
			if tr.Name != "local" {
				continue
			}
			if !tr.Logging.Known() || !tr.Logging.Value {
				t.Errorf("trail local logging %+v", tr.Logging)
			}
			want := inventory.ManagementEvents{Included: true, ReadWriteType: "ReadOnly", Filters: []string{}}
			if diff := cmp.Diff(want, tr.Selectors.Value); !tr.Selectors.Known() || diff != "" {
				t.Errorf("trail local selectors %+v (-want +got):\n%s", tr.Selectors, diff)
			}
		}
		// The organization trail's log group is in the management account;
		// the member reads no filters of its own.
		if !m.MetricFilters.Known() || len(m.MetricFilters.Value) != 0 {
			t.Errorf("member metric filters %+v, want none read", m.MetricFilters)
		}
	})

	t.Run("management detective controls", func(t *testing.T) {
		d := acct("111111111111").Detective
		for _, f := range detectiveFacts(acct("111111111111")) {
			if f.source.API == "" || f.source.Error != nil {
				t.Errorf("fact %s: source %+v", f.name, f.source)
			}
		}
		if len(d.Trails.Value) != 1 || !d.Trails.Value[0].Logging.Value || d.Trails.Value[0].Selectors.Value.ReadWriteType != "All" {
			t.Errorf("trails %+v", d.Trails.Value)
		}
		wantFilters := []inventory.MetricFilter{{Name: "root-usage", LogGroupName: "org-trail-logs",
			Pattern: `{ $.userIdentity.type = "Root" }`, Metrics: []inventory.MetricTarget{{Namespace: "CIS", Name: "RootUsage"}}}}
		if diff := cmp.Diff(wantFilters, d.MetricFilters.Value); diff != "" {
			t.Errorf("metric filters (-want +got):\n%s", diff)
		}
		if len(d.Alarms.Value) != 1 || d.Alarms.Value[0].Region != "us-east-1" || !d.Alarms.Value[0].ActionsEnabled ||
			len(d.Alarms.Value[0].AlarmActions) != 1 || !strings.HasSuffix(d.Alarms.Value[0].AlarmActions[0], ":root-alerts") {
			t.Errorf("alarms %+v", d.Alarms.Value)
		}
		if len(d.Topics.Value) != 1 {
			t.Fatalf("topics %+v, want root-alerts", d.Topics.Value)
		}
		subs := map[string]bool{}
		for _, s := range d.Topics.Value[0].Subscriptions {
			subs[s.Endpoint] = s.Confirmed
			if s.Confirmed != (s.ARN != "") {
				t.Errorf("subscription %+v: an ARN exactly when confirmed", s)
			}
		}
		if diff := cmp.Diff(map[string]bool{"secops@acme.example": true, "oncall@acme.example": false}, subs); diff != "" {
			t.Errorf("subscriptions confirmed (-want +got):\n%s", diff)
		}
	})

	t.Run("regional facts from two regions", func(t *testing.T) {
		d := acct("111111111111").Detective
		var rules []string
		for _, r := range d.EventRules.Value {
			rules = append(rules, r.Region+" "+r.Name+" "+r.State+" "+strings.Join(r.Targets, ","))
			if r.EventPattern == "" {
				t.Errorf("rule %s has no pattern", r.Name)
			}
		}
		slices.Sort(rules)
		want := []string{
			"eu-west-1 root-activity-eu DISABLED ",
			"us-east-1 root-activity ENABLED arn:aws:sns:us-east-1:111111111111:root-alerts",
		}
		if diff := cmp.Diff(want, rules); diff != "" {
			t.Errorf("event rules (-want +got):\n%s", diff)
		}
		// Each target's IAM role, "" for none; a rule without targets
		// has no map.
		roles := map[string]map[string]string{}
		for _, id := range []string{"111111111111", "222222222222"} {
			for _, r := range acct(id).Detective.EventRules.Value {
				roles[id+" "+r.Name] = r.TargetRoles
			}
		}
		wantRoles := map[string]map[string]string{
			"111111111111 root-activity":    {"arn:aws:sns:us-east-1:111111111111:root-alerts": ""},
			"111111111111 root-activity-eu": nil,
			"222222222222 forward-root-activity": {
				"arn:aws:events:us-east-1:111111111111:event-bus/default": "arn:aws:iam::222222222222:role/forward-root-activity",
			},
		}
		if diff := cmp.Diff(wantRoles, roles); diff != "" {
			t.Errorf("target roles (-want +got):\n%s", diff)
		}
		detectors := func(id string) []string {
			var out []string
			for _, dt := range acct(id).Detective.GuardDuty.Value {
				if dt.ID == "" {
					t.Errorf("account %s: detector without an ID in %s", id, dt.Region)
				}
				out = append(out, dt.Region+" "+dt.Status)
			}
			return out
		}
		if diff := cmp.Diff([]string{"us-east-1 ENABLED", "eu-west-1 DISABLED"}, detectors("111111111111")); diff != "" {
			t.Errorf("management detectors (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"eu-west-1 ENABLED"}, detectors("222222222222")); diff != "" {
			t.Errorf("member detectors (-want +got):\n%s", diff)
		}
	})

	t.Run("mail facts", func(t *testing.T) {
		m := acct("111111111111").Mail
		wantZones := []string{"acme.example. public", "internal.acme.example. private"}
		var zones []string
		for _, z := range m.HostedZones.Value {
			vis := "public"
			if z.Private {
				vis = "private"
			}
			zones = append(zones, z.Name+" "+vis)
			if z.ID == "" || strings.Contains(z.ID, "/") {
				t.Errorf("zone %s ID %q, want a bare ID", z.Name, z.ID)
			}
		}
		if diff := cmp.Diff(wantZones, zones); diff != "" {
			t.Errorf("hosted zones (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"acme.example"}, m.Domains.Value); diff != "" {
			t.Errorf("registered domains (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"acme.example", "root@acme.example"}, m.SESRecipients.Value); diff != "" {
			t.Errorf("SES recipients (-want +got):\n%s", diff)
		}
		if !slices.Contains(m.WorkMailDomains.Value, "acme.example") {
			t.Errorf("WorkMail domains %v lack acme.example", m.WorkMailDomains.Value)
		}
		member := acct("222222222222").Mail
		if !member.HostedZones.Known() || len(member.HostedZones.Value) != 0 || !member.WorkMailDomains.Known() {
			t.Errorf("member mail facts %+v, want known and empty", member)
		}
	})

	t.Run("access role denied", func(t *testing.T) {
		a := acct("333333333333")
		if s := a.Session; s.Source.API != "sts:AssumeRole" || s.Source.Error == nil || s.Source.Error.Code != awsclient.CodeAccessDenied {
			t.Errorf("session %+v, want an sts:AssumeRole AccessDenied", s)
		}
		for _, f := range detectiveFacts(a) {
			if f.source.API != "sts:AssumeRole" || f.source.Error == nil || f.source.Error.Code != awsclient.CodeAccessDenied {
				t.Errorf("fact %s source %+v, want the AssumeRole refusal", f.name, f.source)
			}
		}
		// Root facts come through sts:AssumeRoot, which does not need the role.
		for _, f := range rootFacts(a) {
			if f.source.Error != nil {
				t.Errorf("root fact %s: %v", f.name, f.source.Error)
			}
		}
		if !a.Root.Summary.Known() || !a.Contacts.Primary.Known() {
			t.Errorf("root summary %+v contacts %+v, want known", a.Root.Summary, a.Contacts.Primary)
		}
	})

	t.Run("calls", func(t *testing.T) {
		regions := map[string]bool{}
		for _, c := range srv.Calls() {
			if c.Write {
				t.Errorf("write call %s:%s on %s", c.Service, c.Operation, c.Account)
			}
			if c.Account == "333333333333" && !slices.Contains([]string{"sts", "iam", "account", "organizations"}, c.Service) {
				t.Errorf("call %s:%s made in 333333333333 without a session", c.Service, c.Operation)
			}
			if c.Service == "guardduty" && c.Operation == "ListDetectors" && c.Account == "222222222222" {
				regions[c.Principal] = true
			}
		}
		if len(regions) == 0 {
			t.Error("guardduty:ListDetectors not called in 222222222222")
		}
		for p := range regions {
			if !strings.Contains(p, ":assumed-role/AuditRole/") {
				t.Errorf("member read as %s, want the AuditRole session", p)
			}
		}
	})
}

// TestCollectGuardrailsWrongRole asks for a role the members do not have:
// their own resources are unknown, each with the refusal, and the rest of
// the run is whole.
func TestCollectGuardrailsWrongRole(t *testing.T) {
	t.Parallel()
	snap, _ := collectSim(t, guardrails(t), collect.Options{Org: true})
	a := snap.Account("222222222222")
	if want := "arn:aws:iam::222222222222:role/" + collect.DefaultRole; a.Session.Value != want {
		t.Errorf("session role %q, want %q", a.Session.Value, want)
	}
	for _, f := range detectiveFacts(a) {
		if f.source.Error == nil || f.source.API != "sts:AssumeRole" {
			t.Errorf("fact %s source %+v, want the AssumeRole error", f.name, f.source)
		}
	}
	if !a.Root.Summary.Known() || !snap.Account("111111111111").Detective.Trails.Known() {
		t.Error("facts that need no role were lost")
	}
}

// TestCollectGuardrailsRegions reads one explicit Region besides us-east-1.
func TestCollectGuardrailsRegions(t *testing.T) {
	t.Parallel()
	snap, _ := collectSim(t, guardrails(t), collect.Options{Org: true, Role: "AuditRole", Regions: []string{"ap-southeast-2"}})
	var got []string
	for _, d := range snap.Account("111111111111").Detective.GuardDuty.Value {
		got = append(got, d.Region+" "+d.Status)
	}
	if diff := cmp.Diff([]string{"us-east-1 ENABLED"}, got); diff != "" {
		t.Errorf("detectors (-want +got):\n%s", diff)
	}
}

// TestCollectGuardrailsPartialFailures injects one failing call at a time:
// it is recorded on the fact it feeds (a trail's own status, a whole
// regional list, the policy list), and the run completes.
func TestCollectGuardrailsPartialFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault sim.Fault
		check func(t *testing.T, snap *inventory.Snapshot)
	}{
		{
			name:  "service not subscribed",
			fault: sim.Fault{Operation: "guardduty:ListDetectors", Account: "222222222222", Code: "SubscriptionRequiredException", Message: "not signed up"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				g := snap.Account("222222222222").Detective.GuardDuty
				if got := failedCall(g.Source); got != "guardduty:ListDetectors "+awsclient.CodeOptInRequired {
					t.Errorf("guardduty error %q (%+v)", got, g.Source.Error)
				}
				if !strings.HasPrefix(g.Source.Error.Message, "in us-east-1: ") {
					t.Errorf("message %q does not name the Region", g.Source.Error.Message)
				}
				if !snap.Account("222222222222").Detective.Trails.Known() || !snap.Account("111111111111").Detective.GuardDuty.Known() {
					t.Error("other facts were lost")
				}
			},
		},
		{
			name:  "one trail's status",
			fault: sim.Fault{Operation: "cloudtrail:GetTrailStatus", Account: "222222222222", Code: "AccessDeniedException", Times: 1},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				tr := snap.Account("222222222222").Detective.Trails
				if !tr.Known() || len(tr.Value) != 2 {
					t.Fatalf("trails %+v, want both known", tr)
				}
				var failed, read int
				for _, x := range tr.Value {
					switch {
					case failedCall(x.Logging.Source) == "cloudtrail:GetTrailStatus AccessDenied":
						failed++
					case x.Logging.Known():
						read++
					}
					if !x.Selectors.Known() {
						t.Errorf("trail %s selectors: %s", x.Name, x.Selectors.Reason())
					}
				}
				if failed != 1 || read != 1 {
					t.Errorf("%d trail statuses failed and %d read, want 1 and 1", failed, read)
				}
			},
		},
		{
			name:  "subscriptions",
			fault: sim.Fault{Operation: "sns:ListSubscriptionsByTopic", Account: "111111111111", Code: "AuthorizationError"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				if got := failedCall(snap.Account("111111111111").Detective.Topics.Source); got != "sns:ListSubscriptionsByTopic AccessDenied" {
					t.Errorf("topics error %q", got)
				}
			},
		},
		{
			name:  "metric filters",
			fault: sim.Fault{Operation: "logs:DescribeMetricFilters", Account: "111111111111", Code: "AccessDeniedException"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				d := snap.Account("111111111111").Detective
				if got := failedCall(d.MetricFilters.Source); got != "logs:DescribeMetricFilters AccessDenied" {
					t.Errorf("metric filters error %q", got)
				}
				if msg := d.MetricFilters.Source.Error.Message; !strings.Contains(msg, "org-trail-logs") {
					t.Errorf("message %q does not name the log group", msg)
				}
				if !d.Trails.Known() || !d.Alarms.Known() {
					t.Error("trails or alarms were lost")
				}
			},
		},
		{
			name:  "policy document",
			fault: sim.Fault{Operation: "organizations:DescribePolicy", Code: "AccessDeniedException"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				if got := failedCall(snap.Organization.Policies.Source); got != "organizations:DescribePolicy AccessDenied" {
					t.Errorf("policies error %q", got)
				}
				if !snap.Organization.Units.Known() || !snap.Account("222222222222").Detective.Trails.Known() {
					t.Error("the tree or the accounts were lost")
				}
			},
		},
		{
			name:  "policy targets",
			fault: sim.Fault{Operation: "organizations:ListTargetsForPolicy", Code: "AccessDeniedException", Times: 1},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				if got := failedCall(snap.Organization.Policies.Source); got != "organizations:ListTargetsForPolicy AccessDenied" {
					t.Errorf("policies error %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn := guardrails(t)
			scn.Faults = append(scn.Faults, tt.fault)
			snap, _ := collectSim(t, scn, collect.Options{Org: true, Role: "AuditRole"})
			if len(snap.Accounts) != 3 {
				t.Errorf("%d accounts, want 3", len(snap.Accounts))
			}
			tt.check(t, snap)
		})
	}
}

// TestCollectDemoGuardrails pins the guardrail facts the demo organization
// is there to show, collected in two Regions.
func TestCollectDemoGuardrails(t *testing.T) {
	t.Parallel()
	snap, _ := collectSim(t, sim.Demo(), collect.Options{Org: true, Regions: []string{"eu-west-1"}})
	acct := func(id string) *inventory.Account {
		a := snap.Account(id)
		if a == nil {
			t.Fatalf("account %s missing", id)
		}
		return a
	}
	ouID := map[string]string{}
	for _, u := range snap.Organization.Units.Value {
		ouID[u.Name] = u.ID
	}

	t.Run("SCP content and targets", func(t *testing.T) {
		pols := snap.Organization.Policies
		if !pols.Known() {
			t.Fatalf("policies: %s", pols.Reason())
		}
		got := map[string][]string{}
		for _, p := range pols.Value {
			got[p.ID] = p.Targets
			if p.ID == "p-denyrootexcept" && !strings.Contains(p.Content, `"aws:AssumedRoot"`) {
				t.Errorf("p-denyrootexcept content lacks the aws:AssumedRoot exemption: %s", p.Content)
			}
			if p.ID == "p-ctrestrictroot" && !strings.Contains(p.Content, "\n") {
				t.Errorf("p-ctrestrictroot content %q, want the document as written, layout kept", p.Content)
			}
		}
		want := map[string][]string{
			"p-denyleaveorg1":  {"r-acme"},
			"p-denyrootexcept": sorted(ouID["Infrastructure"], ouID["Security"]),
			"p-denyrootnotact": {ouID["Prod"]},
			"p-ctrestrictroot": {ouID["Dev"]},
			"p-denyallsusp":    {ouID["Suspended"]},
		}
		for id, targets := range want {
			if diff := cmp.Diff(targets, got[id]); diff != "" {
				t.Errorf("%s targets (-want +got):\n%s", id, diff)
			}
		}
		if _, ok := got["p-FullAWSAccess"]; !ok || len(got) != 6 {
			t.Errorf("policies %v, want the five above and FullAWSAccess", got)
		}
	})

	t.Run("organization trail from every member", func(t *testing.T) {
		for _, a := range snap.Accounts {
			if a.Skipped != "" || a.ID == "999999999999" {
				continue
			}
			var org *inventory.Trail
			for i, tr := range a.Detective.Trails.Value {
				if tr.IsOrganizationTrail {
					org = &a.Detective.Trails.Value[i]
				}
			}
			if org == nil || org.Name != "acme-org-trail" || !org.IsMultiRegion {
				t.Errorf("account %s: organization trail %+v", a.ID, org)
				continue
			}
			if !org.Logging.Known() || !org.Logging.Value || org.Selectors.Value.ReadWriteType != "All" {
				t.Errorf("account %s: organization trail logging %+v selectors %+v", a.ID, org.Logging, org.Selectors)
			}
		}
	})

	t.Run("stopped single-Region trail", func(t *testing.T) {
		for _, tr := range acct("777777777777").Detective.Trails.Value {
			if tr.Name == "prod-web-local" && (tr.IsMultiRegion || !tr.Logging.Known() || tr.Logging.Value) {
				t.Errorf("trail %+v, want single-Region and known not logging", tr)
			}
		}
	})

	t.Run("pending subscription behind the CIS alarm", func(t *testing.T) {
		d := acct("666666666666").Detective
		if len(d.MetricFilters.Value) != 1 || d.MetricFilters.Value[0].LogGroupName != "payments-cloudtrail" {
			t.Errorf("metric filters %+v", d.MetricFilters.Value)
		}
		if len(d.Alarms.Value) != 1 || d.Alarms.Value[0].MetricName != "RootAccountUsageCount" {
			t.Errorf("alarms %+v", d.Alarms.Value)
		}
		want := []inventory.Topic{{ARN: "arn:aws:sns:us-east-1:666666666666:cis-alarms", Subscriptions: []inventory.Subscription{
			{Protocol: "email", Endpoint: "payments-oncall@acme.example", Confirmed: false}}}}
		if diff := cmp.Diff(want, d.Topics.Value, cmpopts.IgnoreFields(inventory.Topic{}, "Attributes")); diff != "" {
			t.Errorf("topics (-want +got):\n%s", diff)
		}
	})

	t.Run("topic attributes", func(t *testing.T) {
		// 111's topic carries a policy letting EventBridge publish; 666's
		// keeps the default policy SNS reports (the owner account only).
		for id, want := range map[string]string{"111111111111": "events.amazonaws.com", "666666666666": "AWS:SourceOwner"} {
			for _, tp := range acct(id).Detective.Topics.Value {
				at := tp.Attributes
				if at == nil || !at.Known() || at.Source.API != "sns:GetTopicAttributes" || !strings.Contains(at.Value.Policy, want) {
					t.Errorf("%s topic %s attributes %+v, want a policy mentioning %s", id, tp.ARN, at, want)
				}
			}
		}
	})

	t.Run("GuardDuty per Region", func(t *testing.T) {
		for id, want := range map[string][]string{
			"111111111111": {"us-east-1 ENABLED"},
			"777777777777": {"us-east-1 DISABLED"},
			"888888888888": nil,
		} {
			g := acct(id).Detective.GuardDuty
			var got []string
			for _, d := range g.Value {
				got = append(got, d.Region+" "+d.Status)
			}
			if diff := cmp.Diff(want, got); !g.Known() || diff != "" {
				t.Errorf("account %s detectors known=%v (-want +got):\n%s", id, g.Known(), diff)
			}
		}
	})

	t.Run("mail dependencies", func(t *testing.T) {
		if got := acct("444444444444").Mail.SESRecipients.Value; !slices.Equal(got, []string{"aws-accounts@acme.example"}) {
			t.Errorf("SES recipients of 444 %v", got)
		}
		if got := acct("444444444444").Mail.WorkMailDomains.Value; !slices.Equal(got, []string{"shared.acme.example"}) {
			t.Errorf("WorkMail domains of 444 %v", got)
		}
		if got := acct("333333333333").Mail.Domains.Value; !slices.Equal(got, []string{"acme-cdn.example"}) {
			t.Errorf("registered domains of 333 %v", got)
		}
		var zones []string
		for _, z := range acct("777777777777").Mail.HostedZones.Value {
			zones = append(zones, z.Name)
		}
		if !slices.Equal(zones, []string{"prod-mail.acme.example."}) {
			t.Errorf("hosted zones of 777 %v", zones)
		}
	})

	t.Run("partner account refuses both roles", func(t *testing.T) {
		a := acct("999999999999")
		for _, f := range append(detectiveFacts(a), fact{"session", a.Session.Source}) {
			if f.source.API != "sts:AssumeRole" || f.source.Error == nil || f.source.Error.Code != awsclient.CodeAccessDenied {
				t.Errorf("fact %s source %+v, want the AssumeRole refusal", f.name, f.source)
			}
		}
		if s := a.Root.Session.Source; s.API != "sts:AssumeRoot" || s.Error == nil {
			t.Errorf("root session %+v, want the AssumeRoot refusal", s)
		}
	})
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
