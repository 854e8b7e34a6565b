package securityhub_test

import (
	"encoding/json"
	"fmt"
	"strings"
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

// A muted finding is imported SUPPRESSED with its note, and then suppressed
// with BatchUpdateFindings, since an import cannot change the workflow of a
// finding Security Hub already has. Findings sharing a note share a call.
func TestSendMuted(t *testing.T) {
	t.Parallel()
	fs := make([]checks.Finding, 205)
	for i := range fs {
		fs[i] = checks.Finding{CheckID: fmt.Sprintf("check-%03d", i), AccountID: "111111111111", Status: checks.Fail, Severity: checks.High, Title: "t", Detail: "d"}
		switch {
		case i < 150: // one note: two calls of 100 and 50
			fs[i].Muted = &checks.Mute{Reason: "accepted for the migration", AcceptedBy: "ciso@example.com", Expires: "2027-01-31"}
		case i < 152: // another note: a third call
			fs[i].Muted = &checks.Mute{Reason: "sandbox", AcceptedBy: "lead@example.com", Expires: "2027-03-01"}
		}
	}
	r := report.New(report.Meta{CallerARN: "arn:aws:sts::111111111111:assumed-role/Audit/a"}, fs, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv, cfg := simtest.Start(t, sim.Demo(), sim.Options{})
	res, err := securityhub.Send(t.Context(), sh.NewFromConfig(cfg), report.ASFF(r, report.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Suppressed != 152 || len(res.Failed) != 0 {
		t.Fatalf("suppressed %d, failed %v; want 152 suppressed, none failed", res.Suppressed, res.Failed)
	}
	updateCalls := 0
	for _, c := range srv.Calls() {
		if c.Operation == "BatchUpdateFindings" {
			updateCalls++
		}
	}
	if updateCalls != 3 {
		t.Errorf("%d BatchUpdateFindings calls, want 3 (100 + 50 with one note, 2 with another)", updateCalls)
	}
	byID := map[string]sim.FindingUpdate{}
	for _, u := range srv.Updated() {
		byID[u.ID] = u
	}
	if u := byID["rootguard/111111111111/check-151"]; u.Workflow != "SUPPRESSED" || u.NoteUpdatedBy != "lead@example.com" || !strings.Contains(u.NoteText, "sandbox") {
		t.Errorf("check-151 updated as %+v, want SUPPRESSED with the sandbox note by lead@example.com", u)
	}
	if u, ok := byID["rootguard/111111111111/check-152"]; ok {
		t.Errorf("unmuted check-152 was updated: %+v", u)
	}
	// The import itself carries Workflow and Note, which Security Hub takes
	// when it creates the finding.
	for _, f := range srv.Imported() {
		var a struct {
			ID       string `json:"Id"`
			Workflow *struct{ Status string }
			Note     *struct{ Text, UpdatedBy string }
		}
		if err := json.Unmarshal(f.Finding, &a); err != nil {
			t.Fatal(err)
		}
		if a.ID == "rootguard/111111111111/check-000" && (a.Workflow == nil || a.Workflow.Status != "SUPPRESSED" || a.Note == nil || a.Note.UpdatedBy != "ciso@example.com") {
			t.Errorf("muted check-000 imported with workflow %+v note %+v", a.Workflow, a.Note)
		}
		if a.ID == "rootguard/111111111111/check-200" && (a.Workflow != nil || a.Note != nil) {
			t.Errorf("unmuted check-200 imported with workflow %+v note %+v", a.Workflow, a.Note)
		}
	}
}
