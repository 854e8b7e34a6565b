package sim_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/sim"
)

// applyDemoFixes makes the writes an apply of the demo would: an SCP
// attached to an OU, root sessions, a trusted service, member root
// credentials removed, contacts set and removed, a root-activity rule with
// its topic and subscription.
func applyDemoFixes(t *testing.T, e *env) {
	t.Helper()
	ctx := t.Context()
	fail := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	org := orgc(e.caller())
	id := must(createPolicy(t, org, "DenyRootAccessKeys", denyRootKeys))(t)
	_, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(ouID(t, org, "Sandbox"))})
	fail("AttachPolicy", err)
	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(ouID(t, org, "Sandbox"))})
	fail("DetachPolicy", err)
	_, err = org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")})
	fail("EnableAWSServiceAccess", err)
	_, err = iamc(e.caller()).EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	fail("EnableOrganizationsRootSessions", err)

	keys := iamc(e.deleteSession(t, rootKeys))
	_, err = keys.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(must(keyIDs(t, keys))(t)[0])})
	fail("DeleteAccessKey", err)
	build := iamc(e.deleteSession(t, signingCert))
	_, err = build.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
	fail("DeleteLoginProfile", err)
	_, err = build.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String("GAHT20000555")})
	fail("DeactivateMFADevice", err)
	_, err = iamc(e.deleteSession(t, virtualMFA)).DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::777777777777:mfa/prod-web-root")})
	fail("DeactivateMFADevice virtual", err)

	_, err = putSecurity(noSecurity, "security@acme.example", "+12065550111")(t, e)
	fail("PutAlternateContact", err)
	_, err = acctc(e.caller()).DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AccountId: aws.String(network), AlternateContactType: accttypes.AlternateContactTypeBilling})
	fail("DeleteAlternateContact", err)

	topic := must(snsc(e).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("rootguard-root-activity"), Attributes: map[string]string{"DisplayName": "Root activity"}}))(t).TopicArn
	_, err = snsc(e).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic, AttributeName: aws.String("Policy"), AttributeValue: aws.String(topicPolicy)})
	fail("SetTopicAttributes", err)
	_, err = snsc(e).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("email"), Endpoint: aws.String("security@acme.example")})
	fail("Subscribe", err)
	eb := ebc(e, "us-east-1")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("rootguard-root-activity"), EventPattern: aws.String(rootPattern)})
	fail("PutRule", err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("rootguard-root-activity"), Targets: []ebtypes.Target{{Id: aws.String("sns"), Arn: topic}}})
	fail("PutTargets", err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("root-activity"), Targets: []ebtypes.Target{{Id: aws.String("rootguard"), Arn: topic}}})
	fail("PutTargets on an existing rule", err)
}

// observe reads what the collector reads, as comparable text.
func observe(t *testing.T, e *env) []string {
	t.Helper()
	ctx := t.Context()
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	day := func(tm *time.Time) string {
		if tm == nil {
			return "-"
		}
		return tm.UTC().Format(time.RFC3339)
	}

	org := orgc(e.caller())
	pols := must(org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy}))(t)
	for _, p := range pols.Policies {
		d := must(org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: p.Id}))(t)
		add("policy %s %s %s %v", aws.ToString(p.Id), aws.ToString(p.Name), aws.ToString(d.Policy.Content), must(targetsOf(t, org, aws.ToString(p.Id)))(t))
	}
	for _, p := range must(org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{}))(t).EnabledServicePrincipals {
		add("trusted %s", aws.ToString(p.ServicePrincipal))
	}
	for _, a := range []string{mgmt, rootKeys, gmail} {
		d := must(org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(a)}))(t)
		add("account %s joined %s", a, day(d.Account.JoinedTimestamp))
	}
	add("features %v", must(iamc(e.caller()).ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{}))(t).EnabledFeatures)

	for _, a := range []string{"444444444444", signingCert, rootKeys, virtualMFA} {
		c := iamc(e.root(t, a))
		add("%s summary %v", a, must(rootSummary(t, c))(t))
		for _, k := range must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))(t).AccessKeyMetadata {
			lu := must(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId}))(t).AccessKeyLastUsed
			add("%s key %s %s %s used %s %s %s", a, aws.ToString(k.AccessKeyId), k.Status, day(k.CreateDate), day(lu.LastUsedDate), aws.ToString(lu.ServiceName), aws.ToString(lu.Region))
		}
		for _, cert := range must(c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{}))(t).Certificates {
			add("%s cert %s %s %s", a, aws.ToString(cert.CertificateId), cert.Status, day(cert.UploadDate))
		}
		for _, d := range must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{}))(t).MFADevices {
			add("%s mfa %s %s", a, aws.ToString(d.SerialNumber), day(d.EnableDate))
		}
		lp, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
		if err != nil {
			add("%s password %s", a, code(err))
		} else {
			add("%s password %s", a, day(lp.LoginProfile.CreateDate))
		}
		add("%s password last used %s", a, day(must(c.GetUser(ctx, &iam.GetUserInput{}))(t).User.PasswordLastUsed))
	}
	for _, d := range must(iamc(e.role(t, virtualMFA)).ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAny}))(t).VirtualMFADevices {
		add("%s virtual %s %v", virtualMFA, aws.ToString(d.SerialNumber), d.User != nil)
	}
	ic := iamc(e.caller())
	must(ic.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))(t)
	must(ic.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))(t)
	rep := must(ic.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))(t)
	add("credential report %s", base64.StdEncoding.EncodeToString(rep.Content))

	for _, a := range []string{noSecurity, network} {
		for _, typ := range []accttypes.AlternateContactType{"SECURITY", "BILLING"} {
			ac, err := acctc(e.caller()).GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: aws.String(a), AlternateContactType: typ})
			if err != nil {
				add("%s %s %s", a, typ, code(err))
				continue
			}
			add("%s %s %s %s", a, typ, aws.ToString(ac.AlternateContact.EmailAddress), aws.ToString(ac.AlternateContact.PhoneNumber))
		}
	}

	eb := ebc(e, "us-east-1")
	for _, r := range must(eb.ListRules(ctx, &eventbridge.ListRulesInput{}))(t).Rules {
		add("rule %v", must(ruleView(t, eb, aws.ToString(r.Name)))(t))
	}
	sc := snsc(e)
	for _, tp := range must(sc.ListTopics(ctx, &sns.ListTopicsInput{}))(t).Topics {
		attrs := must(sc.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: tp.TopicArn}))(t).Attributes
		add("topic %s %s %s %v", aws.ToString(tp.TopicArn), attrs["DisplayName"], attrs["Policy"], must(subscriptions(t, sc, aws.ToString(tp.TopicArn)))(t))
	}
	return out
}

// TestScenarioRoundTrip: the world after writes, saved as a scenario,
// written as YAML, read back and served again a month later, answers the
// collector's reads the same, and saves to the same scenario.
func TestScenarioRoundTrip(t *testing.T) {
	e := writableEnv(t, sim.Demo())
	applyDemoFixes(t, e)
	want := observe(t, e)

	saved := e.srv.Scenario()
	path := filepath.Join(t.TempDir(), "state.yaml")
	if err := sim.SaveScenario(path, saved); err != nil {
		t.Fatal(err)
	}
	data := must(os.ReadFile(path))(t)
	if rel := regexp.MustCompile(`(?m):\s+[-+]\d+[smhdwy]$|:\s+now$`).Find(data); rel != nil {
		t.Errorf("the saved state holds a relative date: %q", rel)
	}
	loaded := must(sim.LoadScenario(path))(t)

	again := newEnv(t, loaded)
	again.clock.Advance(31 * 24 * time.Hour)
	got := observe(t, again)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reads after the round trip (-before +after)\n%s", diff)
	}
	if diff := cmp.Diff(saved, again.srv.Scenario(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("saving the reloaded world again (-first +second)\n%s", diff)
	}
}

// TestScenarioKeepsEmptyRoles: an account with no roles (roles: []) is not
// an account with the default access role (roles left out).
func TestScenarioKeepsEmptyRoles(t *testing.T) {
	s := sim.Demo()
	s.Accounts[2].Roles = sim.RoleNames{}
	srv := must(sim.New(s, sim.Options{Writable: true}))(t)
	b := must(srv.Scenario().Marshal())(t)
	back := must(sim.ParseScenario("state.yaml", b))(t)
	if r := back.Accounts[2].Roles; r == nil || len(r) != 0 {
		t.Errorf("roles after the round trip = %#v, want empty and not nil", r)
	}
	if r := back.Accounts[3].Roles; r != nil {
		t.Errorf("default roles after the round trip = %#v, want nil", r)
	}
}

// TestWritableServerCopiesTheScenario: writes never reach the caller's
// scenario value.
func TestWritableServerCopiesTheScenario(t *testing.T) {
	s := sim.Demo()
	e := writableEnv(t, s)
	applyDemoFixes(t, e)
	if diff := cmp.Diff(sim.Demo(), s); diff != "" {
		t.Errorf("the caller's scenario changed (-want +got)\n%s", diff)
	}
}
