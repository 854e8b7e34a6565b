package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/klauspost/compress/gzip"

	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trail"
)

// Records in the shapes AWS documents (research/cloudtrail-root-shapes.md).
func rootLogin(account, id, mfa, when string) string {
	return fmt.Sprintf(`{"eventVersion":"1.05","userIdentity":{"type":"Root","principalId":"%[1]s","arn":"arn:aws:iam::%[1]s:root","accountId":"%[1]s","accessKeyId":""},"eventTime":"%[4]s","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"%[3]s"},"eventID":"%[2]s","eventType":"AwsConsoleSignIn","recipientAccountId":"%[1]s"}`, account, id, mfa, when)
}

func rootCreateKey(account, id, when string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"%[1]s","arn":"arn:aws:iam::%[1]s:root","accountId":"%[1]s","accessKeyId":"ASIAEXAMPLE"},"eventTime":"%[3]s","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"aws-cli/2.0","requestParameters":null,"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLE","status":"Active"}},"eventID":"%[2]s","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"%[1]s"}`, account, id, when)
}

func benign(account, id, when string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:app","arn":"arn:aws:sts::%[1]s:assumed-role/app/i-0abc","accountId":"%[1]s"},"eventTime":"%[3]s","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-sdk-go-v2","requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"eventID":"%[2]s","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"%[1]s"}`, account, id, when)
}

func envelope(detail string) string {
	return `{"version":"0","id":"6f1b2c3d","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2025-03-03T10:00:00Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
}

func records(recs ...string) string { return `{"Records":[` + strings.Join(recs, ",") + `]}` }

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// hit is what the test checks of an alert: rule, file (relative) and index.
type hit struct {
	Rule  string
	File  string
	Index int
}

type alertJSON struct {
	RuleID  string `json:"rule_id"`
	EventID string `json:"event_id"`
	Source  struct {
		File  string `json:"file"`
		Index int    `json:"index"`
	} `json:"source"`
}

func parseJSONL(t *testing.T, out []byte, dir string) []hit {
	t.Helper()
	var hits []hit
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a alertJSON
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("stdout line is not an alert: %v: %s", err, sc.Text())
		}
		rel := a.Source.File
		if dir != "" {
			if r, err := filepath.Rel(dir, a.Source.File); err == nil {
				rel = filepath.ToSlash(r)
			}
		}
		hits = append(hits, hit{a.RuleID, rel, a.Source.Index})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return a.Index - b.Index
	})
	return hits
}

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTrailScanMixedFolder(t *testing.T) {
	const acct = "111122223333"
	dir := t.TempDir()
	write(t, dir, "AWSLogs/"+acct+"/CloudTrail/us-east-1/2025/03/03/"+acct+"_CloudTrail_us-east-1_20250303T1000Z_a.json.gz",
		gz(t, records(benign(acct, "b1", "2025-03-03T09:58:00Z"), rootLogin(acct, "login-no-mfa", "No", "2025-03-03T09:59:00Z"))))
	write(t, dir, "plain.json", []byte(records(rootCreateKey(acct, "create-key", "2025-03-03T11:00:00Z"), benign(acct, "b2", "2025-03-03T11:00:01Z"))))
	write(t, dir, "records.jsonl", []byte(benign(acct, "b3", "2025-03-03T12:00:00Z")+"\n"+benign(acct, "b4", "2025-03-03T12:00:01Z")+"\n"+rootLogin(acct, "jsonl-login", "Yes", "2025-03-03T12:00:02Z")+"\n"))
	write(t, dir, "eventbridge/one.json", func() []byte {
		var b bytes.Buffer
		if err := json.Indent(&b, []byte(envelope(rootCreateKey(acct, "eb-single", "2025-03-03T13:00:00Z"))), "", "  "); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}())
	write(t, dir, "eventbridge/lines.jsonl", []byte(envelope(benign(acct, "eb-b", "2025-03-03T13:00:01Z"))+"\n"+envelope(rootLogin(acct, "eb-line", "No", "2025-03-03T13:00:02Z"))+"\n"))
	// A truncated gzip: a root sign-in first, then enough records that the
	// cut falls well after it.
	var many []string
	many = append(many, rootLogin(acct, "trunc-login", "Yes", "2025-03-03T14:00:00Z"))
	for i := range 400 {
		many = append(many, benign(acct, fmt.Sprintf("t%d", i), "2025-03-03T14:00:01Z"))
	}
	full := gz(t, records(many...))
	write(t, dir, "truncated.json.gz", full[:len(full)*2/3])
	write(t, dir, "invalid.json", []byte(`{"Records":[{"eventVersion":"1.08","eventName":"ConsoleLogin"]}`))
	write(t, dir, "other.json", []byte(`{"name":"not a trail","items":[1,2,3]}`))
	write(t, dir, "table.csv", []byte("account,user\n111122223333,alice\n"))
	write(t, dir, ".hidden.json", []byte("garbage"))
	write(t, dir, "AWSLogs/"+acct+"/CloudTrail-Digest/us-east-1/2025/03/03/digest.json.gz", gz(t, `{"awsAccountId":"111122223333"}`))

	code, stdout, stderr := run(t, "", "trail", "scan", "--format", "jsonl", dir)
	if code != cli.ExitPartial {
		t.Errorf("exit code %d, want %d (partial input)\nstderr:\n%s", code, cli.ExitPartial, stderr)
	}
	got := parseJSONL(t, []byte(stdout), dir)
	byFile := map[string][]string{}
	for _, h := range got {
		byFile[fmt.Sprintf("%s#%d", h.File, h.Index)] = append(byFile[fmt.Sprintf("%s#%d", h.File, h.Index)], h.Rule)
	}
	// Each good file's root records, with the rules that must be among
	// their alerts.
	want := map[string][]string{
		"AWSLogs/" + acct + "/CloudTrail/us-east-1/2025/03/03/" + acct + "_CloudTrail_us-east-1_20250303T1000Z_a.json.gz#1": {"root-console-login", "root-console-login-without-mfa"},
		"plain.json#0":              {"root-access-key-created"},
		"records.jsonl#2":           {"root-console-login"},
		"eventbridge/one.json#0":    {"root-access-key-created"},
		"eventbridge/lines.jsonl#1": {"root-console-login", "root-console-login-without-mfa"},
		"truncated.json.gz#0":       {"root-console-login"},
	}
	for where, rules := range want {
		for _, r := range rules {
			if !slices.Contains(byFile[where], r) {
				t.Errorf("no %s alert for %s; alerts by record: %v", r, where, byFile)
			}
		}
	}
	for where := range byFile {
		if _, ok := want[where]; !ok {
			t.Errorf("unexpected alerts %v for %s", byFile[where], where)
		}
	}
	bad := map[string]string{
		"truncated.json.gz": "unexpected EOF",
		"invalid.json":      "invalid JSON at byte 61: unexpected ']'",
		"other.json":        "not CloudTrail",
		"table.csv":         "invalid JSON at byte 0: not a JSON object or array",
	}
	for name, reason := range bad {
		line := ""
		for l := range strings.Lines(stderr) {
			if strings.Contains(l, filepath.Join(dir, name)+":") {
				line = l
			}
		}
		if !strings.Contains(line, reason) {
			t.Errorf("stderr has no line naming %s with %q:\n%s", name, reason, stderr)
		}
	}
	for _, never := range []string{".hidden.json", "digest.json.gz"} {
		if strings.Contains(stderr+stdout, never) {
			t.Errorf("%s should be skipped silently:\n%s", never, stderr)
		}
	}
	if !strings.Contains(stderr, "9 files") {
		t.Errorf("summary should count 9 opened files:\n%s", stderr)
	}
}

func TestTrailScanExitCodes(t *testing.T) {
	const acct = "111122223333"
	dir := t.TempDir()
	clean := write(t, dir, "clean.json", []byte(records(benign(acct, "b1", "2025-03-03T09:58:00Z"))))
	root := write(t, dir, "root.json", []byte(records(rootLogin(acct, "l1", "Yes", "2025-03-03T09:59:00Z"))))
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no alerts", []string{"trail", "scan", clean}, cli.ExitOK},
		{"alerts", []string{"trail", "scan", root}, cli.ExitFindings},
		{"missing path is partial", []string{"trail", "scan", root, filepath.Join(dir, "nope")}, cli.ExitPartial},
		{"no path", []string{"trail", "scan"}, cli.ExitUsage},
		{"bad format", []string{"trail", "scan", "--format", "xml", root}, cli.ExitUsage},
		{"bad since", []string{"trail", "scan", "--since", "yesterday", root}, cli.ExitUsage},
		{"since after until", []string{"trail", "scan", "--since", "2025-03-04", "--until", "2025-03-03", root}, cli.ExitUsage},
		{"window excludes the alert", []string{"trail", "scan", "--since", "2025-03-04", root}, cli.ExitOK},
		{"window keeps the alert", []string{"trail", "scan", "--since", "2025-03-03", "--until", "2025-03-03", root}, cli.ExitFindings},
		{"negative workers", []string{"trail", "scan", "--workers", "-1", root}, cli.ExitUsage},
		{"too many workers", []string{"trail", "scan", "--workers", "100000000", root}, cli.ExitUsage},
		{"the most workers", []string{"trail", "scan", "--workers", "64", root}, cli.ExitFindings},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tc.args...)
			if code != tc.want {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, tc.want, stderr)
			}
			if code == cli.ExitUsage && slices.Contains(tc.args, "--workers") && !strings.Contains(stderr, "--workers") {
				t.Errorf("the usage error does not name --workers:\n%s", stderr)
			}
		})
	}
}

func TestTrailScanTableAndOutputFile(t *testing.T) {
	dir := t.TempDir()
	root := write(t, dir, "root.json", []byte(records(rootLogin("111122223333", "l1", "No", "2025-03-03T09:59:00Z"))))
	outFile := filepath.Join(dir, "alerts.txt")
	code, stdout, stderr := run(t, "", "trail", "scan", "--output", outFile, root)
	if code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty with --output, got %q", stdout)
	}
	table, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"root-console-login-without-mfa [critical]", "2025-03-03T09:59:00Z", "111122223333", "192.0.2.0", "NO",
		"WHERE is relative to " + filepath.ToSlash(dir) + "/", "  root.json#0\n"} {
		if !strings.Contains(string(table), want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

// TestTrailScanTableGolden renders every rule's samples (a folder tree of
// true and false positives) as the human table: the per-rule summary first,
// most severe first, then each rule's alerts in time order with WHERE
// relative to the folder. Refresh with go test ./internal/cli -run
// TableGolden -update, and review the diff.
func TestTrailScanTableGolden(t *testing.T) {
	code, stdout, stderr := run(t, "", "trail", "scan", filepath.Join("..", "detect", "testdata", "rules"))
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d\n%s", code, cli.ExitFindings, stderr)
	}
	checkGolden(t, "trail-scan-table.golden", stdout)
	// The summary names every rule of the registry once, before the details.
	summary, _, _ := strings.Cut(stdout, "WHERE is relative to")
	for _, r := range detect.Rules() {
		if n := strings.Count(summary, " "+r.ID+" "); n != 1 {
			t.Errorf("summary names %s %d times, want 1", r.ID, n)
		}
	}
}

func TestTrailScanStdin(t *testing.T) {
	const acct = "111122223333"
	tests := []struct {
		name  string
		input string
	}{
		{"records", records(benign(acct, "b", "2025-03-03T09:58:00Z"), rootLogin(acct, "l", "No", "2025-03-03T09:59:00Z"))},
		{"jsonl envelopes", envelope(benign(acct, "b", "2025-03-03T09:58:00Z")) + "\n" + envelope(rootLogin(acct, "l", "No", "2025-03-03T09:59:00Z")) + "\n"},
		{"gzip", string(gz(t, records(benign(acct, "b", "2025-03-03T09:58:00Z"), rootLogin(acct, "l", "No", "2025-03-03T09:59:00Z"))))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.input, "trail", "scan", "--format", "jsonl", "-")
			if code != cli.ExitFindings {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			want := []hit{{"root-console-login", "-", 1}, {"root-console-login-without-mfa", "-", 1}}
			if diff := cmp.Diff(want, parseJSONL(t, []byte(stdout), "")); diff != "" {
				t.Errorf("alerts (-want +got)\n%s", diff)
			}
		})
	}
}

// getCounter counts object GETs per key on the fake S3 server.
type getCounter struct {
	mu   sync.Mutex
	gets map[string]int
	h    http.Handler
}

func (g *getCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Path style: /bucket/key; a GET with a key and no list query is a
	// GetObject.
	if r.Method == http.MethodGet {
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
		if len(parts) == 2 && parts[1] != "" {
			g.mu.Lock()
			g.gets[parts[1]]++
			g.mu.Unlock()
		}
	}
	g.h.ServeHTTP(w, r)
}

func TestTrailScanS3(t *testing.T) {
	const acct, bucket = "111122223333", "trail-bucket"
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	counter := &getCounter{gets: map[string]int{}, h: gofakes3.New(backend).Server()}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)

	put := func(key, body string) {
		data := gz(t, body)
		if _, err := backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	day := func(d, h string) string {
		return "AWSLogs/" + acct + "/CloudTrail/us-east-1/2025/03/" + d + "/" + acct + "_CloudTrail_us-east-1_202503" + d + "T" + h + "Z_x.json.gz"
	}
	put(day("01", "1000"), records(rootLogin(acct, "d1", "No", "2025-03-01T09:59:00Z")))
	put(day("02", "1000"), records(rootLogin(acct, "d2", "Yes", "2025-03-02T09:59:00Z")))
	// Delivered just after midnight: the event is from the day before.
	put(day("03", "0005"), records(rootLogin(acct, "d3-late", "Yes", "2025-03-02T23:58:00Z"), rootLogin(acct, "d3", "Yes", "2025-03-03T00:01:00Z")))
	put(day("09", "1000"), records(rootLogin(acct, "d9", "Yes", "2025-03-09T09:59:00Z")))
	put("AWSLogs/"+acct+"/CloudTrail/eu-west-1/2024/12/31/x.json.gz", records(rootLogin(acct, "old", "Yes", "2024-12-31T09:59:00Z")))
	put("AWSLogs/"+acct+"/CloudTrail-Digest/us-east-1/2025/03/02/digest.json.gz", `{"awsAccountId":"111122223333"}`)

	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}

	tests := []struct {
		name      string
		args      []string
		wantIDs   []string
		wantGets  []string
		wantExit  int
		wantInErr string
	}{
		{
			name:     "whole bucket",
			args:     []string{"s3://" + bucket},
			wantIDs:  []string{"d1", "d2", "d3", "d3-late", "d9", "old"},
			wantGets: []string{day("01", "1000"), day("02", "1000"), day("03", "0005"), day("09", "1000"), "AWSLogs/" + acct + "/CloudTrail/eu-west-1/2024/12/31/x.json.gz"},
			wantExit: cli.ExitFindings,
		},
		{
			name: "since and until prune date folders",
			args: []string{"--since", "2025-03-02T12:00:00Z", "--until", "2025-03-02", "s3://" + bucket + "/AWSLogs/"},
			// 03/01 ends before --since: pruned. 03/03 may hold late
			// deliveries of 03/02: read, and d3 filtered by eventTime. 03/09
			// and 2024 are outside: never fetched.
			wantIDs:   []string{"d3-late"},
			wantGets:  []string{day("02", "1000"), day("03", "0005")},
			wantExit:  cli.ExitFindings,
			wantInErr: "outside --since/--until",
		},
		{
			name:     "prefix",
			args:     []string{"s3://" + bucket + "/AWSLogs/" + acct + "/CloudTrail/us-east-1/2025/03/09/"},
			wantIDs:  []string{"d9"},
			wantGets: []string{day("09", "1000")},
			wantExit: cli.ExitFindings,
		},
		{
			name:      "no such bucket",
			args:      []string{"s3://missing-bucket/x"},
			wantExit:  cli.ExitPartial,
			wantInErr: "NoSuchBucket",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counter.mu.Lock()
			counter.gets = map[string]int{}
			counter.mu.Unlock()
			args := append([]string{"trail", "scan", "--format", "jsonl", "--endpoint-url", srv.URL}, tc.args...)
			code, stdout, stderr := run(t, "", args...)
			if code != tc.wantExit {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, tc.wantExit, stderr)
			}
			if !strings.Contains(stderr, tc.wantInErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantInErr, stderr)
			}
			var ids []string
			sc := bufio.NewScanner(strings.NewReader(stdout))
			for sc.Scan() {
				var a alertJSON
				if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
					t.Fatal(err)
				}
				if a.RuleID == "root-console-login" {
					ids = append(ids, a.EventID)
				}
			}
			slices.Sort(ids)
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("alerted event IDs (-want +got)\n%s", diff)
			}
			counter.mu.Lock()
			var gets []string
			for k, n := range counter.gets {
				if n != 1 {
					t.Errorf("%s fetched %d times", k, n)
				}
				gets = append(gets, k)
			}
			counter.mu.Unlock()
			slices.Sort(gets)
			want := slices.Clone(tc.wantGets)
			slices.Sort(want)
			if diff := cmp.Diff(want, gets); diff != "" {
				t.Errorf("objects fetched (-want +got)\n%s", diff)
			}
		})
	}
}

// TestTrailScanHelpExitCodes: the exit codes a CI job branches on are in
// trail scan --help, with the constants' values.
func TestTrailScanHelpExitCodes(t *testing.T) {
	code, stdout, stderr := run(t, "", "trail", "scan", "--help")
	if code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("  %d  no alert, every input read", cli.ExitOK),
		fmt.Sprintf("  %d  alerts, every input read", cli.ExitFindings),
		fmt.Sprintf("  %d  some input could not be read", cli.ExitPartial),
		fmt.Sprintf("  %d  usage error", cli.ExitUsage),
		fmt.Sprintf("  %d  could not run", cli.ExitError),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("trail scan --help lacks %q:\n%s", want, stdout)
		}
	}
}

// TestTrailScanJSONLFields: every alert line carries the fields a SIEM keys on, present even
// when the record lacks the value (empty or null), and aggregate alerts add count and event_ids.
func TestTrailScanJSONLFields(t *testing.T) {
	code, stdout, stderr := run(t, "", "trail", "scan", "--format", "jsonl", filepath.Join("..", "detect", "testdata", "rules"))
	if code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	always := []string{"rule_id", "severity", "event_id", "event_time", "event_name", "event_source", "account_id",
		"region", "source_ip", "user_agent", "mfa_used", "root_required", "root_task", "assumed_root", "source"}
	lines, aggregates := 0, 0
	for line := range strings.Lines(stdout) {
		lines++
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		for _, k := range always {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d (%s) lacks %q", lines, m["rule_id"], k)
			}
		}
		var src struct {
			File  *string `json:"file"`
			Index *int    `json:"index"`
		}
		if err := json.Unmarshal(m["source"], &src); err != nil || src.File == nil || src.Index == nil {
			t.Errorf("line %d: source %s lacks file or index", lines, m["source"])
		}
		if string(m["rule_id"]) == `"root-console-brute-force"` {
			aggregates++
			for _, k := range []string{"count", "event_ids", "sources"} {
				if _, ok := m[k]; !ok {
					t.Errorf("aggregate line %d lacks %q", lines, k)
				}
			}
		}
	}
	if lines < 50 || aggregates == 0 {
		t.Errorf("%d alert lines, %d aggregates: the samples should give many alerts and a burst", lines, aggregates)
	}
}

// TestTrailScanStderrEscapesFileNames: a file name is chosen by whoever
// wrote the archive or typed the command; on stderr (the unreadable-input
// lines and the error line) its control characters and bidi overrides are
// shown escaped, never sent to the terminal.
func TestTrailScanStderrEscapesFileNames(t *testing.T) {
	dir := t.TempDir()
	name := "evil\x1b[2J\u202egnp.json"
	if err := os.WriteFile(filepath.Join(dir, name), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"unreadable input", []string{"trail", "scan", dir}, cli.ExitPartial},
		{"--output", []string{"trail", "scan", "--output", filepath.Join(dir, "missing", name), dir}, cli.ExitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if strings.ContainsAny(stderr, "\x1b\u202e") {
				t.Errorf("raw control or bidi characters reached stderr:\n%q", stderr)
			}
			if !strings.Contains(stderr, `evil\x1b[2J\u202egnp.json`) {
				t.Errorf("stderr does not name the file in its escaped form:\n%s", stderr)
			}
		})
	}
}

// TestTrailScanNothingRead: when no input was read (nothing to read, or
// nothing readable), trail scan never says "No root activity found.": it
// says that no input was read, and exits 4. A file of no records is read.
func TestTrailScanNothingRead(t *testing.T) {
	const acct, bucket = "111122223333", "trail-bucket"
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	zero := write(t, dir, "zero/"+acct+"_CloudTrail_us-east-1_20250303T1000Z_a.json.gz", nil)
	dated := write(t, dir, "AWSLogs/"+acct+"/CloudTrail/us-east-1/2025/03/03/a.json", []byte(records(benign(acct, "b", "2025-03-03T09:58:00Z"))))
	noRecords := write(t, dir, "no-records.json", []byte(records()))

	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}

	tests := []struct {
		name      string
		args      []string
		noCreds   bool
		wantExit  int
		wantInErr string
	}{
		{"empty folder", []string{empty}, false, cli.ExitPartial, ""},
		{"missing path", []string{filepath.Join(dir, "nope")}, false, cli.ExitPartial, "no such file"},
		{"0-byte .gz", []string{zero}, false, cli.ExitPartial, "empty: no data"},
		{"every date folder outside the window", []string{"--since", "2025-04-01", filepath.Join(dir, "AWSLogs")}, false, cli.ExitPartial, "outside --since/--until"},
		{"S3 prefix with no objects", []string{"--endpoint-url", srv.URL, "s3://" + bucket + "/AWSLogs/"}, false, cli.ExitPartial, ""},
		{"S3 without credentials", []string{"--endpoint-url", srv.URL, "s3://" + bucket + "/AWSLogs/"}, true, cli.ExitPartial, "s3://" + bucket},
		{"a file of no records is read", []string{noRecords}, false, cli.ExitOK, ""},
		{"a dated file inside the window is read", []string{"--since", "2025-03-03", dated}, false, cli.ExitOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.noCreds {
				t.Setenv("AWS_ACCESS_KEY_ID", "")
				t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			}
			code, stdout, stderr := run(t, "", append([]string{"trail", "scan"}, tc.args...)...)
			if code != tc.wantExit {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantExit, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.wantInErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantInErr, stderr)
			}
			nothing := tc.wantExit == cli.ExitPartial
			if got := strings.Contains(stdout, "No root activity found."); got == nothing {
				t.Errorf("stdout says no root activity: %v, want %v:\n%s", got, !nothing, stdout)
			}
			if got := strings.Contains(stdout, "No input was read") && strings.Contains(stderr, "trail: no input was read"); got != nothing {
				t.Errorf("stdout and stderr say no input was read: %v, want %v\nstdout:\n%s\nstderr:\n%s", got, nothing, stdout, stderr)
			}
		})
	}
}

// TestTrailBenchPresets: without a folder, trail bench generates every
// preset and measures each with every inflater of the build; the reports
// name both and count the planted alerts.
func TestTrailBenchPresets(t *testing.T) {
	code, stdout, stderr := run(t, "", "trail", "bench", "--rounds", "1", "--size-mb", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var reps []struct {
		Corpus, Inflater string
		Alerts           int
	}
	if err := json.Unmarshal([]byte(stdout[strings.Index(stdout, "["):]), &reps); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	var got []string
	for _, r := range reps {
		got = append(got, r.Corpus+"/"+r.Inflater)
		if r.Alerts == 0 {
			t.Errorf("%s with %s: no alerts", r.Corpus, r.Inflater)
		}
	}
	var want []string
	for _, p := range []string{"mixed", "small"} {
		for _, inf := range trail.Inflaters() {
			want = append(want, p+"/"+inf)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("reports for %v, want %v", got, want)
	}
}
