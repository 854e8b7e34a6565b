package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/mutelist"
	"github.com/rootguard/rootguard/internal/report"
)

var update = flag.Bool("update", false, "rewrite testdata/<format>/<case>.golden from the current output")

var (
	generatedAt = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	collectedAt = time.Date(2026, 5, 1, 11, 58, 30, 0, time.UTC)
	orgMeta     = report.Meta{
		Mode:           "org",
		OrganizationID: "o-exampleorg1",
		CallerARN:      "arn:aws:sts::111111111111:assumed-role/RootGuardAudit/alice",
		CollectedAt:    collectedAt,
		Tool:           "rootguard v0.1.0-test",
	}
)

// loadFindings reads testdata/findings.json: four accounts covering every
// status, and a FAIL at every severity.
func loadFindings(t testing.TB) []checks.Finding {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fs []checks.Finding
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fs); err != nil {
		t.Fatalf("decode testdata/findings.json: %v", err)
	}
	return fs
}

// hostileFindings carry what an attacker who names an account, or whose
// data ends up in a detail, could try: HTML, terminal escapes, bidi
// overrides, markdown links and spreadsheet formulas.
func hostileFindings() []checks.Finding {
	return []checks.Finding{
		{
			CheckID:     "root-email-org-domain",
			AccountID:   "555555555555",
			AccountName: "=HYPERLINK(\"http://attacker.example/\",\"click\")",
			Status:      checks.Fail,
			Severity:    checks.Medium,
			Title:       "Root email is on an organization domain",
			Detail:      "root email is <script>alert(\"x\")</script>@example.com | see [this](javascript:alert(1)) & *more*",
			Evidence:    map[string]any{"email": "<img src=x onerror=alert(1)>", "note": "a\u202eb"},
			Remediation: "-2+3 in a spreadsheet",
			References:  checks.References{SEC01BP02: "Accurate contact information"},
		},
		{
			CheckID:     "root-recent-use",
			AccountID:   "666666666666",
			AccountName: "evil\x1b[2J\x1b[31mname\u202egnp.exe",
			Status:      checks.Unknown,
			Severity:    checks.High,
			Title:       "The root user was not used recently",
			Detail:      "could not assess: line one\nline two\twith a tab and a bell\a",
			Remediation: "@SUM(A1:A2)",
		},
	}
}

type goldenCase struct {
	name     string
	meta     report.Meta
	findings []checks.Finding
	opts     report.Options
	formats  []string // nil: every format
	mutelist *mutelist.Result
	baseline []checks.Finding // non-nil: the report has a diff against it
}

// baselineFindings are the org findings as an earlier scan saw them: the
// first FAIL passed then (new now), the first PASS failed then (resolved
// now), the first UNKNOWN passed then (changed), and one more finding
// that is gone now.
func baselineFindings(t testing.TB) []checks.Finding {
	fs := loadFindings(t)
	done := map[checks.Status]bool{}
	for i := range fs {
		if s := fs[i].Status; !done[s] {
			done[s] = true
			switch s {
			case checks.Fail:
				fs[i].Status = checks.Pass
			case checks.Pass:
				fs[i].Status = checks.Fail
			case checks.Unknown:
				fs[i].Status = checks.Pass
			}
		}
	}
	return append(fs, checks.Finding{CheckID: "root-gone-check", AccountID: "111111111111", AccountName: "management", Status: checks.Fail, Severity: checks.Low})
}

// mutedFindings are the org findings with the first two FAIL findings
// muted, one by an entry whose text is hostile.
func mutedFindings(t testing.TB) []checks.Finding {
	fs := loadFindings(t)
	mutes := []*checks.Mute{
		{Reason: "sandbox, closed weekly", AcceptedBy: "ciso@example.com", Expires: "2027-06-30"},
		{Reason: "<script>x</script> | [l](javascript:1) \x1b[31m=1+1", AcceptedBy: "=cmd|' /C calc'!A0", Expires: "2027-01-01"},
	}
	for i := range fs {
		if fs[i].Status == checks.Fail && len(mutes) > 0 {
			fs[i].Muted, mutes = mutes[0], mutes[1:]
		}
	}
	return fs
}

// expiredMutelist is a mutelist result with one expired entry.
var expiredMutelist = &mutelist.Result{Entries: 3, Muted: 2, Expired: []mutelist.Entry{{
	Check: "root-mfa-enabled", Accounts: []string{"ou-ab12-sand", "/Workloads"}, Reason: "migration <b>",
	AcceptedBy: "ops@example.com", Expires: "2026-01-31",
}}}

func goldenCases(t testing.TB) []goldenCase {
	fs := loadFindings(t)
	return []goldenCase{
		{name: "org", meta: orgMeta, findings: fs},
		{name: "org-verbose", meta: orgMeta, findings: fs, opts: report.Options{Verbose: true, Region: "eu-west-1"},
			formats: []string{"table", "markdown", "asff"}},
		{name: "org-color", meta: orgMeta, findings: fs, opts: report.Options{Color: true}, formats: []string{"table"}},
		{name: "empty", meta: report.Meta{Mode: "accounts", Tool: "rootguard v0.1.0-test"}},
		{name: "muted", meta: orgMeta, findings: mutedFindings(t), mutelist: expiredMutelist},
		{name: "diff", meta: orgMeta, findings: mutedFindings(t), baseline: baselineFindings(t), formats: []string{"table", "markdown", "json"}},
		{name: "hostile", meta: report.Meta{Mode: "snapshot", Tool: "rootguard v0.1.0-test"}, findings: hostileFindings()},
	}
}

func render(t testing.TB, format string, r *report.Report, opts report.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, format, r, opts); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return b.Bytes()
}

// TestGolden renders each case in each format and compares it with
// testdata/<format>/<case>.golden. Refresh with go test ./internal/report -update.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		formats := c.formats
		if formats == nil {
			formats = report.Formats
		}
		for _, format := range formats {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				r := report.New(c.meta, c.findings, generatedAt)
				r.Mutelist = c.mutelist
				if c.baseline != nil {
					r.Diff = report.Compare(report.New(orgMeta, c.baseline, collectedAt), r.Findings)
				}
				got := render(t, format, r, c.opts)
				checkGolden(t, filepath.Join("testdata", format, c.name+".golden"), got)
			})
		}
	}
}

// checkGolden compares got with the golden file at path, after rewriting
// the file with got when -update is set.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := report.Write(&bytes.Buffer{}, "sarif", report.New(orgMeta, nil, generatedAt), report.Options{})
	if err == nil || !strings.Contains(err.Error(), `"sarif"`) {
		t.Fatalf("Write(sarif) = %v, want an error naming the format", err)
	}
}

func TestWriteEvidenceNotJSON(t *testing.T) {
	fs := []checks.Finding{{CheckID: "c", AccountID: "111111111111", Status: checks.Fail, Severity: checks.Low,
		Evidence: map[string]any{"f": func() {}}}}
	r := report.New(orgMeta, fs, generatedAt)
	for _, format := range []string{"json", "csv", "html", "ocsf"} {
		t.Run(format, func(t *testing.T) {
			if err := report.Write(&bytes.Buffer{}, format, r, report.Options{}); err == nil {
				t.Errorf("Write(%s) with a func in evidence: no error", format)
			}
		})
	}
}

func TestNew(t *testing.T) {
	fs := []checks.Finding{
		{CheckID: "a", AccountID: "2", AccountName: "two", Status: checks.Fail, Severity: checks.High, Title: "A"},
		{CheckID: "b", AccountID: "2", AccountName: "two", Status: checks.Unknown, Severity: checks.Low, Title: "B", Detail: "could not assess: x"},
		{CheckID: "a", AccountID: "1", AccountName: "one", Status: checks.Pass, Severity: checks.High, Title: "A"},
		{CheckID: "b", AccountID: "1", AccountName: "one", Status: checks.NotApplicable, Severity: checks.Low, Title: "B"},
	}
	r := report.New(orgMeta, fs, generatedAt.In(time.FixedZone("CEST", 2*3600)))

	want := report.Summary{
		AccountsAssessed:   2,
		Findings:           4,
		ByStatus:           report.StatusCounts{Pass: 1, Fail: 1, Unknown: 1, NotApplicable: 1},
		FailuresBySeverity: report.SeverityCounts{High: 1},
		Accounts: []report.AccountSummary{
			{AccountID: "2", AccountName: "two", ByStatus: report.StatusCounts{Fail: 1, Unknown: 1}, FailuresBySeverity: report.SeverityCounts{High: 1}},
			{AccountID: "1", AccountName: "one", ByStatus: report.StatusCounts{Pass: 1, NotApplicable: 1}},
		},
		NotFullyAssessed: []report.NotAssessed{
			{AccountID: "2", AccountName: "two", Reasons: []report.UnknownReason{{CheckID: "b", Detail: "could not assess: x"}}},
		},
		Checks: []report.CheckSummary{
			{CheckID: "a", Title: "A", Severity: checks.High, ByStatus: report.StatusCounts{Pass: 1, Fail: 1}},
			{CheckID: "b", Title: "B", Severity: checks.Low, ByStatus: report.StatusCounts{Unknown: 1, NotApplicable: 1}},
		},
	}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
	if r.GeneratedAt.Location() != time.UTC || !r.GeneratedAt.Equal(generatedAt) {
		t.Errorf("GeneratedAt = %v, want %v in UTC", r.GeneratedAt, generatedAt)
	}
	for i, f := range r.Findings {
		if f.Evidence == nil || f.References.CIS == nil || f.References.SecurityHub == nil {
			t.Errorf("finding %d: nil evidence or references after New: %+v", i, f)
		}
		if f.CheckID != fs[i].CheckID || f.AccountID != fs[i].AccountID {
			t.Errorf("finding %d is %s/%s, want the order given (%s/%s)", i, f.AccountID, f.CheckID, fs[i].AccountID, fs[i].CheckID)
		}
	}
	if fs[0].Evidence != nil {
		t.Errorf("New changed the caller's findings")
	}
}

func TestJSONFindingsNeverNull(t *testing.T) {
	for _, fs := range [][]checks.Finding{nil, {}} {
		out := render(t, "json", report.New(report.Meta{}, fs, generatedAt), report.Options{})
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"findings"} {
			if got := string(doc[key]); got != "[]" {
				t.Errorf("%s = %s, want []", key, got)
			}
		}
		var sum map[string]json.RawMessage
		if err := json.Unmarshal(doc["summary"], &sum); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"accounts", "not_fully_assessed", "checks"} {
			if got := string(sum[key]); got != "[]" {
				t.Errorf("summary.%s = %s, want []", key, got)
			}
		}
	}
}

func TestAtOrAbove(t *testing.T) {
	r := report.New(orgMeta, loadFindings(t), generatedAt)
	// testdata/findings.json FAILs: 1 critical, 2 high, 2 medium, 1 low, 1 info;
	// UNKNOWN and PASS findings never count.
	tests := []struct {
		sev  checks.Severity
		want int
	}{
		{checks.Critical, 1},
		{checks.High, 3},
		{checks.Medium, 5},
		{checks.Low, 6},
		{checks.Info, 7},
		{"", 7},
	}
	for _, tt := range tests {
		t.Run(string(tt.sev), func(t *testing.T) {
			if got := r.AtOrAbove(tt.sev); got != tt.want {
				t.Errorf("AtOrAbove(%q) = %d, want %d", tt.sev, got, tt.want)
			}
		})
	}
	if got := report.New(orgMeta, nil, generatedAt).AtOrAbove(checks.Info); got != 0 {
		t.Errorf("AtOrAbove on no findings = %d, want 0", got)
	}
}

func TestFormatsAllWrite(t *testing.T) {
	r := report.New(orgMeta, loadFindings(t), generatedAt)
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			if out := render(t, format, r, report.Options{}); len(out) == 0 {
				t.Errorf("Write(%s) wrote nothing", format)
			}
		})
	}
}

// BenchmarkWrite renders an organization of 1,000 accounts with 20
// findings each (20,000 findings) in every format.
func BenchmarkWrite(b *testing.B) {
	base := loadFindings(b)
	var fs []checks.Finding
	for a := range 1000 {
		id := fmt.Sprintf("%012d", 100000000000+a)
		for i := range 20 {
			f := base[i%len(base)]
			f.AccountID, f.AccountName = id, "account-"+id
			fs = append(fs, f)
		}
	}
	b.Run("New", func(b *testing.B) {
		for b.Loop() {
			report.New(orgMeta, fs, generatedAt)
		}
	})
	r := report.New(orgMeta, fs, generatedAt)
	for _, format := range report.Formats {
		b.Run(format, func(b *testing.B) {
			var size int
			for b.Loop() {
				var buf bytes.Buffer
				if err := report.Write(&buf, format, r, report.Options{}); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
			}
			b.ReportMetric(float64(size), "bytes/report")
		})
	}
}

// TestAtOrAboveIgnoresMuted: --fail-on counts only unmuted FAIL findings,
// while the summary still counts muted ones by status.
func TestAtOrAboveIgnoresMuted(t *testing.T) {
	plain := report.New(orgMeta, loadFindings(t), generatedAt)
	muted := report.New(orgMeta, mutedFindings(t), generatedAt)
	if got, want := muted.AtOrAbove(""), plain.AtOrAbove("")-2; got != want {
		t.Errorf("AtOrAbove with 2 muted FAILs = %d, want %d", got, want)
	}
	if muted.Summary.ByStatus.Fail != plain.Summary.ByStatus.Fail || muted.Summary.Muted != 2 {
		t.Errorf("summary = %+v, want FAIL %d and 2 muted", muted.Summary.ByStatus, plain.Summary.ByStatus.Fail)
	}
}
