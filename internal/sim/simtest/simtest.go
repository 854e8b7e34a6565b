// Package simtest serves a sim scenario on loopback for tests and gives
// them an aws.Config pointed at it, built by awsclient.Load as the CLI
// builds it, so real SDK clients talk to the simulated endpoint.
package simtest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/sim"
)

// Start serves scn with opts until the test ends and returns the server
// and a config with its credentials; retries back off a millisecond at
// most. The server's handler runs under httptest, whose Close does not
// wait for connections the client dialed but never used.
func Start(tb testing.TB, scn *sim.Scenario, opts sim.Options) (*sim.Server, aws.Config) {
	tb.Helper()
	srv, err := sim.New(scn, opts)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	key, secret := srv.Credentials()
	cfg, err := awsclient.Load(tb.Context(), awsclient.Options{
		Region:      srv.Region(),
		EndpointURL: hs.URL,
		Credentials: awsclient.StaticCredentials{AccessKeyID: key, SecretAccessKey: secret},
		MaxBackoff:  time.Millisecond,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return srv, cfg
}

// As returns a copy of cfg (from Start) that signs with the long-term
// credentials of the scenario's caller called name (sim.Scenario.Callers).
func As(tb testing.TB, srv *sim.Server, cfg aws.Config, name string) aws.Config {
	tb.Helper()
	key, secret, err := srv.IdentityCredentials(name)
	if err != nil {
		tb.Fatal(err)
	}
	c := cfg.Copy()
	c.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, ""))
	return c
}

// QueueCounts is "visible/in flight": the queue's
// ApproximateNumberOfMessages and ApproximateNumberOfMessagesNotVisible.
func QueueCounts(tb testing.TB, c *sqs.Client, queueURL string) string {
	tb.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Attributes["ApproximateNumberOfMessages"] + "/" + out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}
