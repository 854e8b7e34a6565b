package sim_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootguard/rootguard/internal/sim"
)

const deletePolicy = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"

// deleteSession opens an AssumeRoot session with the delete task policy.
func (e *env) deleteSession(t *testing.T, target string) aws.Config {
	t.Helper()
	out, err := stsc(e.caller()).AssumeRoot(t.Context(), &sts.AssumeRootInput{
		TargetPrincipal: aws.String(target),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(deletePolicy)},
		DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatalf("AssumeRoot %s with the delete task policy: %v", target, err)
	}
	return fromCreds(e, out.Credentials)
}

// summary reads the account summary entries that describe root credentials.
func rootSummary(t *testing.T, c *iam.Client) (map[string]int32, error) {
	out, err := c.GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
	if err != nil {
		return nil, err
	}
	m := map[string]int32{}
	for _, k := range []iamtypes.SummaryKeyType{"AccountAccessKeysPresent", "AccountMFAEnabled", "AccountPasswordPresent",
		"AccountSigningCertificatesPresent", "MFADevices", "MFADevicesInUse"} {
		m[string(k)] = out.SummaryMap[string(k)]
	}
	return m, nil
}

func keyIDs(t *testing.T, c *iam.Client) ([]string, error) {
	out, err := c.ListAccessKeys(t.Context(), &iam.ListAccessKeysInput{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	return ids, nil
}

func noIAMTrust() *sim.Scenario {
	s := sim.Demo()
	s.Organization.TrustedServices = slices.DeleteFunc(s.Organization.TrustedServices, func(p string) bool { return p == "iam.amazonaws.com" })
	return s
}

func TestIAMRootCredentialDeletes(t *testing.T) {
	runWrites(t, sim.Demo, []opCase{
		{
			name: "DeleteAccessKey one by one; the other key keeps its ID",
			run: func(t *testing.T, e *env) (any, error) {
				c := iamc(e.deleteSession(t, rootKeys))
				before, err := keyIDs(t, c)
				if err != nil {
					return nil, err
				}
				if _, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(before[0])}); err != nil {
					return nil, err
				}
				after, err := keyIDs(t, c)
				if err != nil {
					return nil, err
				}
				mid, err := rootSummary(t, c)
				if err != nil {
					return nil, err
				}
				if _, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(before[1])}); err != nil {
					return nil, err
				}
				end, err := rootSummary(t, c)
				return []any{len(before), slices.Equal(after, before[1:]), mid["AccountAccessKeysPresent"], end["AccountAccessKeysPresent"]}, err
			},
			want: []any{2, true, int32(1), int32(0)},
		},
		{
			// iam:GetUser: "If the user does not currently have a password
			// but had one in the past, then this field contains the date
			// and time the most recent password was used."
			name: "DeleteLoginProfile: GetUser keeps when the password was last used",
			run: func(t *testing.T, e *env) (any, error) {
				c := iamc(e.deleteSession(t, virtualMFA))
				before, err := c.GetUser(t.Context(), &iam.GetUserInput{})
				if err != nil {
					return nil, err
				}
				if _, err := c.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{}); err != nil {
					return nil, err
				}
				after, err := c.GetUser(t.Context(), &iam.GetUserInput{})
				if err != nil {
					return nil, err
				}
				s, err := rootSummary(t, c)
				return []any{before.User.PasswordLastUsed, after.User.PasswordLastUsed, s["AccountPasswordPresent"]}, err
			},
			want: []any{ago(days(45)), ago(days(45)), int32(0)},
		},
		{
			name: "DeleteAccessKey of a key that is not there",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.deleteSession(t, rootKeys)).DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String("AKIANOSUCHKEY0000000")})
				return nil, err
			},
			wantCode: "NoSuchEntity",
		},
		{
			name: "every root credential of build-ci removed",
			run: func(t *testing.T, e *env) (any, error) {
				c := iamc(e.deleteSession(t, signingCert))
				if _, err := c.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{}); err != nil {
					return nil, err
				}
				certs, err := c.ListSigningCertificates(t.Context(), &iam.ListSigningCertificatesInput{})
				if err != nil {
					return nil, err
				}
				for _, cert := range certs.Certificates {
					if _, err := c.DeleteSigningCertificate(t.Context(), &iam.DeleteSigningCertificateInput{CertificateId: cert.CertificateId}); err != nil {
						return nil, err
					}
				}
				devs, err := c.ListMFADevices(t.Context(), &iam.ListMFADevicesInput{})
				if err != nil {
					return nil, err
				}
				for _, d := range devs.MFADevices {
					if _, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
						return nil, err
					}
				}
				_, lpErr := c.GetLoginProfile(t.Context(), &iam.GetLoginProfileInput{})
				left, err := c.ListMFADevices(t.Context(), &iam.ListMFADevicesInput{})
				if err != nil {
					return nil, err
				}
				s, err := rootSummary(t, c)
				return []any{len(certs.Certificates), len(devs.MFADevices), code(lpErr), len(left.MFADevices), s}, err
			},
			want: []any{1, 2, "NoSuchEntity", 0, map[string]int32{
				"AccountAccessKeysPresent": 0, "AccountMFAEnabled": 0, "AccountPasswordPresent": 0,
				"AccountSigningCertificatesPresent": 0, "MFADevices": 0, "MFADevicesInUse": 0,
			}},
		},
		{
			name: "DeleteLoginProfile when there is none",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.deleteSession(t, rootKeys)).DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{})
				return nil, err
			},
			wantCode: "NoSuchEntity",
			wantMsg:  "Login Profile for User root cannot be found.",
		},
		{
			name: "DeactivateMFADevice leaves a virtual device unassigned in the account",
			run: func(t *testing.T, e *env) (any, error) {
				c := iamc(e.deleteSession(t, virtualMFA))
				serial := "arn:aws:iam::777777777777:mfa/prod-web-root"
				if _, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
					return nil, err
				}
				s, err := rootSummary(t, c)
				if err != nil {
					return nil, err
				}
				out, err := iamc(e.role(t, virtualMFA)).ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeUnassigned})
				if err != nil {
					return nil, err
				}
				var serials []string
				for _, d := range out.VirtualMFADevices {
					serials = append(serials, aws.ToString(d.SerialNumber))
				}
				return []any{s["AccountMFAEnabled"], s["MFADevices"], s["MFADevicesInUse"], serials}, nil
			},
			want: []any{int32(0), int32(1), int32(0), []string{"arn:aws:iam::777777777777:mfa/prod-web-root"}},
		},
		{
			name: "DeactivateMFADevice of a serial that is not there",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.deleteSession(t, virtualMFA)).DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::777777777777:mfa/other")})
				return nil, err
			},
			wantCode: "NoSuchEntity",
		},
		{
			name: "an audit session may not delete",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.root(t, rootKeys)).DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String("AKIANOSUCHKEY0000000")})
				return nil, err
			},
			wantCode: "AccessDenied",
		},
		{
			name: "a delete session may not name a user",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.deleteSession(t, rootKeys)).DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{UserName: aws.String("someone")})
				return nil, err
			},
			wantCode: "AccessDenied",
		},
		{
			name: "a delete session may not call outside its task policy",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.deleteSession(t, rootKeys)).ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{})
				return nil, err
			},
			wantCode: "AccessDenied",
		},
	})
}

func TestIAMCentralizedRootAccess(t *testing.T) {
	features := func(t *testing.T, c *iam.Client, rootSessions bool) (any, error) {
		var got []iamtypes.FeatureType
		if rootSessions {
			out, err := c.EnableOrganizationsRootSessions(t.Context(), &iam.EnableOrganizationsRootSessionsInput{})
			if err != nil {
				return nil, err
			}
			got = out.EnabledFeatures
		} else {
			out, err := c.EnableOrganizationsRootCredentialsManagement(t.Context(), &iam.EnableOrganizationsRootCredentialsManagementInput{})
			if err != nil {
				return nil, err
			}
			got = out.EnabledFeatures
		}
		list, err := c.ListOrganizationsFeatures(t.Context(), &iam.ListOrganizationsFeaturesInput{})
		if err != nil {
			return nil, err
		}
		return []any{got, list.EnabledFeatures, aws.ToString(list.OrganizationId)}, nil
	}
	runWrites(t, sim.Demo, []opCase{
		{
			name: "EnableOrganizationsRootSessions",
			run:  func(t *testing.T, e *env) (any, error) { return features(t, iamc(e.caller()), true) },
			want: []any{
				[]iamtypes.FeatureType{"RootCredentialsManagement", "RootSessions"},
				[]iamtypes.FeatureType{"RootCredentialsManagement", "RootSessions"},
				"o-acme0demo1",
			},
		},
		{
			name: "EnableOrganizationsRootCredentialsManagement when it is on already",
			run:  func(t *testing.T, e *env) (any, error) { return features(t, iamc(e.caller()), false) },
			want: []any{
				[]iamtypes.FeatureType{"RootCredentialsManagement"},
				[]iamtypes.FeatureType{"RootCredentialsManagement"},
				"o-acme0demo1",
			},
		},
		{
			name: "RootSessions lets AssumeRoot unlock an S3 bucket policy",
			run: func(t *testing.T, e *env) (any, error) {
				if _, err := iamc(e.caller()).EnableOrganizationsRootSessions(t.Context(), &iam.EnableOrganizationsRootSessionsInput{}); err != nil {
					return nil, err
				}
				return assumeRoot(rootKeys, "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy", 60)(t, e)
			},
			want: []any{"arn:aws:iam::666666666666:root", rootKeys, time.Minute},
		},
		{
			name: "EnableOrganizationsRootSessions from a member account",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := iamc(e.role(t, network)).EnableOrganizationsRootSessions(t.Context(), &iam.EnableOrganizationsRootSessionsInput{})
				return nil, err
			},
			wantCode: "CallerIsNotManagementAccountException",
		},
	})
	runWrites(t, noIAMTrust, []opCase{{
		name: "EnableOrganizationsRootCredentialsManagement without trusted access for IAM",
		run: func(t *testing.T, e *env) (any, error) {
			_, err := iamc(e.caller()).EnableOrganizationsRootCredentialsManagement(t.Context(), &iam.EnableOrganizationsRootCredentialsManagementInput{})
			return nil, err
		},
		wantCode: "ServiceAccessNotEnabledException",
	}})
}

// TestIAMCreateRole: a role is created with its trust policy and given an
// inline policy, both then served by GetAccountAuthorizationDetails and by
// GetRole and GetRolePolicy; a second role of that name, and a policy for a
// missing role, are refused as IAM refuses them, as are reads of a missing
// role or policy (NoSuchEntity).
func TestIAMCreateRole(t *testing.T) {
	e := writableEnv(t, sim.Demo())
	c := iamc(e.caller())
	ctx := t.Context()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"*"}]}`
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fwd"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Role.Arn); got != "arn:aws:iam::111111111111:role/fwd" {
		t.Errorf("role ARN %s", got)
	}
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fwd"), AssumeRolePolicyDocument: aws.String(trust)}); code(err) != "EntityAlreadyExists" {
		t.Errorf("second CreateRole: %v, want EntityAlreadyExists", err)
	}
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String("{")}); code(err) != "MalformedPolicyDocument" {
		t.Errorf("CreateRole with a broken trust policy: %v, want MalformedPolicyDocument", err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("nosuch"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); code(err) != "NoSuchEntity" {
		t.Errorf("PutRolePolicy on a missing role: %v, want NoSuchEntity", err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fwd"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	det, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(det.RoleDetailList, func(r iamtypes.RoleDetail) bool { return aws.ToString(r.RoleName) == "fwd" })
	if i < 0 {
		t.Fatal("the created role is not listed")
	}
	r := det.RoleDetailList[i]
	if got, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); got != trust {
		t.Errorf("trust policy %s, want %s", got, trust)
	}
	if len(r.RolePolicyList) != 1 || aws.ToString(r.RolePolicyList[0].PolicyName) != "p" {
		t.Fatalf("inline policies %+v, want p", r.RolePolicyList)
	}
	if got, _ := url.QueryUnescape(aws.ToString(r.RolePolicyList[0].PolicyDocument)); got != policy {
		t.Errorf("inline policy %s, want %s", got, policy)
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("fwd")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); aws.ToString(got.Role.Arn) != "arn:aws:iam::111111111111:role/fwd" || doc != trust {
		t.Errorf("GetRole: %s with trust %s, want the created role", aws.ToString(got.Role.Arn), doc)
	}
	pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fwd"), PolicyName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument)); doc != policy {
		t.Errorf("GetRolePolicy: %s, want %s", doc, policy)
	}
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nosuch")}); code(err) != "NoSuchEntity" {
		t.Errorf("GetRole of a missing role: %v, want NoSuchEntity", err)
	}
	if _, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fwd"), PolicyName: aws.String("q")}); code(err) != "NoSuchEntity" {
		t.Errorf("GetRolePolicy of a missing policy: %v, want NoSuchEntity", err)
	}
}
