package awsclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
)

// DefaultRegion is used when neither the options, the environment nor the
// profile name a region. IAM, Organizations and the Account API are global
// services homed there, and sts:AssumeRoot needs some Regional endpoint.
const DefaultRegion = "us-east-1"

// DefaultMaxAttempts is how many times a call is tried (the first attempt
// included) before its error is kept. Throttling is the usual reason to retry
// during an organization-wide collection, so this is above the SDK's 3.
const DefaultMaxAttempts = 8

// maxIdleConnsPerHost keeps connections to the same service endpoint (IAM,
// Organizations) open across the accounts collected in parallel.
const maxIdleConnsPerHost = 64

// Options selects credentials, region and endpoint. The zero value uses the
// standard credential chain and the default region.
type Options struct {
	// Profile is a shared config profile name; empty uses AWS_PROFILE or
	// "default".
	Profile string
	// Region overrides the region from the environment or profile.
	Region string
	// EndpointURL sends every service client to one endpoint (a local
	// emulator, a VPC endpoint). Empty uses the AWS endpoints.
	EndpointURL string
	// MaxAttempts is the attempt limit per call; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// MaxBackoff caps the delay between attempts; 0 keeps the SDK default
	// (20 s). Tests shorten it to keep retries quick.
	MaxBackoff time.Duration
	// Credentials replaces the credential chain (tests, or a caller that
	// already holds a session).
	Credentials aws.CredentialsProvider
}

// Load resolves an aws.Config from opts. Credentials are resolved lazily by
// the SDK: a missing credential shows up on the first call.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	attempts := opts.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	loaders := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(attempts, opts.MaxBackoff) }),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = maxIdleConnsPerHost
		})),
	}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	if opts.EndpointURL != "" {
		loaders = append(loaders, config.WithBaseEndpoint(opts.EndpointURL))
	}
	if opts.Credentials != nil {
		loaders = append(loaders, config.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		if opts.Profile != "" {
			return aws.Config{}, fmt.Errorf("load AWS config for profile %q: %w", opts.Profile, err)
		}
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	classifyCredentials(&cfg)
	return cfg, nil
}

// newRetryer is the adaptive retry mode: standard exponential backoff with
// jitter, plus a client-side rate limit that engages after a throttling
// answer and relaxes again as calls succeed. Each service client gets its
// own, so throttling in one member account does not slow down the others.
func newRetryer(attempts int, maxBackoff time.Duration) aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			if maxBackoff > 0 {
				so.MaxBackoff = maxBackoff
			}
		})
	})
}
