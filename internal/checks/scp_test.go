package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rootguard/rootguard/internal/inventory"
)

const (
	allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyRoot = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"Null":{"aws:AssumedRoot":"true"}}}]}`
)

func known[T any](v T, api string) inventory.Fact[T] {
	return inventory.Fact[T]{Value: v, Source: inventory.Source{API: api}}
}

// treeOrg is an organization root r-1 > ou-a (A) > ou-b (B) with the given
// units replaced or added, FullAWSAccess everywhere and extra policies.
func treeOrg(units []inventory.OrgUnit, extra ...inventory.OrgPolicy) *inventory.Organization {
	if units == nil {
		units = []inventory.OrgUnit{
			{ID: "r-1", Name: "Root", PolicyTypes: []string{policyTypeSCP}},
			{ID: "ou-a", Name: "A", ParentID: "r-1"},
			{ID: "ou-b", Name: "B", ParentID: "ou-a"},
		}
	}
	var targets []string
	for _, u := range units {
		targets = append(targets, u.ID)
	}
	targets = append(targets, "222222222222")
	pols := append([]inventory.OrgPolicy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Content: allowAll, Targets: targets}}, extra...)
	return &inventory.Organization{
		ManagementAccountID: "111111111111",
		Units:               known(units, "organizations:ListOrganizationalUnitsForParent"),
		Policies:            known(pols, "organizations:ListPolicies"),
	}
}

func memberIn(org *inventory.Organization, parent string) Input {
	s := &inventory.Snapshot{Schema: inventory.Schema, Organization: org, Accounts: []inventory.Account{
		{ID: "222222222222", Name: "app", Role: inventory.RoleMember, State: "ACTIVE", ParentID: parent},
	}}
	return Input{Snapshot: s, Account: &s.Accounts[0]}
}

// TestSCPLevels: the levels run from the organization root down the OU path
// to the account, each with the SCPs attached to that node, and anything
// that would make the path wrong is UNKNOWN rather than guessed.
func TestSCPLevels(t *testing.T) {
	t.Parallel()
	deny := func(targets ...string) inventory.OrgPolicy {
		return inventory.OrgPolicy{ID: "p-deny", Name: "DenyRoot", Content: denyRoot, Targets: targets}
	}
	cycle := []inventory.OrgUnit{
		{ID: "r-1", Name: "Root", PolicyTypes: []string{policyTypeSCP}},
		{ID: "ou-a", Name: "A", ParentID: "ou-b"},
		{ID: "ou-b", Name: "B", ParentID: "ou-a"},
	}
	tests := []struct {
		name    string
		org     *inventory.Organization
		parent  string
		want    []string // "level: policy, policy"
		unknown string   // substring of the UNKNOWN detail
	}{
		{
			name:   "root, two OUs and the account",
			org:    treeOrg(nil, deny("ou-a")),
			parent: "ou-b",
			want: []string{
				"root r-1: FullAWSAccess (p-FullAWSAccess)",
				"OU A (ou-a): FullAWSAccess (p-FullAWSAccess), DenyRoot (p-deny)",
				"OU A/B (ou-b): FullAWSAccess (p-FullAWSAccess)",
				"account 222222222222 (app): FullAWSAccess (p-FullAWSAccess)",
			},
		},
		{
			name:   "directly under the root",
			org:    treeOrg(nil, deny("222222222222")),
			parent: "r-1",
			want: []string{
				"root r-1: FullAWSAccess (p-FullAWSAccess)",
				"account 222222222222 (app): FullAWSAccess (p-FullAWSAccess), DenyRoot (p-deny)",
			},
		},
		{name: "parent not collected", org: treeOrg(nil), parent: "", unknown: "parent in the organization was not collected"},
		{name: "parent not among the units", org: treeOrg(nil), parent: "ou-gone", unknown: "parent ou-gone is not among"},
		{name: "cycle in the tree", org: treeOrg(cycle), parent: "ou-b", unknown: "form a cycle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, res, ok := scpLevels(memberIn(tc.org, tc.parent))
			if tc.unknown != "" {
				if ok || res.Status != Unknown || !strings.Contains(res.Detail, tc.unknown) {
					t.Fatalf("got ok=%v %s %q, want UNKNOWN containing %q", ok, res.Status, res.Detail, tc.unknown)
				}
				return
			}
			if !ok {
				t.Fatalf("scpLevels: %s %q", res.Status, res.Detail)
			}
			var got []string
			for _, l := range v.levels {
				var names []string
				for _, p := range l.Policies {
					names = append(names, p.Name)
				}
				got = append(got, l.Name+": "+strings.Join(names, ", "))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSCPLayoutPerOrganization: the memo never serves one organization's
// policies for another.
func TestSCPLayoutPerOrganization(t *testing.T) {
	t.Parallel()
	withDeny := treeOrg(nil, inventory.OrgPolicy{ID: "p-deny", Name: "DenyRoot", Content: denyRoot, Targets: []string{"r-1"}})
	without := treeOrg(nil)
	for i := range 3 {
		for _, tc := range []struct {
			org  *inventory.Organization
			want Status
		}{{withDeny, Pass}, {without, Fail}} {
			if got := runSCPDenyRootAccessKeys(memberIn(tc.org, "ou-b")).Status; got != tc.want {
				t.Fatalf("round %d: %s, want %s", i, got, tc.want)
			}
		}
	}
}

func TestInDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		domain, host string
		want         bool
	}{
		{"acme.example", "acme.example.", true},
		{"mail.acme.example", "acme.example", true},
		{"acme.example", "ACME.Example", true},
		{"acme.example", ".acme.example", true},
		{"notacme.example", "acme.example", false},
		{"acme.example", "mail.acme.example", false},
		{"acme.example", "", false},
		{"acme.example", ".", false},
	}
	for _, tc := range tests {
		t.Run(tc.domain+" in "+tc.host, func(t *testing.T) {
			if got := inDomain(tc.domain, tc.host); got != tc.want {
				t.Errorf("inDomain(%q, %q) = %v, want %v", tc.domain, tc.host, got, tc.want)
			}
		})
	}
}
