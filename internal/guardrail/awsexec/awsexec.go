// Package awsexec is the AWS adapter of guardrail.Executor: it makes a
// plan's calls with aws-sdk-go-v2 and classifies their errors as
// guardrail.CallError. It is the only package of rootguard that calls an
// AWS write operation.
package awsexec

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/guardrail"
)

// Executor makes plan calls, and break-glass tasks' calls, with aws-sdk-go-v2: the caller's
// credentials from Config, an sts:AssumeRoot session per member account
// for credential removal, an sts:AssumeRole session for an alerting stack
// in another account. This is the only place rootguard writes to AWS.
type Executor struct {
	cfg aws.Config
	sts *sts.Client

	mu       sync.Mutex
	sessions map[string]aws.CredentialsProvider
}

// New returns an executor acting with cfg's credentials.
func New(cfg aws.Config) *Executor {
	return &Executor{cfg: cfg, sts: sts.NewFromConfig(cfg), sessions: map[string]aws.CredentialsProvider{}}
}

// config returns the aws.Config a call is made with.
func (x *Executor) config(account string, c guardrail.Call) aws.Config {
	cfg := x.cfg.Copy()
	if c.Region != "" {
		cfg.Region = c.Region
	}
	key := ""
	switch c.Session {
	case guardrail.SessionAssumeRoot:
		key = "root:" + account + ":" + c.TaskPolicy
	case guardrail.SessionAssumeRole:
		key = "role:" + c.RoleARN
	default:
		return cfg
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	p, ok := x.sessions[key]
	if !ok {
		if c.Session == guardrail.SessionAssumeRoot {
			p = awsclient.AssumeRoot(x.sts, account, c.TaskPolicy)
		} else {
			p = awsclient.AssumeRole(x.sts, c.RoleARN)
		}
		x.sessions[key] = p
	}
	cfg.Credentials = p
	return cfg
}

// Call makes one call.
func (x *Executor) Call(ctx context.Context, acct string, c guardrail.Call) (map[string]string, error) {
	cfg := x.config(acct, c)
	p := c.Params
	opt := func(k string) *string {
		if v, ok := p[k]; ok {
			return aws.String(v)
		}
		return nil
	}
	var err error
	switch c.Operation {
	case "organizations:EnableAWSServiceAccess":
		_, err = organizations.NewFromConfig(cfg).EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: opt("ServicePrincipal")})
	case "iam:EnableOrganizationsRootCredentialsManagement":
		_, err = iam.NewFromConfig(cfg).EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
	case "iam:EnableOrganizationsRootSessions":
		_, err = iam.NewFromConfig(cfg).EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	case "organizations:EnablePolicyType":
		_, err = organizations.NewFromConfig(cfg).EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
			RootId: opt("RootId"), PolicyType: orgtypes.PolicyType(p["PolicyType"])})
	case "organizations:CreatePolicy":
		var out *organizations.CreatePolicyOutput
		out, err = organizations.NewFromConfig(cfg).CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: opt("Name"), Description: opt("Description"), Content: opt("Content"), Type: orgtypes.PolicyType(p["Type"])})
		if err == nil && out.Policy != nil && out.Policy.PolicySummary != nil {
			return map[string]string{"policy:" + p["Name"]: aws.ToString(out.Policy.PolicySummary.Id)}, nil
		}
	case "organizations:AttachPolicy":
		_, err = organizations.NewFromConfig(cfg).AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: opt("PolicyId"), TargetId: opt("TargetId")})
	case "account:PutAlternateContact":
		_, err = account.NewFromConfig(cfg).PutAlternateContact(ctx, &account.PutAlternateContactInput{
			AccountId:            opt("AccountId"),
			AlternateContactType: accounttypes.AlternateContactType(p["AlternateContactType"]),
			Name:                 opt("Name"), Title: opt("Title"), EmailAddress: opt("EmailAddress"), PhoneNumber: opt("PhoneNumber"),
		})
	case "sns:CreateTopic":
		in := &sns.CreateTopicInput{Name: opt("Name")}
		if v, ok := p["Attributes.Policy"]; ok {
			in.Attributes = map[string]string{"Policy": v}
		}
		_, err = sns.NewFromConfig(cfg).CreateTopic(ctx, in)
	case "sns:SetTopicAttributes":
		_, err = sns.NewFromConfig(cfg).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
			TopicArn: opt("TopicArn"), AttributeName: opt("AttributeName"), AttributeValue: opt("AttributeValue")})
	case "sns:Subscribe":
		_, err = sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: opt("TopicArn"), Protocol: opt("Protocol"), Endpoint: opt("Endpoint")})
	case "events:PutRule":
		_, err = eventbridge.NewFromConfig(cfg).PutRule(ctx, &eventbridge.PutRuleInput{
			Name: opt("Name"), EventPattern: opt("EventPattern"), State: ebtypes.RuleState(p["State"]), Description: opt("Description")})
	case "events:PutTargets":
		var out *eventbridge.PutTargetsOutput
		out, err = eventbridge.NewFromConfig(cfg).PutTargets(ctx, &eventbridge.PutTargetsInput{
			Rule: opt("Rule"), Targets: []ebtypes.Target{{Id: opt("Targets.1.Id"), Arn: opt("Targets.1.Arn"), RoleArn: opt("Targets.1.RoleArn")}}})
		if err == nil && out.FailedEntryCount > 0 {
			code, msg := "PutTargetsFailed", ""
			if len(out.FailedEntries) > 0 {
				code, msg = aws.ToString(out.FailedEntries[0].ErrorCode), aws.ToString(out.FailedEntries[0].ErrorMessage)
			}
			err = &entryError{code: code, msg: msg}
		}
	case "events:PutPermission":
		_, err = eventbridge.NewFromConfig(cfg).PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: opt("EventBusName"),
			Action: opt("Action"), Principal: opt("Principal"), StatementId: opt("StatementId")})
	case "iam:CreateRole":
		_, err = iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: opt("RoleName"),
			AssumeRolePolicyDocument: opt("AssumeRolePolicyDocument"), Description: opt("Description")})
	case "iam:PutRolePolicy":
		_, err = iam.NewFromConfig(cfg).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: opt("RoleName"),
			PolicyName: opt("PolicyName"), PolicyDocument: opt("PolicyDocument")})
	case "iam:DeleteLoginProfile":
		_, err = iam.NewFromConfig(cfg).DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
	case "iam:DeleteAccessKey":
		_, err = iam.NewFromConfig(cfg).DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: opt("AccessKeyId")})
	case "iam:DeleteSigningCertificate":
		_, err = iam.NewFromConfig(cfg).DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{CertificateId: opt("CertificateId")})
	case "iam:DeactivateMFADevice":
		_, err = iam.NewFromConfig(cfg).DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: opt("SerialNumber")})
	case "iam:CreateLoginProfile":
		// Without a password: the root user may then recover one by email.
		_, err = iam.NewFromConfig(cfg).CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{})
	case "sqs:SetQueueAttributes":
		// Only the queue policy: an empty value removes it.
		_, err = sqs.NewFromConfig(cfg).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
			QueueUrl: opt("QueueUrl"), Attributes: map[string]string{"Policy": p["Policy"]}})
	case "s3:DeleteBucketPolicy":
		_, err = s3.NewFromConfig(cfg, func(so *s3.Options) { so.UsePathStyle = cfg.BaseEndpoint != nil }).
			DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: opt("Bucket")})
	default:
		return nil, fmt.Errorf("%s: not an operation a plan may make", c.Operation)
	}
	if err != nil {
		// Apply's error names the change and the operation already.
		return nil, &guardrail.CallError{Code: awsclient.ErrorCode(err), Message: awsclient.APIMessage(err), Err: fmt.Errorf("in account %s: %w", acct, err)}
	}
	return nil, nil
}

var _ guardrail.Executor = (*Executor)(nil)

// entryError is a failed entry of a batch call that answered 200.
type entryError struct{ code, msg string }

func (e *entryError) Error() string     { return e.code + ": " + e.msg }
func (e *entryError) ErrorCode() string { return e.code }
