package sim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

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
