package sim_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/sim"
)

func TestSmoke(t *testing.T) {
	s, err := sim.LoadScenario("testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.Start(s, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ak, sk := srv.Credentials()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(srv.Region()),
		config.WithBaseEndpoint(srv.URL()),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, "")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId))
	sum, err := iam.NewFromConfig(cfg).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum.SummaryMap)
	la, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range la.Accounts {
		t.Log(*a.Id, *a.Email, a.State, a.Status, a.JoinedTimestamp)
	}
	t.Log(srv.Calls())
}
