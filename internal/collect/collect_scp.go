package collect

import (
	"context"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/sync/errgroup"

	"github.com/rootguard/rootguard/internal/inventory"
)

// policies reads the organization's service control policies: the list
// (organizations:ListPolicies), each one's document
// (organizations:DescribePolicy) and where it is attached
// (organizations:ListTargetsForPolicy). The policies are described
// opts.Concurrency at a time. Any failed call makes the whole fact fail
// with that call's API: a policy list with a hole in it could hide the
// policy that denies root, or the one that breaks centralized root access.
func (col *collector) policies(ctx context.Context) inventory.Fact[[]inventory.OrgPolicy] {
	at := col.now()
	const listAPI = "organizations:ListPolicies"
	var pols []inventory.OrgPolicy
	p := organizations.NewListPoliciesPaginator(col.c.org, &organizations.ListPoliciesInput{
		Filter: orgtypes.PolicyTypeServiceControlPolicy,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]inventory.OrgPolicy]{Source: source(listAPI, at, err)}
		}
		for _, s := range page.Policies {
			pols = append(pols, inventory.OrgPolicy{
				ID:          aws.ToString(s.Id),
				Name:        aws.ToString(s.Name),
				ARN:         aws.ToString(s.Arn),
				Description: aws.ToString(s.Description),
				AWSManaged:  s.AwsManaged,
			})
		}
	}

	var g errgroup.Group
	g.SetLimit(col.opts.Concurrency)
	var failed first
	fail := func(api string, err error) error {
		failed.set(api, err)
		return err
	}
	for i := range pols {
		g.Go(func() error {
			pol := &pols[i]
			out, err := col.c.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(pol.ID)})
			if err != nil {
				return fail("organizations:DescribePolicy", err)
			}
			if out.Policy != nil {
				pol.Content = aws.ToString(out.Policy.Content)
			}
			targets := []string{}
			tp := organizations.NewListTargetsForPolicyPaginator(col.c.org,
				&organizations.ListTargetsForPolicyInput{PolicyId: aws.String(pol.ID)})
			for tp.HasMorePages() {
				page, err := tp.NextPage(ctx)
				if err != nil {
					return fail("organizations:ListTargetsForPolicy", err)
				}
				for _, t := range page.Targets {
					targets = append(targets, aws.ToString(t.TargetId))
				}
			}
			slices.Sort(targets)
			pol.Targets = targets
			return nil
		})
	}
	_ = g.Wait()
	if failed.err != nil {
		return inventory.Fact[[]inventory.OrgPolicy]{Source: source(failed.api, at, failed.err)}
	}
	sort.Slice(pols, func(i, j int) bool { return pols[i].ID < pols[j].ID })
	return inventory.Fact[[]inventory.OrgPolicy]{Value: orEmpty(pols), Source: inventory.Source{API: listAPI, At: at}}
}
