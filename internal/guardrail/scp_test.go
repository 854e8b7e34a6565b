package guardrail_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/policy"
)

const member = "222222222222"

const fullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// levels attaches docs at the organization root, with FullAWSAccess at the
// root and on the account, as in a real organization.
func levels(t *testing.T, docs map[string]string) []policy.Level {
	t.Helper()
	full := policy.MustParse("FullAWSAccess", fullAWSAccess)
	root := policy.Level{Name: "root r-abcd", Policies: []*policy.Policy{full}}
	for name, doc := range docs {
		p, err := policy.Parse(name, []byte(doc))
		if err != nil {
			t.Fatalf("generated SCP %s does not parse: %v\n%s", name, err, doc)
		}
		root.Policies = append(root.Policies, p)
	}
	return []policy.Level{root, {Name: "account " + member, Policies: []*policy.Policy{full}}}
}

// allDocs are the three generated SCPs with the default admin role.
func allDocs() map[string]string {
	return map[string]string{
		"deny-root-actions":        guardrail.DenyRootActionsDocument(),
		"deny-root-access-keys":    guardrail.DenyRootAccessKeysDocument(),
		"protect-account-contacts": guardrail.ProtectContactsDocument(guardrail.DefaultConfig().SCPs.ProtectContacts.AdminRoleARNs),
	}
}

func probeAndContactActions() []string {
	return append(policy.RootProbeActions(), guardrail.ContactActions()...)
}

func TestSCPsDenyRootEverywhere(t *testing.T) {
	tests := []struct {
		name    string
		docs    map[string]string
		actions []string
	}{
		{"deny-root-actions alone denies every probe action", map[string]string{"d": guardrail.DenyRootActionsDocument()}, probeAndContactActions()},
		{"deny-root-access-keys denies key creation", map[string]string{"k": guardrail.DenyRootAccessKeysDocument()}, []string{"iam:CreateAccessKey"}},
		{"contacts SCP denies root contact changes", map[string]string{"c": guardrail.ProtectContactsDocument([]string{"arn:aws:iam::*:role/Admin"})}, guardrail.ContactActions()},
		{"all three together", allDocs(), probeAndContactActions()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cov := policy.RootDenyCoverage(levels(t, tt.docs), member, tt.actions)
			if !cov.Complete {
				t.Errorf("root holes: %v", cov.Holes)
			}
		})
	}
}

func TestSCPsKeepCentralizedRootSessionsWorking(t *testing.T) {
	tests := []struct {
		name string
		docs map[string]string
	}{
		{"deny-root-actions", map[string]string{"d": guardrail.DenyRootActionsDocument()}},
		{"deny-root-access-keys", map[string]string{"k": guardrail.DenyRootAccessKeysDocument()}},
		{"protect-account-contacts", map[string]string{"c": guardrail.ProtectContactsDocument([]string{"arn:aws:iam::*:role/Admin"})}},
		{"all three together", allDocs()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := policy.RootTaskAccess(levels(t, tt.docs), member, nil)
			if !ta.Working {
				t.Errorf("centralized root tasks blocked: %v", ta.Blocked)
				for _, a := range ta.Actions {
					if len(a.Fix) > 0 {
						t.Logf("%s: %v", a.Action, a.Fix)
					}
				}
			}
		})
	}
}

// The access-key SCP is deliberately not exempt for centralized root
// sessions: no task policy creates keys.
func TestDenyRootAccessKeysAlsoInAssumedRootSessions(t *testing.T) {
	res := policy.EvaluateSCPs(levels(t, map[string]string{"k": guardrail.DenyRootAccessKeysDocument()}),
		policy.AssumedRootRequest(member, "iam:CreateAccessKey"))
	if res.Decision != policy.ExplicitDeny {
		t.Errorf("CreateAccessKey in an AssumeRoot session: %s, want %s", res.Decision, policy.ExplicitDeny)
	}
}

func TestSCPsLeaveOtherPrincipalsAlone(t *testing.T) {
	admin := "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"
	principals := []struct {
		name, arn string
		// contacts is whether the principal may change contacts.
		contacts bool
	}{
		{"admin role", admin, true},
		{"workload role", "arn:aws:iam::" + member + ":role/app", false},
		{"IAM user named root", "arn:aws:iam::" + member + ":user/root", false},
		{"role named root", "arn:aws:iam::" + member + ":role/root", false},
	}
	lv := levels(t, allDocs())
	contact := map[string]bool{}
	for _, a := range guardrail.ContactActions() {
		contact[a] = true
	}
	for _, p := range principals {
		for _, action := range probeAndContactActions() {
			t.Run(p.name+"/"+action, func(t *testing.T) {
				req := policy.Request{
					Action:       action,
					Resource:     policy.ProbeResource(action, member),
					PrincipalARN: p.arn,
					Context: map[string][]string{
						"aws:PrincipalArn":     {p.arn},
						"aws:PrincipalAccount": {member},
					},
				}
				want := policy.Allowed
				if contact[action] && !p.contacts {
					want = policy.ExplicitDeny
				}
				if got := policy.EvaluateSCPs(lv, req).Decision; got != want {
					t.Errorf("%s by %s: %s, want %s", action, p.arn, got, want)
				}
			})
		}
	}
}

func TestSCPDocuments(t *testing.T) {
	tests := []struct {
		name, doc, sid string
		// wantCondition is the statement's Condition as JSON.
		wantCondition string
	}{
		{"deny root actions", guardrail.DenyRootActionsDocument(), guardrail.SidDenyRootUser,
			`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"Null":{"aws:AssumedRoot":"true"}}`},
		{"deny root access keys", guardrail.DenyRootAccessKeysDocument(), guardrail.SidDenyRootAccessKeys,
			`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}`},
		{"one admin role is a string", guardrail.ProtectContactsDocument([]string{"arn:aws:iam::*:role/A"}), guardrail.SidProtectContacts,
			`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/A"}}`},
		{"several admin roles are a list", guardrail.ProtectContactsDocument([]string{"arn:aws:iam::*:role/A", "arn:aws:iam::111111111111:role/B*"}), guardrail.SidProtectContacts,
			`{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/A","arn:aws:iam::111111111111:role/B*"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d struct {
				Version   string
				Statement []struct {
					Sid       string
					Effect    string
					Condition json.RawMessage
				}
			}
			if err := json.Unmarshal([]byte(tt.doc), &d); err != nil {
				t.Fatal(err)
			}
			if d.Version != "2012-10-17" || len(d.Statement) != 1 || d.Statement[0].Sid != tt.sid || d.Statement[0].Effect != "Deny" {
				t.Errorf("unexpected document %s", tt.doc)
			}
			if diff := cmp.Diff(tt.wantCondition, string(d.Statement[0].Condition)); diff != "" {
				t.Errorf("Condition (-want +got):\n%s", diff)
			}
			if strings.ContainsAny(tt.doc, " \n\t") {
				t.Errorf("not minified: %s", tt.doc)
			}
			if len(tt.doc) > guardrail.MaxSCPSize {
				t.Errorf("%d characters, over %d", len(tt.doc), guardrail.MaxSCPSize)
			}
		})
	}
}

func TestSCPSizeLimit(t *testing.T) {
	cfg := guardrail.DefaultConfig()
	var roles []string
	for i := range 120 {
		roles = append(roles, fmt.Sprintf("arn:aws:iam::*:role/platform-admin-role-number-%03d", i))
	}
	cfg.SCPs.ProtectContacts.AdminRoleARNs = roles
	_, err := guardrail.Desired(cfg, snapshot(t, "org-basic"))
	if err == nil || !strings.Contains(err.Error(), "5120-character limit") {
		t.Fatalf("Desired with %d admin roles: error %v, want the SCP size limit", len(roles), err)
	}
}
