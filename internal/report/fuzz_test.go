package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
)

// FuzzWrite renders findings whose account name, detail and evidence come
// from the fuzzer (they come from AWS in real life) and checks that every
// format still writes, that the machine formats parse back, and that no
// markup or control character escapes into the human formats.
func FuzzWrite(f *testing.F) {
	for _, fd := range append(loadFindings(f), hostileFindings()...) {
		ev, err := json.Marshal(fd.Evidence)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fd.AccountName, fd.Detail, string(ev))
	}
	f.Add("\uFFFE\x00", "\xff\xfe]]>", `{"k":"\u0007"}`)
	f.Fuzz(func(t *testing.T, name, detail, evidence string) {
		var ev map[string]any
		if json.Unmarshal([]byte(evidence), &ev) != nil {
			ev = map[string]any{"raw": evidence}
		}
		fs := []checks.Finding{
			{CheckID: "root-mfa-enabled", AccountID: "111111111111", AccountName: name, Status: checks.Fail,
				Severity: checks.High, Title: "t", Detail: detail, Evidence: ev, Remediation: detail},
			{CheckID: "root-recent-use", AccountID: "111111111111", AccountName: name, Status: checks.Unknown,
				Severity: checks.Low, Title: name, Detail: "could not assess: " + detail},
		}
		r := report.New(report.Meta{Mode: "org", OrganizationID: name, Tool: "rootguard fuzz"}, fs, generatedAt)
		out := map[string][]byte{}
		for _, format := range report.Formats {
			var b bytes.Buffer
			if err := report.Write(&b, format, r, report.Options{Verbose: true}); err != nil {
				t.Fatalf("Write(%s): %v", format, err)
			}
			out[format] = b.Bytes()
		}

		var back report.Report
		dec := json.NewDecoder(bytes.NewReader(out["json"]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&back); err != nil {
			t.Fatalf("json does not decode: %v", err)
		}
		if utf8.ValidString(detail) && back.Findings[0].Detail != detail {
			t.Errorf("json detail = %q, want %q", back.Findings[0].Detail, detail)
		}

		rows, err := csv.NewReader(bytes.NewReader(out["csv"])).ReadAll()
		if err != nil || len(rows) != 3 {
			t.Fatalf("csv: %d rows, %v; want 3 rows", len(rows), err)
		}

		elems, err := htmlElements(out["html"])
		if err != nil {
			t.Fatalf("html is not well-formed: %v", err)
		}
		for _, e := range elems {
			if e.Name.Local == "script" || e.Name.Local == "img" {
				t.Fatalf("html has a <%s> element", e.Name.Local)
			}
		}

		for _, format := range []string{"table", "markdown"} {
			for _, r := range string(out[format]) {
				if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
					t.Fatalf("%s output has control character %U", format, r)
				}
			}
		}
		if md := string(out["markdown"]); strings.Count(md, "<") != strings.Count(md, "<br>") {
			t.Errorf("markdown has a raw < other than <br>")
		}
	})
}
