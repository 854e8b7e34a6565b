package sim_test

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/sim"
)

// Account IDs of testdata/guardrails.yaml.
const (
	grMgmt   = "111111111111"
	grProd   = "222222222222"
	grLocked = "333333333333"
)

func guardrailsEnv(t *testing.T) *env {
	t.Helper()
	s, err := sim.LoadScenario("testdata/guardrails.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, s)
}

// assumeNamed assumes a named role in target and returns its config in
// region.
func (e *env) assumeNamed(t *testing.T, target, role, region string) (aws.Config, error) {
	t.Helper()
	out, err := stsc(e.caller()).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + target + ":role/" + role),
		RoleSessionName: aws.String("rootguard"),
	})
	if err != nil {
		return aws.Config{}, err
	}
	c := fromCreds(e, out.Credentials)
	c.Region = region
	return c, nil
}

// member runs f in an AuditRole session on target, in region.
func member(target, region string, f func(*testing.T, aws.Config) (any, error)) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) {
		c, err := e.assumeNamed(t, target, "AuditRole", region)
		if err != nil {
			return nil, err
		}
		return f(t, c)
	}
}

// caller runs f with the caller's credentials in region.
func callerIn(region string, f func(*testing.T, aws.Config) (any, error)) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) {
		c := e.caller()
		c.Region = region
		return f(t, c)
	}
}

func TestAccessRole(t *testing.T) {
	e := guardrailsEnv(t)
	assume := func(target, role string) func(*testing.T, *env) (any, error) {
		return func(t *testing.T, e *env) (any, error) {
			c, err := e.assumeNamed(t, target, role, "us-east-1")
			if err != nil {
				return nil, err
			}
			out, err := stsc(c).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if err != nil {
				return nil, err
			}
			return aws.ToString(out.Arn), nil
		}
	}
	runCases(t, e, []opCase{
		{name: "configured access role", run: assume(grProd, "AuditRole"), want: "arn:aws:sts::222222222222:assumed-role/AuditRole/rootguard"},
		{name: "default role name is not the configured one", run: assume(grProd, "OrganizationAccountAccessRole"), wantCode: "AccessDenied"},
		{name: "access_role_denied", run: assume(grLocked, "AuditRole"), wantCode: "AccessDenied"},
	})
}

func policyNames(ps []orgtypes.PolicySummary) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Name))
	}
	return out
}

func TestOrganizationPolicies(t *testing.T) {
	e := guardrailsEnv(t)
	org := func(f func(*testing.T, *organizations.Client) (any, error)) func(*testing.T, *env) (any, error) {
		return func(t *testing.T, e *env) (any, error) { return f(t, orgc(e.caller())) }
	}
	runCases(t, e, []opCase{
		{
			name: "ListPolicies pages through every SCP, FullAWSAccess first",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				var all []orgtypes.PolicySummary
				p := organizations.NewListPoliciesPaginator(c, &organizations.ListPoliciesInput{
					Filter: orgtypes.PolicyTypeServiceControlPolicy, MaxResults: aws.Int32(1)})
				pages := 0
				for p.HasMorePages() {
					out, err := p.NextPage(t.Context())
					if err != nil {
						return nil, err
					}
					pages++
					all = append(all, out.Policies...)
				}
				var managed []bool
				for _, s := range all {
					managed = append(managed, s.AwsManaged)
				}
				return []any{pages, policyNames(all), managed, aws.ToString(all[0].Arn)}, nil
			}),
			want: []any{4, []string{"FullAWSAccess", "DenyRoot", "ProdGuard", "Unattached"}, []bool{true, false, false, false},
				"arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"},
		},
		{
			name: "ListPolicies of another type is empty",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				out, err := c.ListPolicies(t.Context(), &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeTagPolicy})
				if err != nil {
					return nil, err
				}
				return len(out.Policies), nil
			}),
			want: 0,
		},
		{
			name: "ListPolicies with an unknown filter",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				return c.ListPolicies(t.Context(), &organizations.ListPoliciesInput{Filter: "NO_SUCH_POLICY"})
			}),
			wantCode: "InvalidInputException",
		},
		{
			name: "DescribePolicy keeps YAML key order as compact JSON",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				out, err := c.DescribePolicy(t.Context(), &organizations.DescribePolicyInput{PolicyId: aws.String("p-denyroot01")})
				if err != nil {
					return nil, err
				}
				s := out.Policy.PolicySummary
				return []string{aws.ToString(s.Name), aws.ToString(s.Description), string(s.Type), aws.ToString(s.Arn), aws.ToString(out.Policy.Content)}, nil
			}),
			want: []string{"DenyRoot", "Deny the root user", "SERVICE_CONTROL_POLICY",
				"arn:aws:organizations::111111111111:policy/o-guardrail01/service_control_policy/p-denyroot01",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`},
		},
		{
			name: "DescribePolicy keeps a block string verbatim",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				ps, err := c.ListPoliciesForTarget(t.Context(), &organizations.ListPoliciesForTargetInput{
					TargetId: aws.String(grProd), Filter: orgtypes.PolicyTypeServiceControlPolicy})
				if err != nil {
					return nil, err
				}
				out, err := c.DescribePolicy(t.Context(), &organizations.DescribePolicyInput{PolicyId: ps.Policies[1].Id})
				if err != nil {
					return nil, err
				}
				return aws.ToString(out.Policy.Content), nil
			}),
			want: `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"}]}` + "\n",
		},
		{
			name: "DescribePolicy of an unknown policy",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				return c.DescribePolicy(t.Context(), &organizations.DescribePolicyInput{PolicyId: aws.String("p-nosuchpolicy")})
			}),
			wantCode: "PolicyNotFoundException",
		},
		{
			name: "FullAWSAccess is attached to the root, every OU and every account",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				var got [][2]string
				p := organizations.NewListTargetsForPolicyPaginator(c, &organizations.ListTargetsForPolicyInput{
					PolicyId: aws.String("p-FullAWSAccess"), MaxResults: aws.Int32(2)})
				for p.HasMorePages() {
					out, err := p.NextPage(t.Context())
					if err != nil {
						return nil, err
					}
					for _, tg := range out.Targets {
						got = append(got, [2]string{string(tg.Type), aws.ToString(tg.Name)})
					}
				}
				return got, nil
			}),
			want: [][2]string{{"ROOT", "Root"}, {"ORGANIZATIONAL_UNIT", "Prod"}, {"ACCOUNT", "management"}, {"ACCOUNT", "prod"}, {"ACCOUNT", "locked"}},
		},
		{
			name: "ListTargetsForPolicy of an unattached policy",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				out, err := c.ListTargetsForPolicy(t.Context(), &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-unattached")})
				if err != nil {
					return nil, err
				}
				return len(out.Targets), nil
			}),
			want: 0,
		},
		{
			name: "ListPoliciesForTarget on an account",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				out, err := c.ListPoliciesForTarget(t.Context(), &organizations.ListPoliciesForTargetInput{
					TargetId: aws.String(grProd), Filter: orgtypes.PolicyTypeServiceControlPolicy})
				if err != nil {
					return nil, err
				}
				return policyNames(out.Policies), nil
			}),
			want: []string{"FullAWSAccess", "ProdGuard"},
		},
		{
			name: "ListPoliciesForTarget on the root",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				out, err := c.ListPoliciesForTarget(t.Context(), &organizations.ListPoliciesForTargetInput{
					TargetId: aws.String("r-guar"), Filter: orgtypes.PolicyTypeServiceControlPolicy})
				if err != nil {
					return nil, err
				}
				return policyNames(out.Policies), nil
			}),
			want: []string{"FullAWSAccess", "DenyRoot"},
		},
		{
			name: "ListPoliciesForTarget on an unknown target",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				return c.ListPoliciesForTarget(t.Context(), &organizations.ListPoliciesForTargetInput{
					TargetId: aws.String("444444444444"), Filter: orgtypes.PolicyTypeServiceControlPolicy})
			}),
			wantCode: "TargetNotFoundException",
		},
		{
			name: "ListRoots shows SCPs enabled",
			run: org(func(t *testing.T, c *organizations.Client) (any, error) {
				out, err := c.ListRoots(t.Context(), &organizations.ListRootsInput{})
				if err != nil {
					return nil, err
				}
				var got []string
				for _, pt := range out.Roots[0].PolicyTypes {
					got = append(got, string(pt.Type)+" "+string(pt.Status))
				}
				return got, nil
			}),
			want: []string{"SERVICE_CONTROL_POLICY ENABLED"},
		},
		{
			name: "a member may not list policies",
			run: member(grProd, "us-east-1", func(t *testing.T, c aws.Config) (any, error) {
				return orgc(c).ListPolicies(t.Context(), &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
			}),
			wantCode: "AccessDeniedException",
		},
	})
}

func TestSCPsDisabled(t *testing.T) {
	data, err := os.ReadFile("testdata/guardrails.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.ParseScenario("guardrails.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	s.Organization.SCPsDisabled = true
	e := newEnv(t, s)
	c := orgc(e.caller())
	roots := must(c.ListRoots(t.Context(), &organizations.ListRootsInput{}))(t)
	targets := must(c.ListTargetsForPolicy(t.Context(), &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-denyroot01")}))(t)
	if n, m := len(roots.Roots[0].PolicyTypes), len(targets.Targets); n != 0 || m != 0 {
		t.Errorf("SCPs disabled: %d root policy types and %d DenyRoot targets, want none", n, m)
	}
}

type trailRow struct {
	Name, ARN, Home      string
	Multi, Org, LogGroup bool
}

func describeTrails(shadows *bool) func(*testing.T, aws.Config) (any, error) {
	return func(t *testing.T, c aws.Config) (any, error) {
		out, err := cloudtrail.NewFromConfig(c).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: shadows})
		if err != nil {
			return nil, err
		}
		rows := []trailRow{}
		for _, tr := range out.TrailList {
			rows = append(rows, trailRow{aws.ToString(tr.Name), aws.ToString(tr.TrailARN), aws.ToString(tr.HomeRegion),
				aws.ToBool(tr.IsMultiRegionTrail), aws.ToBool(tr.IsOrganizationTrail), tr.CloudWatchLogsLogGroupArn != nil})
		}
		return rows, nil
	}
}

func trailStatus(name string) func(*testing.T, aws.Config) (any, error) {
	return func(t *testing.T, c aws.Config) (any, error) {
		out, err := cloudtrail.NewFromConfig(c).GetTrailStatus(t.Context(), &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
		if err != nil {
			return nil, err
		}
		return aws.ToBool(out.IsLogging), nil
	}
}

func eventSelectors(name string) func(*testing.T, aws.Config) (any, error) {
	return func(t *testing.T, c aws.Config) (any, error) {
		out, err := cloudtrail.NewFromConfig(c).GetEventSelectors(t.Context(), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		var got []string
		for _, s := range out.EventSelectors {
			got = append(got, "basic "+string(s.ReadWriteType)+" management="+map[bool]string{true: "yes", false: "no"}[aws.ToBool(s.IncludeManagementEvents)])
		}
		for _, s := range out.AdvancedEventSelectors {
			for _, f := range s.FieldSelectors {
				got = append(got, "advanced "+aws.ToString(f.Field)+"="+f.Equals[0])
			}
		}
		return got, nil
	}
}

func TestCloudTrail(t *testing.T) {
	e := guardrailsEnv(t)
	const orgTrail = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"
	orgRow := trailRow{"org-trail", orgTrail, "us-east-1", true, true, true}
	runCases(t, e, []opCase{
		{
			name: "the management account sees its organization trail",
			run:  callerIn("us-east-1", describeTrails(nil)),
			want: []trailRow{orgRow},
		},
		{
			name: "a single-Region trail shows only in its home region",
			run:  callerIn("eu-west-1", describeTrails(nil)),
			want: []trailRow{orgRow, {"mgmt-local", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/mgmt-local", "eu-west-1", false, false, false}},
		},
		{
			name: "a member sees the organization trail as a shadow trail",
			run:  member(grProd, "us-east-1", describeTrails(nil)),
			want: []trailRow{{"data-only", "arn:aws:cloudtrail:us-east-1:222222222222:trail/data-only", "us-east-1", false, false, true}, orgRow},
		},
		{
			name: "without shadow trails a member sees only its own",
			run:  member(grProd, "us-east-1", describeTrails(aws.Bool(false))),
			want: []trailRow{{"data-only", "arn:aws:cloudtrail:us-east-1:222222222222:trail/data-only", "us-east-1", false, false, true}},
		},
		{
			name: "DescribeTrails by name",
			run: member(grProd, "eu-west-1", func(t *testing.T, c aws.Config) (any, error) {
				out, err := cloudtrail.NewFromConfig(c).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"local"}})
				if err != nil {
					return nil, err
				}
				return len(out.TrailList), nil
			}),
			want: 1,
		},
		{name: "GetTrailStatus of the organization trail from a member", run: member(grProd, "eu-west-1", trailStatus(orgTrail)), want: true},
		{name: "GetTrailStatus of a stopped trail", run: member(grProd, "eu-west-1", trailStatus("local")), want: false},
		{name: "GetTrailStatus by name outside the home region", run: member(grProd, "us-east-1", trailStatus("local")), wantCode: "TrailNotFoundException"},
		{name: "GetTrailStatus of a shadow trail by name", run: member(grProd, "us-east-1", trailStatus("org-trail")), wantCode: "TrailNotFoundException"},
		{name: "GetEventSelectors basic, all management events", run: callerIn("us-east-1", eventSelectors("org-trail")), want: []string{"basic All management=yes"}},
		{name: "GetEventSelectors basic, no management events", run: member(grProd, "us-east-1", eventSelectors("data-only")), want: []string{"basic All management=no"}},
		{name: "GetEventSelectors advanced, read-only", run: member(grProd, "eu-west-1", eventSelectors("local")),
			want: []string{"advanced eventCategory=Management", "advanced readOnly=true"}},
		{name: "GetEventSelectors advanced, write-only", run: callerIn("eu-west-1", eventSelectors("arn:aws:cloudtrail:eu-west-1:111111111111:trail/mgmt-local")),
			want: []string{"advanced eventCategory=Management", "advanced readOnly=false"}},
		{name: "GetEventSelectors of an unknown trail", run: callerIn("us-east-1", eventSelectors("nope")), wantCode: "TrailNotFoundException"},
	})
}
