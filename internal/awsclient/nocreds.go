package awsclient

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
)

// ErrNoCredentials is the error of a call made when the default credential
// chain found nothing: no environment variables, no profile, no SSO, and no
// instance role answered. It replaces the SDK's text about the instance
// metadata service, the chain's last resort, which reads as if IMDS were
// the problem.
var ErrNoCredentials = errors.New("no AWS credentials found: tried environment, profile, SSO, instance role")

// noCredentials is the chain's last resort, the instance role, whose
// failure means that no credentials were found anywhere.
type noCredentials struct{ aws.CredentialsProvider }

func (p noCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil && ctx.Err() == nil {
		return c, ErrNoCredentials
	}
	return c, err
}

// classifyCredentials marks cfg's credentials so that a call made without
// any returns ErrNoCredentials: only when the chain fell through to the
// instance role (a configured source that fails keeps its own error).
func classifyCredentials(cfg *aws.Config) {
	if cfg.Credentials != nil && aws.IsCredentialsProvider(cfg.Credentials, (*ec2rolecreds.Provider)(nil)) {
		cfg.Credentials = noCredentials{cfg.Credentials}
	}
}
