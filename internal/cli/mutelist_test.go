package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// scanDoc is the part of the findings document the mutelist, filter and
// baseline tests read.
type scanDoc struct {
	Findings []struct {
		CheckID   string `json:"check_id"`
		AccountID string `json:"account_id"`
		Status    string `json:"status"`
		Severity  string `json:"severity"`
		Muted     *struct {
			Reason     string `json:"reason"`
			AcceptedBy string `json:"accepted_by"`
			Expires    string `json:"expires"`
		} `json:"muted"`
	} `json:"findings"`
	Mutelist *struct {
		Entries int `json:"entries"`
		Muted   int `json:"muted"`
		Expired []struct {
			Check string `json:"check"`
		} `json:"expired"`
	} `json:"mutelist"`
	Diff *struct {
		New      []diffEntry `json:"new"`
		Resolved []diffEntry `json:"resolved"`
		Changed  []diffEntry `json:"changed"`
	} `json:"diff"`
}

type diffEntry struct {
	CheckID        string `json:"check_id"`
	AccountID      string `json:"account_id"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previous_status"`
}

func decodeScan(t *testing.T, out string) scanDoc {
	t.Helper()
	return decodeJSON[scanDoc](t, out)
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestScanMutelist mutes the Dev OU's root-mfa-enabled (by OU path) and
// everything in the Sandbox OU (by OU ID) on the demo; an expired entry
// mutes nothing and is reported.
func TestScanMutelist(t *testing.T) {
	future := time.Now().UTC().AddDate(1, 0, 0).Format("2006-01-02")
	ml := writeFile(t, "mutelist.yaml", `schema: rootguard.mutelist/v1
mutes:
  - check: root-mfa-enabled
    accounts: [/Workloads/Dev]
    reason: dev accounts are rebuilt nightly
    accepted_by: ciso@example.com
    expires: `+future+`
  - check: "*"
    accounts: [ou-acme-ad48b2a4]
    reason: sandbox
    accepted_by: cto@example.com
    expires: `+future+`
  - check: "*"
    accounts: ["*"]
    reason: everything, long ago
    accepted_by: nobody@example.com
    expires: 2020-01-31
`)
	code, out, stderr := run(t, "scan", "--demo", "--format", "json", "--mutelist", ml)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	d := decodeScan(t, out)
	sandbox := map[string]bool{"131313131313": true, "141414141414": true}
	n := 0
	for _, f := range d.Findings {
		want := sandbox[f.AccountID] || (f.CheckID == "root-mfa-enabled" && (f.AccountID == "101010101010" || f.AccountID == "121212121212"))
		if (f.Muted != nil) != want {
			t.Errorf("%s %s muted = %v, want %v", f.AccountID, f.CheckID, f.Muted != nil, want)
		}
		if f.Muted != nil {
			n++
			if f.Muted.AcceptedBy == "nobody@example.com" {
				t.Errorf("%s %s muted by the expired entry", f.AccountID, f.CheckID)
			}
		}
	}
	if n == 0 || d.Mutelist == nil || d.Mutelist.Muted != n || d.Mutelist.Entries != 3 || len(d.Mutelist.Expired) != 1 {
		t.Fatalf("mutelist section = %+v, %d muted findings", d.Mutelist, n)
	}
	if !strings.Contains(stderr, "mutelist entry expired") || !strings.Contains(stderr, "nobody@example.com") {
		t.Errorf("no warning for the expired entry:\n%s", stderr)
	}
	_, table, _ := run(t, "scan", "--demo", "--mutelist", ml)
	for _, want := range []string{"MUTED until " + future + ", accepted by ciso@example.com", "Expired", fmt.Sprintf("Muted      %d findings", n)} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

// TestScanMutelistFailOn: --fail-on ignores muted findings.
func TestScanMutelistFailOn(t *testing.T) {
	future := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	ml := writeFile(t, "m.yaml", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: \"*\", accounts: [\"*\"], reason: r, accepted_by: a@example.com, expires: "+future+"}\n")
	if code, _, stderr := run(t, "scan", "--demo", "--format", "json", "--fail-on", "info"); code != ExitFindings {
		t.Fatalf("without mutelist: exit %d, want %d\n%s", code, ExitFindings, stderr)
	}
	if code, _, stderr := run(t, "scan", "--demo", "--format", "json", "--fail-on", "info", "--mutelist", ml); code != ExitOK {
		t.Fatalf("everything muted: exit %d, want %d\n%s", code, ExitOK, stderr)
	}
}

func TestScanMutelistErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"typo", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabeld, accounts: [\"*\"], reason: r, accepted_by: a, expires: 2030-01-01}\n", "did you mean root-mfa-enabled?"},
		{"no owner", "schema: rootguard.mutelist/v1\nmutes:\n  - {check: root-mfa-enabled, accounts: [\"*\"], reason: r, expires: 2030-01-01}\n", "accepted_by"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ml := writeFile(t, "m.yaml", c.text)
			code, _, stderr := run(t, "scan", "--demo", "--mutelist", ml)
			if code != ExitError || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, ml) {
				t.Errorf("exit %d, stderr %q; want %d naming %s and %q", code, stderr, ExitError, ml, c.want)
			}
		})
	}
}
