package sim_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/rootguard/rootguard/internal/sim"
)

// epoch is the fake clock's start: every relative scenario date resolves
// against it.
var epoch = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// clock is a fake clock tests advance by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a running server and the means to build SDK clients against it.
type env struct {
	srv    *sim.Server
	clock  *clock
	mu     sync.Mutex
	sleeps []time.Duration
}

func newEnv(t *testing.T, s *sim.Scenario) *env {
	t.Helper()
	return newEnvWith(t, s, false)
}

// writableEnv serves s with writes allowed.
func writableEnv(t *testing.T, s *sim.Scenario) *env {
	t.Helper()
	return newEnvWith(t, s, true)
}

func newEnvWith(t *testing.T, s *sim.Scenario, writable bool) *env {
	t.Helper()
	e := &env{clock: &clock{t: epoch}}
	srv, err := sim.Start(s, sim.Options{
		Writable: writable,
		Now:      e.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.sleeps = append(e.sleeps, d)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.srv = srv
	return e
}

func demoEnv(t *testing.T) *env { return newEnv(t, sim.Demo()) }

func (e *env) slept() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

// noBackoff retries at once: the tests must not sleep.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

func (e *env) config(p aws.CredentialsProvider, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  p,
		BaseEndpoint: aws.String(e.srv.URL()),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.Backoff = noBackoff{} })
		},
	}
}

// caller is the scenario caller's configuration.
func (e *env) caller() aws.Config {
	ak, sk := e.srv.Credentials()
	return e.config(credentials.NewStaticCredentialsProvider(ak, sk, ""), e.srv.Region())
}

func fromCreds(e *env, c *ststypes.Credentials) aws.Config {
	return e.config(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)), e.srv.Region())
}

const auditPolicy = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"

// root opens an AssumeRoot audit session on a member account.
func (e *env) root(t *testing.T, target string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(e.caller()).AssumeRoot(t.Context(), &sts.AssumeRootInput{
		TargetPrincipal: aws.String(target),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(auditPolicy)},
		DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatalf("AssumeRoot %s: %v", target, err)
	}
	return fromCreds(e, out.Credentials)
}

// role assumes OrganizationAccountAccessRole in a member account.
func (e *env) role(t *testing.T, target string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(e.caller()).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + target + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("rootguard"),
	})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", target, err)
	}
	return fromCreds(e, out.Credentials)
}

func iamc(c aws.Config) *iam.Client           { return iam.NewFromConfig(c) }
func stsc(c aws.Config) *sts.Client           { return sts.NewFromConfig(c) }
func orgc(c aws.Config) *organizations.Client { return organizations.NewFromConfig(c) }
func acctc(c aws.Config) *account.Client      { return account.NewFromConfig(c) }
func ago(d time.Duration) *time.Time          { t := epoch.Add(-d); return &t }
func days(n int) time.Duration                { return time.Duration(n) * 24 * time.Hour }

// must(v, err)(t) returns v, failing the test on err.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// code is the AWS error code of err, "" for nil.
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

// message is the AWS error message of err.
func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
