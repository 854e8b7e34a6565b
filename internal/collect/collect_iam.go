package collect

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/inventory"
)

// This file reads who may reach root without its credentials: the
// delegated administrators of centralized root access, and the IAM
// principals (with their identity policies) of the accounts that may call
// sts:AssumeRoot; the virtual MFA devices a removed root left behind; and
// the role that forwards another Region's root activity.

// rootAccessService is the service principal of centralized root access.
const rootAccessService = "iam.amazonaws.com"

// accountIAMAPI is IAM with an account's own credentials.
type accountIAMAPI interface {
	iam.ListVirtualMFADevicesAPIClient
	iam.GetAccountAuthorizationDetailsAPIClient
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	GetRolePolicy(context.Context, *iam.GetRolePolicyInput, ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
}

// delegatedAdministrators lists the accounts registered as delegated
// administrator of centralized root access.
func (col *collector) delegatedAdministrators(ctx context.Context) inventory.Fact[[]string] {
	at := col.now()
	const api = "organizations:ListDelegatedAdministrators"
	ids := []string{}
	p := organizations.NewListDelegatedAdministratorsPaginator(col.c.org, &organizations.ListDelegatedAdministratorsInput{
		ServicePrincipal: aws.String(rootAccessService),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]string]{Source: source(api, at, err)}
		}
		for _, d := range page.DelegatedAdministrators {
			ids = append(ids, aws.ToString(d.Id))
		}
	}
	slices.Sort(ids)
	return inventory.Fact[[]string]{Value: ids, Source: inventory.Source{API: api, At: at}}
}

// mayAssumeRoot reports whether principals of account a may call
// sts:AssumeRoot: the management account and the delegated
// administrators (as far as they were read).
func (col *collector) mayAssumeRoot(a *inventory.Account) bool {
	return a.Role == inventory.RoleManagement || slices.Contains(col.delegated, a.ID)
}

// accountIAM reads the account's unassigned virtual MFA devices; where
// its principals may call sts:AssumeRoot, its principals and their
// policies; and where Regions other than us-east-1 are collected, the role
// that forwards their root API calls (only it, by name: plan needs no
// other).
func (r *accountReader) accountIAM(ctx context.Context) inventory.IAM {
	var out inventory.IAM
	c := r.in(globalRegion).iam
	r.do(func() { out.UnassignedVirtualMFA = r.col.unassignedMFA(ctx, c) })
	if r.col.mayAssumeRoot(r.a) {
		r.do(func() { out.Principals = r.col.principals(ctx, c) })
	}
	if slices.ContainsFunc(r.regions, func(x string) bool { return x != inventory.SignInRegion }) {
		r.do(func() { out.ForwardRole = r.col.forwardRole(ctx, c) })
	}
	return out
}

// forwardRole reads the forwarding role by its name and, when it exists,
// its inline policy of the expected name. NoSuchEntity is an answer (no
// such role, or no such policy); any other error leaves the fact unknown.
// IAM returns policy documents URL-encoded.
func (col *collector) forwardRole(ctx context.Context, c accountIAMAPI) inventory.Fact[inventory.NamedRole] {
	at := col.now()
	v := inventory.NamedRole{Name: inventory.ForwardRoleName}
	fact := func(api string, err error) inventory.Fact[inventory.NamedRole] {
		return inventory.Fact[inventory.NamedRole]{Value: v, Source: source(api, at, err)}
	}
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(v.Name)})
	switch {
	case awsclient.ErrorCode(err) == awsclient.CodeNoSuchEntity:
		return fact("iam:GetRole", nil)
	case err != nil:
		return fact("iam:GetRole", err)
	case out.Role == nil:
		return fact("iam:GetRole", errors.New("the answer has no role"))
	}
	trust, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return fact("iam:GetRole", fmt.Errorf("trust policy: %w", err))
	}
	v.Role = &inventory.Principal{Kind: inventory.PrincipalRole, ARN: aws.ToString(out.Role.Arn), Trust: trust, Policies: []inventory.NamedPolicy{}}
	pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(v.Name), PolicyName: aws.String(inventory.ForwardRolePolicyName)})
	switch {
	case awsclient.ErrorCode(err) == awsclient.CodeNoSuchEntity:
	case err != nil:
		return fact("iam:GetRolePolicy", err)
	default:
		doc, err := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
		if err != nil {
			return fact("iam:GetRolePolicy", fmt.Errorf("policy %s: %w", inventory.ForwardRolePolicyName, err))
		}
		v.Role.Policies = append(v.Role.Policies, inventory.NamedPolicy{Name: inventory.ForwardRolePolicyName, Document: doc})
	}
	return inventory.Fact[inventory.NamedRole]{Value: v, Source: inventory.Source{API: "iam:GetRole", At: at}}
}

func (col *collector) unassignedMFA(ctx context.Context, c accountIAMAPI) inventory.Fact[[]string] {
	at := col.now()
	const api = "iam:ListVirtualMFADevices"
	serials := []string{}
	p := iam.NewListVirtualMFADevicesPaginator(c, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeUnassigned})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]string]{Source: source(api, at, err)}
		}
		for _, d := range page.VirtualMFADevices {
			serials = append(serials, aws.ToString(d.SerialNumber))
		}
	}
	slices.Sort(serials)
	return inventory.Fact[[]string]{Value: serials, Source: inventory.Source{API: api, At: at}}
}

// principals reads every user, group and role with its inline policies
// and the default version of its attached managed policies. IAM returns
// policy documents URL-encoded.
func (col *collector) principals(ctx context.Context, c accountIAMAPI) inventory.Fact[[]inventory.Principal] {
	at := col.now()
	const api = "iam:GetAccountAuthorizationDetails"
	fail := func(err error) inventory.Fact[[]inventory.Principal] {
		return inventory.Fact[[]inventory.Principal]{Source: source(api, at, err)}
	}
	managed := map[string]string{}
	var users []iamtypes.UserDetail
	var groups []iamtypes.GroupDetail
	var roles []iamtypes.RoleDetail
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fail(err)
		}
		users = append(users, page.UserDetailList...)
		groups = append(groups, page.GroupDetailList...)
		roles = append(roles, page.RoleDetailList...)
		for _, mp := range page.Policies {
			for _, v := range mp.PolicyVersionList {
				if v.IsDefaultVersion {
					managed[aws.ToString(mp.Arn)] = aws.ToString(v.Document)
				}
			}
		}
	}
	var bad error
	doc := func(s *string) string {
		d, err := url.QueryUnescape(aws.ToString(s))
		if err != nil {
			bad = err
		}
		return d
	}
	policies := func(inline []iamtypes.PolicyDetail, attached []iamtypes.AttachedPolicy) []inventory.NamedPolicy {
		out := []inventory.NamedPolicy{}
		for _, pd := range inline {
			out = append(out, inventory.NamedPolicy{Name: aws.ToString(pd.PolicyName), Document: doc(pd.PolicyDocument)})
		}
		for _, ap := range attached {
			arn := aws.ToString(ap.PolicyArn)
			out = append(out, inventory.NamedPolicy{Name: arn, Document: doc(aws.String(managed[arn]))})
		}
		return out
	}
	var out []inventory.Principal
	for _, u := range users {
		out = append(out, inventory.Principal{Kind: inventory.PrincipalUser, ARN: aws.ToString(u.Arn),
			Policies: policies(u.UserPolicyList, u.AttachedManagedPolicies), Groups: u.GroupList})
	}
	for _, g := range groups {
		out = append(out, inventory.Principal{Kind: inventory.PrincipalGroup, ARN: aws.ToString(g.Arn),
			Policies: policies(g.GroupPolicyList, g.AttachedManagedPolicies)})
	}
	for _, r := range roles {
		out = append(out, inventory.Principal{Kind: inventory.PrincipalRole, ARN: aws.ToString(r.Arn),
			Policies: policies(r.RolePolicyList, r.AttachedManagedPolicies), Trust: doc(r.AssumeRolePolicyDocument)})
	}
	if bad != nil {
		return fail(bad)
	}
	slices.SortFunc(out, func(x, y inventory.Principal) int { return strings.Compare(x.ARN, y.ARN) })
	return inventory.Fact[[]inventory.Principal]{Value: out, Source: inventory.Source{API: api, At: at}}
}

// Principals reads the IAM principals of the account cfg's credentials
// belong to, with their identity policies, as a run reads them in the
// accounts that may call sts:AssumeRoot.
func Principals(ctx context.Context, cfg aws.Config) inventory.Fact[[]inventory.Principal] {
	col := &collector{opts: Options{Now: time.Now}}
	return col.principals(ctx, iam.NewFromConfig(cfg))
}
