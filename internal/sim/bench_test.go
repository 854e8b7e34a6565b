package sim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/rootguard/rootguard/internal/sim"
)

// BenchmarkListAccounts walks ListAccounts of a 5,000-account organization
// (250 pages) through the SDK paginator over loopback.
func BenchmarkListAccounts(b *testing.B) {
	srv, err := sim.Start(sim.Generate(5000, 1), sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	e := &env{srv: srv}
	c := orgc(e.caller())
	for b.Loop() {
		n := 0
		p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			n += len(out.Accounts)
		}
		if n != 5000 {
			b.Fatalf("%d accounts, want 5000", n)
		}
	}
}

// BenchmarkRootAudit is one member's audit: AssumeRoot, then the seven
// IAMAuditRootUserCredentials reads.
func BenchmarkRootAudit(b *testing.B) {
	srv, err := sim.Start(sim.Demo(), sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	e := &env{srv: srv}
	s := stsc(e.caller())
	for b.Loop() {
		out, err := s.AssumeRoot(b.Context(), &sts.AssumeRootInput{
			TargetPrincipal: aws.String(rootKeys),
			TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(auditPolicy)},
		})
		if err != nil {
			b.Fatal(err)
		}
		c := iamc(fromCreds(e, out.Credentials))
		ctx := b.Context()
		_, err1 := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
		_, err2 := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
		keys, err3 := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		_, err4 := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{})
		_, err5 := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
		_, err6 := c.GetUser(ctx, &iam.GetUserInput{})
		if err := firstErr(err1, err3, err4, err5, err6); err != nil || code(err2) != "NoSuchEntity" {
			b.Fatal(err, err2)
		}
		for _, k := range keys.AccessKeyMetadata {
			if _, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkDetectiveRead is one member's detective-control and mail read in
// one region, as the collector makes it: AssumeRole, then trails with their
// status and selectors, metric filters, alarms (CBOR), topics with their
// subscriptions, EventBridge rules with their targets, GuardDuty, and the
// four mail facts: 17 calls.
func BenchmarkDetectiveRead(b *testing.B) {
	srv, err := sim.Start(sim.Demo(), sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	e := &env{srv: srv}
	s := stsc(e.caller())
	for b.Loop() {
		ctx := b.Context()
		out, err := s.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn:         aws.String("arn:aws:iam::" + rootKeys + ":role/OrganizationAccountAccessRole"),
			RoleSessionName: aws.String("bench"),
		})
		if err != nil {
			b.Fatal(err)
		}
		c := fromCreds(e, out.Credentials)
		ct := cloudtrail.NewFromConfig(c)
		trails, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
		if err != nil || len(trails.TrailList) != 2 {
			b.Fatal(err, trails)
		}
		for _, tr := range trails.TrailList {
			_, err1 := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: tr.TrailARN})
			_, err2 := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: tr.TrailARN})
			if err := firstErr(err1, err2); err != nil {
				b.Fatal(err)
			}
		}
		_, err1 := cloudwatchlogs.NewFromConfig(c).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("payments-cloudtrail")})
		_, err2 := cloudwatch.NewFromConfig(c).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		topics, err3 := sns.NewFromConfig(c).ListTopics(ctx, &sns.ListTopicsInput{})
		if err := firstErr(err1, err2, err3); err != nil {
			b.Fatal(err)
		}
		for _, tp := range topics.Topics {
			if _, err := sns.NewFromConfig(c).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: tp.TopicArn}); err != nil {
				b.Fatal(err)
			}
		}
		_, err1 = eventbridge.NewFromConfig(c).ListRules(ctx, &eventbridge.ListRulesInput{})
		_, err2 = guardduty.NewFromConfig(c).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
		_, err3 = route53.NewFromConfig(c).ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		_, err4 := route53domains.NewFromConfig(c).ListDomains(ctx, &route53domains.ListDomainsInput{})
		_, err5 := ses.NewFromConfig(c).DescribeActiveReceiptRuleSet(ctx, &ses.DescribeActiveReceiptRuleSetInput{})
		_, err6 := workmail.NewFromConfig(c).ListOrganizations(ctx, &workmail.ListOrganizationsInput{})
		if err := firstErr(err1, err2, err3, err4, err5, err6); err != nil {
			b.Fatal(err)
		}
	}
}
