package collect_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
)

// TestCollectForwardRole reads the forwarding role by name in a member
// with a Region other than us-east-1: absent (NoSuchEntity is an answer),
// present with or without its inline policy, or not known when a read is
// refused, the fact naming the call. A member with us-east-1 alone is not
// asked.
func TestCollectForwardRole(t *testing.T) {
	t.Parallel()
	const (
		member = "444444444444"
		trust  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:us-east-1:111111111111:event-bus/default"}]}`
	)
	role := func(policies map[string]string) sim.Principal {
		return sim.Principal{Kind: "role", Name: inventory.ForwardRoleName, Trust: trust, Policies: policies}
	}
	tests := []struct {
		name      string
		principal *sim.Principal
		fault     string
		// want is the role read (nil: none); wantErr the failed call.
		want    *inventory.Principal
		wantErr string
	}{
		{name: "absent"},
		{name: "with its policy", principal: new(role(map[string]string{inventory.ForwardRolePolicyName: policy, "other": "{}"})),
			want: &inventory.Principal{Kind: inventory.PrincipalRole, ARN: "arn:aws:iam::" + member + ":role/" + inventory.ForwardRoleName, Trust: trust,
				Policies: []inventory.NamedPolicy{{Name: inventory.ForwardRolePolicyName, Document: policy}}}},
		{name: "without its policy", principal: new(role(nil)),
			want: &inventory.Principal{Kind: inventory.PrincipalRole, ARN: "arn:aws:iam::" + member + ":role/" + inventory.ForwardRoleName, Trust: trust,
				Policies: []inventory.NamedPolicy{}}},
		{name: "GetRole refused", principal: new(role(nil)), fault: "iam:GetRole", wantErr: "iam:GetRole"},
		{name: "GetRolePolicy refused", principal: new(role(nil)), fault: "iam:GetRolePolicy", wantErr: "iam:GetRolePolicy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn := sim.Demo()
			for i := range scn.Accounts {
				if a := &scn.Accounts[i]; a.ID == member {
					a.Regions = []string{"us-east-1", "eu-west-1"}
					if tt.principal != nil {
						a.Principals = append(a.Principals, *tt.principal)
					}
				}
			}
			if tt.fault != "" {
				scn.Faults = append(scn.Faults, sim.Fault{Operation: tt.fault, Account: member, Code: "AccessDenied"})
			}
			snap, _ := collectSim(t, scn, collect.Options{Org: true})
			f := snap.Account(member).IAM.ForwardRole
			if tt.wantErr != "" {
				if f.Known() || f.Source.API != tt.wantErr || !strings.Contains(f.Reason(), "AccessDenied") {
					t.Errorf("forward role: %+v, want %s failed with AccessDenied", f, tt.wantErr)
				}
				return
			}
			if !f.Known() || f.Value.Name != inventory.ForwardRoleName {
				t.Fatalf("forward role not known: %s", f.Reason())
			}
			if diff := cmp.Diff(tt.want, f.Value.Role); diff != "" {
				t.Errorf("forward role (-want +got):\n%s", diff)
			}
			if other := snap.Account("555555555555").IAM.ForwardRole; other.Collected() {
				t.Errorf("the forward role of a member with us-east-1 alone was read: %+v", other)
			}
		})
	}
}
