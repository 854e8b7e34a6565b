package sim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

// Demo account IDs (see demo.yaml).
const (
	mgmt        = "111111111111"
	clean       = "222222222222"
	network     = "333333333333"
	signingCert = "555555555555"
	rootKeys    = "666666666666"
	virtualMFA  = "777777777777"
	badContact  = "888888888888"
	denied      = "999999999999"
	noSecurity  = "101010101010"
	gmail       = "131313131313"
	suspended   = "151515151515"
)

// opCase is one call through a real SDK client: run returns a value to
// compare with want, or an error whose code must be wantCode.
type opCase struct {
	name     string
	run      func(t *testing.T, e *env) (any, error)
	want     any
	wantCode string
	wantMsg  string
}

func runCases(t *testing.T, e *env, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
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

func assumeRoot(target, policy string, seconds int32) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) {
		in := &sts.AssumeRootInput{
			TargetPrincipal: aws.String(target),
			TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(policy)},
		}
		if seconds != 0 {
			in.DurationSeconds = aws.Int32(seconds)
		}
		out, err := stsc(e.caller()).AssumeRoot(t.Context(), in)
		if err != nil {
			return nil, err
		}
		id, err := stsc(fromCreds(e, out.Credentials)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		return []any{aws.ToString(id.Arn), aws.ToString(id.Account), out.Credentials.Expiration.Sub(epoch)}, nil
	}
}

func TestSTS(t *testing.T) {
	e := demoEnv(t)
	runCases(t, e, []opCase{
		{
			name: "GetCallerIdentity as the caller",
			run: func(t *testing.T, e *env) (any, error) {
				out, err := stsc(e.caller()).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				if err != nil {
					return nil, err
				}
				return []string{aws.ToString(out.Account), aws.ToString(out.Arn)}, nil
			},
			want: []string{mgmt, "arn:aws:sts::111111111111:assumed-role/Admin/rootguard-demo"},
		},
		{
			name: "AssumeRoot audit session is the member root",
			run:  assumeRoot(rootKeys, auditPolicy, 0),
			want: []any{"arn:aws:iam::666666666666:root", rootKeys, 900 * time.Second},
		},
		{
			name: "AssumeRoot by ARN with a short session",
			run:  assumeRoot("arn:aws:iam::666666666666:root", auditPolicy, 60),
			want: []any{"arn:aws:iam::666666666666:root", rootKeys, 60 * time.Second},
		},
		{
			name:     "AssumeRoot above 900 seconds",
			run:      assumeRoot(rootKeys, auditPolicy, 901),
			wantCode: "ValidationError",
			wantMsg:  "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
		},
		{
			name:     "AssumeRoot on the management account",
			run:      assumeRoot(mgmt, auditPolicy, 0),
			wantCode: "AccessDenied",
		},
		{
			name:     "AssumeRoot on a suspended account",
			run:      assumeRoot(suspended, auditPolicy, 0),
			wantCode: "AccessDenied",
		},
		{
			name:     "AssumeRoot outside the organization",
			run:      assumeRoot("123456789012", auditPolicy, 0),
			wantCode: "AccessDenied",
		},
		{
			name:     "AssumeRoot denied by a scenario fault",
			run:      assumeRoot(denied, auditPolicy, 0),
			wantCode: "AccessDenied",
		},
		{
			name:     "AssumeRoot with an unknown task policy",
			run:      assumeRoot(rootKeys, "arn:aws:iam::aws:policy/AdministratorAccess", 0),
			wantCode: "ValidationError",
		},
		{
			name:     "AssumeRoot S3 unlock needs RootSessions",
			run:      assumeRoot(rootKeys, "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy", 0),
			wantCode: "AccessDenied",
		},
		{
			name: "AssumeRoot on the global endpoint",
			run: func(t *testing.T, e *env) (any, error) {
				c := e.caller()
				c.Region = "aws-global"
				_, err := stsc(c).AssumeRoot(t.Context(), &sts.AssumeRootInput{
					TargetPrincipal: aws.String(rootKeys),
					TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(auditPolicy)},
				})
				return nil, err
			},
			wantCode: "InvalidAction",
		},
		{
			name: "AssumeRoot by a member account",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := stsc(e.role(t, network)).AssumeRoot(t.Context(), &sts.AssumeRootInput{
					TargetPrincipal: aws.String(rootKeys),
					TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(auditPolicy)},
				})
				return nil, err
			},
			wantCode: "AccessDenied",
		},
		{
			name: "AssumeRoot from a root session",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := stsc(e.root(t, rootKeys)).AssumeRoot(t.Context(), &sts.AssumeRootInput{
					TargetPrincipal: aws.String(clean),
					TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(auditPolicy)},
				})
				return nil, err
			},
			wantCode: "AccessDenied",
		},
		{
			name: "AssumeRole into a member",
			run: func(t *testing.T, e *env) (any, error) {
				out, err := stsc(e.role(t, network)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				if err != nil {
					return nil, err
				}
				return []string{aws.ToString(out.Account), aws.ToString(out.Arn)}, nil
			},
			want: []string{network, "arn:aws:sts::333333333333:assumed-role/OrganizationAccountAccessRole/rootguard"},
		},
		{
			name: "AssumeRole into a role that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := stsc(e.caller()).AssumeRole(t.Context(), &sts.AssumeRoleInput{
					RoleArn:         aws.String("arn:aws:iam::333333333333:role/NoSuchRole"),
					RoleSessionName: aws.String("rootguard"),
				})
				return nil, err
			},
			wantCode: "AccessDenied",
		},
		{
			name: "unknown access key",
			run: func(t *testing.T, e *env) (any, error) {
				c := fromCreds(e, &ststypes.Credentials{AccessKeyId: aws.String("AKIAUNKNOWN000000000"), SecretAccessKey: aws.String("x")})
				_, err := stsc(c).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				return nil, err
			},
			wantCode: "InvalidClientTokenId",
		},
		{
			name: "unknown access key on Organizations",
			run: func(t *testing.T, e *env) (any, error) {
				c := fromCreds(e, &ststypes.Credentials{AccessKeyId: aws.String("AKIAUNKNOWN000000000"), SecretAccessKey: aws.String("x")})
				_, err := orgc(c).ListAccounts(t.Context(), &organizations.ListAccountsInput{})
				return nil, err
			},
			wantCode: "UnrecognizedClientException",
		},
	})
}

func TestRootSessionExpires(t *testing.T) {
	e := demoEnv(t)
	c := e.root(t, rootKeys)
	if _, err := iamc(c).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{}); err != nil {
		t.Fatalf("GetAccountSummary in a fresh session: %v", err)
	}
	e.clock.Advance(901 * time.Second)
	_, err := iamc(c).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
	if got := code(err); got != "ExpiredToken" {
		t.Errorf("after 901s: error code %q, want ExpiredToken", got)
	}
}

func summary(keys ...string) func(*testing.T, aws.Config) (any, error) {
	return func(t *testing.T, c aws.Config) (any, error) {
		out, err := iamc(c).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
		if err != nil {
			return nil, err
		}
		got := map[string]int32{}
		for _, k := range keys {
			got[k] = out.SummaryMap[k]
		}
		return got, nil
	}
}

// inRoot runs f in an AssumeRoot audit session on target.
func inRoot(target string, f func(*testing.T, aws.Config) (any, error)) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) { return f(t, e.root(t, target)) }
}

// asCaller runs f with the caller's credentials.
func asCaller(f func(*testing.T, aws.Config) (any, error)) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) { return f(t, e.caller()) }
}

// inRole runs f in an AssumeRole session on target.
func inRole(target string, f func(*testing.T, aws.Config) (any, error)) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) { return f(t, e.role(t, target)) }
}

var rootSummaryKeys = []string{"AccountMFAEnabled", "AccountAccessKeysPresent", "AccountPasswordPresent",
	"AccountSigningCertificatesPresent", "MFADevices", "MFADevicesInUse"}

func TestIAM(t *testing.T) {
	e := demoEnv(t)
	listKeys := func(t *testing.T, c aws.Config) (any, error) {
		out, err := iamc(c).ListAccessKeys(t.Context(), &iam.ListAccessKeysInput{})
		if err != nil {
			return nil, err
		}
		var got []any
		for _, k := range out.AccessKeyMetadata {
			lu, err := iamc(c).GetAccessKeyLastUsed(t.Context(), &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
			if err != nil {
				return nil, err
			}
			got = append(got, []any{k.Status, *k.CreateDate, lu.AccessKeyLastUsed.LastUsedDate,
				aws.ToString(lu.AccessKeyLastUsed.ServiceName), aws.ToString(lu.AccessKeyLastUsed.Region)})
		}
		return got, nil
	}
	mfa := func(t *testing.T, c aws.Config) (any, error) {
		out, err := iamc(c).ListMFADevices(t.Context(), &iam.ListMFADevicesInput{})
		if err != nil {
			return nil, err
		}
		var got []any
		for _, d := range out.MFADevices {
			got = append(got, []any{aws.ToString(d.SerialNumber), *d.EnableDate})
		}
		return got, nil
	}
	loginProfile := func(user string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			in := &iam.GetLoginProfileInput{}
			if user != "" {
				in.UserName = aws.String(user)
			}
			out, err := iamc(c).GetLoginProfile(t.Context(), in)
			if err != nil {
				return nil, err
			}
			return *out.LoginProfile.CreateDate, nil
		}
	}
	getUser := func(t *testing.T, c aws.Config) (any, error) {
		out, err := iamc(c).GetUser(t.Context(), &iam.GetUserInput{})
		if err != nil {
			return nil, err
		}
		return []any{aws.ToString(out.User.Arn), aws.ToString(out.User.UserId), out.User.PasswordLastUsed}, nil
	}
	listVirtual := func(status iamtypes.AssignmentStatusType) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			out, err := iamc(c).ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{AssignmentStatus: status})
			if err != nil {
				return nil, err
			}
			var got [][2]string
			for _, d := range out.VirtualMFADevices {
				user := ""
				if d.User != nil {
					user = aws.ToString(d.User.Arn)
				}
				got = append(got, [2]string{aws.ToString(d.SerialNumber), user})
			}
			return got, nil
		}
	}
	features := func(t *testing.T, c aws.Config) (any, error) {
		out, err := iamc(c).ListOrganizationsFeatures(t.Context(), &iam.ListOrganizationsFeaturesInput{})
		if err != nil {
			return nil, err
		}
		return []any{aws.ToString(out.OrganizationId), out.EnabledFeatures}, nil
	}
	certs := func(t *testing.T, c aws.Config) (any, error) {
		out, err := iamc(c).ListSigningCertificates(t.Context(), &iam.ListSigningCertificatesInput{})
		if err != nil {
			return nil, err
		}
		var got []any
		for _, c := range out.Certificates {
			got = append(got, []any{c.Status, *c.UploadDate, len(aws.ToString(c.CertificateId))})
		}
		return got, nil
	}
	call := func(f func(*iam.Client, *testing.T) error) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) { return nil, f(iamc(c), t) }
	}

	runCases(t, e, []opCase{
		{
			name: "GetAccountSummary of the management account",
			run:  asCaller(summary(rootSummaryKeys...)),
			// Two root devices, two user devices and one unassigned device.
			want: map[string]int32{"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 1,
				"AccountSigningCertificatesPresent": 0, "MFADevices": 5, "MFADevicesInUse": 4},
		},
		{
			name: "GetAccountSummary in a root session with keys",
			run:  inRoot(rootKeys, summary(rootSummaryKeys...)),
			want: map[string]int32{"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 0,
				"AccountSigningCertificatesPresent": 0, "MFADevices": 0, "MFADevicesInUse": 0},
		},
		{
			name: "GetAccountSummary of a clean member",
			run:  inRoot(clean, summary(rootSummaryKeys...)),
			want: map[string]int32{"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0,
				"AccountSigningCertificatesPresent": 0, "MFADevices": 0, "MFADevicesInUse": 0},
		},
		{
			name: "ListAccessKeys and GetAccessKeyLastUsed of the root",
			run:  inRoot(rootKeys, listKeys),
			want: []any{
				[]any{iamtypes.StatusTypeActive, *ago(days(700)), ago(days(3)), "s3", "eu-west-1"},
				[]any{iamtypes.StatusTypeInactive, *ago(days(1000)), ago(days(800)), "ec2", "us-east-1"},
			},
		},
		{
			name: "ListAccessKeys of a root without keys",
			run:  inRoot(clean, listKeys),
			want: []any(nil),
		},
		{
			name: "ListMFADevices of a virtual-only root",
			run:  inRoot(virtualMFA, mfa),
			want: []any{[]any{"arn:aws:iam::777777777777:mfa/prod-web-root", *ago(days(4 * 365))}},
		},
		{
			name: "GetLoginProfile of a root with a password",
			run:  inRoot(virtualMFA, loginProfile("")),
			want: *ago(days(4 * 365)),
		},
		{
			name:     "GetLoginProfile of a root without a password",
			run:      inRoot(rootKeys, loginProfile("")),
			wantCode: "NoSuchEntity",
		},
		{
			name: "GetLoginProfile of an IAM user",
			run:  asCaller(loginProfile("alex.admin")),
			want: *ago(days(3 * 365)),
		},
		{
			name:     "GetLoginProfile of an unknown user",
			run:      asCaller(loginProfile("nobody")),
			wantCode: "NoSuchEntity",
		},
		{
			name:     "GetLoginProfile with a UserName in a root session",
			run:      inRoot(virtualMFA, loginProfile("alex.admin")),
			wantCode: "AccessDenied",
		},
		{
			name: "GetUser is the root user in a root session",
			run:  inRoot(virtualMFA, getUser),
			want: []any{"arn:aws:iam::777777777777:root", virtualMFA, ago(days(45))},
		},
		{
			name: "GetUser of a root that never had a password",
			run:  inRoot(clean, getUser),
			want: []any{"arn:aws:iam::222222222222:root", clean, (*time.Time)(nil)},
		},
		{
			name:     "GetUser without UserName for a role",
			run:      asCaller(getUser),
			wantCode: "ValidationError",
		},
		{
			name: "ListSigningCertificates of the root",
			run:  inRoot(signingCert, certs),
			want: []any{[]any{iamtypes.StatusTypeActive, *ago(days(900)), 28}},
		},
		{
			name: "ListVirtualMFADevices matches the root by User.Arn only",
			run:  asCaller(listVirtual(iamtypes.AssignmentStatusTypeAny)),
			want: [][2]string{
				{"arn:aws:iam::111111111111:mfa/alex.admin", "arn:aws:iam::111111111111:user/alex.admin"},
				{"arn:aws:iam::111111111111:mfa/root-breakglass-automation", "arn:aws:iam::111111111111:user/root-breakglass-automation"},
				{"arn:aws:iam::111111111111:mfa/root-account-mfa-device", ""},
			},
		},
		{
			name: "ListVirtualMFADevices unassigned",
			run:  asCaller(listVirtual(iamtypes.AssignmentStatusTypeUnassigned)),
			want: [][2]string{{"arn:aws:iam::111111111111:mfa/root-account-mfa-device", ""}},
		},
		{
			name: "ListVirtualMFADevices of a member root",
			run:  inRole(virtualMFA, listVirtual(iamtypes.AssignmentStatusTypeAssigned)),
			want: [][2]string{{"arn:aws:iam::777777777777:mfa/prod-web-root", "arn:aws:iam::777777777777:root"}},
		},
		{
			name:     "ListVirtualMFADevices is outside the audit task policy",
			run:      inRoot(virtualMFA, listVirtual(iamtypes.AssignmentStatusTypeAny)),
			wantCode: "AccessDenied",
		},
		{
			name: "GenerateCredentialReport is outside the audit task policy",
			run: inRoot(virtualMFA, call(func(c *iam.Client, t *testing.T) error {
				_, err := c.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{})
				return err
			})),
			wantCode: "AccessDenied",
		},
		{
			name: "GetAccessKeyLastUsed of another account's key",
			run: inRoot(clean, call(func(c *iam.Client, t *testing.T) error {
				_, err := c.GetAccessKeyLastUsed(t.Context(), &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAEXAMPLEEXAMPLE00")})
				return err
			})),
			wantCode: "AccessDenied",
		},
		{
			name: "ListOrganizationsFeatures from the management account",
			run:  asCaller(features),
			want: []any{"o-acme0demo1", []iamtypes.FeatureType{iamtypes.FeatureTypeRootCredentialsManagement}},
		},
		{
			name:     "ListOrganizationsFeatures from a member",
			run:      inRole(network, features),
			wantCode: "AccountNotManagementOrDelegatedAdministratorException",
		},
	})
}

func TestListOrganizationsFeaturesWithoutTrustedAccess(t *testing.T) {
	s := sim.Demo()
	s.Organization.TrustedServices = slices.DeleteFunc(s.Organization.TrustedServices, func(p string) bool { return p == "iam.amazonaws.com" })
	e := newEnv(t, s)
	_, err := iamc(e.caller()).ListOrganizationsFeatures(t.Context(), &iam.ListOrganizationsFeaturesInput{})
	if got := code(err); got != "ServiceAccessNotEnabledException" {
		t.Errorf("error code %q, want ServiceAccessNotEnabledException", got)
	}
}

func TestOrganizations(t *testing.T) {
	e := demoEnv(t)
	prodID := ""
	{
		roots := must(orgc(e.caller()).ListRoots(t.Context(), &organizations.ListRootsInput{}))(t)
		wl := must(orgc(e.caller()).ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: roots.Roots[0].Id}))(t)
		for _, ou := range wl.OrganizationalUnits {
			if aws.ToString(ou.Name) == "Workloads" {
				sub := must(orgc(e.caller()).ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: ou.Id}))(t)
				prodID = aws.ToString(sub.OrganizationalUnits[0].Id)
			}
		}
	}
	org := func(f func(*organizations.Client, *testing.T) (any, error)) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) { return f(orgc(c), t) }
	}
	runCases(t, e, []opCase{
		{
			name: "DescribeOrganization",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
				if err != nil {
					return nil, err
				}
				o := out.Organization
				return []any{aws.ToString(o.Id), aws.ToString(o.MasterAccountId), aws.ToString(o.MasterAccountEmail), o.FeatureSet, aws.ToString(o.Arn)}, nil
			})),
			want: []any{"o-acme0demo1", mgmt, "aws-root@acme.example", orgtypes.OrganizationFeatureSetAll, "arn:aws:organizations::111111111111:organization/o-acme0demo1"},
		},
		{
			name: "ListRoots",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.ListRoots(t.Context(), &organizations.ListRootsInput{})
				if err != nil {
					return nil, err
				}
				return []string{aws.ToString(out.Roots[0].Id), aws.ToString(out.Roots[0].Arn)}, nil
			})),
			want: []string{"r-acme", "arn:aws:organizations::111111111111:root/o-acme0demo1/r-acme"},
		},
		{
			name: "ListOrganizationalUnitsForParent of the root",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("r-acme")})
				if err != nil {
					return nil, err
				}
				var names []string
				for _, ou := range out.OrganizationalUnits {
					names = append(names, aws.ToString(ou.Name))
				}
				return names, nil
			})),
			want: []string{"Security", "Infrastructure", "Workloads", "Sandbox", "Suspended"},
		},
		{
			name: "ListOrganizationalUnitsForParent of an unknown parent",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				return c.ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("ou-acme-00000000")})
			})),
			wantCode: "ParentNotFoundException",
		},
		{
			name: "ListAccountsForParent of Workloads/Prod",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.ListAccountsForParent(t.Context(), &organizations.ListAccountsForParentInput{ParentId: aws.String(prodID)})
				if err != nil {
					return nil, err
				}
				var ids []string
				for _, a := range out.Accounts {
					ids = append(ids, aws.ToString(a.Id))
				}
				return ids, nil
			})),
			want: []string{rootKeys, virtualMFA, badContact, denied},
		},
		{
			name: "ListParents of a member in an OU",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String(rootKeys)})
				if err != nil {
					return nil, err
				}
				return []any{aws.ToString(out.Parents[0].Id), out.Parents[0].Type}, nil
			})),
			want: []any{prodID, orgtypes.ParentTypeOrganizationalUnit},
		},
		{
			name: "ListParents of the management account",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String(mgmt)})
				if err != nil {
					return nil, err
				}
				return []any{aws.ToString(out.Parents[0].Id), out.Parents[0].Type}, nil
			})),
			want: []any{"r-acme", orgtypes.ParentTypeRoot},
		},
		{
			name: "ListParents of an unknown child",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				return c.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String("123456789012")})
			})),
			wantCode: "ChildNotFoundException",
		},
		{
			name: "DescribeAccount of a suspended account",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.DescribeAccount(t.Context(), &organizations.DescribeAccountInput{AccountId: aws.String(suspended)})
				if err != nil {
					return nil, err
				}
				a := out.Account
				return []any{aws.ToString(a.Name), a.State, a.Status, a.JoinedMethod, *a.JoinedTimestamp}, nil
			})),
			want: []any{"old-project", orgtypes.AccountStateSuspended, orgtypes.AccountStatusSuspended, orgtypes.AccountJoinedMethodCreated, *ago(days(5 * 365))},
		},
		{
			name: "DescribeAccount of an unknown account",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				return c.DescribeAccount(t.Context(), &organizations.DescribeAccountInput{AccountId: aws.String("123456789012")})
			})),
			wantCode: "AccountNotFoundException",
		},
		{
			name: "ListAWSServiceAccessForOrganization",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.ListAWSServiceAccessForOrganization(t.Context(), &organizations.ListAWSServiceAccessForOrganizationInput{})
				if err != nil {
					return nil, err
				}
				var got []string
				for _, p := range out.EnabledServicePrincipals {
					got = append(got, aws.ToString(p.ServicePrincipal))
				}
				return got, nil
			})),
			want: []string{"account.amazonaws.com", "cloudtrail.amazonaws.com", "iam.amazonaws.com", "sso.amazonaws.com"},
		},
		{
			name: "ListAccounts from a member",
			run: inRole(network, org(func(c *organizations.Client, t *testing.T) (any, error) {
				return c.ListAccounts(t.Context(), &organizations.ListAccountsInput{})
			})),
			wantCode: "AccessDeniedException",
		},
		{
			name: "DescribeOrganization from a member",
			run: inRole(network, org(func(c *organizations.Client, t *testing.T) (any, error) {
				out, err := c.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
				if err != nil {
					return nil, err
				}
				return aws.ToString(out.Organization.Id), nil
			})),
			want: "o-acme0demo1",
		},
		{
			name: "ListAccounts in a root session",
			run: inRoot(clean, org(func(c *organizations.Client, t *testing.T) (any, error) {
				return c.ListAccounts(t.Context(), &organizations.ListAccountsInput{})
			})),
			wantCode: "AccessDeniedException",
		},
		{
			name: "ListAccounts above the page limit",
			run: asCaller(org(func(c *organizations.Client, t *testing.T) (any, error) {
				return c.ListAccounts(t.Context(), &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
			})),
			wantCode: "InvalidInputException",
		},
	})
}

func TestStandalone(t *testing.T) {
	s := must(sim.LoadScenario("testdata/standalone.json"))(t)
	e := newEnv(t, s)
	_, err := orgc(e.caller()).DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
	if got := code(err); got != "AWSOrganizationsNotInUseException" {
		t.Errorf("DescribeOrganization: error code %q, want AWSOrganizationsNotInUseException", got)
	}
	_, err = orgc(e.caller()).ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	if got := code(err); got != "AWSOrganizationsNotInUseException" {
		t.Errorf("ListAccounts: error code %q, want AWSOrganizationsNotInUseException", got)
	}
	got := must(summary(rootSummaryKeys...)(t, e.caller()))(t)
	want := map[string]int32{"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1,
		"AccountSigningCertificatesPresent": 0, "MFADevices": 1, "MFADevicesInUse": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetAccountSummary (-want +got)\n%s", diff)
	}
}

func TestAccount(t *testing.T) {
	e := demoEnv(t)
	contact := func(id string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			in := &account.GetContactInformationInput{}
			if id != "" {
				in.AccountId = aws.String(id)
			}
			out, err := acctc(c).GetContactInformation(t.Context(), in)
			if err != nil {
				return nil, err
			}
			ci := out.ContactInformation
			return []string{aws.ToString(ci.FullName), aws.ToString(ci.City), aws.ToString(ci.PostalCode), aws.ToString(ci.PhoneNumber)}, nil
		}
	}
	alternate := func(id string, typ accttypes.AlternateContactType) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			in := &account.GetAlternateContactInput{AlternateContactType: typ}
			if id != "" {
				in.AccountId = aws.String(id)
			}
			out, err := acctc(c).GetAlternateContact(t.Context(), in)
			if err != nil {
				return nil, err
			}
			ac := out.AlternateContact
			return []any{ac.AlternateContactType, aws.ToString(ac.EmailAddress), aws.ToString(ac.PhoneNumber)}, nil
		}
	}
	email := func(id string) func(*testing.T, aws.Config) (any, error) {
		return func(t *testing.T, c aws.Config) (any, error) {
			out, err := acctc(c).GetPrimaryEmail(t.Context(), &account.GetPrimaryEmailInput{AccountId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			return aws.ToString(out.PrimaryEmail), nil
		}
	}
	runCases(t, e, []opCase{
		{
			name: "GetContactInformation standalone context",
			run:  asCaller(contact("")),
			want: []string{"Acme Cloud Platform Team", "Seattle", "98101", "+12065550100"},
		},
		{
			name: "GetContactInformation of a member with gaps",
			run:  asCaller(contact(badContact)),
			want: []string{"Data Platform", "", "", "(206) 555-0199"},
		},
		{
			name:     "GetContactInformation of the management account by ID",
			run:      asCaller(contact(mgmt)),
			wantCode: "AccessDeniedException",
			wantMsg:  "The management account can only be managed using the standalone context from the management account.",
		},
		{
			name:     "GetContactInformation in a root session",
			run:      inRoot(clean, contact("")),
			wantCode: "AccessDeniedException",
		},
		{
			name: "GetAlternateContact SECURITY",
			run:  asCaller(alternate(clean, accttypes.AlternateContactTypeSecurity)),
			want: []any{accttypes.AlternateContactTypeSecurity, "security@acme.example", "+12065550111"},
		},
		{
			name:     "GetAlternateContact unset",
			run:      asCaller(alternate(noSecurity, accttypes.AlternateContactTypeSecurity)),
			wantCode: "ResourceNotFoundException",
			wantMsg:  "No contact of the inputted alternate contact type found.",
		},
		{
			name: "GetAlternateContact from the member itself",
			run:  inRole(noSecurity, alternate("", accttypes.AlternateContactTypeBilling)),
			want: []any{accttypes.AlternateContactTypeBilling, "aws-billing@acme.example", "+12065550122"},
		},
		{
			name: "GetPrimaryEmail of a member",
			run:  asCaller(email(gmail)),
			want: "acme.marketing.team@gmail.com",
		},
		{
			name:     "GetPrimaryEmail of the management account",
			run:      asCaller(email(mgmt)),
			wantCode: "AccessDeniedException",
			wantMsg:  "The management account can only be managed using the standalone context from the management account.",
		},
		{
			name:     "GetPrimaryEmail from a member",
			run:      inRole(network, email(clean)),
			wantCode: "AccessDeniedException",
		},
		{
			name:     "GetPrimaryEmail of an account outside the organization",
			run:      asCaller(email("123456789012")),
			wantCode: "AccessDeniedException",
		},
	})
}
