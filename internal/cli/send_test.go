package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// scan --send securityhub imports every finding (PASS ones as PASSED, so
// they close) through a throttled call, and reports the finding Security Hub
// refused with exit 3.
func TestScanSendSecurityHub(t *testing.T) {
	srvs := captureServers(t)
	code, out, stderr := run(t, "scan", "--scenario", "testdata/securityhub.yaml", "--format", "json", "--send", "securityhub")
	if code != ExitError {
		t.Fatalf("exit %d, want %d (a finding not imported); stderr:\n%s", code, ExitError, stderr)
	}
	doc := decodeFindings(t, out)
	for _, want := range []string{
		"finding rootguard/111111111111/root-mfa-enabled failed: InvalidInput: refused by the test",
		"1 failed",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	srvs.mu.Lock()
	defer srvs.mu.Unlock()
	if len(srvs.list) != 2 {
		t.Fatalf("%d endpoints started, want 2 (collection, then import)", len(srvs.list))
	}
	imported := srvs.list[1].Imported()
	if len(imported) != len(doc.Findings)-1 {
		t.Errorf("imported %d findings, want %d (all but the refused one)", len(imported), len(doc.Findings)-1)
	}
	status := map[string]string{}
	for _, f := range imported {
		var a struct {
			GeneratorID string `json:"GeneratorId"`
			Compliance  struct{ Status string }
		}
		if err := json.Unmarshal(f.Finding, &a); err != nil {
			t.Fatal(err)
		}
		status[a.GeneratorID] = a.Compliance.Status
	}
	passes := 0
	for _, f := range doc.Findings {
		if f.Status == "PASS" && f.CheckID != "root-mfa-enabled" {
			passes++
			if status[f.CheckID] != "PASSED" {
				t.Errorf("PASS finding %s sent as %q, want PASSED", f.CheckID, status[f.CheckID])
			}
		}
	}
	if passes == 0 {
		t.Error("the scenario has no PASS finding to send")
	}
}

func TestScanSendUnknownTarget(t *testing.T) {
	code, _, stderr := run(t, "scan", "--demo", "--send", "splunk")
	if code != ExitUsage || !strings.Contains(stderr, `--send "splunk"`) {
		t.Errorf("exit %d, stderr %q; want usage error naming the target", code, stderr)
	}
}
