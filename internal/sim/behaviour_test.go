package sim_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// countCalls counts recorded calls of one operation and their error codes.
func countCalls(calls []sim.Call, op string) (n int, codes []string) {
	for _, c := range calls {
		if c.Operation == op {
			n++
			codes = append(codes, c.ErrorCode)
		}
	}
	return n, codes
}

func TestPaginators(t *testing.T) {
	e := newEnv(t, sim.Generate(65, 7))
	org := orgc(e.caller())

	var ids []string
	p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			ids = append(ids, aws.ToString(a.Id))
		}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(ids) != 65 || len(seen) != 65 {
		t.Errorf("ListAccounts paginator: %d accounts, %d distinct, want 65", len(ids), len(seen))
	}
	if n, _ := countCalls(e.srv.Calls(), "ListAccounts"); n != 4 {
		t.Errorf("ListAccounts pages = %d, want 4 (20 per page)", n)
	}

	// Walk the whole tree: every account is under exactly one parent.
	var walk func(parent string) int
	walk = func(parent string) int {
		n := 0
		ap := organizations.NewListAccountsForParentPaginator(org, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent), MaxResults: aws.Int32(3)})
		for ap.HasMorePages() {
			out, err := ap.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.Accounts)
		}
		op := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent), MaxResults: aws.Int32(2)})
		for op.HasMorePages() {
			out, err := op.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, ou := range out.OrganizationalUnits {
				n += walk(aws.ToString(ou.Id))
			}
		}
		return n
	}
	if n := walk("r-gen0"); n != 65 {
		t.Errorf("accounts found walking the OU tree = %d, want 65", n)
	}

	d := demoEnv(t)
	var serials []string
	vp := iam.NewListVirtualMFADevicesPaginator(iamc(d.caller()), &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(1)})
	for vp.HasMorePages() {
		out, err := vp.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.VirtualMFADevices {
			serials = append(serials, aws.ToString(v.SerialNumber))
		}
	}
	want := []string{"arn:aws:iam::111111111111:mfa/alex.admin", "arn:aws:iam::111111111111:mfa/root-breakglass-automation",
		"arn:aws:iam::111111111111:mfa/root-account-mfa-device"}
	if diff := cmp.Diff(want, serials); diff != "" {
		t.Errorf("ListVirtualMFADevices paginator (-want +got)\n%s", diff)
	}
	if n, _ := countCalls(d.srv.Calls(), "ListVirtualMFADevices"); n != 3 {
		t.Errorf("ListVirtualMFADevices pages = %d, want 3", n)
	}

	rp := iam.NewListAccessKeysPaginator(iamc(d.root(t, rootKeys)), &iam.ListAccessKeysInput{MaxItems: aws.Int32(1)})
	keys := 0
	for rp.HasMorePages() {
		out, err := rp.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		keys += len(out.AccessKeyMetadata)
	}
	if keys != 2 {
		t.Errorf("ListAccessKeys paginator in a root session: %d keys, want 2", keys)
	}
}

const throttled = `
name: throttled
latency: 5ms
caller: {arn: "arn:aws:sts::111111111111:assumed-role/Admin/alice"}
organization: {id: o-throttle001, management_account: "111111111111"}
accounts:
  - {id: "111111111111", email: a@t.example, contact: {full_name: A}}
faults:
  - {operation: iam:GetAccountSummary, code: Throttling, message: Rate exceeded, times: 2}
  - {operation: organizations:ListAccounts, code: TooManyRequestsException, times: 2}
  - {operation: account:GetContactInformation, code: TooManyRequestsException, times: 2}
  - {operation: sts:GetCallerIdentity, account: "111111111111", latency: 2s}
  - {operation: "iam:*", account: "*", code: ServiceFailure, status: 500, times: 1}
`

func TestThrottlingRecovers(t *testing.T) {
	s := must(sim.ParseScenario("throttled.yaml", []byte(throttled)))(t)
	s.Faults = s.Faults[:4] // the iam:* fault is exercised in TestWildcardFault
	e := newEnv(t, s)
	ctx := t.Context()
	if _, err := iamc(e.caller()).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}); err != nil {
		t.Errorf("GetAccountSummary through two Throttling answers: %v", err)
	}
	if _, err := orgc(e.caller()).ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
		t.Errorf("ListAccounts through two TooManyRequestsException answers: %v", err)
	}
	if _, err := acctc(e.caller()).GetContactInformation(ctx, &account.GetContactInformationInput{}); err != nil {
		t.Errorf("GetContactInformation through two TooManyRequestsException answers: %v", err)
	}
	calls := e.srv.Calls()
	for op, code := range map[string]string{
		"GetAccountSummary":     "Throttling",
		"ListAccounts":          "TooManyRequestsException",
		"GetContactInformation": "TooManyRequestsException",
	} {
		n, codes := countCalls(calls, op)
		if diff := cmp.Diff([]string{code, code, ""}, codes); n != 3 || diff != "" {
			t.Errorf("%s: %d calls, error codes (-want +got)\n%s", op, n, diff)
		}
	}
	// The fault is spent: the next call succeeds at once.
	if _, err := iamc(e.caller()).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}); err != nil {
		t.Errorf("GetAccountSummary after the fault: %v", err)
	}
}

func TestLatency(t *testing.T) {
	s := must(sim.ParseScenario("throttled.yaml", []byte(throttled)))(t)
	s.Faults = s.Faults[3:4]
	e := newEnv(t, s)
	if _, err := stsc(e.caller()).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc(e.caller()).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{}); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{2*time.Second + 5*time.Millisecond, 5 * time.Millisecond}
	if diff := cmp.Diff(want, e.slept()); diff != "" {
		t.Errorf("injected latency (-want +got)\n%s", diff)
	}
}

func TestRealLatency(t *testing.T) {
	s := must(sim.ParseScenario("throttled.yaml", []byte(throttled)))(t)
	s.Faults = nil
	s.Latency = sim.Duration(20 * time.Millisecond)
	srv := must(sim.Start(s, sim.Options{}))(t)
	defer srv.Close()
	e := &env{srv: srv}
	start := time.Now()
	if _, err := stsc(e.caller()).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("call took %v, want at least the 20ms latency", took)
	}
}

func TestWildcardFault(t *testing.T) {
	s := must(sim.ParseScenario("throttled.yaml", []byte(throttled)))(t)
	s.Faults = s.Faults[4:]
	e := newEnv(t, s)
	// ServiceFailure (500) is retried by the SDK and recovers.
	if _, err := iamc(e.caller()).GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{}); err != nil {
		t.Fatalf("GetAccountSummary: %v", err)
	}
	_, codes := countCalls(e.srv.Calls(), "GetAccountSummary")
	if diff := cmp.Diff([]string{"ServiceFailure", ""}, codes); diff != "" {
		t.Errorf("error codes (-want +got)\n%s", diff)
	}
}

func TestCallsRecordTheAccountActedOn(t *testing.T) {
	e := demoEnv(t)
	c := e.root(t, rootKeys)
	if _, err := iamc(c).GetLoginProfile(t.Context(), &iam.GetLoginProfileInput{}); code(err) != "NoSuchEntity" {
		t.Fatalf("GetLoginProfile: %v", err)
	}
	if _, err := acctc(e.caller()).GetPrimaryEmail(t.Context(), &account.GetPrimaryEmailInput{AccountId: aws.String(gmail)}); err != nil {
		t.Fatal(err)
	}
	var got []sim.Call
	for _, c := range e.srv.Calls() {
		c.At = time.Time{}
		got = append(got, c)
	}
	caller := "arn:aws:sts::111111111111:assumed-role/Admin/rootguard-demo"
	want := []sim.Call{
		{Service: "sts", Operation: "AssumeRoot", Action: "sts:AssumeRoot", Account: rootKeys, Principal: caller},
		{Service: "iam", Operation: "GetLoginProfile", Action: "iam:GetLoginProfile", Account: rootKeys, Principal: "arn:aws:iam::666666666666:root", ErrorCode: "NoSuchEntity"},
		{Service: "account", Operation: "GetPrimaryEmail", Action: "account:GetPrimaryEmail", Account: gmail, Principal: caller},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Calls (-want +got)\n%s", diff)
	}
}

func TestCredentialReport(t *testing.T) {
	e := demoEnv(t)
	c := iamc(e.caller())
	ctx := t.Context()
	if _, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}); code(err) != "ReportNotPresent" {
		t.Fatalf("GetCredentialReport before generation: %v, want ReportNotPresent", err)
	}
	var states []iamtypes.ReportStateType
	for range 2 {
		out, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, out.State)
	}
	if diff := cmp.Diff([]iamtypes.ReportStateType{iamtypes.ReportStateTypeStarted, iamtypes.ReportStateTypeComplete}, states); diff != "" {
		t.Errorf("GenerateCredentialReport states (-want +got)\n%s", diff)
	}
	out, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.ReportFormat != iamtypes.ReportFormatTypeTextCsv || !out.GeneratedTime.Equal(epoch) {
		t.Errorf("format %q generated %v, want text/csv at %v", out.ReportFormat, out.GeneratedTime, epoch)
	}
	rows, err := csv.NewReader(bytes.NewReader(out.Content)).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v", err)
	}
	if diff := cmp.Diff(sim.ReportColumns, rows[0]); diff != "" || len(sim.ReportColumns) != 22 {
		t.Errorf("header (-want +got)\n%s", diff)
	}
	golden(t, "credential-report-demo-management.csv", out.Content)
}

func TestCredentialReportInProgress(t *testing.T) {
	e := demoEnv(t)
	c := iamc(e.caller())
	if _, err := c.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{}); code(err) != "ReportInProgress" {
		t.Fatalf("first GetCredentialReport: %v, want ReportInProgress", err)
	}
	if _, err := c.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{}); err != nil {
		t.Fatalf("second GetCredentialReport: %v", err)
	}
}

// TestCredentialReportRootPassword checks the root row's password columns:
// "not_supported" as older reports say, unless the scenario sets the root
// password's last_changed, which the newer form reports with its date.
func TestCredentialReportRootPassword(t *testing.T) {
	for _, tc := range []struct {
		name, root string
		want       []string // password_enabled, password_last_used, password_last_changed, password_next_rotation
	}{
		{"no password", `{}`, []string{"not_supported", "N/A", "not_supported", "not_supported"}},
		{"password never used, change unknown", `{password: {created: -2y}}`,
			[]string{"not_supported", "no_information", "not_supported", "not_supported"}},
		{"password used, change unknown", `{password: {created: -2y, last_used: -3d}}`,
			[]string{"not_supported", "2026-06-12T12:00:00+00:00", "not_supported", "not_supported"}},
		{"password changed", `{password: {created: -2y, last_used: -3d, last_changed: -400d}}`,
			[]string{"true", "2026-06-12T12:00:00+00:00", "2025-05-11T12:00:00+00:00", "not_supported"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `
caller: {arn: "arn:aws:sts::111111111111:assumed-role/Admin/alice"}
accounts:
  - {id: "111111111111", root: ` + tc.root + `}
`
			e := newEnv(t, must(sim.ParseScenario("root-password.yaml", []byte(doc)))(t))
			c := iamc(e.caller())
			ctx := t.Context()
			for range 2 { // STARTED, then COMPLETE
				must(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))(t)
			}
			out := must(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))(t)
			rows, err := csv.NewReader(bytes.NewReader(out.Content)).ReadAll()
			if err != nil || len(rows) < 2 || rows[1][0] != "<root_account>" {
				t.Fatalf("report has no root row (err %v):\n%s", err, out.Content)
			}
			if diff := cmp.Diff(tc.want, rows[1][3:7]); diff != "" {
				t.Errorf("root row password columns (-want +got)\n%s", diff)
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got)\n%s", path, diff)
	}
}

func TestParseScenarioErrors(t *testing.T) {
	base := "caller: {arn: \"arn:aws:iam::111111111111:root\"}\n"
	tests := []struct {
		name string
		doc  string
		want string // substring of the error
	}{
		{"unknown key", base + "accounts:\n  - id: \"111111111111\"\n    colour: blue\n", `bad.yaml: [4:5] unknown field "colour"`},
		{"bad relative date", base + "accounts:\n  - id: \"111111111111\"\n    joined_at: -3 days\n", `bad.yaml: [4:16] date "-3 days"`},
		{"bad duration", base + "latency: fast\naccounts:\n  - id: \"111111111111\"\n", `bad.yaml: [2:10] duration "fast"`},
		{"short account ID", base + "accounts:\n  - id: \"1111\"\n", `accounts[0].id "1111": want 12 digits`},
		{"caller outside the accounts", base + "accounts:\n  - id: \"222222222222\"\n", `account 111111111111 is not among the accounts`},
		{"unknown OU", base + "organization: {id: o-abcdefghij, management_account: \"111111111111\"}\naccounts:\n  - {id: \"111111111111\", ou: Nowhere}\n", `accounts[0].ou: OU "Nowhere": no such OU`},
		{"unknown fault operation", base + "accounts:\n  - id: \"111111111111\"\nfaults:\n  - {operation: iam:Explode, code: Throttling}\n", `faults[0].operation "iam:Explode": unknown operation`},
		{"bad MFA type", base + "accounts:\n  - id: \"111111111111\"\n    root: {mfa_devices: [{name: x, type: sms}]}\n", `type "sms": want virtual, hardware-totp or fido`},
		{"standalone with two accounts", base + "accounts:\n  - id: \"111111111111\"\n  - id: \"222222222222\"\n", `exactly one account, not 2`},
		{"not YAML", "caller: [\n", `bad.yaml:`},
		{"unknown policy target", base + "organization:\n  id: o-abcdefghij\n  management_account: \"111111111111\"\n  policies:\n    - {name: X, content: {Version: \"2012-10-17\"}, targets: [Nowhere]}\naccounts:\n  - id: \"111111111111\"\n",
			`organization.policies[0].targets "Nowhere": not the root, an OU or an account`},
		{"policy content that is not JSON", base + "organization:\n  id: o-abcdefghij\n  management_account: \"111111111111\"\n  policies:\n    - {name: X, content: \"deny all\"}\naccounts:\n  - id: \"111111111111\"\n",
			`bad.yaml: [6:26] policy content "deny all": not valid JSON`},
		{"organization trail outside an organization", base + "accounts:\n  - id: \"111111111111\"\n    trails: [{name: org, organization: true}]\n",
			`accounts[0].trails[0].organization: only the management account may own an organization trail`},
		{"unknown trail key", base + "accounts:\n  - id: \"111111111111\"\n    trails: [{name: org, multiregion: true}]\n", `unknown field "multiregion"`},
		{"bad GuardDuty status", base + "accounts:\n  - id: \"111111111111\"\n    guardduty: {us-east-1: ON}\n", `accounts[0].guardduty.us-east-1 "ON": want ENABLED or DISABLED`},
		{"bad alarm region", base + "accounts:\n  - id: \"111111111111\"\n    alarms: [{name: a, namespace: n, metric_name: m, region: mars}]\n", `accounts[0].alarms[0].region "mars": not a region name`},
		{"date that is a list", base + "accounts:\n  - id: \"111111111111\"\n    joined_at: [1]\n", `bad.yaml: [4:16] want a single value, not a sequence`},
		{"rule target IDs that clash", base + "accounts:\n  - id: \"111111111111\"\n    event_rules: [{name: r, pattern: {source: [x]}, targets: [t, {id: Target1, arn: u}]}]\n",
			`accounts[0].event_rules[0].targets[1].id "Target1": duplicate target`},
		{"rule target without an ARN", base + "accounts:\n  - id: \"111111111111\"\n    event_rules: [{name: r, pattern: {source: [x]}, targets: [{id: a}]}]\n",
			`accounts[0].event_rules[0].targets[0]: needs an arn`},
		{"unknown rule target key", base + "accounts:\n  - id: \"111111111111\"\n    event_rules: [{name: r, pattern: {source: [x]}, targets: [{id: a, arm: x}]}]\n",
			`unknown field "arm"`},
		{"unknown topic attribute", base + "accounts:\n  - id: \"111111111111\"\n    topics: [{name: t, attributes: {Colour: red}}]\n",
			`accounts[0].topics[0].attributes.Colour: not a topic attribute`},
		{"topic policy that is not JSON", base + "accounts:\n  - id: \"111111111111\"\n    topics: [{name: t, policy: \"allow all\"}]\n",
			`policy content "allow all": not valid JSON`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := sim.ParseScenario("bad.yaml", []byte(tc.doc))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadScenarioNamesTheFile(t *testing.T) {
	_, err := sim.LoadScenario("testdata/does-not-exist.yaml")
	if err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist.yaml") {
		t.Errorf("error %v: want it to name the file", err)
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2026, 1, 10, 8, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		text string
	}{
		{"-3d", now.AddDate(0, 0, -3), "-3d"},
		{"-36h", now.Add(-36 * time.Hour), "-36h"},
		{"+1w", now.AddDate(0, 0, 7), "+1w"},
		{"-2y", now.Add(-2 * 365 * 24 * time.Hour), "-2y"},
		{"now", now, "now"},
		{"2024-03-01", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "2024-03-01T00:00:00Z"},
		{"2024-03-01T10:00:00+02:00", time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC), "2024-03-01T08:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := sim.ParseDate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := d.At(now)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("At = %v, %v; want %v", got, ok, tc.want)
			}
			if d.String() != tc.text {
				t.Errorf("String = %q, want %q", d.String(), tc.text)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	a, b := sim.Demo(), sim.Demo()
	a.Accounts[0].Name = "changed"
	if b.Accounts[0].Name == "changed" {
		t.Error("Demo returns a shared scenario, want a fresh copy")
	}
	ids := map[string]bool{}
	for _, acct := range b.Accounts {
		ids[acct.ID] = true
	}
	if len(ids) < 12 {
		t.Errorf("demo has %d accounts, want about a dozen", len(ids))
	}
	// The demo file in the source tree parses as it is embedded.
	if _, err := sim.LoadScenario("demo.yaml"); err != nil {
		t.Error(err)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := sim.Generate(300, 42), sim.Generate(300, 42)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different scenarios (-a +b)\n%s", diff)
	}
	if c := sim.Generate(300, 43); cmp.Equal(a, c) {
		t.Error("different seeds gave the same scenario")
	}
	srv, err := sim.Start(a, sim.Options{})
	if err != nil {
		t.Fatalf("generated scenario does not start: %v", err)
	}
	srv.Close()
}

func TestOUParentLinks(t *testing.T) {
	doc := `
caller: {arn: "arn:aws:sts::111111111111:assumed-role/Admin/alice"}
organization:
  id: o-parentlinks
  management_account: "111111111111"
  root_id: r-pl00
  ous:
    - {name: Prod, parent: Workloads}
    - {name: Workloads}
    - {name: Team-A, parent: Workloads/Prod}
accounts:
  - {id: "111111111111"}
  - {id: "222222222222", ou: Team-A}
`
	e := newEnv(t, must(sim.ParseScenario("links.yaml", []byte(doc)))(t))
	org := orgc(e.caller())
	var path []string
	child := "222222222222"
	for child != "r-pl00" {
		out, err := org.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil {
			t.Fatal(err)
		}
		child = aws.ToString(out.Parents[0].Id)
		path = append(path, string(out.Parents[0].Type))
	}
	want := []string{"ORGANIZATIONAL_UNIT", "ORGANIZATIONAL_UNIT", "ORGANIZATIONAL_UNIT", "ROOT"}
	if diff := cmp.Diff(want, path); diff != "" {
		t.Errorf("parents of the account up to the root (-want +got)\n%s", diff)
	}
}
