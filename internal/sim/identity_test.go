package sim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// TestCallerIdentities signs with each caller's own long-term key and gets
// that caller's identity back from sts:GetCallerIdentity.
func TestCallerIdentities(t *testing.T) {
	scn := sim.Demo()
	scn.Callers = append(scn.Callers, sim.Identity{Name: "auditor", ARN: "arn:aws:iam::222222222222:user/audit"})
	srv, cfg := simtest.Start(t, scn, sim.Options{})
	for _, tc := range []struct{ name, arn, account string }{
		{"", "arn:aws:sts::111111111111:assumed-role/Admin/rootguard-demo", "111111111111"},
		{"requester", "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice", "111111111111"},
		{"approver", "arn:aws:sts::111111111111:assumed-role/BreakGlassApprover/bob", "111111111111"},
		{"auditor", "arn:aws:iam::222222222222:user/audit", "222222222222"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := sts.NewFromConfig(simtest.As(t, srv, cfg, tc.name)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Arn) != tc.arn || aws.ToString(out.Account) != tc.account {
				t.Errorf("GetCallerIdentity = %s in %s, want %s in %s", aws.ToString(out.Arn), aws.ToString(out.Account), tc.arn, tc.account)
			}
		})
	}
	if _, _, err := srv.IdentityCredentials("nobody"); err == nil || !strings.Contains(err.Error(), "approver, auditor, requester") {
		t.Errorf("IdentityCredentials(nobody) = %v, want an error listing the callers", err)
	}
	// A key of one caller with another's secret is still that key's caller:
	// the endpoint checks no signatures, so the key alone picks the caller.
	key, _, _ := srv.IdentityCredentials("approver")
	c := cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(key, "wrong", "")
	out, err := sts.NewFromConfig(c).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(out.Arn), "/bob") {
		t.Errorf("GetCallerIdentity with the approver's key = %v, %v", out, err)
	}
}

func TestCallersValidated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		callers []sim.Identity
		want    string
	}{
		{"bad name", []sim.Identity{{Name: "Alice Smith", ARN: "arn:aws:iam::111111111111:user/a"}}, `callers[0].name "Alice Smith"`},
		{"duplicate", []sim.Identity{{Name: "a", ARN: "arn:aws:iam::111111111111:user/a"}, {Name: "a", ARN: "arn:aws:iam::111111111111:user/b"}}, "duplicate caller"},
		{"no account", []sim.Identity{{Name: "a", ARN: "alice"}}, `callers[0].arn "alice"`},
		{"bad key", []sim.Identity{{Name: "a", ARN: "arn:aws:iam::111111111111:user/a", AccessKeyID: "ASIA1"}}, "callers[0].access_key_id"},
		{"default caller's key", []sim.Identity{{Name: "a", ARN: "arn:aws:iam::111111111111:user/a", AccessKeyID: "AKIAROOTGUARDSIM0001"}}, "used by another caller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scn := sim.Demo()
			scn.Callers = tc.callers
			_, err := sim.New(scn, sim.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
