package awsclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "message of " + code}
}

func TestErrorCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "nil", err: nil, want: ""},
		{name: "iam access denied", err: apiErr("AccessDenied"), want: awsclient.CodeAccessDenied},
		{name: "account access denied", err: apiErr("AccessDeniedException"), want: awsclient.CodeAccessDenied},
		{name: "not management", err: apiErr("AccountNotManagementOrDelegatedAdministratorException"), want: awsclient.CodeAccessDenied},
		{name: "wrapped", err: fmt.Errorf("get summary: %w", apiErr("AccessDenied")), want: awsclient.CodeAccessDenied},
		{name: "throttling", err: apiErr("Throttling"), want: awsclient.CodeThrottling},
		{name: "too many requests", err: apiErr("TooManyRequestsException"), want: awsclient.CodeThrottling},
		{name: "iam limit exceeded", err: apiErr("LimitExceeded"), want: awsclient.CodeThrottling},
		{name: "no such entity", err: apiErr("NoSuchEntity"), want: awsclient.CodeNoSuchEntity},
		{name: "resource not found", err: apiErr("ResourceNotFoundException"), want: awsclient.CodeResourceNotFound},
		{name: "opt in", err: apiErr("OptInRequired"), want: awsclient.CodeOptInRequired},
		{name: "no organization", err: apiErr("AWSOrganizationsNotInUseException"), want: awsclient.CodeNotInOrganization},
		{name: "other code kept", err: apiErr("ValidationException"), want: "ValidationException"},
		{name: "retries ran out", err: errors.Join(apiErr("Throttling"), ratelimit.QuotaExceededError{}), want: awsclient.CodeThrottling},
		{name: "retry quota", err: fmt.Errorf("retry: %w", ratelimit.QuotaExceededError{}), want: awsclient.CodeRetryQuotaExceeded},
		{name: "canceled", err: fmt.Errorf("call: %w", context.Canceled), want: awsclient.CodeCanceled},
		{name: "deadline", err: context.DeadlineExceeded, want: awsclient.CodeCanceled},
		{name: "network", err: errors.New("dial tcp: connection refused"), want: awsclient.CodeClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := awsclient.ErrorCode(tt.err); got != tt.want {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	if got, want := awsclient.ErrorMessage(fmt.Errorf("x: %w", apiErr("AccessDenied"))), "message of AccessDenied"; got != want {
		t.Errorf("ErrorMessage = %q, want %q", got, want)
	}
	if got, want := awsclient.ErrorMessage(errors.New("dial failed")), "dial failed"; got != want {
		t.Errorf("ErrorMessage = %q, want %q", got, want)
	}
	if got, want := awsclient.APIMessage(fmt.Errorf("x: %w", apiErr("AccessDenied"))), "message of AccessDenied"; got != want {
		t.Errorf("APIMessage = %q, want %q", got, want)
	}
	if got := awsclient.APIMessage(errors.New("dial failed")); got != "" {
		t.Errorf("APIMessage of an error no API answered = %q, want none", got)
	}
	if got := awsclient.ErrorMessage(nil); got != "" {
		t.Errorf("ErrorMessage(nil) = %q, want none", got)
	}
	if !awsclient.IsNotFound(apiErr("NoSuchEntity")) || awsclient.IsNotFound(apiErr("AccessDenied")) {
		t.Error("IsNotFound misclassifies")
	}
}

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	creds := awsclient.StaticCredentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: secret, SessionToken: "token-" + secret}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("static", "creds", creds)
	log.Info("retrieved", "creds", awsclient.Redact(aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: secret, SessionToken: secret}))
	log.Info("provider", "provider", &awsclient.RootSessionProvider{AccountID: "222222222222", TaskPolicyARN: awsclient.TaskAuditRootUserCredentials})
	for _, s := range []string{buf.String(), fmt.Sprintf("%v %+v %#v %s", creds, creds, creds, creds)} {
		if strings.Contains(s, secret) {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "AKIAEXAMPLE") {
			t.Errorf("access key ID missing: %s", s)
		}
	}
}

// fakeSTS records the AssumeRoot input and answers with fixed credentials.
type fakeSTS struct {
	got  *sts.AssumeRootInput
	resp *sts.AssumeRootOutput
	err  error
}

func (f *fakeSTS) AssumeRoot(_ context.Context, in *sts.AssumeRootInput, _ ...func(*sts.Options)) (*sts.AssumeRootOutput, error) {
	f.got = in
	return f.resp, f.err
}

func TestRootSessionProvider(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 11, 28, 10, 15, 0, 0, time.UTC)
	ok := &sts.AssumeRootOutput{Credentials: &ststypes.Credentials{
		AccessKeyId: aws.String("ASIAROOT"), SecretAccessKey: aws.String("s"), SessionToken: aws.String("t"), Expiration: &exp,
	}}
	tests := []struct {
		name         string
		duration     time.Duration
		resp         *sts.AssumeRootOutput
		err          error
		wantDuration int32
		wantErr      string
	}{
		{name: "default is the maximum", resp: ok, wantDuration: 900},
		{name: "above the maximum is capped", duration: time.Hour, resp: ok, wantDuration: 900},
		{name: "short session", duration: time.Minute, resp: ok, wantDuration: 60},
		{name: "refused", resp: nil, err: apiErr("AccessDenied"), wantDuration: 900, wantErr: "assume root in account 222222222222"},
		{name: "empty answer", resp: &sts.AssumeRootOutput{}, wantDuration: 900, wantErr: "answer holds no credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeSTS{resp: tt.resp, err: tt.err}
			p := &awsclient.RootSessionProvider{Client: f, AccountID: "222222222222", TaskPolicyARN: awsclient.TaskAuditRootUserCredentials, Duration: tt.duration}
			creds, err := p.Retrieve(t.Context())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Retrieve error = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if !creds.CanExpire || !creds.Expires.Equal(exp) || creds.AccessKeyID != "ASIAROOT" {
				t.Errorf("credentials %+v", awsclient.Redact(creds))
			}
			want := &sts.AssumeRootInput{
				TargetPrincipal: aws.String("222222222222"),
				TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(awsclient.TaskAuditRootUserCredentials)},
				DurationSeconds: aws.Int32(tt.wantDuration),
			}
			if diff := cmp.Diff(want, f.got, cmp.AllowUnexported(sts.AssumeRootInput{}, ststypes.PolicyDescriptorType{})); diff != "" {
				t.Errorf("AssumeRoot input (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	creds := awsclient.StaticCredentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: secret}
	tests := []struct {
		name         string
		opts         awsclient.Options
		wantAttempts int
	}{
		{name: "defaults", opts: awsclient.Options{Region: "eu-west-1", Credentials: creds}, wantAttempts: awsclient.DefaultMaxAttempts},
		{name: "endpoint and attempts", opts: awsclient.Options{Region: "eu-west-1", EndpointURL: "http://127.0.0.1:1", MaxAttempts: 3, Credentials: creds}, wantAttempts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := awsclient.Load(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != "eu-west-1" {
				t.Errorf("region %q", cfg.Region)
			}
			if got := aws.ToString(cfg.BaseEndpoint); got != tt.opts.EndpointURL {
				t.Errorf("base endpoint %q, want %q", got, tt.opts.EndpointURL)
			}
			r := cfg.Retryer()
			if r.MaxAttempts() != tt.wantAttempts {
				t.Errorf("max attempts %d, want %d", r.MaxAttempts(), tt.wantAttempts)
			}
			if !r.IsErrorRetryable(apiErr("Throttling")) || r.IsErrorRetryable(apiErr("AccessDenied")) {
				t.Error("retryer does not retry throttling only")
			}
			got, err := cfg.Credentials.Retrieve(t.Context())
			if err != nil || got.AccessKeyID != "AKIAEXAMPLE" {
				t.Errorf("credentials %v, %v", awsclient.Redact(got), err)
			}
		})
	}
}

// TestLoadEnvironment runs without t.Parallel: it sets the environment.
func TestLoadEnvironment(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	cfg, err := awsclient.Load(t.Context(), awsclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != awsclient.DefaultRegion {
		t.Errorf("region %q, want %q", cfg.Region, awsclient.DefaultRegion)
	}
	_, err = awsclient.Load(t.Context(), awsclient.Options{Profile: "no-such-profile"})
	if err == nil || !strings.Contains(err.Error(), `profile "no-such-profile"`) {
		t.Errorf("Load with an unknown profile: error %v, want one naming the profile", err)
	}
}

// TestSessionsAgainstSim opens root and role sessions through the real STS
// client against the sim endpoint and uses them.
func TestSessionsAgainstSim(t *testing.T) {
	t.Parallel()
	_, cfg := simtest.Start(t, sim.Demo(), sim.Options{})
	stsc := sts.NewFromConfig(cfg)

	t.Run("audit root session", func(t *testing.T) {
		root := awsclient.AssumeRoot(stsc, "777777777777", awsclient.TaskAuditRootUserCredentials)
		creds, err := root.Retrieve(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !creds.CanExpire || time.Until(creds.Expires) > 15*time.Minute {
			t.Errorf("session expires %v, want within 15 minutes", creds.Expires)
		}
		c := iam.NewFromConfig(cfg, func(o *iam.Options) { o.Credentials = root })
		if _, err := c.GetLoginProfile(t.Context(), &iam.GetLoginProfileInput{}); err != nil {
			t.Errorf("GetLoginProfile in the audit session: %v", err)
		}
		_, err = c.ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{})
		if got := awsclient.ErrorCode(err); got != awsclient.CodeAccessDenied {
			t.Errorf("ListVirtualMFADevices outside the task policy: code %q (%v), want AccessDenied", got, err)
		}
	})
	t.Run("refused root session", func(t *testing.T) {
		_, err := awsclient.AssumeRoot(stsc, "999999999999", awsclient.TaskAuditRootUserCredentials).Retrieve(t.Context())
		if got := awsclient.ErrorCode(err); got != awsclient.CodeAccessDenied {
			t.Errorf("code %q (%v), want AccessDenied", got, err)
		}
	})
	t.Run("role session", func(t *testing.T) {
		role := awsclient.AssumeRole(stsc, "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole")
		c := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Credentials = role })
		out, err := c.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Account); got != "222222222222" {
			t.Errorf("caller account %q, want 222222222222", got)
		}
	})
}
