package checks

import (
	"fmt"
	"testing"

	"github.com/rootguard/rootguard/internal/inventory"
)

// guardrailOrg builds an organization of n member accounts under a root
// with three OU levels (4 × 3 × 2 OUs), FullAWSAccess everywhere, a root-deny
// SCP at the root, one without the AssumedRoot exemption on half of the
// leaf OUs and a NotAction hole on one top OU, plus an organization trail
// with the CIS metric filter, alarm and topic in the management account.
func guardrailOrg(n int) *inventory.Snapshot {
	units := []inventory.OrgUnit{{ID: "r-1", Name: "Root", PolicyTypes: []string{policyTypeSCP}}}
	var leaves []string
	for i := range 4 {
		top := fmt.Sprintf("ou-%d", i)
		units = append(units, inventory.OrgUnit{ID: top, Name: fmt.Sprint("Top", i), ParentID: "r-1"})
		for j := range 3 {
			mid := fmt.Sprintf("%s-%d", top, j)
			units = append(units, inventory.OrgUnit{ID: mid, Name: fmt.Sprint("Mid", j), ParentID: top})
			for k := range 2 {
				leaf := fmt.Sprintf("%s-%d", mid, k)
				units = append(units, inventory.OrgUnit{ID: leaf, Name: fmt.Sprint("Leaf", k), ParentID: mid})
				leaves = append(leaves, leaf)
			}
		}
	}
	all := []string{}
	for _, u := range units {
		all = append(all, u.ID)
	}
	mgmt := inventory.Account{ID: "100000000000", Name: "management", Role: inventory.RoleManagement, State: "ACTIVE", ParentID: "r-1"}
	accounts := []inventory.Account{mgmt}
	for i := range n {
		id := fmt.Sprintf("%012d", 200000000000+i)
		all = append(all, id)
		accounts = append(accounts, inventory.Account{
			ID: id, Name: fmt.Sprint("app-", i), Role: inventory.RoleMember, State: "ACTIVE",
			ParentID:  leaves[i%len(leaves)],
			RootEmail: known(fmt.Sprintf("aws+%d@acme.example", i), "organizations:ListAccounts"),
			Detective: inventory.Detective{
				Trails:     known([]inventory.Trail{}, "cloudtrail:DescribeTrails"),
				EventRules: known([]inventory.EventRule{}, "events:ListRules"),
				GuardDuty:  known([]inventory.Detector{{Region: "us-east-1", ID: "d", Status: "ENABLED"}}, "guardduty:GetDetector"),
			},
			Mail: inventory.MailFacts{
				HostedZones:     known([]inventory.HostedZone{}, "route53:ListHostedZones"),
				Domains:         known([]string{}, "route53domains:ListDomains"),
				SESRecipients:   known([]string{}, "ses:DescribeActiveReceiptRuleSet"),
				WorkMailDomains: known([]string{}, "workmail:ListMailDomains"),
			},
		})
	}
	const lg = "arn:aws:logs:us-east-1:100000000000:log-group:org-trail:*"
	topic := "arn:aws:sns:us-east-1:100000000000:root-alerts"
	accounts[0].Detective = inventory.Detective{
		Trails: known([]inventory.Trail{{Name: "org-trail", ARN: "arn:aws:cloudtrail:us-east-1:100000000000:trail/org-trail",
			HomeRegion: "us-east-1", IsMultiRegion: true, IsOrganizationTrail: true, LogGroupARN: lg,
			Logging:   known(true, "cloudtrail:GetTrailStatus"),
			Selectors: known(inventory.ManagementEvents{Included: true, ReadWriteType: "All"}, "cloudtrail:GetEventSelectors")}},
			"cloudtrail:DescribeTrails"),
		MetricFilters: known([]inventory.MetricFilter{{Name: "root", LogGroupName: "org-trail",
			Pattern: `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
			Metrics: []inventory.MetricTarget{{Namespace: "CIS", Name: "Root"}}}}, "logs:DescribeMetricFilters"),
		Alarms: known([]inventory.Alarm{{Name: "root", Namespace: "CIS", MetricName: "Root", ActionsEnabled: true,
			AlarmActions: []string{topic}}}, "cloudwatch:DescribeAlarms"),
		Topics: known([]inventory.Topic{{ARN: topic, Subscriptions: []inventory.Subscription{{Protocol: "email",
			Endpoint: "secops@acme.example", Confirmed: true}}}}, "sns:ListTopics"),
	}
	noExempt := `{"Statement":[{"Sid":"Old","Effect":"Deny","Action":"iam:*","Resource":"*",
		"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`
	hole := `{"Statement":[{"Sid":"Hole","Effect":"Deny","NotAction":["s3:*","kms:*"],"Resource":"*",
		"Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"Null":{"aws:AssumedRoot":"true"}}}]}`
	pols := []inventory.OrgPolicy{
		{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Content: allowAll, Targets: all},
		{ID: "p-deny", Name: "DenyRoot", Content: denyRoot, Targets: []string{"r-1"}},
		{ID: "p-old", Name: "OldRootDeny", Content: noExempt, Targets: leaves[:len(leaves)/2]},
		{ID: "p-hole", Name: "Hole", Content: hole, Targets: []string{"ou-0"}},
	}
	return &inventory.Snapshot{Schema: inventory.Schema, Mode: inventory.ModeOrganization, Accounts: accounts,
		Organization: &inventory.Organization{ID: "o-bench", ManagementAccountID: mgmt.ID,
			Units: known(units, "organizations:ListRoots"), Policies: known(pols, "organizations:ListPolicies")}}
}

// BenchmarkGuardrailChecks runs the eight organization guardrail and
// detective checks over a whole organization; one op is every account.
//
//	go test ./internal/checks -run '^$' -bench GuardrailChecks -benchmem
func BenchmarkGuardrailChecks(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			s := guardrailOrg(n)
			reg, err := NewRegistry(SCPDenyRootActions, SCPDenyRootAccessKeys, SCPAssumedRootExempt,
				SCPManagementAccountUncovered, TrailMultiRegionLogging, RootActivityAlerting, GuardDutyEnabled,
				RootEmailCircularDependency)
			if err != nil {
				b.Fatal(err)
			}
			// The organization is built to show every status; make sure the
			// benchmark measures real decisions, not UNKNOWNs.
			counts := map[Status]int{}
			for _, f := range reg.Assess(s, Config{Now: testNow}) {
				counts[f.Status]++
			}
			if counts[Pass] == 0 || counts[Fail] == 0 || counts[Unknown] > 10 {
				b.Fatalf("statuses %v: want PASS and FAIL, few UNKNOWN", counts)
			}
			b.ReportAllocs()
			for b.Loop() {
				reg.Assess(s, Config{Now: testNow})
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
		})
	}
}
