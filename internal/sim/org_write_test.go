package sim_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

// runWrites runs each case on a fresh writable server of mk's scenario, so
// the cases' writes do not meet.
func runWrites(t *testing.T, mk func() *sim.Scenario, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := writableEnv(t, mk())
			got, err := tc.run(t, e)
			if c := code(err); c != tc.wantCode {
				t.Fatalf("error code = %q (%v), want %q", c, err, tc.wantCode)
			}
			if tc.wantMsg != "" && message(err) != tc.wantMsg {
				t.Errorf("error message = %q, want %q", message(err), tc.wantMsg)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

const denyRootKeys = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootKeys","Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`

// createPolicy creates an SCP as the caller and returns its ID.
func createPolicy(t *testing.T, c *organizations.Client, name, content string) (string, error) {
	out, err := c.CreatePolicy(t.Context(), &organizations.CreatePolicyInput{
		Name: aws.String(name), Description: aws.String("test policy"),
		Content: aws.String(content), Type: orgtypes.PolicyTypeServiceControlPolicy,
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Policy.PolicySummary.Id), nil
}

func targetsOf(t *testing.T, c *organizations.Client, id string) ([]string, error) {
	var ids []string
	p := organizations.NewListTargetsForPolicyPaginator(c, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			return nil, err
		}
		for _, tg := range out.Targets {
			ids = append(ids, aws.ToString(tg.TargetId))
		}
	}
	return ids, nil
}

func scpsOn(t *testing.T, c *organizations.Client, target string) ([]string, error) {
	out, err := c.ListPoliciesForTarget(t.Context(), &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy,
	})
	if err != nil {
		return nil, err
	}
	return policyNames(out.Policies), nil
}

// violation turns a ConstraintViolationException into its reason.
func violation(err error) (any, error) {
	var cv *orgtypes.ConstraintViolationException
	if errors.As(err, &cv) {
		return string(cv.Reason), nil
	}
	return nil, err
}

func scpsDisabledDemo() *sim.Scenario {
	s := sim.Demo()
	s.Organization.SCPsDisabled = true
	return s
}

func TestOrganizationsWrites(t *testing.T) {
	runWrites(t, sim.Demo, []opCase{
		{
			name: "CreatePolicy then ListPolicies and DescribePolicy",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				id, err := createPolicy(t, c, "DenyRootAccessKeys", denyRootKeys)
				if err != nil {
					return nil, err
				}
				list, err := c.ListPolicies(t.Context(), &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
				if err != nil {
					return nil, err
				}
				d, err := c.DescribePolicy(t.Context(), &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
				if err != nil {
					return nil, err
				}
				names := policyNames(list.Policies)
				return []any{names[len(names)-1], aws.ToString(d.Policy.Content), strings.HasPrefix(id, "p-"),
					aws.ToString(d.Policy.PolicySummary.Arn) == "arn:aws:organizations::111111111111:policy/o-acme0demo1/service_control_policy/"+id}, nil
			},
			want: []any{"DenyRootAccessKeys", denyRootKeys, true, true},
		},
		{
			name: "CreatePolicy with a name in use",
			run: func(t *testing.T, e *env) (any, error) {
				return createPolicy(t, orgc(e.caller()), "DenyLeaveOrganization", denyRootKeys)
			},
			wantCode: "DuplicatePolicyException",
		},
		{
			name: "CreatePolicy with content that is not JSON",
			run: func(t *testing.T, e *env) (any, error) {
				return createPolicy(t, orgc(e.caller()), "Broken", `{"Version": "2012-10-17", "Statement": [`)
			},
			wantCode: "MalformedPolicyDocumentException",
		},
		{
			name: "CreatePolicy above 5,120 characters",
			run: func(t *testing.T, e *env) (any, error) {
				big := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Sid":"` + strings.Repeat("x", 5100) + `"}]}`
				_, err := createPolicy(t, orgc(e.caller()), "TooBig", big)
				return violation(err)
			},
			want: "POLICY_CONTENT_LIMIT_EXCEEDED",
		},
		{
			name: "CreatePolicy of another policy type",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).CreatePolicy(t.Context(), &organizations.CreatePolicyInput{
					Name: aws.String("Tags"), Description: aws.String("d"), Content: aws.String(`{}`), Type: orgtypes.PolicyTypeTagPolicy,
				})
				return nil, err
			},
			wantCode: "InvalidInputException",
		},
		{
			name: "CreatePolicy from a member account",
			run: func(t *testing.T, e *env) (any, error) {
				return createPolicy(t, orgc(e.role(t, network)), "FromMember", denyRootKeys)
			},
			wantCode: "AccessDeniedException",
		},
		{
			name: "AttachPolicy to an OU, then ListTargetsForPolicy and ListPoliciesForTarget",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				id, err := createPolicy(t, c, "DenyRootAccessKeys", denyRootKeys)
				if err != nil {
					return nil, err
				}
				sandbox := ouID(t, c, "Sandbox")
				if _, err := c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(sandbox)}); err != nil {
					return nil, err
				}
				if _, err := c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(gmail)}); err != nil {
					return nil, err
				}
				targets, err := targetsOf(t, c, id)
				if err != nil {
					return nil, err
				}
				on, err := scpsOn(t, c, sandbox)
				return []any{len(targets), targets[0] == sandbox, targets[1], on}, err
			},
			want: []any{2, true, gmail, []string{"FullAWSAccess", "DenyRootAccessKeys"}},
		},
		{
			name: "AttachPolicy twice",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				_, err := c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String("r-acme")})
				return nil, err
			},
			wantCode: "DuplicatePolicyAttachmentException",
		},
		{
			name: "AttachPolicy to a target that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String("123456789012")})
				return nil, err
			},
			wantCode: "TargetNotFoundException",
		},
		{
			name: "AttachPolicy of a policy that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String("p-nosuchpol"), TargetId: aws.String(clean)})
				return nil, err
			},
			wantCode: "PolicyNotFoundException",
		},
		{
			name: "AttachPolicy beyond five SCPs on a target",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				// FullAWSAccess is there already: four more fit, the fifth does not.
				for i := range 5 {
					id, err := createPolicy(t, c, "Extra"+string(rune('A'+i)), denyRootKeys)
					if err != nil {
						return nil, err
					}
					if _, err := c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(clean)}); err != nil {
						r, err := violation(err)
						return []any{i, r}, err
					}
				}
				return nil, nil
			},
			want: []any{4, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"},
		},
		{
			name: "DetachPolicy",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				if _, err := c.DetachPolicy(t.Context(), &organizations.DetachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String("r-acme")}); err != nil {
					return nil, err
				}
				return targetsOf(t, c, "p-denyleaveorg1")
			},
			want: []string(nil),
		},
		{
			name: "DetachPolicy that is not attached",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).DetachPolicy(t.Context(), &organizations.DetachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String(clean)})
				return nil, err
			},
			wantCode: "PolicyNotAttachedException",
		},
		{
			name: "DetachPolicy of an account's last SCP",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).DetachPolicy(t.Context(), &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(clean)})
				return violation(err)
			},
			want: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
		},
		{
			name: "UpdatePolicy renames and replaces the content",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				out, err := c.UpdatePolicy(t.Context(), &organizations.UpdatePolicyInput{
					PolicyId: aws.String("p-ctrestrictroot"), Name: aws.String("RestrictRootUser"), Content: aws.String(denyRootKeys),
				})
				if err != nil {
					return nil, err
				}
				d, err := c.DescribePolicy(t.Context(), &organizations.DescribePolicyInput{PolicyId: aws.String("p-ctrestrictroot")})
				if err != nil {
					return nil, err
				}
				return []string{aws.ToString(out.Policy.PolicySummary.Name), aws.ToString(d.Policy.Content), aws.ToString(d.Policy.PolicySummary.Description)}, nil
			},
			want: []string{"RestrictRootUser", denyRootKeys, "Control Tower style root restriction, without the aws:AssumedRoot exemption"},
		},
		{
			name: "UpdatePolicy to a name in use",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).UpdatePolicy(t.Context(), &organizations.UpdatePolicyInput{PolicyId: aws.String("p-ctrestrictroot"), Name: aws.String("DenyAllSuspended")})
				return nil, err
			},
			wantCode: "DuplicatePolicyException",
		},
		{
			name: "UpdatePolicy of FullAWSAccess",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).UpdatePolicy(t.Context(), &organizations.UpdatePolicyInput{PolicyId: aws.String("p-FullAWSAccess"), Content: aws.String(denyRootKeys)})
				return nil, err
			},
			wantCode: "AccessDeniedException",
		},
		{
			name: "EnablePolicyType when SCPs are enabled",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).EnablePolicyType(t.Context(), &organizations.EnablePolicyTypeInput{RootId: aws.String("r-acme"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
				return nil, err
			},
			wantCode: "PolicyTypeAlreadyEnabledException",
		},
		{
			name: "EnablePolicyType on a root that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).EnablePolicyType(t.Context(), &organizations.EnablePolicyTypeInput{RootId: aws.String("r-nope"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
				return nil, err
			},
			wantCode: "RootNotFoundException",
		},
		{
			name: "EnableAWSServiceAccess is idempotent",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				for range 2 {
					if _, err := c.EnableAWSServiceAccess(t.Context(), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")}); err != nil {
						return nil, err
					}
				}
				if _, err := c.EnableAWSServiceAccess(t.Context(), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
					return nil, err
				}
				out, err := c.ListAWSServiceAccessForOrganization(t.Context(), &organizations.ListAWSServiceAccessForOrganizationInput{})
				if err != nil {
					return nil, err
				}
				var names []string
				for _, p := range out.EnabledServicePrincipals {
					names = append(names, aws.ToString(p.ServicePrincipal))
				}
				return names, nil
			},
			want: []string{"account.amazonaws.com", "cloudtrail.amazonaws.com", "iam.amazonaws.com", "sso.amazonaws.com", "guardduty.amazonaws.com"},
		},
		{
			name: "EnableAWSServiceAccess of something that is not a service principal",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).EnableAWSServiceAccess(t.Context(), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("not a principal")})
				return nil, err
			},
			wantCode: "InvalidInputException",
		},
	})
}

// ouID finds an OU under the root by name.
func ouID(t *testing.T, c *organizations.Client, name string) string {
	t.Helper()
	out, err := c.ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("r-acme")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ou := range out.OrganizationalUnits {
		if aws.ToString(ou.Name) == name {
			return aws.ToString(ou.Id)
		}
	}
	t.Fatalf("no OU %s under the root", name)
	return ""
}

func TestOrganizationsWritesWithSCPsDisabled(t *testing.T) {
	runWrites(t, scpsDisabledDemo, []opCase{
		{
			name: "AttachPolicy",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := orgc(e.caller()).AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String("r-acme")})
				return nil, err
			},
			wantCode: "PolicyTypeNotEnabledException",
		},
		{
			name: "CreatePolicy works before the type is enabled",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := createPolicy(t, orgc(e.caller()), "Early", denyRootKeys)
				return nil, err
			},
		},
		{
			name: "EnablePolicyType attaches FullAWSAccess everywhere, then AttachPolicy works",
			run: func(t *testing.T, e *env) (any, error) {
				c := orgc(e.caller())
				out, err := c.EnablePolicyType(t.Context(), &organizations.EnablePolicyTypeInput{RootId: aws.String("r-acme"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
				if err != nil {
					return nil, err
				}
				roots, err := c.ListRoots(t.Context(), &organizations.ListRootsInput{})
				if err != nil {
					return nil, err
				}
				if _, err := c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String("p-denyleaveorg1"), TargetId: aws.String("r-acme")}); err != nil {
					return nil, err
				}
				on, err := scpsOn(t, c, clean)
				if err != nil {
					return nil, err
				}
				onRoot, err := scpsOn(t, c, "r-acme")
				return []any{types(out.Root.PolicyTypes), types(roots.Roots[0].PolicyTypes), on, onRoot}, err
			},
			want: []any{
				[]string{"SERVICE_CONTROL_POLICY ENABLED"},
				[]string{"SERVICE_CONTROL_POLICY ENABLED"},
				[]string{"FullAWSAccess"},
				[]string{"FullAWSAccess", "DenyLeaveOrganization"},
			},
		},
	})
}

func types(ps []orgtypes.PolicyTypeSummary) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p.Type)+" "+string(p.Status))
	}
	return out
}

// TestCreatedPolicyIDsAreUnique checks the derived IDs of policies created with
// names whose derived IDs would clash.
func TestCreatedPolicyIDsAreUnique(t *testing.T) {
	e := writableEnv(t, sim.Demo())
	c := orgc(e.caller())
	var ids []string
	for _, n := range []string{"A", "B", "C", "D"} {
		id := must(createPolicy(t, c, n, denyRootKeys))(t)
		if slices.Contains(ids, id) {
			t.Fatalf("policy %s got the ID %s of another", n, id)
		}
		ids = append(ids, id)
	}
}
