package guardrail_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
	"github.com/rootguard/rootguard/internal/pattern/rootevents"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/desired")

// snapshot loads testdata/snapshots/<name>.json.
func snapshot(t testing.TB, name string) *inventory.Snapshot {
	t.Helper()
	if name == "org-basic" {
		name = "demo"
	}
	s, err := inventory.Load(filepath.Join("testdata", "snapshots", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadConfig(t testing.TB, name string) guardrail.Config {
	t.Helper()
	if name == "" {
		return guardrail.DefaultConfig()
	}
	cfg, err := guardrail.LoadConfig(filepath.Join("testdata", "config", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// noUnits drops the OU tree, as a snapshot collected before the OU facts
// (or with ListRoots denied) has it.
func noUnits(s *inventory.Snapshot) {
	s.Organization.Units = inventory.Fact[[]inventory.OrgUnit]{}
}

// standalone turns the demo's management account into a standalone account.
func standalone(s *inventory.Snapshot) {
	s.Mode = inventory.ModeStandalone
	s.Organization = nil
	a := *s.Account("111111111111")
	a.Role, a.ParentID, a.ARN = inventory.RoleStandalone, "", ""
	s.Accounts = []inventory.Account{a}
}

// contactsUnknown makes one account's alternate contacts unreadable.
func contactsUnknown(s *inventory.Snapshot) {
	a := s.Account("101010101010")
	for k, f := range a.Contacts.Alternates {
		f.Value, f.Source.Error = nil, &inventory.CallError{Code: "AccessDeniedException", Message: "not authorized"}
		a.Contacts.Alternates[k] = f
	}
}

var desiredCases = []struct {
	name     string
	snapshot string
	mutate   func(*inventory.Snapshot)
	config   string // testdata/config/<config>.yaml; empty means DefaultConfig
}{
	{name: "demo-defaults", snapshot: "demo"},
	{name: "demo-configured", snapshot: "demo", config: "full"},
	{name: "demo-no-ou-tree", snapshot: "demo", mutate: noUnits},
	{name: "demo-no-ou-tree-with-exemptions", snapshot: "demo", mutate: noUnits, config: "full"},
	{name: "demo-contacts-unknown", snapshot: "demo", mutate: contactsUnknown, config: "full"},
	{name: "standalone", snapshot: "demo", mutate: standalone, config: "full"},
}

func desired(t testing.TB, snap string, mutate func(*inventory.Snapshot), config string) *guardrail.State {
	t.Helper()
	s := snapshot(t, snap)
	if mutate != nil {
		mutate(s)
	}
	st, err := guardrail.Desired(loadConfig(t, config), s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDesiredGolden(t *testing.T) {
	for _, tt := range desiredCases {
		t.Run(tt.name, func(t *testing.T) {
			st := desired(t, tt.snapshot, tt.mutate, tt.config)
			got, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "desired", tt.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("desired state (-want +got):\n%s", diff)
			}
			// The state round-trips through JSON unchanged.
			var back guardrail.State
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st, &back); diff != "" {
				t.Errorf("JSON round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// effective returns the policies (by key) that reach account id through the
// OU tree, from the state's targets.
func effective(s *inventory.Snapshot, st *guardrail.State, id string) []string {
	parent := map[string]string{}
	for _, u := range s.Organization.Units.Value {
		parent[u.ID] = u.ParentID
	}
	path := map[string]bool{id: true}
	for n := s.Account(id).ParentID; n != ""; n = parent[n] {
		path[n] = true
	}
	var out []string
	for _, p := range st.SCPs {
		for _, tg := range p.Targets {
			if path[tg.ID] {
				out = append(out, p.Key)
				break
			}
		}
	}
	return out
}

func TestDesiredSCPTargetsHonourExemptions(t *testing.T) {
	all := []string{guardrail.KeyDenyRootActions, guardrail.KeyDenyRootAccessKeys, guardrail.KeyProtectContacts}
	noContacts := []string{guardrail.KeyDenyRootActions, guardrail.KeyDenyRootAccessKeys}
	tests := []struct {
		name, config, account string
		want                  []string
	}{
		{"defaults cover a member", "", "666666666666", all},
		{"defaults cover a nested member", "", "101010101010", all},
		{"global exemption", "full", "444444444444", nil},
		{"sibling of an exempt account keeps everything but contacts", "full", "333333333333", noContacts},
		{"exempt OU escapes deny-root-actions only", "full", "131313131313", []string{guardrail.KeyDenyRootAccessKeys}},
		{"contacts target OU reaches its nested accounts", "full", "777777777777", all},
		{"contacts exempt account", "full", "666666666666", noContacts},
		{"contacts on an account target", "full", "888888888888", all},
		{"contacts not on other OUs", "full", "222222222222", noContacts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snapshot(t, "demo")
			st, err := guardrail.Desired(loadConfig(t, tt.config), s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, effective(s, st, tt.account)); diff != "" {
				t.Errorf("policies reaching %s (-want +got):\n%s", tt.account, diff)
			}
		})
	}
}

func TestDesiredNeverTargetsTheManagementAccount(t *testing.T) {
	cfg := guardrail.DefaultConfig()
	cfg.SCPs.DenyRootActions.Targets = []string{"111111111111", "root"}
	cfg.SCPs.DenyRootActions.ExemptAccounts = []string{"222222222222"}
	st, err := guardrail.Desired(cfg, snapshot(t, "demo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.SCPs {
		for _, tg := range p.Targets {
			if tg.ID == "111111111111" || tg.ID == "222222222222" && p.Key == guardrail.KeyDenyRootActions {
				t.Errorf("policy %s targets %s", p.Key, tg.ID)
			}
		}
	}
	if !hasGap(st, guardrail.AreaSCP, "is the management account") {
		t.Errorf("no gap explains the management-account target: %+v", st.Gaps)
	}
}

func hasGap(st *guardrail.State, area, text string) bool {
	return slices.ContainsFunc(st.Gaps, func(g guardrail.Gap) bool { return g.Area == area && strings.Contains(g.Detail, text) })
}

func TestDesiredCredentialRemovals(t *testing.T) {
	st := desired(t, "demo", nil, "full") // max_key_last_used_days: 7, 121212121212 exempt
	type row struct {
		Account, Kind, ID string
		RecentUse         bool
	}
	var got []row
	for _, c := range st.CredentialRemovals {
		got = append(got, row{c.AccountID, c.Kind, c.ID, c.RecentUse})
	}
	want := []row{
		{"555555555555", guardrail.KindSigningCertificate, "LR35BF5F633PCLR347F5F632T4LR", false},
		{"666666666666", guardrail.KindAccessKey, "AKIAI2BMNPKAX3YDOI2B", true}, // used 3 days before collection
		{"666666666666", guardrail.KindAccessKey, "AKIAIZ7WBPKAXQGQ4IZ7", false},
		{"777777777777", guardrail.KindPassword, "", false},
		{"777777777777", guardrail.KindMFADevice, "arn:aws:iam::777777777777:mfa/prod-web-root", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("removals (-want +got):\n%s", diff)
	}
	for _, c := range st.CredentialRemovals {
		if c.AccountID == "666666666666" && c.ID == "AKIAI2BMNPKAX3YDOI2B" {
			const risk = "deletes root access key AKIAI2BMNPKAX3YDOI2B (Active) last used 3 days ago (2026-11-25) by s3 in eu-west-1"
			if c.Risk != risk {
				t.Errorf("risk %q, want %q", c.Risk, risk)
			}
		}
	}
	if !hasGap(st, guardrail.AreaMemberCredentials, "sts:AssumeRoot failed") {
		t.Errorf("no gap for the account whose AssumeRoot was denied: %+v", st.Gaps)
	}
}

func TestDesiredKeyRecentUseWindow(t *testing.T) {
	tests := []struct {
		name   string
		days   int
		lastUs *inventory.KeyLastUsed
		want   bool
	}{
		{"last use not collected fails closed", 7, nil, true},
		{"last-used call failed", 7, &inventory.KeyLastUsed{Error: &inventory.CallError{Code: "AccessDenied"}}, true},
		{"never used", 7, &inventory.KeyLastUsed{}, false},
		{"used 3 days ago, window 3", 3, &inventory.KeyLastUsed{Date: ptr(mustTime("2026-11-25T10:00:00Z"))}, false},
		{"used 3 days ago, window 4", 4, &inventory.KeyLastUsed{Date: ptr(mustTime("2026-11-25T10:00:00Z"))}, true},
		{"window 0 never needs the flag", 0, &inventory.KeyLastUsed{Date: ptr(mustTime("2026-11-28T09:00:00Z"))}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snapshot(t, "demo")
			a := s.Account("666666666666")
			a.Root.AccessKeys.Value = a.Root.AccessKeys.Value[:1]
			a.Root.AccessKeys.Value[0].LastUsed = tt.lastUs
			cfg := guardrail.DefaultConfig()
			cfg.MemberRootCredentials.MaxKeyLastUsedDays = tt.days
			st, err := guardrail.Desired(cfg, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range st.CredentialRemovals {
				if c.Kind == guardrail.KindAccessKey && c.RecentUse != tt.want {
					t.Errorf("RecentUse = %v, want %v (%s)", c.RecentUse, tt.want, c.Risk)
				}
			}
		})
	}
}

func TestDesiredContacts(t *testing.T) {
	t.Run("unconfigured types are gaps, not changes", func(t *testing.T) {
		st := desired(t, "demo", nil, "")
		if len(st.Contacts) != 0 {
			t.Errorf("contacts to set without configuration: %+v", st.Contacts)
		}
		if !hasGap(st, guardrail.AreaContacts, "1 account(s) have no SECURITY alternate contact and alternate_contacts.security is not configured: nothing to set (101010101010)") {
			t.Errorf("gaps: %+v", st.Gaps)
		}
	})
	t.Run("configured types are set where missing only", func(t *testing.T) {
		st := desired(t, "demo", nil, "full")
		var got []string
		for _, c := range st.Contacts {
			got = append(got, c.AccountID+" "+c.Type)
			if !c.PassAccountID {
				t.Errorf("%s is a member: PutAlternateContact needs AccountId", c.AccountID)
			}
		}
		if diff := cmp.Diff([]string{"101010101010 SECURITY"}, got); diff != "" {
			t.Errorf("contacts (-want +got):\n%s", diff)
		}
	})
	t.Run("standalone account uses its own context", func(t *testing.T) {
		s := snapshot(t, "demo")
		standalone(s)
		s.Accounts[0].Contacts.Alternates["OPERATIONS"] = inventory.Fact[*inventory.AlternateContact]{Source: inventory.Source{API: "account:GetAlternateContact"}}
		cfg := loadConfig(t, "full")
		cfg.AlternateContacts.Operations = &guardrail.Contact{Name: "Ops", Title: "Operations", Email: "ops@acme.example", Phone: "+12065550133"}
		st, err := guardrail.Desired(cfg, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Contacts) != 1 || st.Contacts[0].PassAccountID || st.Contacts[0].Type != "OPERATIONS" {
			t.Errorf("contacts: %+v", st.Contacts)
		}
	})
}

func TestDesiredAlerting(t *testing.T) {
	tests := []struct {
		name, config  string
		mutate        func(*inventory.Snapshot)
		wantAccount   string
		wantAssume    string
		wantSubscribe bool
	}{
		{"management account by default", "", nil, "111111111111", "", false},
		{"configured security account", "full", nil, "222222222222", "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", true},
		{"standalone account", "", standalone, "111111111111", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := desired(t, "demo", tt.mutate, tt.config)
			a := st.Alerting
			if a == nil {
				t.Fatal("no alerting stack")
			}
			if a.AccountID != tt.wantAccount || a.AssumeRoleARN != tt.wantAssume || a.Region != "us-east-1" || (a.Subscription != nil) != tt.wantSubscribe {
				t.Errorf("stack %+v", a)
			}
			if !tt.wantSubscribe && !hasGap(st, guardrail.AreaAlerting, "subscription is not configured") {
				t.Errorf("no gap for the missing subscription: %+v", st.Gaps)
			}
		})
	}
}

// The alerting rule is judged as the checks judge any rule: by evaluating it
// on the representative root events.
func TestRootActivityPatternCatchesRootEvents(t *testing.T) {
	p, err := eventpattern.Parse([]byte(guardrail.RootActivityPattern))
	if err != nil {
		t.Fatal(err)
	}
	cov := rootevents.Evaluate(rootevents.ByEnvelope(p.Match))
	if !cov.Complete() || len(cov.FalseAlarms) > 0 {
		t.Errorf("pattern %s", cov)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(guardrail.RootActivityPattern)); err != nil || compact.String() != guardrail.RootActivityPattern {
		t.Errorf("pattern is not minified JSON: %v", err)
	}
}

func TestDesiredErrors(t *testing.T) {
	bad := guardrail.DefaultConfig()
	bad.SCPs.DenyRootActions.Targets = []string{"ou-nope"}
	tests := []struct {
		name string
		cfg  guardrail.Config
		snap *inventory.Snapshot
		want string
	}{
		{"nil snapshot", guardrail.DefaultConfig(), nil, "no snapshot"},
		{"invalid config", bad, snapshot(t, "demo"), `scps.deny_root_actions.targets[0]: "ou-nope" is not`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := guardrail.Desired(tt.cfg, tt.snap)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDesiredUnknownTargetIsAGap(t *testing.T) {
	cfg := guardrail.DefaultConfig()
	cfg.SCPs.DenyRootAccessKeys.Targets = []string{"ou-acme-00000000"}
	st, err := guardrail.Desired(cfg, snapshot(t, "demo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.SCPs {
		if p.Key == guardrail.KeyDenyRootAccessKeys && len(p.Targets) != 0 {
			t.Errorf("targets %+v", p.Targets)
		}
	}
	if !hasGap(st, guardrail.AreaSCP, "target ou-acme-00000000 is not in the organization") {
		t.Errorf("gaps: %+v", st.Gaps)
	}
}

func ptr[T any](v T) *T { return &v }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
