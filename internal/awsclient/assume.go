package awsclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// Task policies for sts:AssumeRoot. Each limits the root session to one
// job; rootguard audits with the first and removes credentials with the
// second.
const (
	TaskAuditRootUserCredentials  = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	TaskDeleteRootUserCredentials = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
	TaskCreateRootUserPassword    = "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"
	TaskS3UnlockBucketPolicy      = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
	TaskSQSUnlockQueuePolicy      = "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
)

// MaxRootSessionSeconds is the longest session sts:AssumeRoot grants.
const MaxRootSessionSeconds = 900

// RoleSessionName names the sessions rootguard opens with sts:AssumeRole,
// so they are recognizable in CloudTrail.
const RoleSessionName = "rootguard"

// AssumeRootAPI is the part of the STS client AssumeRoot needs.
type AssumeRootAPI interface {
	AssumeRoot(ctx context.Context, in *sts.AssumeRootInput, optFns ...func(*sts.Options)) (*sts.AssumeRootOutput, error)
}

// AssumeRoleAPI is the part of the STS client AssumeRole needs.
type AssumeRoleAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// AssumeRoot returns credentials for a task-scoped root session in the
// member account accountID, renewed as they expire. client must be an STS
// client on a Regional endpoint (the global endpoint refuses AssumeRoot);
// the SDK's default STS endpoints are Regional. Nothing is called until the
// credentials are first retrieved.
func AssumeRoot(client AssumeRootAPI, accountID, taskPolicyARN string) aws.CredentialsProvider {
	return aws.NewCredentialsCache(&RootSessionProvider{Client: client, AccountID: accountID, TaskPolicyARN: taskPolicyARN})
}

// AssumeRole returns credentials for a session in roleARN, renewed as they
// expire. Nothing is called until the credentials are first retrieved.
func AssumeRole(client AssumeRoleAPI, roleARN string) aws.CredentialsProvider {
	return aws.NewCredentialsCache(&RoleSessionProvider{Client: client, RoleARN: roleARN})
}

// RootSessionProvider calls sts:AssumeRoot. Use it through AssumeRoot, which
// caches its credentials.
type RootSessionProvider struct {
	Client        AssumeRootAPI
	AccountID     string
	TaskPolicyARN string
	// Duration is the session length; 0 or more than 900 s means 900 s.
	Duration time.Duration
}

// Retrieve opens a root session.
func (p *RootSessionProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	secs := int32(p.Duration / time.Second)
	if secs <= 0 || secs > MaxRootSessionSeconds {
		secs = MaxRootSessionSeconds
	}
	out, err := p.Client.AssumeRoot(ctx, &sts.AssumeRootInput{
		TargetPrincipal: aws.String(p.AccountID),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(p.TaskPolicyARN)},
		DurationSeconds: aws.Int32(secs),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume root in account %s: %w", p.AccountID, err)
	}
	return fromSTS(out.Credentials, "AssumeRoot:"+p.AccountID)
}

// LogValue names the session without any secret.
func (p *RootSessionProvider) LogValue() slog.Value {
	return slog.GroupValue(slog.String("account_id", p.AccountID), slog.String("task_policy", p.TaskPolicyARN))
}

// RoleSessionProvider calls sts:AssumeRole. Use it through AssumeRole, which
// caches its credentials.
type RoleSessionProvider struct {
	Client  AssumeRoleAPI
	RoleARN string
}

// Retrieve opens a role session.
func (p *RoleSessionProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	out, err := p.Client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(p.RoleARN),
		RoleSessionName: aws.String(RoleSessionName),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s: %w", p.RoleARN, err)
	}
	return fromSTS(out.Credentials, "AssumeRole:"+p.RoleARN)
}

// LogValue names the role without any secret.
func (p *RoleSessionProvider) LogValue() slog.Value {
	return slog.GroupValue(slog.String("role_arn", p.RoleARN))
}

func fromSTS(c *ststypes.Credentials, source string) (aws.Credentials, error) {
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil {
		return aws.Credentials{}, errors.New(source + ": answer holds no credentials")
	}
	creds := aws.Credentials{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		SessionToken:    aws.ToString(c.SessionToken),
		Source:          source,
	}
	if c.Expiration != nil {
		creds.CanExpire = true
		creds.Expires = *c.Expiration
	}
	return creds, nil
}

// StaticCredentials is a fixed access key, for tests and for callers that
// already hold a session. It never logs its secret or token.
type StaticCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Retrieve returns the key.
func (c StaticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, errors.New("static credentials: access key ID or secret is empty")
	}
	return aws.Credentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Source:          "StaticCredentials",
	}, nil
}

// LogValue shows the access key ID only; the secret and token are redacted.
func (c StaticCredentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_key_id", c.AccessKeyID),
		slog.String("secret_access_key", redacted),
		slog.String("session_token", redacted),
	)
}

// String keeps fmt from printing the secret too.
func (c StaticCredentials) String() string {
	return "StaticCredentials{" + c.AccessKeyID + " " + redacted + "}"
}

// GoString is String, for %#v.
func (c StaticCredentials) GoString() string { return c.String() }

// Redact returns creds as a log value with the secret and token removed.
func Redact(creds aws.Credentials) slog.Value {
	return slog.GroupValue(
		slog.String("access_key_id", creds.AccessKeyID),
		slog.String("secret_access_key", redacted),
		slog.String("session_token", redacted),
		slog.String("source", creds.Source),
		slog.Time("expires", creds.Expires),
	)
}

const redacted = "REDACTED"
