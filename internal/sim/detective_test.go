package sim_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/rootguard/rootguard/internal/sim"
)

// prod runs f in an AuditRole session on the guardrails scenario's prod
// member, in region.
func prod(region string, f func(*testing.T, aws.Config) (any, error)) func(*testing.T, *env) (any, error) {
	return member(grProd, region, f)
}

func TestCloudWatchLogs(t *testing.T) {
	e := guardrailsEnv(t)
	filters := func(in cloudwatchlogs.DescribeMetricFiltersInput) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			var got []string
			p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(cloudwatchlogs.NewFromConfig(c), &in)
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				if err != nil {
					return nil, err
				}
				for _, f := range out.MetricFilters {
					m := f.MetricTransformations[0]
					got = append(got, fmt.Sprintf("%s %s %s/%s", aws.ToString(f.LogGroupName), aws.ToString(f.FilterName),
						aws.ToString(m.MetricNamespace), aws.ToString(m.MetricName)))
				}
			}
			return got, nil
		}
	}
	runCases(t, e, []opCase{
		{
			name: "every filter of the region, one per page",
			run:  prod("us-east-1", filters(cloudwatchlogs.DescribeMetricFiltersInput{Limit: aws.Int32(1)})),
			want: []string{"prod-trail-logs ConsoleNoMFA CISBenchmark/ConsoleNoMFA", "prod-trail-logs RootUsage CISBenchmark/RootAccountUsageCount"},
		},
		{
			name: "by log group and name prefix",
			run:  prod("us-east-1", filters(cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("prod-trail-logs"), FilterNamePrefix: aws.String("Root")})),
			want: []string{"prod-trail-logs RootUsage CISBenchmark/RootAccountUsageCount"},
		},
		{
			name: "another region",
			run:  prod("eu-west-1", filters(cloudwatchlogs.DescribeMetricFiltersInput{})),
			want: []string{"eu-logs EuRoot CISBenchmark/EuRoot"},
		},
		{
			name: "the pattern is served as written",
			run: prod("us-east-1", func(t *testing.T, c aws.Config) (any, error) {
				out, err := cloudwatchlogs.NewFromConfig(c).DescribeMetricFilters(t.Context(), &cloudwatchlogs.DescribeMetricFiltersInput{
					LogGroupName: aws.String("prod-trail-logs"), FilterNamePrefix: aws.String("Root")})
				if err != nil {
					return nil, err
				}
				return aws.ToString(out.MetricFilters[0].FilterPattern), nil
			}),
			want: `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
		},
		{
			name:     "a log group that does not exist",
			run:      prod("us-east-1", filters(cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("nope")})),
			wantCode: "ResourceNotFoundException",
		},
		{
			name:     "a name prefix without a log group",
			run:      prod("us-east-1", filters(cloudwatchlogs.DescribeMetricFiltersInput{FilterNamePrefix: aws.String("Root")})),
			wantCode: "InvalidParameterException",
		},
		{
			name:     "a root session may not read metric filters",
			run:      inRoot(grProd, filters(cloudwatchlogs.DescribeMetricFiltersInput{})),
			wantCode: "AccessDeniedException",
		},
	})
}

type alarmRow struct {
	Name, Namespace, Metric string
	Enabled                 bool
	Actions                 []string
}

func alarms(in cloudwatch.DescribeAlarmsInput) func(*testing.T, aws.Config) (any, error) {
	return func(t *testing.T, c aws.Config) (any, error) {
		var got []alarmRow
		p := cloudwatch.NewDescribeAlarmsPaginator(cloudwatch.NewFromConfig(c), &in)
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			if err != nil {
				return nil, err
			}
			for _, a := range out.MetricAlarms {
				got = append(got, alarmRow{aws.ToString(a.AlarmName), aws.ToString(a.Namespace), aws.ToString(a.MetricName),
					aws.ToBool(a.ActionsEnabled), a.AlarmActions})
			}
		}
		return got, nil
	}
}

func TestCloudWatch(t *testing.T) {
	e := guardrailsEnv(t)
	rootUsage := alarmRow{"root-usage", "CISBenchmark", "RootAccountUsageCount", true, []string{"arn:aws:sns:us-east-1:222222222222:security-alerts"}}
	noMFA := alarmRow{"no-mfa", "CISBenchmark", "ConsoleNoMFA", false, []string{"arn:aws:sns:us-east-1:222222222222:other"}}
	runCases(t, e, []opCase{
		{name: "every metric alarm, one per page", run: prod("us-east-1", alarms(cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(1)})),
			want: []alarmRow{rootUsage, noMFA}},
		{name: "by name", run: prod("us-east-1", alarms(cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"no-mfa"}})), want: []alarmRow{noMFA}},
		{name: "by action prefix", run: prod("us-east-1", alarms(cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:us-east-1:222222222222:sec")})),
			want: []alarmRow{rootUsage}},
		{name: "another region", run: prod("eu-west-1", alarms(cloudwatch.DescribeAlarmsInput{})),
			want: []alarmRow{{"eu-root", "CISBenchmark", "EuRoot", true, []string{}}}},
		{name: "none in the management account", run: callerIn("us-east-1", alarms(cloudwatch.DescribeAlarmsInput{})), want: []alarmRow(nil)},
		{name: "names and a prefix together", run: prod("us-east-1", alarms(cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"x"}, AlarmNamePrefix: aws.String("x")})),
			wantCode: "InvalidParameterCombination"},
		{
			name: "timestamps arrive as CBOR epoch tags",
			run: prod("us-east-1", func(t *testing.T, c aws.Config) (any, error) {
				out, err := cloudwatch.NewFromConfig(c).DescribeAlarms(t.Context(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"no-mfa"}})
				if err != nil {
					return nil, err
				}
				a := out.MetricAlarms[0]
				return []any{epoch.Sub(aws.ToTime(a.StateUpdatedTimestamp)), aws.ToFloat64(a.Threshold), aws.ToInt32(a.Period)}, nil
			}),
			want: []any{days(90), 1.0, int32(300)},
		},
		{name: "a bad next token", run: prod("us-east-1", alarms(cloudwatch.DescribeAlarmsInput{NextToken: aws.String("garbage")})),
			wantCode: "InvalidNextToken"},
	})
}

func TestCloudWatchThrottlingRecovers(t *testing.T) {
	s := must(sim.LoadScenario("testdata/guardrails.yaml"))(t)
	// The IAM action prefix names the service as well as its signing name.
	s.Faults = []sim.Fault{{Operation: "cloudwatch:DescribeAlarms", Code: "Throttling", Status: 400, Times: 2}}
	e := newEnv(t, s)
	got := must(alarms(cloudwatch.DescribeAlarmsInput{})(t, e.caller()))(t)
	if rows := got.([]alarmRow); len(rows) != 0 {
		t.Errorf("management alarms = %v, want none", rows)
	}
	if n, codes := countCalls(e.srv.Calls(), "DescribeAlarms"); n != 3 || codes[0] != "Throttling" || codes[1] != "Throttling" || codes[2] != "" {
		t.Errorf("DescribeAlarms calls = %d with codes %v, want 3 with two Throttling", n, codes)
	}
}

func TestSNS(t *testing.T) {
	e := guardrailsEnv(t)
	subs := func(topic string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			out, err := sns.NewFromConfig(c).ListSubscriptionsByTopic(t.Context(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
			if err != nil {
				return nil, err
			}
			var got [][3]string
			for _, s := range out.Subscriptions {
				arn := aws.ToString(s.SubscriptionArn)
				if arn != "PendingConfirmation" {
					arn = "confirmed"
				}
				got = append(got, [3]string{aws.ToString(s.Protocol), aws.ToString(s.Endpoint), arn})
			}
			return got, nil
		}
	}
	runCases(t, e, []opCase{
		{
			name: "ListTopics",
			run: prod("us-east-1", func(t *testing.T, c aws.Config) (any, error) {
				out, err := sns.NewFromConfig(c).ListTopics(t.Context(), &sns.ListTopicsInput{})
				if err != nil {
					return nil, err
				}
				var got []string
				for _, tp := range out.Topics {
					got = append(got, aws.ToString(tp.TopicArn))
				}
				return got, nil
			}),
			want: []string{"arn:aws:sns:us-east-1:222222222222:security-alerts", "arn:aws:sns:us-east-1:222222222222:other"},
		},
		{
			name: "a pending subscription has no ARN yet",
			run:  prod("us-east-1", subs("arn:aws:sns:us-east-1:222222222222:security-alerts")),
			want: [][3]string{{"email", "security@prod.example", "PendingConfirmation"}, {"https", "https://hooks.prod.example/root", "confirmed"}},
		},
		{name: "a topic of another region", run: prod("eu-west-1", subs("arn:aws:sns:us-east-1:222222222222:security-alerts")), wantCode: "NotFound"},
		{name: "not a topic ARN", run: prod("us-east-1", subs("security-alerts")), wantCode: "InvalidParameter"},
	})
}

func TestSNSListTopicsPages(t *testing.T) {
	s := must(sim.LoadScenario("testdata/guardrails.yaml"))(t)
	for i := range 230 {
		s.Accounts[0].Topics = append(s.Accounts[0].Topics, sim.Topic{Name: fmt.Sprintf("topic-%03d", i)})
	}
	e := newEnv(t, s)
	p := sns.NewListTopicsPaginator(sns.NewFromConfig(e.caller()), &sns.ListTopicsInput{})
	seen := map[string]bool{}
	for p.HasMorePages() {
		out := must(p.NextPage(t.Context()))(t)
		for _, tp := range out.Topics {
			seen[aws.ToString(tp.TopicArn)] = true
		}
	}
	if n, _ := countCalls(e.srv.Calls(), "ListTopics"); len(seen) != 230 || n != 3 {
		t.Errorf("ListTopics: %d distinct topics in %d pages, want 230 in 3", len(seen), n)
	}
}

func TestEventBridge(t *testing.T) {
	e := guardrailsEnv(t)
	rules := func(bus string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			in := &eventbridge.ListRulesInput{Limit: aws.Int32(1)}
			if bus != "" {
				in.EventBusName = aws.String(bus)
			}
			var got [][4]string
			for {
				out, err := eventbridge.NewFromConfig(c).ListRules(t.Context(), in)
				if err != nil {
					return nil, err
				}
				for _, r := range out.Rules {
					got = append(got, [4]string{aws.ToString(r.Name), aws.ToString(r.Arn), string(r.State), aws.ToString(r.EventPattern)})
				}
				if out.NextToken == nil {
					return got, nil
				}
				in.NextToken = out.NextToken
			}
		}
	}
	targets := func(rule, bus string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)}
			if bus != "" {
				in.EventBusName = aws.String(bus)
			}
			out, err := eventbridge.NewFromConfig(c).ListTargetsByRule(t.Context(), in)
			if err != nil {
				return nil, err
			}
			var got []string
			for _, tg := range out.Targets {
				got = append(got, aws.ToString(tg.Arn))
			}
			return got, nil
		}
	}
	runCases(t, e, []opCase{
		{
			name: "rules on the default bus keep the pattern as JSON in the order written",
			run:  prod("us-east-1", rules("")),
			want: [][4]string{{"root-activity", "arn:aws:events:us-east-1:222222222222:rule/root-activity", "ENABLED",
				`{"detail-type":["AWS API Call via CloudTrail","AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`}},
		},
		{
			name: "rules on a custom bus given by ARN",
			run:  prod("us-east-1", rules("arn:aws:events:us-east-1:222222222222:event-bus/audit")),
			want: [][4]string{{"s3-audit", "arn:aws:events:us-east-1:222222222222:rule/audit/s3-audit", "DISABLED", `{"source":["aws.s3"]}`}},
		},
		{name: "no rules in another region", run: prod("eu-west-1", rules("")), want: [][4]string(nil)},
		{name: "a bus that does not exist", run: prod("us-east-1", rules("nope")), wantCode: "ResourceNotFoundException"},
		{name: "targets name the SNS topic", run: prod("us-east-1", targets("root-activity", "")),
			want: []string{"arn:aws:sns:us-east-1:222222222222:security-alerts"}},
		{name: "targets on a custom bus", run: prod("us-east-1", targets("s3-audit", "audit")),
			want: []string{"arn:aws:lambda:us-east-1:222222222222:function:audit"}},
		{name: "targets of an unknown rule", run: prod("us-east-1", targets("nope", "")), wantCode: "ResourceNotFoundException"},
	})
}

func TestGuardDuty(t *testing.T) {
	e := guardrailsEnv(t)
	detectors := func(t *testing.T, c aws.Config) (any, error) {
		gd := guardduty.NewFromConfig(c)
		var got []string
		p := guardduty.NewListDetectorsPaginator(gd, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			if err != nil {
				return nil, err
			}
			for _, id := range out.DetectorIds {
				d, err := gd.GetDetector(t.Context(), &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
				if err != nil {
					return nil, err
				}
				got = append(got, fmt.Sprintf("%d %s", len(id), d.Status))
			}
		}
		return got, nil
	}
	runCases(t, e, []opCase{
		{name: "enabled", run: prod("us-east-1", detectors), want: []string{"32 ENABLED"}},
		{name: "suspended", run: prod("eu-west-1", detectors), want: []string{"32 DISABLED"}},
		{name: "no detector", run: prod("ap-south-1", detectors), want: []string(nil)},
		{name: "none in the management account", run: callerIn("us-east-1", detectors), want: []string(nil)},
		{
			name: "a detector of another account",
			run: prod("us-east-1", func(t *testing.T, c aws.Config) (any, error) {
				return guardduty.NewFromConfig(c).GetDetector(t.Context(), &guardduty.GetDetectorInput{DetectorId: aws.String("0123456789abcdef0123456789abcdef")})
			}),
			wantCode: "BadRequestException",
		},
	})
}

func TestMailFacts(t *testing.T) {
	e := guardrailsEnv(t)
	zones := func(in route53.ListHostedZonesInput) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			var got []string
			p := route53.NewListHostedZonesPaginator(route53.NewFromConfig(c), &in)
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				if err != nil {
					return nil, err
				}
				for _, z := range out.HostedZones {
					got = append(got, fmt.Sprintf("%s private=%t", aws.ToString(z.Name), z.Config.PrivateZone))
				}
			}
			return got, nil
		}
	}
	domains := func(t *testing.T, c aws.Config) (any, error) {
		out, err := route53domains.NewFromConfig(c).ListDomains(t.Context(), &route53domains.ListDomainsInput{})
		if err != nil {
			return nil, err
		}
		var got []string
		for _, d := range out.Domains {
			got = append(got, aws.ToString(d.DomainName))
		}
		return got, nil
	}
	receipt := func(t *testing.T, c aws.Config) (any, error) {
		out, err := ses.NewFromConfig(c).DescribeActiveReceiptRuleSet(t.Context(), &ses.DescribeActiveReceiptRuleSetInput{})
		if err != nil {
			return nil, err
		}
		var got []string
		for _, r := range out.Rules {
			got = append(got, r.Recipients...)
		}
		return []any{out.Metadata != nil, got}, nil
	}
	workmailDomains := func(t *testing.T, c aws.Config) (any, error) {
		wm := workmail.NewFromConfig(c)
		orgs, err := wm.ListOrganizations(t.Context(), &workmail.ListOrganizationsInput{})
		if err != nil {
			return nil, err
		}
		var got []string
		for _, o := range orgs.OrganizationSummaries {
			out, err := wm.ListMailDomains(t.Context(), &workmail.ListMailDomainsInput{OrganizationId: o.OrganizationId, MaxResults: aws.Int32(1)})
			if err != nil {
				return nil, err
			}
			for out.NextToken != nil {
				for _, d := range out.MailDomains {
					got = append(got, aws.ToString(d.DomainName))
				}
				if out, err = wm.ListMailDomains(t.Context(), &workmail.ListMailDomainsInput{OrganizationId: o.OrganizationId, MaxResults: aws.Int32(1), NextToken: out.NextToken}); err != nil {
					return nil, err
				}
			}
			for _, d := range out.MailDomains {
				got = append(got, aws.ToString(d.DomainName))
			}
		}
		return got, nil
	}
	runCases(t, e, []opCase{
		{name: "hosted zones, one per page", run: prod("us-east-1", zones(route53.ListHostedZonesInput{MaxItems: aws.Int32(1)})),
			want: []string{"prod.example. private=false", "internal.prod.example. private=true"}},
		{name: "private hosted zones", run: prod("us-east-1", zones(route53.ListHostedZonesInput{HostedZoneType: r53types.HostedZoneTypePrivateHostedZone})),
			want: []string{"internal.prod.example. private=true"}},
		{name: "hosted zones with a bad type", run: prod("us-east-1", zones(route53.ListHostedZonesInput{HostedZoneType: "PublicHostedZone"})),
			wantCode: "InvalidInput"},
		{name: "no hosted zones", run: callerIn("us-east-1", zones(route53.ListHostedZonesInput{})), want: []string(nil)},
		{name: "registered domains", run: prod("us-east-1", domains), want: []string{"prod.example"}},
		{name: "registered domains outside us-east-1", run: prod("eu-west-1", domains), wantCode: "UnrecognizedClientException"},
		{name: "SES inbound recipients", run: prod("us-east-1", receipt), want: []any{true, []string{"prod.example", "root@prod.example"}}},
		{name: "no active receipt rule set", run: callerIn("us-east-1", receipt), want: []any{false, []string(nil)}},
		{name: "WorkMail domains, one per page", run: prod("us-east-1", workmailDomains), want: []string{"prod.example", "mail.prod.example"}},
		{name: "no WorkMail organization", run: prod("eu-west-1", workmailDomains), want: []string(nil)},
		{
			name: "WorkMail domains of an unknown organization",
			run: prod("us-east-1", func(t *testing.T, c aws.Config) (any, error) {
				return workmail.NewFromConfig(c).ListMailDomains(t.Context(), &workmail.ListMailDomainsInput{OrganizationId: aws.String("m-00000000000000000000000000000000")})
			}),
			wantCode: "OrganizationNotFoundException",
		},
	})
}
