package report_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/report"
)

// loadAlerts reads testdata/alerts.jsonl: the alerts trail scan finds in
// the detection rules' testdata, as its jsonl format wrote them.
func loadAlerts(t *testing.T) []detect.Alert {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []detect.Alert
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a detect.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alerts.jsonl: %v", err)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func renderAlerts(t *testing.T, format string, alerts []detect.Alert) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteAlerts(&b, format, alerts); err != nil {
		t.Fatalf("WriteAlerts(%s): %v", format, err)
	}
	return b.String()
}

// TestAlertGolden renders each case in each alert format and compares it with
// testdata/alerts/<format>/<case>.golden. Refresh with go test ./internal/report -update.
func TestAlertGolden(t *testing.T) {
	cases := []struct {
		name   string
		alerts []detect.Alert
	}{
		{"rules", loadAlerts(t)},
		{"empty", nil},
		{"hostile", []detect.Alert{hostileAlert()}},
	}
	for _, c := range cases {
		for _, format := range report.AlertFormats() {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				got := renderAlerts(t, format, c.alerts)
				checkGolden(t, filepath.Join("testdata", "alerts", format, c.name+".golden"), []byte(got))
			})
		}
	}
}

// TestAlertJSONLRoundTrip: every line of the jsonl format decodes back to
// the alert it was written from.
func TestAlertJSONLRoundTrip(t *testing.T) {
	alerts := loadAlerts(t)
	lines := strings.Split(strings.TrimSuffix(renderAlerts(t, "jsonl", alerts), "\n"), "\n")
	if len(lines) != len(alerts) {
		t.Fatalf("%d lines for %d alerts", len(lines), len(alerts))
	}
	for i, l := range lines {
		var a detect.Alert
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if diff := cmp.Diff(alerts[i], a); diff != "" {
			t.Errorf("line %d (-written +read):\n%s", i+1, diff)
		}
	}
}

func TestAlertTableOrder(t *testing.T) {
	alerts := []detect.Alert{
		{RuleID: "zz-unknown-rule", Severity: detect.Critical, Title: "Z", EventTime: "2025-01-02T00:00:00Z"},
		{RuleID: detect.RuleAssumeRootCalled, Severity: detect.Medium, Title: "A", EventTime: "2025-01-03T00:00:00Z"},
		{RuleID: detect.RuleAssumeRootCalled, Severity: detect.High, Title: "A", EventTime: "2025-01-01T00:00:00Z"},
		{RuleID: "aa-unknown-rule", Severity: "bogus", Title: "B", EventTime: "2025-01-01T00:00:00Z"},
	}
	out := renderAlerts(t, "table", alerts)
	var heads []string
	for l := range strings.Lines(out) {
		if strings.Contains(l, "]") && !strings.HasPrefix(l, " ") {
			heads = append(heads, strings.TrimSpace(l))
		}
	}
	want := []string{
		"zz-unknown-rule [critical] Z: 1",
		detect.RuleAssumeRootCalled + " [high] A: 2", // the group takes its most severe alert's severity
		"aa-unknown-rule [bogus] B: 1",               // an unknown severity ranks last
	}
	if diff := cmp.Diff(want, heads); diff != "" {
		t.Errorf("groups (-want +got):\n%s\n%s", diff, out)
	}
	if i, j := strings.Index(out, "2025-01-01T00:00:00Z  high"), strings.Index(out, "2025-01-03T00:00:00Z  medium"); i < 0 || j < 0 || i > j {
		t.Errorf("a group's alerts are not in time order:\n%s", out)
	}
}

func TestNewAlertWriterUnknownFormat(t *testing.T) {
	_, err := report.NewAlertWriter(&bytes.Buffer{}, "csv")
	if err == nil || !strings.Contains(err.Error(), `"csv"`) {
		t.Fatalf("NewAlertWriter(csv) = %v, want an error naming the format", err)
	}
}

// hostileAlert carries what a crafted CloudTrail record can put in the
// fields the table and JSON Lines show: terminal escapes, a bidi override,
// C1 controls and an overlong value.
func hostileAlert() detect.Alert {
	return detect.Alert{
		RuleID: detect.RuleAPIActivity, Severity: detect.High, Title: "Root user credentials used",
		EventTime: "2025-01-01T00:00:00Z\x1b[2J", EventName: "Get\u202eyeKssecca", EventSource: "iam.amazonaws.com",
		AccountID: "111122223333\x07", Region: "us-east-1\u0085", SourceIP: "203.0.113.9\x1b]0;owned\x07",
		Principal: "arn:aws:iam::111122223333:root\u2066" + strings.Repeat("x", 300),
		ErrorCode: "Denied\u009b31m",
		Source:    detect.Source{File: "logs/evil\x1b[31m\u202efile.json", Index: 1},
	}
}

func TestAlertTableTerminalSafe(t *testing.T) {
	out := renderAlerts(t, "table", []detect.Alert{hostileAlert()})
	if strings.ContainsAny(out, "\x1b\x07\u202e\u2066\u0085\u009b") {
		t.Errorf("raw control or bidi characters reached the table:\n%q", out)
	}
	for _, want := range []string{`Get\u202eyeKssecca`, `111122223333\x07`, `us-east-1\x85`, `evil\x1b[31m\u202efile.json#1`, `Denied\x9b31m`, "x…"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for l := range strings.Lines(out) {
		for _, f := range strings.Fields(l) {
			if n := utf8.RuneCountInString(f); n > 128 {
				t.Errorf("a %d-rune field reached the table: %.40q…", n, f)
			}
		}
	}
}

func TestAlertJSONLTerminalSafe(t *testing.T) {
	a := hostileAlert()
	out := renderAlerts(t, "jsonl", []detect.Alert{a})
	if strings.ContainsAny(out, "\x1b\x07\u202e\u2066\u0085\u009b") {
		t.Errorf("raw control or bidi characters reached the JSON line:\n%q", out)
	}
	for _, want := range []string{`\u202e`, `\u2066`, `\u0085`, `\u009b`, `\u001b`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON line lacks the escape %s:\n%s", want, out)
		}
	}
	var back detect.Alert
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, back); diff != "" {
		t.Errorf("the escaped line does not decode to the alert (-want +got):\n%s", diff)
	}
}

// Each alert points to its account's runbook: in JSON Lines on every alert, in the table once
// per account after the details.
func TestAlertRunbook(t *testing.T) {
	alerts := []detect.Alert{
		{RuleID: "root-console-login", Severity: "high", Title: "t", EventID: "e1", EventTime: "2026-03-01T10:00:00Z", AccountID: "111111111111"},
		{RuleID: "root-console-login", Severity: "high", Title: "t", EventID: "e2", EventTime: "2026-03-01T11:00:00Z", AccountID: "111111111111"},
		{RuleID: "root-api-activity", Severity: "high", Title: "u", EventID: "e3", EventTime: "2026-03-01T12:00:00Z", AccountID: "222222222222"},
	}
	write := func(format string) string {
		var b strings.Builder
		aw, err := report.NewAlertWriter(&b, format)
		if err != nil {
			t.Fatal(err)
		}
		aw = report.WithRunbook(aw, "https://wiki.example/runbooks/{account}")
		for _, a := range alerts {
			if err := aw.Write(a); err != nil {
				t.Fatal(err)
			}
		}
		if err := aw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	jsonl := write("jsonl")
	if n := strings.Count(jsonl, `"runbook":"https://wiki.example/runbooks/111111111111"`); n != 2 {
		t.Errorf("%d JSON alerts of 111111111111 carry its runbook, want 2:\n%s", n, jsonl)
	}
	if !strings.Contains(jsonl, `"runbook":"https://wiki.example/runbooks/222222222222"`) {
		t.Errorf("222222222222's alert lacks its runbook:\n%s", jsonl)
	}
	table := write("table")
	if !strings.Contains(table, "RUNBOOKS") || strings.Count(table, "https://wiki.example/runbooks/111111111111") != 1 {
		t.Errorf("table:\n%s", table)
	}
}
