package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/sim"
)

// The simulator decides member calls with rootguard's own policy engine,
// which also judges the SCP checks: these rows pin its decisions to AWS's
// documentation instead. Each row is an SCP as an AWS page prints it (a
// Region list or a role name filled in where the page says to replace
// them), a call made with a real SDK client as a principal of member
// account 222222222222 (in OU Workloads) or of the management account, and
// the decision the page states. The page is named in the row's comment.

// Policies from the AWS documentation.
const (
	// AWS Organizations User Guide, "General examples", "Deny access to AWS
	// based on the requested AWS Region" (its NotAction list, shortened to
	// the services the rows call and a few of the others it names;
	// Regions eu-central-1 and eu-west-1 and the two bypass roles as
	// printed).
	docRegionDeny = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOutsideEU",
      "Effect": "Deny",
      "NotAction": [
        "a4b:*", "acm:*", "budgets:*", "ce:*", "cloudfront:*", "config:*", "globalaccelerator:*",
        "health:*", "iam:*", "kms:*", "organizations:*", "route53:*", "route53domains:*",
        "s3:ListAllMyBuckets", "shield:*", "sts:*", "support:*", "trustedadvisor:*", "waf:*", "wafv2:*"
      ],
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
        "ArnNotLike": {"aws:PrincipalARN": [
          "arn:aws:iam::*:role/Role1AllowedToBypassThisSCP",
          "arn:aws:iam::*:role/Role2AllowedToBypassThisSCP"
        ]}
      }
    }
  ]
}`
	// aws-samples/service-control-policy-examples (AWS), "Privileged access
	// controls", "Prevent root credentials management in member accounts
	// in AWS Organizations": the root user is denied everything unless the
	// request comes from a centralized root session (aws:AssumedRoot is
	// only present there; IAM User Guide, "AWS global condition context
	// keys", aws:AssumedRoot).
	docRootDenyExceptAssumedRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]},"Null":{"aws:AssumedRoot":"true"}}}]}`
	// AWS Control Tower Controls Reference, "Disallow actions as a root
	// user" (GRRESTRICTROOTUSER): no aws:AssumedRoot exemption. In an
	// sts:AssumeRoot session the principal is the member's root user
	// (IAM User Guide, "Perform a privileged task on an AWS Organizations
	// member account": the session acts as arn:aws:iam::ACCOUNT:root), so
	// this SCP denies it as well.
	docControlTowerRestrictRoot = `{"Version":"2012-10-17","Statement":[{"Sid":"GRRESTRICTROOTUSER","Effect":"Deny",
  "Action":"*","Resource":["*"],"Condition":{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`
	// AWS Organizations User Guide, "SCP evaluation" / "Use SCPs as an
	// allow list": FullAWSAccess detached from the OU and replaced by a
	// policy that allows only the listed services; everything else is
	// implicitly denied below that OU.
	docAllowList = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","cloudwatch:*","organizations:*"],"Resource":"*"}]}`
	// AWS Organizations User Guide, "Service control policies (SCPs)":
	// "SCPs don't affect users or roles in the management account. They
	// affect only the member accounts in your organization." A deny-all at
	// the root shows it.
	docDenyAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
)

// docOrg is an organization whose OU Workloads holds member 222222222222
// and has scp attached; allowList replaces FullAWSAccess on Workloads with
// scp (FullAWSAccess stays on the root and the accounts).
func docOrg(t *testing.T, scp string, target string, allowList bool) *sim.Scenario {
	t.Helper()
	full := ""
	if allowList {
		full = fmt.Sprintf(`    - id: p-FullAWSAccess
      name: FullAWSAccess
      content: %q
      targets: [Root, "111111111111", "222222222222"]
`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	}
	doc := fmt.Sprintf(`name: scp-docs
region: us-east-1
caller: {arn: "arn:aws:sts::111111111111:assumed-role/Admin/rootguard"}
organization:
  id: o-docs000001
  management_account: "111111111111"
  root_id: r-docs
  features: [RootCredentialsManagement]
  trusted_services: [iam.amazonaws.com]
  ous: [{name: Workloads}]
  policies:
%s    - id: p-docexample1
      name: DocExample
      content: %q
      targets: [%s]
accounts:
  - {id: "111111111111", name: management}
  - id: "222222222222"
    name: member
    ou: Workloads
    roles: [OrganizationAccountAccessRole, Role1AllowedToBypassThisSCP]
`, full, scp, target)
	s, err := sim.ParseScenario("scp-docs", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const docMember = "222222222222"

// roleIn assumes role name in the member account.
func (e *env) roleIn(t *testing.T, name string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(e.caller()).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + docMember + ":role/" + name),
		RoleSessionName: aws.String("docs"),
	})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", name, err)
	}
	return fromCreds(e, out.Credentials)
}

func TestSCPDocumentationExamples(t *testing.T) {
	type principal func(*testing.T, *env) aws.Config
	var (
		management principal = func(_ *testing.T, e *env) aws.Config { return e.caller() }
		accessRole principal = func(t *testing.T, e *env) aws.Config { return e.roleIn(t, "OrganizationAccountAccessRole") }
		bypassRole principal = func(t *testing.T, e *env) aws.Config { return e.roleIn(t, "Role1AllowedToBypassThisSCP") }
		rootTask   principal = func(t *testing.T, e *env) aws.Config { return e.root(t, docMember) }
	)
	type call struct {
		action string
		do     func(*testing.T, aws.Config) error
	}
	in := func(region string) func(*cloudtrail.Options) {
		return func(o *cloudtrail.Options) { o.Region = region }
	}
	describeTrails := func(region string) call {
		return call{"cloudtrail:DescribeTrails in " + region, func(t *testing.T, c aws.Config) error {
			_, err := cloudtrail.NewFromConfig(c, in(region)).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
			return err
		}}
	}
	accountSummary := call{"iam:GetAccountSummary", func(t *testing.T, c aws.Config) error {
		_, err := iam.NewFromConfig(c).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
		return err
	}}
	loginProfile := call{"iam:GetLoginProfile", func(t *testing.T, c aws.Config) error {
		_, err := iam.NewFromConfig(c).GetLoginProfile(t.Context(), &iam.GetLoginProfileInput{})
		return err
	}}
	describeAlarms := call{"cloudwatch:DescribeAlarms", func(t *testing.T, c aws.Config) error {
		_, err := cloudwatch.NewFromConfig(c).DescribeAlarms(t.Context(), &cloudwatch.DescribeAlarmsInput{})
		return err
	}}

	tests := []struct {
		name      string
		scp       string
		target    string // where the example SCP is attached
		allowList bool
		who       principal
		call      call
		allow     bool
	}{
		// Region deny: a regional service outside the two Regions is denied...
		{"region deny: CloudTrail in us-east-1", docRegionDeny, "Workloads", false, accessRole, describeTrails("us-east-1"), false},
		// ...inside them allowed...
		{"region deny: CloudTrail in eu-west-1", docRegionDeny, "Workloads", false, accessRole, describeTrails("eu-west-1"), true},
		// ...a global service in the NotAction list allowed in us-east-1...
		{"region deny: IAM is exempt", docRegionDeny, "Workloads", false, accessRole, accountSummary, true},
		// ...and the administrator roles the example exempts pass anywhere.
		{"region deny: the bypass role", docRegionDeny, "Workloads", false, bypassRole, describeTrails("us-east-1"), true},
		// Root deny with the aws:AssumedRoot exemption: privileged root tasks still work...
		{"root deny with exemption: AssumeRoot session", docRootDenyExceptAssumedRoot, "Root", false, rootTask, loginProfile, true},
		// ...and it does not concern roles.
		{"root deny with exemption: a role", docRootDenyExceptAssumedRoot, "Root", false, accessRole, accountSummary, true},
		// Control Tower's root restriction has no exemption: the root task is denied...
		{"root deny without exemption: AssumeRoot session", docControlTowerRestrictRoot, "Workloads", false, rootTask, loginProfile, false},
		// ...while roles are not root.
		{"root deny without exemption: a role", docControlTowerRestrictRoot, "Workloads", false, accessRole, describeTrails("us-east-1"), true},
		// Allow list: a listed service is allowed, an unlisted one implicitly denied.
		{"allow list: a listed service", docAllowList, "Workloads", true, accessRole, describeAlarms, true},
		{"allow list: an unlisted service", docAllowList, "Workloads", true, accessRole, describeTrails("us-east-1"), false},
		// SCPs never affect the management account; members they do.
		{"deny all at the root: the management account", docDenyAll, "Root", false, management, accountSummary, true},
		{"deny all at the root: a member", docDenyAll, "Root", false, rootTask, loginProfile, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, docOrg(t, tt.scp, tt.target, tt.allowList))
			err := tt.call.do(t, tt.who(t, e))
			deniedBySCP := strings.HasPrefix(code(err), "AccessDenied") && strings.Contains(message(err), "service control policy")
			switch {
			case tt.allow && deniedBySCP:
				t.Errorf("%s: %v; the documentation allows it", tt.call.action, err)
			case tt.allow && err != nil && !strings.HasPrefix(code(err), "NoSuch"):
				t.Errorf("%s: %v", tt.call.action, err)
			case !tt.allow && !deniedBySCP:
				t.Errorf("%s: %v; the documentation denies it through the SCP", tt.call.action, err)
			}
		})
	}
}
