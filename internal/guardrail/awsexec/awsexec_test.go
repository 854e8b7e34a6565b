package awsexec_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/guardrail/awsexec"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// startSim serves the demo organization on loopback and returns an
// aws.Config pointed at it.
func startSim(t *testing.T, writable bool) aws.Config {
	t.Helper()
	_, cfg := simtest.Start(t, sim.Demo(), sim.Options{Writable: writable, Now: func() time.Time { return time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) }})
	return cfg
}

var createPolicy = guardrail.Call{
	Operation: "organizations:CreatePolicy",
	Params: map[string]string{
		"Name": "rootguard-test", "Description": "test", "Type": "SERVICE_CONTROL_POLICY",
		"Content": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`,
	},
}

// TestCall makes calls through the SDK against the wire-level endpoint: a
// created policy's ID comes back as an output, a refused write is a
// *guardrail.CallError with the API's code and message, and an operation no
// plan makes is refused before any call.
func TestCall(t *testing.T) {
	t.Parallel()
	const account = "111111111111"

	out, err := awsexec.New(startSim(t, true)).Call(t.Context(), account, createPolicy)
	if err != nil || !strings.HasPrefix(out["policy:rootguard-test"], "p-") {
		t.Errorf("CreatePolicy on a writable endpoint = %v, %v; want the policy ID under policy:rootguard-test", out, err)
	}

	_, err = awsexec.New(startSim(t, false)).Call(t.Context(), account, createPolicy)
	var ce *guardrail.CallError
	if !errors.As(err, &ce) {
		t.Fatalf("CreatePolicy on a read-only endpoint = %v, want a *guardrail.CallError", err)
	}
	if ce.Code != awsclient.CodeAccessDenied || !strings.Contains(ce.Message, "read-only") || !strings.HasPrefix(err.Error(), "in account "+account+": ") {
		t.Errorf("refused write: code %q, message %q, error %q; want AccessDenied, the endpoint's message and the account in the error", ce.Code, ce.Message, err)
	}

	_, err = awsexec.New(startSim(t, true)).Call(t.Context(), account, guardrail.Call{Operation: "iam:DeleteUser"})
	if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "not an operation a plan may make") {
		t.Errorf("unknown operation = %v, want a refusal that is not an API error", err)
	}
}

// TestCodesMatchClassification: the codes guardrail gives failures no
// adapter classified are the ones awsclient gives the same failures.
func TestCodesMatchClassification(t *testing.T) {
	t.Parallel()
	if guardrail.CodeCanceled != awsclient.CodeCanceled || guardrail.CodeClient != awsclient.CodeClient {
		t.Errorf("guardrail codes %q, %q differ from awsclient's %q, %q", guardrail.CodeCanceled, guardrail.CodeClient, awsclient.CodeCanceled, awsclient.CodeClient)
	}
}
