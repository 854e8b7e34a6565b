package securityhub_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/securityhub"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// findings renders n findings through the ASFF renderer; every third is a
// PASS (a fixed finding that must close).
func findings(n int) []report.ASFFFinding {
	fs := make([]checks.Finding, n)
	for i := range fs {
		fs[i] = checks.Finding{CheckID: fmt.Sprintf("check-%03d", i), AccountID: "111111111111", Status: checks.Fail, Severity: checks.High, Title: "t", Detail: "d"}
		if i%3 == 0 {
			fs[i].Status = checks.Pass
		}
	}
	r := report.New(report.Meta{CallerARN: "arn:aws:sts::111111111111:assumed-role/Audit/a"}, fs, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	return report.ASFF(r, report.Options{})
}

func TestSend(t *testing.T) {
	t.Parallel()
	const n = 250
	tests := []struct {
		name        string
		faults      []sim.Fault
		wantBatches int
		wantRefused int // calls the endpoint answered with an error
		wantFailed  []securityhub.Failed
		wantErr     bool
	}{
		{name: "250 findings in 3 batches", wantBatches: 3},
		// The SDK's retryer sends the throttled call again; Send sees one call.
		{name: "throttled batch retried", wantBatches: 3, wantRefused: 2,
			faults: []sim.Fault{{Operation: "securityhub:BatchImportFindings", Code: "TooManyRequestsException", Status: 429, Times: 2}}},
		// A passing item error: the item alone is sent again, in a 4th call.
		{name: "failed item retried", wantBatches: 4,
			faults: []sim.Fault{{Operation: "securityhub:BatchImportFindings", Item: "rootguard/111111111111/check-007", Code: "InternalException", Times: 1}}},
		{name: "failed item reported", wantBatches: 3,
			faults:     []sim.Fault{{Operation: "securityhub:BatchImportFindings", Item: "rootguard/111111111111/check-120", Code: "InvalidInput", Message: "bad finding"}},
			wantFailed: []securityhub.Failed{{ID: "rootguard/111111111111/check-120", Code: "InvalidInput", Message: "bad finding"}}},
		{name: "passing item error that persists is reported", wantBatches: 5,
			faults:     []sim.Fault{{Operation: "securityhub:BatchImportFindings", Item: "rootguard/111111111111/check-249", Code: "InternalException", Message: "try later"}},
			wantFailed: []securityhub.Failed{{ID: "rootguard/111111111111/check-249", Code: "InternalException", Message: "try later"}}},
		{name: "call refused", wantBatches: 1, wantRefused: 1, wantErr: true,
			faults: []sim.Fault{{Operation: "securityhub:BatchImportFindings", Code: "AccessDeniedException", Status: 403}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scn := sim.Demo()
			scn.Faults = tt.faults
			srv, cfg := simtest.Start(t, scn, sim.Options{})
			res, err := securityhub.Send(t.Context(), sh.NewFromConfig(cfg), findings(n))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send: err %v, want error %v", err, tt.wantErr)
			}
			if res.Batches != tt.wantBatches {
				t.Errorf("batches %d, want %d", res.Batches, tt.wantBatches)
			}
			if diff := cmp.Diff(tt.wantFailed, res.Failed); diff != "" {
				t.Errorf("failed (-want +got):\n%s", diff)
			}
			refused := 0
			for _, c := range srv.Calls() {
				if c.ErrorCode != "" {
					refused++
				}
			}
			if refused != tt.wantRefused {
				t.Errorf("%d calls refused, want %d", refused, tt.wantRefused)
			}
			imported := srv.Imported()
			if res.Imported != len(imported) {
				t.Errorf("Send counted %d imported, the endpoint recorded %d", res.Imported, len(imported))
			}
			if tt.wantErr {
				return
			}
			if want := n - len(tt.wantFailed); len(imported) != want {
				t.Errorf("imported %d, want %d", len(imported), want)
			}
			status := map[string]string{}
			for _, f := range imported {
				var a struct {
					ID         string `json:"Id"`
					Compliance struct{ Status string }
				}
				if err := json.Unmarshal(f.Finding, &a); err != nil {
					t.Fatal(err)
				}
				status[a.ID] = a.Compliance.Status
			}
			// check-000 is a PASS: sent PASSED so that Security Hub closes it.
			if got := status["rootguard/111111111111/check-000"]; got != "PASSED" {
				t.Errorf("PASS finding sent with Compliance.Status %q, want PASSED", got)
			}
			if got := status["rootguard/111111111111/check-001"]; got != "FAILED" {
				t.Errorf("FAIL finding sent with Compliance.Status %q, want FAILED", got)
			}
		})
	}
}

// The endpoint refuses a batch above the API's limit, as Security Hub does.
func TestBatchLimit(t *testing.T) {
	t.Parallel()
	_, cfg := simtest.Start(t, sim.Demo(), sim.Options{})
	in := &sh.BatchImportFindingsInput{}
	for range securityhub.BatchSize + 1 {
		in.Findings = append(in.Findings, securityhub.ToSDK(findings(1)[0]))
	}
	if _, err := sh.NewFromConfig(cfg).BatchImportFindings(t.Context(), in); err == nil {
		t.Fatalf("%d findings in one call: no error", len(in.Findings))
	}
}
