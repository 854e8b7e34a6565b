package sim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

// TestFaultsOnWrites: a fault on a write operation for one account fails
// the first call and lets the rerun through, as an apply that stops midway
// and is run again needs; the saved state keeps only what is left of the
// faults.
func TestFaultsOnWrites(t *testing.T) {
	s := sim.Demo()
	s.Faults = append(s.Faults,
		sim.Fault{Operation: "account:PutAlternateContact", Account: noSecurity, Code: "AccessDeniedException", Message: "injected", Times: 1},
		sim.Fault{Operation: "iam:DeleteAccessKey", Account: rootKeys, Code: "ServiceFailure", Status: 500, Times: 5},
		sim.Fault{Operation: "sns:Subscribe", Account: mgmt, Code: "InvalidParameter", Times: 2},
	)
	e := writableEnv(t, s)
	put := putSecurity(noSecurity, "security@acme.example", "+12065550111")
	if _, err := put(t, e); code(err) != "AccessDeniedException" {
		t.Fatalf("first PutAlternateContact: %v, want the injected AccessDeniedException", err)
	}
	if _, err := putSecurity(gmail, "security@acme.example", "+12065550111")(t, e); err != nil {
		t.Errorf("PutAlternateContact for another account: %v", err)
	}
	if _, err := put(t, e); err != nil {
		t.Errorf("rerun of PutAlternateContact: %v", err)
	}

	// ServiceFailure is retried by the SDK (three attempts): the first call
	// spends three of the five failures, and the rerun's retries outlast
	// the other two.
	c := iamc(e.deleteSession(t, rootKeys))
	ids := must(keyIDs(t, c))(t)
	if _, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(ids[0])}); code(err) != "ServiceFailure" {
		t.Fatalf("first DeleteAccessKey: %v, want ServiceFailure", err)
	}
	if _, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(ids[0])}); err != nil {
		t.Errorf("rerun of DeleteAccessKey: %v", err)
	}

	var left []string
	for _, f := range e.srv.Scenario().Faults {
		left = append(left, f.Operation)
	}
	want := []string{"sts:AssumeRoot", "sns:Subscribe"} // the demo's own fault, and the unused one
	if diff := cmp.Diff(want, left); diff != "" {
		t.Errorf("faults left (-want +got)\n%s", diff)
	}
}
