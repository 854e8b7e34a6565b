package sim_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

// TestReadOnlyRefusesEveryWrite drives each write operation of the table
// (TestWriteFlags lists them) through the SDK against a read-only server:
// every one is refused with AccessDenied, recorded as a write, and changes
// nothing.
func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	e := demoEnv(t)
	before := e.srv.Scenario()
	ctx := t.Context()
	org, ia, ac, eb, sn := orgc(e.caller()), iamc(e.caller()), acctc(e.caller()), ebc(e, "us-east-1"), snsc(e)
	del := iamc(e.deleteSession(t, signingCert))
	topic := aws.String("arn:aws:sns:us-east-1:111111111111:root-activity-alerts")
	calls := []struct {
		op   string
		call func(context.Context) error
	}{
		{"organizations:CreatePolicy", func(ctx context.Context) error {
			_, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("X"), Description: aws.String("x"), Content: aws.String(denyRootKeys), Type: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		}},
		{"organizations:UpdatePolicy", func(ctx context.Context) error {
			_, err := org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String("p-denyleaveorg1"), Name: aws.String("X")})
			return err
		}},
		{"organizations:AttachPolicy", func(ctx context.Context) error {
			_, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String(clean)})
			return err
		}},
		{"organizations:DetachPolicy", func(ctx context.Context) error {
			_, err := org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String("r-acme")})
			return err
		}},
		{"organizations:EnablePolicyType", func(ctx context.Context) error {
			_, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String("r-acme"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		}},
		{"organizations:EnableAWSServiceAccess", func(ctx context.Context) error {
			_, err := org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")})
			return err
		}},
		{"iam:EnableOrganizationsRootCredentialsManagement", func(ctx context.Context) error {
			_, err := ia.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		}},
		{"iam:EnableOrganizationsRootSessions", func(ctx context.Context) error {
			_, err := ia.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
			return err
		}},
		{"iam:DeleteLoginProfile", func(ctx context.Context) error {
			_, err := del.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
			return err
		}},
		{"iam:DeleteAccessKey", func(ctx context.Context) error {
			_, err := del.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String("AKIANOSUCHKEY0000000")})
			return err
		}},
		{"iam:DeleteSigningCertificate", func(ctx context.Context) error {
			_, err := del.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{CertificateId: aws.String("NOSUCHCERTIFICATE00000000000")})
			return err
		}},
		{"iam:DeactivateMFADevice", func(ctx context.Context) error {
			_, err := del.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String("GAHT20000555")})
			return err
		}},
		{"iam:CreateRole", func(ctx context.Context) error {
			_, err := ia.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String("{}")})
			return err
		}},
		{"iam:PutRolePolicy", func(ctx context.Context) error {
			_, err := ia.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String("{}")})
			return err
		}},
		{"account:PutAlternateContact", func(ctx context.Context) error {
			_, err := ac.PutAlternateContact(ctx, &account.PutAlternateContactInput{AccountId: aws.String(noSecurity), AlternateContactType: accttypes.AlternateContactTypeSecurity,
				Name: aws.String("n"), Title: aws.String("t"), EmailAddress: aws.String("a@b.example"), PhoneNumber: aws.String("+1")})
			return err
		}},
		{"account:DeleteAlternateContact", func(ctx context.Context) error {
			_, err := ac.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AccountId: aws.String(network), AlternateContactType: accttypes.AlternateContactTypeBilling})
			return err
		}},
		{"events:PutPermission", func(ctx context.Context) error {
			_, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String("777777777777"), StatementId: aws.String("x")})
			return err
		}},
		{"events:PutRule", func(ctx context.Context) error {
			_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(rootPattern)})
			return err
		}},
		{"events:PutTargets", func(ctx context.Context) error {
			_, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("root-activity"), Targets: []ebtypes.Target{{Id: aws.String("x"), Arn: topic}}})
			return err
		}},
		{"sns:CreateTopic", func(ctx context.Context) error {
			_, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("x")})
			return err
		}},
		{"sns:Subscribe", func(ctx context.Context) error {
			_, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("email"), Endpoint: aws.String("a@b.example")})
			return err
		}},
		{"sns:SetTopicAttributes", func(ctx context.Context) error {
			_, err := sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic, AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("x")})
			return err
		}},
		{"s3:PutBucketPolicy", func(ctx context.Context) error {
			_, err := s3.NewFromConfig(e.caller()).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("b-1"), Policy: aws.String("{}")})
			return err
		}},
		{"s3:DeleteBucketPolicy", func(ctx context.Context) error {
			_, err := s3.NewFromConfig(e.caller()).DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("b-1")})
			return err
		}},
		{"sqs:SetQueueAttributes", func(ctx context.Context) error {
			_, err := sqs.NewFromConfig(e.caller()).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(e.srv.URL() + "/111111111111/q"), Attributes: map[string]string{"Policy": ""}})
			return err
		}},
	}
	var want []string
	for _, c := range calls {
		t.Run(c.op, func(t *testing.T) {
			if err := c.call(ctx); code(err) != "AccessDenied" {
				t.Errorf("error = %v, want AccessDenied", err)
			}
		})
		want = append(want, c.op+" AccessDenied")
	}
	var got []string
	for _, c := range e.srv.Calls() {
		if c.Write {
			got = append(got, c.Service+":"+c.Operation+" "+c.ErrorCode)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("write calls recorded (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(before, e.srv.Scenario()); diff != "" {
		t.Errorf("a refused write changed the world (-before +after)\n%s", diff)
	}
}

// TestReadOnlyRefusesWithoutLooking: a write is refused before its input is
// looked at, so a read-only endpoint answers AccessDenied even to a
// malformed write.
func TestReadOnlyRefusesWithoutLooking(t *testing.T) {
	e := newEnv(t, sim.Demo())
	_, err := orgc(e.caller()).AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String("bad"), TargetId: aws.String("bad")})
	if code(err) != "AccessDenied" {
		t.Errorf("error = %v, want AccessDenied", err)
	}
}
