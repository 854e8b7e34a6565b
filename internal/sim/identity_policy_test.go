package sim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/policy"
	"github.com/rootguard/rootguard/internal/sim"
)

// TestIdentityPolicies: given identity policies, the endpoint allows what
// they allow and answers every other call AccessDenied in the protocol's
// spelling, an explicit Deny winning over an Allow; sts:GetCallerIdentity
// needs no permission.
func TestIdentityPolicies(t *testing.T) {
	parse := func(doc string) *policy.Policy {
		p, err := policy.Parse("test", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	caller := parse(`{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["organizations:Describe*","sts:AssumeRole"],"Resource":"*"},
  {"Effect":"Allow","Action":"iam:*","Resource":"*"},
  {"Effect":"Deny","Action":"iam:GetAccountSummary","Resource":"*"}]}`)
	role := parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:DescribeTrails","Resource":"*"}]}`)
	srv, err := sim.Start(sim.Demo(), sim.Options{CallerPolicy: caller, RolePolicy: role})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{srv: srv}
	member := e.role(t, "222222222222")

	tests := []struct {
		name string
		call func() error
		code string // "" for allowed
		why  string
	}{
		{"allowed by a wildcard", func() error {
			_, err := orgc(e.caller()).DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
			return err
		}, "", ""},
		{"not allowed", func() error {
			_, err := orgc(e.caller()).ListAccounts(t.Context(), &organizations.ListAccountsInput{})
			return err
		}, "AccessDeniedException", "because no identity-based policy allows the organizations:ListAccounts action"},
		{"explicit deny wins", func() error {
			_, err := iamc(e.caller()).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
			return err
		}, "AccessDenied", "with an explicit deny in an identity-based policy"},
		{"no permission needed", func() error {
			_, err := stsc(e.caller()).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			return err
		}, "", ""},
		{"member role allowed", func() error {
			_, err := cloudtrail.NewFromConfig(member).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
			return err
		}, "", ""},
		{"member role not allowed", func() error {
			_, err := cloudtrail.NewFromConfig(member).GetTrailStatus(t.Context(), &cloudtrail.GetTrailStatusInput{Name: aws.String("x")})
			return err
		}, "AccessDeniedException", "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/rootguard is not authorized to perform: cloudtrail:GetTrailStatus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if code(err) != tt.code || !strings.Contains(message(err), tt.why) {
				t.Errorf("got %s %q, want %q %q", code(err), message(err), tt.code, tt.why)
			}
		})
	}
}
