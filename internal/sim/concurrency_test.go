package sim_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"golang.org/x/sync/errgroup"

	"github.com/rootguard/rootguard/internal/sim"
)

// TestConcurrentWritesAndReads runs writes and the reads of the same state
// at once (run with -race): every write lands once, and the Scenario taken
// meanwhile is consistent.
func TestConcurrentWritesAndReads(t *testing.T) {
	e := writableEnv(t, sim.Demo())
	org, sc := orgc(e.caller()), snsc(e)
	var g errgroup.Group
	for i := range 8 {
		g.Go(func() error {
			if _, err := sc.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String(fmt.Sprintf("t%d", i))}); err != nil {
				return err
			}
			id, err := createPolicy(t, org, fmt.Sprintf("P%d", i), denyRootKeys)
			if err != nil {
				return err
			}
			_, err = org.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String("r-acme")})
			return err
		})
		g.Go(func() error {
			_, err := targetsOf(t, org, "p-FullAWSAccess")
			if err != nil {
				return err
			}
			_ = e.srv.Scenario()
			_, err = sc.ListTopics(t.Context(), &sns.ListTopicsInput{})
			return err
		})
	}
	// The root holds FullAWSAccess and DenyLeaveOrganization: three of the
	// eight attachments fit under the limit of five.
	err := g.Wait()
	if code(err) != "" && code(err) != "ConstraintViolationException" {
		t.Fatal(err)
	}
	on := must(scpsOn(t, org, "r-acme"))(t)
	if len(on) != 5 {
		t.Errorf("SCPs on the root = %v, want the limit of 5", on)
	}
	s := e.srv.Scenario()
	if n := len(s.Accounts[0].Topics); n != 9 {
		t.Errorf("topics in the saved state = %d, want the demo's one and 8 created", n)
	}
	if n := len(s.Organization.Policies); n != 5+8 {
		t.Errorf("policies in the saved state = %d, want the demo's 5 and 8 created", n)
	}
}
