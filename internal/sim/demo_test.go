package sim_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestDemoGuardrailFacts reads, through real SDK clients, each fact the
// demo's layout comment promises for the organization guardrail checks.
func TestDemoGuardrailFacts(t *testing.T) {
	e := demoEnv(t)
	scpsOn := func(target string) func(*testing.T, *env) (any, error) {
		return asCaller(func(t *testing.T, c aws.Config) (any, error) {
			out, err := orgc(c).ListPoliciesForTarget(t.Context(), &organizations.ListPoliciesForTargetInput{
				TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})
			if err != nil {
				return nil, err
			}
			return policyNames(out.Policies), nil
		})
	}
	ouID := func(t *testing.T, c *organizations.Client, parent, name string) string {
		t.Helper()
		out := must(c.ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)}))(t)
		for _, u := range out.OrganizationalUnits {
			if aws.ToString(u.Name) == name {
				return aws.ToString(u.Id)
			}
		}
		t.Fatalf("no OU %s under %s", name, parent)
		return ""
	}
	ouSCPs := func(path ...string) func(*testing.T, *env) (any, error) {
		return func(t *testing.T, e *env) (any, error) {
			c := orgc(e.caller())
			id := "r-acme"
			for _, name := range path {
				id = ouID(t, c, id, name)
			}
			return scpsOn(id)(t, e)
		}
	}
	topicSubs := func(topic string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			out, err := sns.NewFromConfig(c).ListSubscriptionsByTopic(t.Context(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
			if err != nil {
				return nil, err
			}
			var got []string
			for _, s := range out.Subscriptions {
				if aws.ToString(s.SubscriptionArn) == "PendingConfirmation" {
					got = append(got, "pending "+aws.ToString(s.Endpoint))
				} else {
					got = append(got, "confirmed "+aws.ToString(s.Endpoint))
				}
			}
			return got, nil
		}
	}
	runCases(t, e, []opCase{
		{name: "root SCPs", run: scpsOn("r-acme"), want: []string{"FullAWSAccess", "DenyLeaveOrganization"}},
		{name: "Security is fully covered", run: ouSCPs("Security"), want: []string{"FullAWSAccess", "DenyRootUserExceptAssumedRoot"}},
		{name: "Prod has the NotAction hole", run: ouSCPs("Workloads", "Prod"), want: []string{"FullAWSAccess", "DenyRootNotAction"}},
		{name: "Dev has the Control Tower style deny", run: ouSCPs("Workloads", "Dev"), want: []string{"FullAWSAccess", "aws-guardrails-RestrictRootUser"}},
		{name: "Sandbox has no root deny", run: ouSCPs("Sandbox"), want: []string{"FullAWSAccess"}},
		{
			name: "a member sees the organization trail",
			run: inRole(clean, func(t *testing.T, c aws.Config) (any, error) {
				out, err := cloudtrail.NewFromConfig(c).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
				if err != nil {
					return nil, err
				}
				var got []string
				for _, tr := range out.TrailList {
					got = append(got, fmt.Sprintf("%s org=%t multi=%t", aws.ToString(tr.TrailARN), aws.ToBool(tr.IsOrganizationTrail), aws.ToBool(tr.IsMultiRegionTrail)))
				}
				return got, nil
			}),
			want: []string{"arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-org-trail org=true multi=true"},
		},
		{
			name: "prod-web's own trail is single-Region and stopped",
			run: inRole(virtualMFA, func(t *testing.T, c aws.Config) (any, error) {
				out, err := cloudtrail.NewFromConfig(c).GetTrailStatus(t.Context(), &cloudtrail.GetTrailStatusInput{Name: aws.String("prod-web-local")})
				if err != nil {
					return nil, err
				}
				return aws.ToBool(out.IsLogging), nil
			}),
			want: false,
		},
		{
			name: "security-tooling's own EventBridge rule targets SNS",
			run: inRole(clean, func(t *testing.T, c aws.Config) (any, error) {
				eb := eventbridge.NewFromConfig(c)
				rules, err := eb.ListRules(t.Context(), &eventbridge.ListRulesInput{})
				if err != nil {
					return nil, err
				}
				tg, err := eb.ListTargetsByRule(t.Context(), &eventbridge.ListTargetsByRuleInput{Rule: rules.Rules[0].Name})
				if err != nil {
					return nil, err
				}
				return []string{aws.ToString(rules.Rules[0].Name), aws.ToString(tg.Targets[0].Arn)}, nil
			}),
			want: []string{"root-activity-to-soc", "arn:aws:sns:us-east-1:222222222222:soc-root-alerts"},
		},
		{
			name: "prod-payments' CIS alarm goes to a topic with only a pending subscription",
			run: inRole(rootKeys, func(t *testing.T, c aws.Config) (any, error) {
				out, err := cloudwatch.NewFromConfig(c).DescribeAlarms(t.Context(), &cloudwatch.DescribeAlarmsInput{})
				if err != nil {
					return nil, err
				}
				subs, err := topicSubs(out.MetricAlarms[0].AlarmActions[0])(t, c)
				if err != nil {
					return nil, err
				}
				return []any{aws.ToString(out.MetricAlarms[0].MetricName), subs}, nil
			}),
			want: []any{"RootAccountUsageCount", []string{"pending payments-oncall@acme.example"}},
		},
		{
			name: "GuardDuty is suspended in prod-web",
			run: inRole(virtualMFA, func(t *testing.T, c aws.Config) (any, error) {
				gd := guardduty.NewFromConfig(c)
				ids, err := gd.ListDetectors(t.Context(), &guardduty.ListDetectorsInput{})
				if err != nil {
					return nil, err
				}
				d, err := gd.GetDetector(t.Context(), &guardduty.GetDetectorInput{DetectorId: aws.String(ids.DetectorIds[0])})
				if err != nil {
					return nil, err
				}
				return string(d.Status), nil
			}),
			want: "DISABLED",
		},
		{
			name: "prod-web hosts its own root email domain",
			run: inRole(virtualMFA, func(t *testing.T, c aws.Config) (any, error) {
				out, err := route53.NewFromConfig(c).ListHostedZones(t.Context(), &route53.ListHostedZonesInput{})
				if err != nil {
					return nil, err
				}
				acct, err := orgc(e.caller()).DescribeAccount(t.Context(), &organizations.DescribeAccountInput{AccountId: aws.String(virtualMFA)})
				if err != nil {
					return nil, err
				}
				return []string{aws.ToString(out.HostedZones[0].Name), aws.ToString(acct.Account.Email)}, nil
			}),
			want: []string{"prod-mail.acme.example.", "aws-root+prod-web@prod-mail.acme.example"},
		},
		{
			name: "shared-services receives the shared root email with SES",
			run: inRole("444444444444", func(t *testing.T, c aws.Config) (any, error) {
				out, err := ses.NewFromConfig(c).DescribeActiveReceiptRuleSet(t.Context(), &ses.DescribeActiveReceiptRuleSetInput{})
				if err != nil {
					return nil, err
				}
				return out.Rules[0].Recipients, nil
			}),
			want: []string{"aws-accounts@acme.example"},
		},
		{
			name: "the partner account's access role is denied",
			run: asCaller(func(t *testing.T, c aws.Config) (any, error) {
				return sts.NewFromConfig(c).AssumeRole(t.Context(), &sts.AssumeRoleInput{
					RoleArn: aws.String("arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("rootguard")})
			}),
			wantCode: "AccessDenied",
		},
		{
			name: "build-ci's root has two MFA devices",
			run: inRoot(signingCert, func(t *testing.T, c aws.Config) (any, error) {
				out, err := iam.NewFromConfig(c).ListMFADevices(t.Context(), &iam.ListMFADevicesInput{})
				if err != nil {
					return nil, err
				}
				return len(out.MFADevices), nil
			}),
			want: 2,
		},
	})
}
