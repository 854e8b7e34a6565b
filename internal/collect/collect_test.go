package collect_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// clock is the fixed time of every end-to-end test, for the server (its
// relative scenario dates) and the collector (Source.At).
var clock = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func now() time.Time { return clock }

// noSleep replaces the collector's waits between credential report polls
// and counts them.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noSleep) Sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.waits = append(n.waits, d)
	n.mu.Unlock()
	return ctx.Err()
}

// startSim serves scn on loopback at the fixed clock unless opts sets
// one, and returns the server and an aws.Config pointed at it.
func startSim(tb testing.TB, scn *sim.Scenario, opts sim.Options) (*sim.Server, aws.Config) {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = now
	}
	return simtest.Start(tb, scn, opts)
}

func collectSim(t *testing.T, scn *sim.Scenario, opts collect.Options) (*inventory.Snapshot, *sim.Server) {
	t.Helper()
	srv, cfg := startSim(t, scn, sim.Options{})
	if opts.Now == nil {
		opts.Now = now
	}
	if opts.Sleep == nil {
		opts.Sleep = (&noSleep{}).Sleep
	}
	snap, err := collect.Run(t.Context(), cfg, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return snap, srv
}

// fact is one fact of an account, seen through its Source.
type fact struct {
	name   string
	source inventory.Source
}

func rootFacts(a *inventory.Account) []fact {
	r := a.Root
	if r.Method == inventory.MethodAssumeRoot {
		return []fact{
			{"session", r.Session.Source},
			{"summary", r.Summary.Source},
			{"login_profile", r.LoginProfile.Source},
			{"user", r.User.Source},
			{"access_keys", r.AccessKeys.Source},
			{"signing_certificates", r.SigningCertificates.Source},
			{"mfa_devices", r.MFADevices.Source},
		}
	}
	return []fact{
		{"summary", r.Summary.Source},
		{"credential_report", r.CredentialReport.Source},
		{"access_keys", r.AccessKeys.Source},
		{"signing_certificates", r.SigningCertificates.Source},
		{"virtual_mfa_devices", r.VirtualMFADevices.Source},
	}
}

func contactFacts(a *inventory.Account) []fact {
	fs := []fact{{"primary", a.Contacts.Primary.Source}}
	for _, t := range inventory.AlternateTypes {
		fs = append(fs, fact{"alternate " + t, a.Contacts.Alternates[t].Source})
	}
	return fs
}

func TestCollectDemo(t *testing.T) {
	t.Parallel()
	var progress []int
	snap, srv := collectSim(t, sim.Demo(), collect.Options{
		Org:      true,
		Progress: func(done, total int) { progress = append(progress, done*1000+total) },
	})

	if snap.Mode != inventory.ModeOrganization || snap.Caller.Value.AccountID != "111111111111" {
		t.Errorf("mode %q caller %q, want organization and 111111111111", snap.Mode, snap.Caller.Value.AccountID)
	}
	var ids []string
	for _, a := range snap.Accounts {
		ids = append(ids, a.ID)
	}
	wantIDs := []string{"101010101010", "111111111111", "121212121212", "131313131313", "141414141414",
		"151515151515", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666",
		"777777777777", "888888888888", "999999999999"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if len(progress) != len(wantIDs) || progress[len(progress)-1] != len(wantIDs)*1000+len(wantIDs) {
		t.Errorf("progress calls %v, want %d ending at done=total", progress, len(wantIDs))
	}

	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		if a.RootEmail.Source.API != "organizations:ListAccounts" || a.RootEmail.Value == "" {
			t.Errorf("account %s: root email %q from %q", a.ID, a.RootEmail.Value, a.RootEmail.Source.API)
		}
		if a.ID == "151515151515" {
			if a.Skipped == "" || a.Root.Method != "" || a.Root.Summary.Collected() {
				t.Errorf("suspended account %s: skipped %q, method %q: want skipped without calls", a.ID, a.Skipped, a.Root.Method)
			}
			continue
		}
		for _, f := range append(rootFacts(a), contactFacts(a)...) {
			if f.source.API == "" || f.source.At.IsZero() {
				t.Errorf("account %s: fact %s has no source: %+v", a.ID, f.name, f.source)
			}
		}
		for _, f := range contactFacts(a) {
			if f.source.Error != nil {
				t.Errorf("account %s: contact %s: %v", a.ID, f.name, f.source.Error)
			}
		}
		for _, f := range rootFacts(a) {
			switch {
			case a.ID == "999999999999":
				if f.source.Error == nil || f.source.Error.Code != awsclient.CodeAccessDenied || f.source.API != "sts:AssumeRoot" {
					t.Errorf("account %s: fact %s source %+v, want the sts:AssumeRoot AccessDenied", a.ID, f.name, f.source)
				}
			case (a.ID == "101010101010" || a.ID == "121212121212") && f.name != "session": // Workloads/Dev: the SCP denies the session's reads
				if f.source.Error == nil || f.source.Error.Code != awsclient.CodeAccessDenied || f.source.API == "sts:AssumeRoot" {
					t.Errorf("account %s: fact %s source %+v, want AccessDenied inside the root session", a.ID, f.name, f.source)
				}
			case f.source.Error != nil:
				t.Errorf("account %s: fact %s: %v", a.ID, f.name, f.source.Error)
			}
		}
		wantMethod := inventory.MethodAssumeRoot
		if a.ID == "111111111111" {
			wantMethod = inventory.MethodDirect
		}
		if a.Root.Method != wantMethod {
			t.Errorf("account %s: method %q, want %q", a.ID, a.Root.Method, wantMethod)
		}
	}

	for _, c := range srv.Calls() {
		if c.Write {
			t.Errorf("write call %s:%s on %s", c.Service, c.Operation, c.Account)
		}
		if c.Account == "151515151515" && c.Operation != "ListAccounts" {
			t.Errorf("call %s:%s made on the suspended account", c.Service, c.Operation)
		}
	}
	checkGolden(t, "demo.json", snap)
}

// TestCollectDemoFacts pins the facts each demo account is there to show.
func TestCollectDemoFacts(t *testing.T) {
	t.Parallel()
	snap, _ := collectSim(t, sim.Demo(), collect.Options{Org: true})
	acct := func(id string) *inventory.Account {
		a := snap.Account(id)
		if a == nil {
			t.Fatalf("account %s missing", id)
		}
		return a
	}
	day := 24 * time.Hour
	ago := func(d time.Duration) *time.Time { t := clock.Add(-d); return &t }

	t.Run("management direct", func(t *testing.T) {
		a := acct("111111111111")
		if a.Role != inventory.RoleManagement {
			t.Errorf("role %q", a.Role)
		}
		// The decoys (an IAM user named root-… and an unassigned device
		// named root-account-mfa-device) are not root devices.
		if diff := cmp.Diff([]inventory.MFADevice{}, a.Root.VirtualMFADevices.Value); diff != "" {
			t.Errorf("virtual MFA devices (-want +got):\n%s", diff)
		}
		row := a.Root.CredentialReport.Value
		if row == nil {
			t.Fatal("no credential report row")
		}
		mfa, err := row.Bool("mfa_active")
		if err != nil || !mfa.Value {
			t.Errorf("mfa_active = %+v, %v; want true", mfa, err)
		}
		if a.Root.Summary.Value.AccountMFAEnabled != 1 || a.Root.Summary.Value.AccountAccessKeysPresent != 0 {
			t.Errorf("summary %+v", a.Root.Summary.Value)
		}
		if diff := cmp.Diff([]inventory.AccessKey{}, a.Root.AccessKeys.Value); diff != "" {
			t.Errorf("access keys (-want +got):\n%s", diff)
		}
	})
	t.Run("member keys", func(t *testing.T) {
		keys := acct("666666666666").Root.AccessKeys.Value
		if len(keys) != 2 {
			t.Fatalf("got %d keys, want 2", len(keys))
		}
		got := map[string]inventory.KeyLastUsed{}
		for _, k := range keys {
			if k.ID == "" || k.LastUsed == nil {
				t.Fatalf("key %+v lacks an ID or last use", k)
			}
			got[k.Status] = *k.LastUsed
		}
		want := map[string]inventory.KeyLastUsed{
			"Active":   {Date: ago(3 * day), Service: "s3", Region: "eu-west-1"},
			"Inactive": {Date: ago(800 * day), Service: "ec2", Region: "us-east-1"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("last used by status (-want +got):\n%s", diff)
		}
	})
	t.Run("member mfa types", func(t *testing.T) {
		devs := acct("777777777777").Root.MFADevices.Value
		if len(devs) != 1 || devs[0].Type != inventory.MFAVirtual {
			t.Errorf("MFA devices %+v, want one virtual", devs)
		}
	})
	t.Run("member without credentials", func(t *testing.T) {
		a := acct("222222222222")
		if a.Root.LoginProfile.Value.Exists || !a.Root.LoginProfile.Known() {
			t.Errorf("login profile %+v, want a known absence", a.Root.LoginProfile)
		}
		if a.Root.User.Value.ARN != inventory.RootARN("222222222222") {
			t.Errorf("user ARN %q", a.Root.User.Value.ARN)
		}
		if a.ParentID == "" || a.ParentID == "r-acme" {
			t.Errorf("parent %q, want the Security OU", a.ParentID)
		}
	})
	t.Run("member password", func(t *testing.T) {
		r := acct("141414141414").Root
		if !r.LoginProfile.Value.Exists || r.Summary.Value.AccountPasswordPresent != 1 {
			t.Errorf("login profile %+v summary %+v, want a password", r.LoginProfile.Value, r.Summary.Value)
		}
		if r.User.Value.PasswordLastUsed != nil {
			t.Errorf("password last used %v, want never", r.User.Value.PasswordLastUsed)
		}
	})
	// Workloads/Dev's root deny has no aws:AssumedRoot exemption: the SCP
	// denies the audit session's reads, whatever the account holds.
	t.Run("root reads denied by an SCP", func(t *testing.T) {
		r := acct("121212121212").Root
		if e := r.LoginProfile.Source.Error; e == nil || e.Code != awsclient.CodeAccessDenied || !strings.Contains(e.Message, "service control policy") {
			t.Errorf("login profile source %+v, want AccessDenied by a service control policy", r.LoginProfile.Source)
		}
	})
	t.Run("signing certificate", func(t *testing.T) {
		certs := acct("555555555555").Root.SigningCertificates.Value
		if len(certs) != 1 || certs[0].Status != "Active" || certs[0].ID == "" {
			t.Errorf("certificates %+v, want one active", certs)
		}
	})
	t.Run("unset alternate contact", func(t *testing.T) {
		sec := acct("101010101010").Contacts.Alternates["SECURITY"]
		if !sec.Known() || sec.Value != nil {
			t.Errorf("SECURITY contact %+v, want known and unset", sec)
		}
	})
	t.Run("organization", func(t *testing.T) {
		org := snap.Organization
		if org == nil || org.ManagementAccountID != "111111111111" {
			t.Fatalf("organization %+v", org)
		}
		if diff := cmp.Diff([]string{"RootCredentialsManagement"}, org.Features.Value); diff != "" {
			t.Errorf("features (-want +got):\n%s", diff)
		}
		if !slices.Contains(org.TrustedServices.Value, "iam.amazonaws.com") {
			t.Errorf("trusted services %v lack iam.amazonaws.com", org.TrustedServices.Value)
		}
		seen := map[string]bool{}
		var names []string
		for _, u := range org.Units.Value {
			if u.ParentID != "" && !seen[u.ParentID] {
				t.Errorf("unit %s comes before its parent %s", u.ID, u.ParentID)
			}
			seen[u.ID] = true
			names = append(names, u.Name)
		}
		slices.Sort(names)
		want := []string{"Dev", "Infrastructure", "Prod", "Root", "Sandbox", "Security", "Suspended", "Workloads"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("unit names (-want +got):\n%s", diff)
		}
	})
}

func TestCollectThrottled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault sim.Fault
	}{
		// In a member's root session: that account's own IAM client retries.
		{name: "root session call", fault: sim.Fault{Operation: "iam:GetAccountSummary", Account: "666666666666", Code: "Throttling", Times: 3}},
		// On the shared Account Management client.
		{name: "contact call", fault: sim.Fault{Operation: "account:GetAlternateContact", Account: "666666666666", Code: "TooManyRequestsException", Times: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn := sim.Demo()
			scn.Faults = append(scn.Faults, tt.fault)
			snap, srv := collectSim(t, scn, collect.Options{Org: true, Accounts: []string{"666666666666", "222222222222"}})
			a := snap.Account("666666666666")
			for _, f := range append(rootFacts(a), contactFacts(a)...) {
				if f.source.Error != nil {
					t.Errorf("fact %s: %v", f.name, f.source.Error)
				}
			}
			if a.Root.Summary.Value.AccountAccessKeysPresent != 1 {
				t.Errorf("summary %+v, want AccountAccessKeysPresent 1", a.Root.Summary.Value)
			}
			service, op, _ := strings.Cut(tt.fault.Operation, ":")
			var throttled, ok int
			for _, c := range srv.Calls() {
				if c.Service != service || c.Operation != op || c.Account != "666666666666" {
					continue
				}
				if c.ErrorCode != "" {
					throttled++
				} else {
					ok++
				}
			}
			if throttled != 3 || ok == 0 {
				t.Errorf("%s on 666666666666: %d throttled and %d answered, want 3 and at least 1", tt.fault.Operation, throttled, ok)
			}
		})
	}
}

const standaloneScenario = `
name: standalone
caller:
  arn: arn:aws:iam::123456789012:user/auditor
accounts:
  - id: "123456789012"
    root:
      password: {created: -3y, last_used: -10d}
      access_keys:
        - {status: Inactive, created: -2y}
      mfa_devices:
        - {name: root-phone, type: virtual, enabled: -1y}
    users:
      - name: root-ish
        mfa_devices: [{name: root-ish, type: virtual}]
    contact:
      full_name: Solo Dev
      address_line1: 1 Main St
      city: Town
      postal_code: "12345"
      country_code: US
      phone_number: "+15555550100"
    alternate_contacts:
      SECURITY: {name: Sec, title: Security, email: sec@solo.example, phone: "+15555550111"}
`

func TestCollectStandalone(t *testing.T) {
	t.Parallel()
	scn, err := sim.ParseScenario("standalone.yaml", []byte(standaloneScenario))
	if err != nil {
		t.Fatal(err)
	}
	sleeper := &noSleep{}
	snap, srv := collectSim(t, scn, collect.Options{Sleep: sleeper.Sleep})
	if snap.Mode != inventory.ModeStandalone || snap.Organization != nil || len(snap.Accounts) != 1 {
		t.Fatalf("mode %q, organization %v, %d accounts", snap.Mode, snap.Organization, len(snap.Accounts))
	}
	a := snap.Accounts[0]
	if a.ID != "123456789012" || a.Role != inventory.RoleStandalone || a.Root.Method != inventory.MethodDirect {
		t.Errorf("account %s role %q method %q", a.ID, a.Role, a.Root.Method)
	}
	for _, f := range append(rootFacts(&a), contactFacts(&a)...) {
		if f.source.API == "" || f.source.Error != nil {
			t.Errorf("fact %s: source %+v", f.name, f.source)
		}
	}
	if len(sleeper.waits) == 0 {
		t.Error("the credential report was read without waiting for it to complete")
	}
	wantKeys := []inventory.AccessKey{{Slot: 1, Status: "Inactive", CreateDate: ptr(clock.Add(-2 * 365 * 24 * time.Hour)), LastUsed: &inventory.KeyLastUsed{}}}
	if diff := cmp.Diff(wantKeys, a.Root.AccessKeys.Value); diff != "" {
		t.Errorf("access keys from the report (-want +got):\n%s", diff)
	}
	if a.Root.AccessKeys.Source.API != "iam:GetCredentialReport" {
		t.Errorf("access keys come from %q, want the credential report", a.Root.AccessKeys.Source.API)
	}
	if devs := a.Root.VirtualMFADevices.Value; len(devs) != 1 || devs[0].Serial != "arn:aws:iam::123456789012:mfa/root-phone" {
		t.Errorf("virtual MFA devices %+v, want root-phone only", devs)
	}
	if c := a.Contacts.Primary.Value; c == nil || c.FullName != "Solo Dev" {
		t.Errorf("primary contact %+v", c)
	}
	if ops := a.Contacts.Alternates["OPERATIONS"]; !ops.Known() || ops.Value != nil {
		t.Errorf("OPERATIONS contact %+v, want known and unset", ops)
	}
	for _, c := range srv.Calls() {
		if c.Service == "organizations" && c.Operation != "DescribeOrganization" {
			t.Errorf("standalone run called organizations:%s", c.Operation)
		}
	}
}

// TestCollectRecordsRegions checks that the snapshot names the Regions whose
// regional facts were read, sorted, with us-east-1 always among them.
func TestCollectRecordsRegions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		enabled []string // the account's enabled Regions in the scenario
		regions []string // --regions
		want    []string
		// wantEnabled is the account's enabled Regions fact, nil when
		// account:ListRegions must not be called.
		wantEnabled []string
	}{
		{name: "config Region only", want: []string{"us-east-1"}, wantEnabled: []string{"us-east-1"}},
		{name: "every enabled Region by default", enabled: []string{"us-east-1", "eu-west-1", "ap-south-1"},
			want: []string{"ap-south-1", "eu-west-1", "us-east-1"}, wantEnabled: []string{"ap-south-1", "eu-west-1", "us-east-1"}},
		{name: "--regions narrows", enabled: []string{"us-east-1", "eu-west-1", "ap-south-1"}, regions: []string{"eu-west-1"},
			want: []string{"eu-west-1", "us-east-1"}},
		{name: "us-east-1 named again", regions: []string{"us-east-1", " us-east-1"}, want: []string{"us-east-1"}},
		{name: "two Regions sorted", regions: []string{"eu-west-1"}, want: []string{"eu-west-1", "us-east-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn, err := sim.ParseScenario("standalone.yaml", []byte(standaloneScenario))
			if err != nil {
				t.Fatal(err)
			}
			scn.Accounts[0].Regions = tt.enabled
			snap, srv := collectSim(t, scn, collect.Options{Regions: tt.regions})
			if diff := cmp.Diff(tt.want, snap.Regions); diff != "" {
				t.Errorf("snapshot Regions (-want +got):\n%s", diff)
			}
			var listed []string
			for _, c := range srv.Calls() {
				if c.Service == "account" && c.Operation == "ListRegions" {
					listed = append(listed, c.Account)
				}
			}
			f := snap.Accounts[0].Regions
			switch {
			case tt.wantEnabled == nil && (f.Collected() || listed != nil):
				t.Errorf("named Regions, yet account:ListRegions was called (%v) or recorded (%+v)", listed, f)
			case tt.wantEnabled != nil && !f.Known():
				t.Errorf("enabled Regions not known: %s", f.Reason())
			case tt.wantEnabled != nil:
				if diff := cmp.Diff(tt.wantEnabled, f.Value); diff != "" {
					t.Errorf("enabled Regions (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestCollectStandaloneInOrganization collects the demo's management account
// alone: it is assessed directly and its organization is noted.
func TestCollectStandaloneInOrganization(t *testing.T) {
	t.Parallel()
	snap, _ := collectSim(t, sim.Demo(), collect.Options{})
	if snap.Mode != inventory.ModeStandalone || len(snap.Accounts) != 1 {
		t.Fatalf("mode %q with %d accounts", snap.Mode, len(snap.Accounts))
	}
	if snap.Organization == nil || snap.Organization.ID != "o-acme0demo1" || snap.Organization.Units.Collected() {
		t.Errorf("organization %+v, want o-acme0demo1 noted without its tree", snap.Organization)
	}
	a := snap.Accounts[0]
	if a.Role != inventory.RoleManagement || a.RootEmail.Value != "aws-root@acme.example" {
		t.Errorf("role %q root email %q", a.Role, a.RootEmail.Value)
	}
}

func TestCollectAccountsSubset(t *testing.T) {
	t.Parallel()
	snap, srv := collectSim(t, sim.Demo(), collect.Options{Org: true, Accounts: []string{"999999999999", "222222222222", "222222222222"}})
	var ids []string
	for _, a := range snap.Accounts {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"222222222222", "999999999999"}, ids); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	for _, c := range srv.Calls() {
		if c.Operation == "AssumeRoot" && c.Account != "222222222222" && c.Account != "999999999999" {
			t.Errorf("AssumeRoot into %s, outside the subset", c.Account)
		}
	}
}

func TestCollectCannotStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    collect.Options
		fault   *sim.Fault
		wantErr string
	}{
		{name: "caller unknown", fault: &sim.Fault{Operation: "sts:GetCallerIdentity", Code: "InvalidClientTokenId"},
			wantErr: "identify the caller (sts:GetCallerIdentity)"},
		{name: "accounts unlisted", opts: collect.Options{Org: true}, fault: &sim.Fault{Operation: "organizations:ListAccounts", Code: "AccessDeniedException"},
			wantErr: "list the accounts of organization o-acme0demo1 (organizations:ListAccounts)"},
		{name: "unknown account", opts: collect.Options{Org: true, Accounts: []string{"222222222222", "000000000001"}},
			wantErr: "collect: account 000000000001 not in organization o-acme0demo1"},
		{name: "subset without org", opts: collect.Options{Accounts: []string{"222222222222"}},
			wantErr: "an account list needs organization mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn := sim.Demo()
			if tt.fault != nil {
				scn.Faults = append(scn.Faults, *tt.fault)
			}
			_, cfg := startSim(t, scn, sim.Options{})
			tt.opts.Sleep = (&noSleep{}).Sleep
			_, err := collect.Run(t.Context(), cfg, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCollectCanceled(t *testing.T) {
	t.Parallel()
	_, cfg := startSim(t, sim.Demo(), sim.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	_, err := collect.Run(ctx, cfg, collect.Options{
		Org:   true,
		Sleep: (&noSleep{}).Sleep,
		Progress: func(done, total int) {
			if done == 2 {
				cancel()
			}
		},
		Concurrency: 1,
	})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Run error = %v, want context canceled", err)
	}
}

func ptr[T any](v T) *T { return &v }

// failedCall is "API Code" of a source that failed, "" of one that did not.
func failedCall(s inventory.Source) string {
	if s.Error == nil {
		return ""
	}
	return s.API + " " + s.Error.Code
}

func checkGolden(t *testing.T, name string, snap *inventory.Snapshot) {
	t.Helper()
	got, err := snap.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), strings.TrimSpace(string(got))); diff != "" {
		t.Errorf("snapshot differs from %s (-want +got):\n%s", path, diff)
	}
}

// TestCollectDelegatedAdministrator runs from a delegated administrator: the
// members are read as usual, and the management account's root user and
// contacts, readable only from inside it, say so instead of passing.
func TestCollectDelegatedAdministrator(t *testing.T) {
	t.Parallel()
	scn := sim.Demo()
	scn.Caller.ARN = "arn:aws:sts::222222222222:assumed-role/Audit/rootguard"
	scn.Organization.DelegatedAdministrators = map[string][]string{
		"iam.amazonaws.com":     {"222222222222"},
		"account.amazonaws.com": {"222222222222"},
	}
	snap, _ := collectSim(t, scn, collect.Options{Org: true, Accounts: []string{"111111111111", "222222222222", "777777777777"}})
	for _, id := range []string{"222222222222", "777777777777"} {
		a := snap.Account(id)
		for _, f := range append(rootFacts(a), contactFacts(a)...) {
			if f.source.API == "" || f.source.Error != nil {
				t.Errorf("account %s: fact %s source %+v", id, f.name, f.source)
			}
		}
	}
	if got := snap.Account("222222222222").Root.Method; got != inventory.MethodDirect {
		t.Errorf("the caller's own account is read with method %q, want direct", got)
	}
	m := snap.Account("111111111111")
	for _, f := range append(rootFacts(m), contactFacts(m)...) {
		if f.source.Error == nil || f.source.Error.Code != collect.CodeNotCallerAccount {
			t.Errorf("management account: fact %s source %+v, want %s", f.name, f.source, collect.CodeNotCallerAccount)
		}
	}
}

// TestCollectPartialFailures injects one failing call at a time: it is
// recorded on the facts it feeds, and the run completes.
func TestCollectPartialFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault sim.Fault
		check func(t *testing.T, snap *inventory.Snapshot)
	}{
		{
			name:  "OU tree",
			fault: sim.Fault{Operation: "organizations:ListOrganizationalUnitsForParent", Code: "AccessDeniedException"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				if got := failedCall(snap.Organization.Units.Source); got != "organizations:ListOrganizationalUnitsForParent AccessDenied" {
					t.Errorf("units error %q", got)
				}
				if !snap.Account("222222222222").Root.Summary.Known() {
					t.Error("accounts were not collected")
				}
			},
		},
		{
			name:  "features",
			fault: sim.Fault{Operation: "iam:ListOrganizationsFeatures", Code: "ServiceAccessNotEnabledException"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				if got := failedCall(snap.Organization.Features.Source); got != "iam:ListOrganizationsFeatures ServiceAccessNotEnabledException" {
					t.Errorf("features error %q", got)
				}
			},
		},
		{
			name:  "credential report",
			fault: sim.Fault{Operation: "iam:GenerateCredentialReport", Code: "AccessDenied"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				r := snap.Account("111111111111").Root
				for name, s := range map[string]inventory.Source{"report": r.CredentialReport.Source, "keys": r.AccessKeys.Source, "certs": r.SigningCertificates.Source} {
					if got := failedCall(s); got != "iam:GenerateCredentialReport AccessDenied" {
						t.Errorf("%s error %q", name, got)
					}
				}
				if !r.Summary.Known() || !r.VirtualMFADevices.Known() {
					t.Error("the other direct facts were lost")
				}
			},
		},
		{
			name:  "primary contact",
			fault: sim.Fault{Operation: "account:GetContactInformation", Account: "333333333333", Code: "AccessDeniedException"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				c := snap.Account("333333333333").Contacts
				if got := failedCall(c.Primary.Source); got != "account:GetContactInformation AccessDenied" {
					t.Errorf("primary contact error %q", got)
				}
				if !c.Alternates["SECURITY"].Known() || !snap.Account("444444444444").Contacts.Primary.Known() {
					t.Error("other contacts were lost")
				}
			},
		},
		{
			name:  "key last used",
			fault: sim.Fault{Operation: "iam:GetAccessKeyLastUsed", Account: "666666666666", Code: "AccessDenied"},
			check: func(t *testing.T, snap *inventory.Snapshot) {
				keys := snap.Account("666666666666").Root.AccessKeys
				if !keys.Known() || len(keys.Value) != 2 {
					t.Fatalf("access keys %+v, want both keys known", keys)
				}
				for _, k := range keys.Value {
					if k.LastUsed == nil || k.LastUsed.Error == nil || k.LastUsed.Error.Code != awsclient.CodeAccessDenied || k.LastUsed.Date != nil {
						t.Errorf("key %s last used %+v, want an AccessDenied and no date", k.ID, k.LastUsed)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn := sim.Demo()
			scn.Faults = append(scn.Faults, tt.fault)
			snap, _ := collectSim(t, scn, collect.Options{Org: true})
			if len(snap.Accounts) != 14 {
				t.Errorf("%d accounts, want 14", len(snap.Accounts))
			}
			tt.check(t, snap)
		})
	}
}
