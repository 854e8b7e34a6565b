package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
)

func TestTableWidth(t *testing.T) {
	r := report.New(orgMeta, loadFindings(t), generatedAt)
	for _, verbose := range []bool{false, true} {
		out := string(render(t, "table", r, report.Options{Verbose: verbose}))
		for i, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > 100 && strings.Count(strings.TrimSpace(l), " ") > 0 {
				t.Errorf("verbose=%v line %d is %d columns (> 100): %q", verbose, i+1, n, l)
			}
		}
	}
}

func TestTableColor(t *testing.T) {
	r := report.New(orgMeta, append(loadFindings(t), hostileFindings()...), generatedAt)
	ansi := regexp.MustCompile(`\x1b\[[0-9;]*m`)
	tests := []struct {
		name      string
		color     bool
		wantCodes bool
	}{
		{"plain", false, false},
		{"color", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(render(t, "table", r, report.Options{Color: tt.color}))
			if got := ansi.MatchString(out); got != tt.wantCodes {
				t.Errorf("output has ANSI colour: %v, want %v", got, tt.wantCodes)
			}
			// Only our own SGR codes may reach the terminal: the ESC, clear
			// screen and bidi override in the hostile account name must not.
			rest := ansi.ReplaceAllString(out, "")
			if strings.ContainsAny(rest, "\x1b\a\u202e") {
				t.Errorf("raw control or bidi characters reached the table:\n%q", rest)
			}
			for _, want := range []string{`evil\x1b[2J\x1b[31mname\u202egnp.exe`, `bell\x07`} {
				if !strings.Contains(rest, want) {
					t.Errorf("table lacks the visible form %q", want)
				}
			}
		})
	}
}

func TestTableVerbose(t *testing.T) {
	r := report.New(orgMeta, loadFindings(t), generatedAt)
	passRow := regexp.MustCompile(`(?m)^  PASS `)
	tests := []struct {
		verbose bool
		want    bool
	}{{false, false}, {true, true}}
	for _, tt := range tests {
		out := string(render(t, "table", r, report.Options{Verbose: tt.verbose}))
		if got := passRow.MatchString(out); got != tt.want {
			t.Errorf("verbose=%v: PASS rows listed = %v, want %v", tt.verbose, got, tt.want)
		}
	}
}

// TestHTMLWellFormed parses the page as strict XML (the template writes
// XHTML-compatible markup) and checks that hostile text stays text.
func TestHTMLWellFormed(t *testing.T) {
	tests := []struct {
		name     string
		findings []checks.Finding
	}{
		{"org", loadFindings(t)},
		{"hostile", hostileFindings()},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "html", report.New(orgMeta, tt.findings, generatedAt), report.Options{})
			elems, err := htmlElements(out)
			if err != nil {
				t.Fatalf("html is not well-formed: %v", err)
			}
			// Self-contained and inert: no scripts, no embedded content, no
			// links off the page, no event handlers.
			for _, e := range elems {
				switch e.Name.Local {
				case "script", "img", "iframe", "object", "embed", "link", "form":
					t.Errorf("html has a <%s> element", e.Name.Local)
				}
				for _, a := range e.Attr {
					if a.Name.Local == "src" || strings.HasPrefix(a.Name.Local, "on") ||
						(a.Name.Local == "href" && !strings.HasPrefix(a.Value, "#")) {
						t.Errorf("html has <%s %s=%q>", e.Name.Local, a.Name.Local, a.Value)
					}
				}
			}
		})
	}
	s := string(render(t, "html", report.New(orgMeta, hostileFindings(), generatedAt), report.Options{}))
	for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(s, want) {
			t.Errorf("html lacks the escaped form %q", want)
		}
	}
}

// htmlElements decodes the whole document with a strict XML decoder (so
// every element must be closed, in order) and returns its start elements.
func htmlElements(doc []byte) ([]xml.StartElement, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var elems []xml.StartElement
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return elems, nil
		}
		if err != nil {
			return nil, err
		}
		if e, ok := tok.(xml.StartElement); ok {
			elems = append(elems, e.Copy())
		}
	}
}

func TestCSVParsesBack(t *testing.T) {
	fs := append(loadFindings(t), hostileFindings()...)
	r := report.New(orgMeta, fs, generatedAt)
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", r, report.Options{}))).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	if diff := cmp.Diff(report.CSVHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if got, want := len(rows)-1, len(fs); got != want {
		t.Fatalf("%d data rows, want %d (one per finding)", got, want)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, f := range r.Findings {
		row := rows[i+1]
		if row[col["check_id"]] != f.CheckID || row[col["account_id"]] != f.AccountID || row[col["status"]] != string(f.Status) {
			t.Errorf("row %d = %v, want finding %s/%s %s", i+1, row[:4], f.AccountID, f.CheckID, f.Status)
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(row[col["evidence"]]), &ev); err != nil {
			t.Errorf("row %d evidence %q: %v", i+1, row[col["evidence"]], err)
		}
		if diff := cmp.Diff(jsonRoundTrip(t, f.Evidence), ev); diff != "" {
			t.Errorf("row %d evidence (-want +got):\n%s", i+1, diff)
		}
		if got, want := row[col["cis"]], strings.Join(f.References.CIS, ";"); got != want {
			t.Errorf("row %d cis = %q, want %q", i+1, got, want)
		}
	}
	// Cells a spreadsheet would evaluate are defused; control characters
	// are shown escaped (newlines kept); the rest is verbatim.
	last := len(rows) - 1
	tests := []struct {
		row  int
		col  string
		want string
	}{
		{last - 1, "account_name", `'=HYPERLINK("http://attacker.example/","click")`},
		{last - 1, "remediation", "'-2+3 in a spreadsheet"},
		{last, "remediation", "'@SUM(A1:A2)"},
		{last, "detail", "could not assess: line one\nline two\\twith a tab and a bell\\x07"},
	}
	for _, tt := range tests {
		if got := rows[tt.row][col[tt.col]]; got != tt.want {
			t.Errorf("row %d %s = %q, want %q", tt.row, tt.col, got, tt.want)
		}
	}
}

func jsonRoundTrip(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMarkdownEscapes(t *testing.T) {
	out := string(render(t, "markdown", report.New(orgMeta, hostileFindings(), generatedAt), report.Options{}))
	for _, bad := range []string{"<script>", "\x1b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains %q", bad)
		}
	}
	if link := regexp.MustCompile(`(^|[^\\])\]\(`).FindString(out); link != "" {
		t.Errorf("markdown has an unescaped link %q", link)
	}
	// Each table row keeps its four cells: a | in a detail is escaped.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| **FAIL**") || strings.HasPrefix(l, "| UNKNOWN") {
			if n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1)); n != 5 {
				t.Errorf("row has %d cell separators, want 5: %s", n, l)
			}
		}
	}
}

// asffDoc mirrors the ASFF fields the tests look at.
type asffDoc struct {
	SchemaVersion string
	ID            string `json:"Id"`
	ProductArn    string
	ProductName   string
	CompanyName   string
	GeneratorID   string `json:"GeneratorId"`
	AwsAccountID  string `json:"AwsAccountId"`
	Types         []string
	CreatedAt     string
	UpdatedAt     string
	Severity      struct{ Label, Original string }
	Title         string
	Description   string
	Remediation   struct{ Recommendation struct{ Text string } }
	ProductFields map[string]string
	Resources     []struct{ Type, ID, Partition, Region string }
	Compliance    struct {
		Status              string
		RelatedRequirements []string
	}
	RecordState string
}

func TestASFF(t *testing.T) {
	fs := loadFindings(t)
	tests := []struct {
		name       string
		opts       report.Options
		meta       report.Meta
		wantN      int
		wantRegion string
		wantArn0   string
	}{
		{"default", report.Options{}, orgMeta, len(fs), "us-east-1",
			"arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"},
		{"verbose", report.Options{Verbose: true, Region: "eu-west-1"}, orgMeta, len(fs), "eu-west-1",
			"arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default"},
		{"govcloud no caller", report.Options{Region: "us-gov-west-1"}, report.Meta{}, len(fs), "us-gov-west-1",
			"arn:aws-us-gov:securityhub:us-gov-west-1:111111111111:product/111111111111/default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, "asff", report.New(tt.meta, fs, generatedAt), tt.opts)
			var got []asffDoc
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("decode asff: %v", err)
			}
			if len(got) != tt.wantN {
				t.Fatalf("%d findings, want %d", len(got), tt.wantN)
			}
			if got[0].ProductArn != tt.wantArn0 {
				t.Errorf("ProductArn = %q, want %q", got[0].ProductArn, tt.wantArn0)
			}
			ids := map[string]bool{}
			for _, a := range got {
				if a.SchemaVersion != "2018-10-08" || a.CreatedAt != "2026-05-01T12:00:00Z" || a.Resources[0].Region != tt.wantRegion {
					t.Errorf("%s: SchemaVersion %q CreatedAt %q Region %q", a.ID, a.SchemaVersion, a.CreatedAt, a.Resources[0].Region)
				}
				if ids[a.ID] {
					t.Errorf("duplicate Id %s", a.ID)
				}
				ids[a.ID] = true
				if want := "AWS::::Account:" + a.AwsAccountID; a.Resources[0].ID != want || a.Resources[0].Type != "AwsAccount" {
					t.Errorf("%s: resource %+v, want AwsAccount %s", a.ID, a.Resources[0], want)
				}
				if a.RecordState != "ACTIVE" {
					t.Errorf("%s: RecordState %q, want ACTIVE", a.ID, a.RecordState)
				}
			}
			// Every PASS finding is imported as PASSED, verbose or not, so
			// that Security Hub resolves the FAIL it replaces (the Id is
			// the same); an omitted PASS would leave that FAIL open.
			for _, f := range fs {
				if f.Status != checks.Pass {
					continue
				}
				id := "rootguard/" + f.AccountID + "/" + f.CheckID
				i := slices.IndexFunc(got, func(a asffDoc) bool { return a.ID == id })
				if i < 0 {
					t.Errorf("PASS finding %s is missing", id)
				} else if got[i].Compliance.Status != "PASSED" || got[i].Severity.Label != "INFORMATIONAL" {
					t.Errorf("%s: Compliance.Status %q Severity.Label %q, want PASSED INFORMATIONAL", id, got[i].Compliance.Status, got[i].Severity.Label)
				}
			}
		})
	}
}

func TestASFFMapping(t *testing.T) {
	tests := []struct {
		status     checks.Status
		severity   checks.Severity
		wantStatus string
		wantLabel  string
	}{
		{checks.Fail, checks.Critical, "FAILED", "CRITICAL"},
		{checks.Fail, checks.Info, "FAILED", "INFORMATIONAL"},
		{checks.Pass, checks.High, "PASSED", "INFORMATIONAL"},
		{checks.Unknown, checks.Medium, "WARNING", "MEDIUM"},
		{checks.NotApplicable, checks.Low, "NOT_AVAILABLE", "LOW"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status)+"/"+string(tt.severity), func(t *testing.T) {
			f := checks.Finding{CheckID: "c", AccountID: "111111111111", Status: tt.status, Severity: tt.severity,
				Title: strings.Repeat("t", 300), Detail: strings.Repeat("d", 2000),
				References: checks.References{CIS: []string{"v1.4:1.4", "v7.0:2.4", "odd"}}}
			var got []asffDoc
			out := render(t, "asff", report.New(orgMeta, []checks.Finding{f}, generatedAt), report.Options{Verbose: true})
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			a := got[0]
			if a.Compliance.Status != tt.wantStatus || a.Severity.Label != tt.wantLabel || a.Severity.Original != string(tt.severity) {
				t.Errorf("Compliance.Status %q Severity %+v, want %q %q", a.Compliance.Status, a.Severity, tt.wantStatus, tt.wantLabel)
			}
			if n := utf8.RuneCountInString(a.Title); n != 256 {
				t.Errorf("Title is %d characters, want 256 (the ASFF limit)", n)
			}
			if n := utf8.RuneCountInString(a.Description); n != 1024 {
				t.Errorf("Description is %d characters, want 1024 (the ASFF limit)", n)
			}
			wantReq := []string{"CIS AWS Foundations Benchmark v1.4.0/1.4", "CIS AWS Foundations Benchmark v7.0.0/2.4", "CIS AWS Foundations Benchmark odd"}
			if diff := cmp.Diff(wantReq, a.Compliance.RelatedRequirements); diff != "" {
				t.Errorf("RelatedRequirements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOCSF(t *testing.T) {
	fs := loadFindings(t)
	out := render(t, "ocsf", report.New(orgMeta, fs, generatedAt), report.Options{})
	var got []struct {
		ClassUID   int `json:"class_uid"`
		TypeUID    int `json:"type_uid"`
		SeverityID int `json:"severity_id"`
		Time       int64
		Metadata   struct {
			Version string
			Product struct{ Name, Version string }
		}
		Compliance struct {
			Control  string
			StatusID int `json:"status_id"`
		}
		Cloud struct {
			Account struct{ UID string }
			Org     struct{ UID string }
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(fs) {
		t.Fatalf("%d events, want %d (every finding)", len(got), len(fs))
	}
	wantStatus := map[checks.Status]int{checks.Pass: 1, checks.Fail: 3, checks.Unknown: 0, checks.NotApplicable: 99}
	wantSev := map[checks.Severity]int{checks.Info: 1, checks.Low: 2, checks.Medium: 3, checks.High: 4, checks.Critical: 5}
	for i, e := range got {
		f := fs[i]
		if e.ClassUID != 2003 || e.TypeUID != 200301 || e.Time != generatedAt.UnixMilli() {
			t.Errorf("event %d: class %d type %d time %d", i, e.ClassUID, e.TypeUID, e.Time)
		}
		if e.Compliance.StatusID != wantStatus[f.Status] || e.SeverityID != wantSev[f.Severity] {
			t.Errorf("event %d (%s %s): compliance.status_id %d severity_id %d", i, f.Status, f.Severity, e.Compliance.StatusID, e.SeverityID)
		}
		if e.Compliance.Control != f.CheckID || e.Cloud.Account.UID != f.AccountID || e.Cloud.Org.UID != "o-exampleorg1" {
			t.Errorf("event %d: control %q account %q org %q", i, e.Compliance.Control, e.Cloud.Account.UID, e.Cloud.Org.UID)
		}
		if e.Metadata.Product.Name != "rootguard" || e.Metadata.Product.Version != "v0.1.0-test" || e.Metadata.Version != "1.3.0" {
			t.Errorf("event %d: metadata %+v", i, e.Metadata)
		}
	}
}

// TestTableAccountOrder: the management account comes first (SEC01-BP02:
// secure it first), each account's findings most severe first, and
// suspended or closed accounts are listed apart, never under ALL CLEAR.
func TestTableAccountOrder(t *testing.T) {
	f := func(acct, name, check string, st checks.Status, sev checks.Severity) checks.Finding {
		return checks.Finding{CheckID: check, AccountID: acct, AccountName: name, Status: st, Severity: sev, Title: check}
	}
	fs := []checks.Finding{
		f("222222222222", "member", "check-low", checks.Fail, checks.Low),
		f("222222222222", "member", "check-unknown-high", checks.Unknown, checks.High),
		f("222222222222", "member", "check-critical", checks.Fail, checks.Critical),
		f("111111111111", "mgmt", "check-medium", checks.Fail, checks.Medium),
		f("333333333333", "quiet", "check-low", checks.Pass, checks.Low),
		f("555555555555", "gone", "check-low", checks.NotApplicable, checks.Low),
	}
	meta := orgMeta
	meta.ManagementAccountID = "111111111111"
	meta.Inactive = map[string]string{"555555555555": "SUSPENDED"}
	out := string(render(t, "table", report.New(meta, fs, generatedAt), report.Options{}))
	_, body, _ := strings.Cut(out, "FINDINGS BY ACCOUNT")
	order := []string{"mgmt (111111111111)", "member (222222222222)", "check-critical", "check-unknown-high", "check-low",
		"ALL CLEAR", "quiet (333333333333)", "SUSPENDED OR CLOSED", "gone (555555555555)   SUSPENDED"}
	at := 0
	for _, want := range order {
		i := strings.Index(body[at:], want)
		if i < 0 {
			t.Fatalf("%q missing or out of order after byte %d:\n%s", want, at, body)
		}
		at += i + len(want)
	}
	_, clear, _ := strings.Cut(body, "ALL CLEAR")
	clear, _, _ = strings.Cut(clear, "SUSPENDED OR CLOSED")
	if strings.Contains(clear, "555555555555") {
		t.Errorf("a suspended account is listed as ALL CLEAR:\n%s", out)
	}
}

func TestTableWidthOption(t *testing.T) {
	r := report.New(orgMeta, loadFindings(t), generatedAt)
	for _, width := range []int{90, 140} {
		out := string(render(t, "table", r, report.Options{Width: width}))
		if !strings.Contains(out, "\n"+strings.Repeat("─", width)+"\n") {
			t.Errorf("width %d: no rule of that width under an account", width)
		}
		for i, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > width && strings.Count(strings.TrimSpace(l), " ") > 0 {
				t.Errorf("width %d: line %d is %d columns: %q", width, i+1, n, l)
			}
		}
	}
}
