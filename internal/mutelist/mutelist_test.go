package mutelist

import (
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/inventory"
)

var known = []string{"root-mfa-enabled", "root-access-keys-absent"}

func tree() Tree {
	s := &inventory.Snapshot{
		Organization: &inventory.Organization{Units: inventory.Fact[[]inventory.OrgUnit]{Value: []inventory.OrgUnit{
			{ID: "r-ab12", Name: "Root"},
			{ID: "ou-ab12-work", Name: "Workloads", ParentID: "r-ab12"},
			{ID: "ou-ab12-sand", Name: "Sandbox", ParentID: "ou-ab12-work"},
		}}},
		Accounts: []inventory.Account{
			{ID: "111111111111", ParentID: "r-ab12"},
			{ID: "222222222222", ParentID: "ou-ab12-sand"},
			{ID: "333333333333"},
		},
	}
	return TreeOf(s)
}

func TestTreeIn(t *testing.T) {
	tr := tree()
	for _, c := range []struct {
		account, sel string
		want         bool
	}{
		{"222222222222", "*", true},
		{"222222222222", "222222222222", true},
		{"222222222222", "ou-ab12-sand", true},
		{"222222222222", "ou-ab12-work", true},
		{"222222222222", "r-ab12", true},
		{"222222222222", "/Workloads", true},
		{"222222222222", "/Workloads/Sandbox", true},
		{"222222222222", "/Sandbox", false},
		{"111111111111", "/Workloads", false},
		{"111111111111", "r-ab12", true},
		{"333333333333", "r-ab12", false},
		{"111111111111", "222222222222", false},
	} {
		if got := tr.In(c.account, c.sel); got != c.want {
			t.Errorf("In(%s, %s) = %v, want %v", c.account, c.sel, got, c.want)
		}
	}
}

const valid = `schema: rootguard.mutelist/v1
mutes:
  - check: root-mfa-enabled
    accounts: [/Workloads/Sandbox]
    reason: sandbox accounts are closed weekly
    accepted_by: ciso@example.com
    expires: 2027-06-30
  - check: "*"
    accounts: ["111111111111"]
    reason: migration
    accepted_by: ops@example.com
    expires: 2026-01-31
`

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"schema", "mutes: []\n", `schema ""`},
		{"unknown field", "schema: rootguard.mutelist/v1\nmutez: []\n", "mutez"},
		{"did you mean", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabeld, accounts: ['*'], reason: r, accepted_by: a, expires: 2027-01-01}\n", "did you mean root-mfa-enabled?"},
		{"no accounts", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabled, reason: r, accepted_by: a, expires: 2027-01-01}\n", "accounts"},
		{"bad account", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabled, accounts: ['1234'], reason: r, accepted_by: a, expires: 2027-01-01}\n", `"1234"`},
		{"no reason", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabled, accounts: ['*'], accepted_by: a, expires: 2027-01-01}\n", "reason"},
		{"no owner", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabled, accounts: ['*'], reason: r, expires: 2027-01-01}\n", "accepted_by"},
		{"bad date", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabled, accounts: ['*'], reason: r, accepted_by: a, expires: next year}\n", "expires"},
		{"two documents", valid + "---\n" + valid, "more than one YAML document"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(c.data), known)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, c.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	l, err := Parse("m.yaml", []byte(valid), known)
	if err != nil {
		t.Fatal(err)
	}
	fs := []checks.Finding{
		{CheckID: "root-mfa-enabled", AccountID: "222222222222", Status: checks.Fail},
		{CheckID: "root-mfa-enabled", AccountID: "111111111111", Status: checks.Fail},
		{CheckID: "root-access-keys-absent", AccountID: "222222222222", Status: checks.Fail},
	}
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	r := l.Apply(fs, tree(), now)
	if r.Entries != 2 || r.Muted != 1 || len(r.Expired) != 1 || r.Expired[0].AcceptedBy != "ops@example.com" {
		t.Fatalf("result = %+v", r)
	}
	want := &checks.Mute{Reason: "sandbox accounts are closed weekly", AcceptedBy: "ciso@example.com", Expires: "2027-06-30"}
	if fs[0].Muted == nil || *fs[0].Muted != *want || fs[0].Status != checks.Fail {
		t.Errorf("finding 0 = %+v, want muted %+v and still FAIL", fs[0], want)
	}
	if fs[1].Muted != nil || fs[2].Muted != nil {
		t.Errorf("muted by an expired or non-matching entry: %+v %+v", fs[1].Muted, fs[2].Muted)
	}
}

func TestExpiresEndOfDay(t *testing.T) {
	e := Entry{Expires: "2027-06-30"}
	if e.Expired(time.Date(2027, 6, 30, 23, 59, 0, 0, time.UTC)) {
		t.Error("expired during its last day")
	}
	if !e.Expired(time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("not expired the day after")
	}
}

func TestFilter(t *testing.T) {
	fs := []checks.Finding{
		{CheckID: "root-mfa-enabled", AccountID: "222222222222", Status: checks.Fail, Severity: checks.Critical},
		{CheckID: "root-mfa-enabled", AccountID: "111111111111", Status: checks.Pass, Severity: checks.Critical},
		{CheckID: "root-access-keys-absent", AccountID: "222222222222", Status: checks.Unknown, Severity: checks.High},
	}
	for _, c := range []struct {
		name                                      string
		check, exclude, sev, status, account, ous []string
		want                                      int
	}{
		{name: "none", want: 3},
		{name: "check", check: []string{"root-mfa-enabled"}, want: 2},
		{name: "exclude", exclude: []string{"root-mfa-enabled"}, want: 1},
		{name: "severity", sev: []string{"high"}, want: 1},
		{name: "status", status: []string{"fail", "unknown"}, want: 2},
		{name: "ou path", ous: []string{"/Workloads"}, want: 2},
		{name: "account", account: []string{"111111111111"}, want: 1},
		{name: "account or ou", account: []string{"111111111111"}, ous: []string{"ou-ab12-sand"}, want: 3},
		{name: "all", check: []string{"root-mfa-enabled"}, status: []string{"FAIL"}, ous: []string{"ou-ab12-sand"}, want: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := NewFilter(c.check, c.exclude, c.sev, c.status, c.account, c.ous, known)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(f.Select(fs, tree())); got != c.want {
				t.Errorf("kept %d, want %d", got, c.want)
			}
		})
	}
	for _, bad := range [][]string{{"root-mfa-enabld"}} {
		_, err := NewFilter(bad, nil, nil, nil, nil, nil, known)
		if err == nil || !strings.Contains(err.Error(), "did you mean root-mfa-enabled?") {
			t.Errorf("err = %v", err)
		}
	}
	for _, bad := range []struct{ status, account, ou []string }{
		{status: []string{"muted"}},
		{account: []string{"ou-ab12-sand"}},
		{ou: []string{"111111111111"}},
		{ou: []string{"Workloads"}},
	} {
		if _, err := NewFilter(nil, nil, nil, bad.status, bad.account, bad.ou, known); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte("schema: rootguard.mutelist/v1\nmutes: [&a {check: '*'}, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("f.yaml", data, known)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		for _, e := range l.Entries {
			if e.Reason == "" || e.AcceptedBy == "" || len(e.Accounts) == 0 {
				t.Fatalf("invalid entry accepted: %+v", e)
			}
		}
	})
}
