package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/custody"
)

// run executes the CLI in process and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

type findingsDoc struct {
	Schema      string `json:"schema"`
	GeneratedAt string `json:"generated_at"`
	Findings    []struct {
		CheckID     string         `json:"check_id"`
		AccountID   string         `json:"account_id"`
		AccountName string         `json:"account_name"`
		Status      string         `json:"status"`
		Severity    string         `json:"severity"`
		Title       string         `json:"title"`
		Detail      string         `json:"detail"`
		Evidence    map[string]any `json:"evidence"`
		Remediation string         `json:"remediation"`
		References  struct {
			SEC01BP02   string   `json:"sec01_bp02"`
			CIS         []string `json:"cis"`
			SecurityHub []string `json:"security_hub"`
		} `json:"references"`
	} `json:"findings"`
	Summary map[string]any `json:"summary"`
}

func decodeFindings(t *testing.T, out string) findingsDoc {
	t.Helper()
	return decodeJSON[findingsDoc](t, out)
}

// decodeJSON decodes a command's stdout as one JSON document.
func decodeJSON[T any](t *testing.T, out string) T {
	t.Helper()
	var doc T
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	return doc
}

// TestScanDemoJSONContract runs the README's demo through the real SDK and
// the in-process endpoint and checks the findings document's contract.
func TestScanDemoJSONContract(t *testing.T) {
	code, out, stderr := run(t, "scan", "--demo", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	doc := decodeFindings(t, out)
	if doc.Schema != "rootguard.findings/v1" {
		t.Errorf("schema = %q", doc.Schema)
	}
	if doc.GeneratedAt == "" || doc.Summary == nil {
		t.Errorf("generated_at or summary missing")
	}
	seenCheck := map[string]bool{}
	seenStatus := map[string]bool{}
	for _, f := range doc.Findings {
		seenCheck[f.CheckID] = true
		seenStatus[f.Status] = true
		if f.AccountID == "" || f.Title == "" || f.Severity == "" || f.Remediation == "" || f.References.SEC01BP02 == "" {
			t.Errorf("finding %s/%s lacks a contract field: %+v", f.CheckID, f.AccountID, f)
		}
		if f.Evidence == nil || f.References.CIS == nil || f.References.SecurityHub == nil {
			t.Errorf("finding %s/%s: evidence and reference lists must be present, not null", f.CheckID, f.AccountID)
		}
		assertUnknownHasReason(t, f.AccountID, f.CheckID, f.Status, f.Detail, f.Evidence)
	}
	for _, c := range checks.Default().Checks() {
		if !seenCheck[c.ID] {
			t.Errorf("check %s has no finding in the demo", c.ID)
		}
	}
	for _, s := range []string{"PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE"} {
		if !seenStatus[s] {
			t.Errorf("status %s is not represented in the demo", s)
		}
	}
}

// TestDemoShowsEveryCheckFailingAndPassing makes the demo a useful tour: each
// check both passes and fails somewhere, except where the demo cannot show it.
func TestDemoShowsEveryCheckFailingAndPassing(t *testing.T) {
	_, out, _ := run(t, "scan", "--demo", "--format", "json")
	doc := decodeFindings(t, out)
	statuses := map[string]map[string]bool{}
	for _, f := range doc.Findings {
		if statuses[f.CheckID] == nil {
			statuses[f.CheckID] = map[string]bool{}
		}
		statuses[f.CheckID][f.Status] = true
	}
	// Checks the demo cannot show both ways, why, and the decided status it
	// must still show.
	oneWay := map[string]struct{ why, shows string }{
		"centralized-root-access-enabled":  {"org-level: assessed once, on the management account", "FAIL"},
		"scp-management-account-uncovered": {"org-level: assessed once, on the management account, whose own controls are in place", "PASS"},
		"trail-multi-region-logging":       {"the demo's organization trail covers every member, so no active account lacks a trail", "PASS"},
	}
	for id, st := range statuses {
		if w, ok := oneWay[id]; ok {
			if w.shows != "" && !st[w.shows] {
				t.Errorf("check %s: demo shows %v; want %s (%s)", id, keys(st), w.shows, w.why)
			}
			continue
		}
		if !st["FAIL"] || !st["PASS"] {
			t.Errorf("check %s: demo shows %v; want both PASS and FAIL", id, keys(st))
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestScanDemoUnknownHasReason(t *testing.T) {
	_, out, _ := run(t, "scan", "--demo", "--format", "json")
	doc := decodeFindings(t, out)
	found := false
	for _, f := range doc.Findings {
		if f.AccountID == "999999999999" && f.CheckID == "root-access-keys-absent" {
			found = true
			if f.Status != "UNKNOWN" || !strings.Contains(f.Detail, "AccessDenied") {
				t.Errorf("AssumeRoot-denied account: status %s, detail %q; want UNKNOWN naming AccessDenied", f.Status, f.Detail)
			}
		}
	}
	if !found {
		t.Fatal("no root-access-keys-absent finding for the AccessDenied demo account 999999999999")
	}
}

func TestScanThrottledAccountCompletes(t *testing.T) {
	code, out, stderr := run(t, "scan", "--scenario", "testdata/throttled.yaml", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	doc := decodeFindings(t, out)
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.AccountID+" "+f.CheckID] = f.Status
	}
	// The member's throttled calls succeed after the SDK's retries.
	for _, k := range []string{"222222222222 member-root-credentials-absent", "222222222222 contact-alternate-security"} {
		if s := got[k]; s == "UNKNOWN" || s == "" {
			t.Errorf("%s = %q; throttling should have been retried through", k, s)
		}
	}
	// The denied credential report makes the management account's
	// report-based facts UNKNOWN, not PASS.
	if s := got["111111111111 root-recent-use"]; s != "UNKNOWN" {
		t.Errorf("management root-recent-use = %q; want UNKNOWN (credential report denied)", s)
	}
}

func TestScanFailOn(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no threshold", []string{"scan", "--demo", "--format", "json"}, ExitOK},
		{"critical present", []string{"scan", "--demo", "--format", "json", "--fail-on", "critical"}, ExitFindings},
		{"none", []string{"scan", "--demo", "--format", "json", "--fail-on", "none"}, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := run(t, tt.args...); code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

func TestCollectThenScanSnapshot(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "snap.json")
	if code, _, stderr := run(t, "collect", "--demo", "--out", snap); code != ExitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	// The demo's custody registry goes with the snapshot as a file.
	reg := filepath.Join(t.TempDir(), "custody.yaml")
	if b, err := custody.Demo().Marshal(); err != nil || os.WriteFile(reg, b, 0o600) != nil {
		t.Fatalf("write the demo custody registry: %v", err)
	}
	code, out, stderr := run(t, "scan", "--snapshot", snap, "--custody", reg, "--format", "json", "--org-domain", "acme.example")
	if code != ExitOK {
		t.Fatalf("scan --snapshot: exit %d\n%s", code, stderr)
	}
	fromSnap := decodeFindings(t, out)
	_, out, _ = run(t, "scan", "--demo", "--format", "json")
	live := decodeFindings(t, out)
	if len(fromSnap.Findings) != len(live.Findings) {
		t.Fatalf("snapshot scan has %d findings, live demo %d", len(fromSnap.Findings), len(live.Findings))
	}
	for i := range live.Findings {
		a, b := live.Findings[i], fromSnap.Findings[i]
		if a.CheckID != b.CheckID || a.AccountID != b.AccountID || a.Status != b.Status {
			t.Errorf("finding %d: live %s/%s %s, snapshot %s/%s %s", i, a.CheckID, a.AccountID, a.Status, b.CheckID, b.AccountID, b.Status)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.json", `{"schema":"rootguard.snapshot/v1","accounts":[{"id":`)
	oldVersion := write("old.json", `{"schema":"rootguard.snapshot/v0","accounts":[]}`)
	notSnapshot := write("other.json", `{"Records":[]}`)
	noAccounts := write("empty.json", `{"schema":"rootguard.snapshot/v1","mode":"organization","accounts":[]}`)
	nullAccount := write("null.json", `{"schema":"rootguard.snapshot/v1","accounts":[null]}`)
	unknownField := write("unknown.json", `{"schema":"rootguard.snapshot/v1","accounts":[{"id":"111111111111"}],"assessed":true}`)
	badScenario := write("bad.yaml", "caller: {arn: x}\nacounts: []\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  []string
	}{
		{"truncated snapshot", []string{"scan", "--snapshot", truncated}, ExitError, []string{truncated, "JSON"}},
		{"snapshot of another version", []string{"scan", "--snapshot", oldVersion}, ExitError, []string{oldVersion, "rootguard.snapshot/v0", "not supported"}},
		{"not a snapshot", []string{"scan", "--snapshot", notSnapshot}, ExitError, []string{notSnapshot, "schema"}},
		{"missing snapshot", []string{"scan", "--snapshot", filepath.Join(dir, "nope.json")}, ExitError, []string{"nope.json"}},
		{"snapshot with no accounts", []string{"scan", "--snapshot", noAccounts}, ExitError, []string{noAccounts, "no accounts"}},
		{"snapshot with a null account", []string{"scan", "--snapshot", nullAccount}, ExitError, []string{nullAccount, "12-digit"}},
		{"snapshot with an unknown field", []string{"scan", "--snapshot", unknownField}, ExitError, []string{unknownField, `unknown field "assessed"`}},
		{"bad scenario", []string{"scan", "--scenario", badScenario}, ExitError, []string{badScenario}},
		{"unknown format", []string{"scan", "--demo", "--format", "xml"}, ExitUsage, []string{"--format"}},
		{"exclusive sources", []string{"scan", "--demo", "--snapshot", truncated}, ExitUsage, []string{"exclude"}},
		{"bad account id", []string{"scan", "--accounts", "12345"}, ExitUsage, []string{"12-digit"}},
		{"bad severity", []string{"scan", "--demo", "--fail-on", "urgent"}, ExitUsage, []string{"urgent"}},
		{"unknown flag", []string{"scan", "--bogus"}, ExitUsage, []string{"bogus"}},
		{"negative timeout", []string{"scan", "--demo", "--timeout", "-1m"}, ExitUsage, []string{"--timeout", "-1m0s is negative"}},
		{"collect without --out", []string{"collect", "--demo"}, ExitUsage, []string{"--out"}},
		{"explain unknown check", []string{"explain", "no-such-check"}, ExitUsage, []string{"no-such-check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty on error: %q", stdout)
			}
			line := strings.TrimSpace(stderr)
			if strings.Count(line, "\n") > 0 {
				t.Errorf("error is not one line:\n%s", stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q does not mention %q", line, w)
				}
			}
		})
	}
}

func TestExplain(t *testing.T) {
	code, out, _ := run(t, "explain")
	if code != ExitOK {
		t.Fatalf("explain: exit %d", code)
	}
	for _, c := range checks.Default().Checks() {
		if !strings.Contains(out, c.ID) {
			t.Errorf("explain list lacks %s", c.ID)
		}
	}
	code, out, _ = run(t, "explain", "root-access-keys-absent")
	if code != ExitOK {
		t.Fatalf("explain root-access-keys-absent: exit %d", code)
	}
	c, _ := checks.Default().Lookup("root-access-keys-absent")
	for _, want := range []string{c.Title, "Remediation:", "SEC01-BP02", strings.TrimSpace(strings.SplitN(c.Doc, "\n", 2)[0])} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q", want)
		}
	}
}

func TestTimeoutFlag(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, []string{"scan", "--demo"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitError {
		t.Errorf("cancelled scan: exit %d, want %d; stderr %q", code, ExitError, stderr.String())
	}
}

func TestUsageErrorsBeforeRun(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"scan", "--demo", "extra"}, {"explain", "a", "b"}} {
		if code, _, _ := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

func TestTimeoutEndsTheCommand(t *testing.T) {
	code, _, stderr := run(t, "scan", "--demo", "--timeout", "1ns")
	if code != ExitError || !strings.Contains(stderr, "deadline") {
		t.Errorf("scan --timeout 1ns: exit %d, stderr %q; want %d and a deadline error", code, stderr, ExitError)
	}
}

// TestScanDemoTableAccounts: the table lists the management account first
// and the demo's suspended account apart from ALL CLEAR, naming its state.
func TestScanDemoTableAccounts(t *testing.T) {
	code, out, stderr := run(t, "scan", "--demo")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	_, body, ok := strings.Cut(out, "FINDINGS BY ACCOUNT\n\n")
	if !ok || !strings.HasPrefix(body, "acme-management (111111111111)") {
		t.Errorf("the management account is not listed first:\n%s", out)
	}
	_, apart, ok := strings.Cut(out, "SUSPENDED OR CLOSED (not assessed)\n")
	if !ok || !strings.Contains(apart, "(151515151515)   SUSPENDED") {
		t.Errorf("the suspended account is not listed apart:\n%s", out)
	}
	_, clear, _ := strings.Cut(out, "ALL CLEAR")
	clear, _, _ = strings.Cut(clear, "SUSPENDED OR CLOSED")
	if strings.Contains(clear, "151515151515") {
		t.Errorf("the suspended account is listed as ALL CLEAR:\n%s", out)
	}
}
