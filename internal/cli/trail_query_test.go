package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/sim"
)

// querySetup writes every rule sample of internal/detect as one JSON Lines file, serves it as a
// scenario's trail_events from the in-process endpoint, and points the SDK's credential chain
// at the endpoint's caller. It returns the endpoint URL and the JSON Lines path.
func querySetup(t *testing.T) (url, records string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "detect", "testdata", "rules", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule samples: %v", err)
	}
	var lines bytes.Buffer
	for _, f := range files {
		for _, r := range tableRecords(t, f) {
			lines.Write(r)
			lines.WriteByte('\n')
		}
	}
	return serveTrailEvents(t, lines.Bytes())
}

// tableRecords reads the records of a sample file (a CloudTrail log file or one record), each
// compacted onto one line as a table holds it.
func tableRecords(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if file.Records == nil {
		file.Records = []json.RawMessage{data}
	}
	var out [][]byte
	for _, r := range file.Records {
		// A table holds CloudTrail records, never the EventBridge envelope around one.
		var env struct {
			Detail    json.RawMessage `json:"detail"`
			EventName string          `json:"eventName"`
		}
		if json.Unmarshal(r, &env) == nil && env.EventName == "" && len(env.Detail) > 0 && env.Detail[0] == '{' {
			r = env.Detail
		}
		var c bytes.Buffer
		if err := json.Compact(&c, r); err != nil {
			t.Fatal(err)
		}
		out = append(out, c.Bytes())
	}
	return out
}

// serveTrailEvents serves the JSON Lines records as a scenario's trail_events from the in-process
// endpoint and points the SDK's credential chain at the endpoint's caller. It returns the
// endpoint URL and the JSON Lines path.
func serveTrailEvents(t *testing.T, jsonl []byte) (url, records string) {
	t.Helper()
	dir := t.TempDir()
	records = write(t, dir, "records.jsonl", jsonl)
	scn := write(t, dir, "scenario.yaml", []byte("name: trail-query\n"+
		"caller: {arn: \"arn:aws:iam::111122223333:user/analyst\"}\n"+
		"accounts: [{id: \"111122223333\"}]\n"+
		"trail_events: records.jsonl\n"))
	s, err := sim.LoadScenario(scn)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.Start(s, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ak, sk := srv.Credentials()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": ak, "AWS_SECRET_ACCESS_KEY": sk, "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	return srv.URL(), records
}

// decodeAlerts reads JSON Lines alerts, sorted by everything but where each came from (the same
// record can be in several samples).
func decodeAlerts(t *testing.T, jsonl string) []detect.Alert {
	t.Helper()
	var out []detect.Alert
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a detect.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		out = append(out, a)
	}
	key := func(a detect.Alert) string {
		a.Source, a.Sources = detect.Source{}, nil
		b, _ := json.Marshal(a)
		return string(b)
	}
	slices.SortStableFunc(out, func(a, b detect.Alert) int { return strings.Compare(key(a), key(b)) })
	return out
}

// withoutAssumedRoot are the rule samples whose alerts differ when the table lacks
// userIdentity.sessionContext.assumedRoot (the documented Athena and Lake schemas do), by event ID.
// trail query then recognises an AssumeRoot session only by the AssumeRoot call that issued its
// key, to the same account, within 900 seconds before.
var withoutAssumedRoot = map[string]string{
	"3f2b003b-7d1e-4b0a-9c3f-000000def03b": "root-api-activity/fp-assumed-root-session: a session with no AssumeRoot call in the input reads as root use",
	"3f2b0051-7d1e-4b0a-9c3f-000000def051": "root-login-profile-created/fp-assumed-root-session: a session with no AssumeRoot call in the input reads as root use",
	"3f2b0059-7d1e-4b0a-9c3f-000000def059": "assume-root-session/tp-audit-list-mfa-devices: a session with no AssumeRoot call in the input reads as root use",
	"3f2b0055-7d1e-4b0a-9c3f-000000def055": "assume-root-session/fp-assume-root-call-itself: the AssumeRoot call's own assumedRoot flag (assumed_root) is not in the table",
	"3f2b0058-7d1e-4b0a-9c3f-000000def058": "assume-root-session/fp-assumed-root-false shares its key and time with a real session's call: only assumedRoot \"false\" told them apart",
}

// byEvent groups alerts by event ID, each as its JSON without where it came from.
func byEvent(as []detect.Alert) map[string][]string {
	m := map[string][]string{}
	for _, a := range as {
		a.Source, a.Sources = detect.Source{}, nil
		b, _ := json.Marshal(a)
		m[a.EventID] = append(m[a.EventID], string(b))
	}
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}

// TestTrailQuerySameAlertsAsScan runs trail query through the real SDK against the in-process
// Athena and CloudTrail Lake endpoints and checks it gives the alerts trail scan gives over the
// same records (where each came from aside), but for the records listed in withoutAssumedRoot.
func TestTrailQuerySameAlertsAsScan(t *testing.T) {
	url, records := querySetup(t)
	code, stdout, stderr := run(t, "", "trail", "scan", "--format", "jsonl", records)
	if code != cli.ExitFindings {
		t.Fatalf("trail scan: exit %d\n%s", code, stderr)
	}
	scan := decodeAlerts(t, stdout)
	if len(scan) < 40 {
		t.Fatalf("trail scan gave only %d alerts", len(scan))
	}
	tests := []struct {
		name   string
		source string
		args   []string
	}{
		{"athena", "athena:", []string{"--athena", "--output-location", "s3://query-results/rootguard/"}},
		{"athena, partitioned table, work group", "athena:", []string{"--athena", "--table", "cloudtrail_logs_pp", "--partition-column", "timestamp",
			"--workgroup", "security", "--since", "2000-01-01", "--until", "2100-01-01"}},
		{"lake", "lake:", []string{"--lake", "--event-data-store", "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"trail", "query", "--format", "jsonl", "--endpoint-url", url}, tc.args...)
			code, stdout, stderr := run(t, "", args...)
			if code != cli.ExitFindings {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			query := decodeAlerts(t, stdout)
			for _, a := range query {
				if !strings.HasPrefix(a.Source.File, tc.source) {
					t.Errorf("alert source %q does not name the query", a.Source.File)
				}
			}
			want, got := byEvent(scan), byEvent(query)
			differ := map[string]string{}
			for id := range want {
				if !slices.Equal(want[id], got[id]) {
					differ[id] = withoutAssumedRoot[id]
				}
			}
			for id := range got {
				if _, ok := want[id]; !ok {
					differ[id] = withoutAssumedRoot[id]
				}
			}
			for id, reason := range differ {
				if reason == "" {
					t.Errorf("event %s: alerts (-trail scan +trail query)\n%s", id, cmp.Diff(want[id], got[id]))
				}
			}
			for id, reason := range withoutAssumedRoot {
				if _, ok := differ[id]; !ok {
					t.Errorf("event %s no longer differs (%s): update withoutAssumedRoot", id, reason)
				}
			}
			if len(query) < len(scan)-len(withoutAssumedRoot) {
				t.Errorf("trail query gave %d alerts, trail scan %d", len(query), len(scan))
			}
			summary, dups, _ := strings.Cut(stderr, "\n")
			if !strings.Contains(summary, "rows") || (dups != "" && !strings.HasPrefix(dups, "trail query: ") || strings.Count(dups, "\n") > 1) {
				t.Errorf("stderr is not one summary line and at most one of duplicates:\n%s", stderr)
			}
		})
	}
}

func TestTrailQueryErrors(t *testing.T) {
	url, _ := querySetup(t)
	tests := []struct {
		name     string
		args     []string
		wantExit int
		wantErr  string
	}{
		{"athena query FAILED", []string{"--athena", "--output-location", "s3://r/", "--assumed-root-column"}, cli.ExitError,
			"rootguard: trail query athena:default.cloudtrail_logs: athena query "},
		{"lake refuses the query", []string{"--lake", "--event-data-store", "eds-1", "--assumed-root-column"}, cli.ExitError,
			"InvalidQueryStatementException"},
		{"athena without output location", []string{"--athena"}, cli.ExitError, "No output location provided"},
		{"neither dialect", nil, cli.ExitUsage, "choose one of --athena and --lake"},
		{"both dialects", []string{"--athena", "--lake"}, cli.ExitUsage, "choose one of --athena and --lake"},
		{"lake without store", []string{"--lake"}, cli.ExitUsage, "--event-data-store is required"},
		{"athena flag with lake", []string{"--lake", "--event-data-store", "x", "--table", "t"}, cli.ExitUsage, "--table: for --athena only"},
		{"unknown rule", []string{"--athena", "--rule", "root-nope"}, cli.ExitUsage, `rule "root-nope": no such rule`},
		{"bad output location", []string{"--athena", "--output-location", "results/"}, cli.ExitUsage, "want s3://bucket/prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"trail", "query", "--endpoint-url", url}, tc.args...)
			code, stdout, stderr := run(t, "", args...)
			if code != tc.wantExit {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantExit, stderr)
			}
			if !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, stderr)
			}
			if n := strings.Count(stderr, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want one:\n%s", n, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
		})
	}
	t.Run("FAILED reason is the service's", func(t *testing.T) {
		_, _, stderr := run(t, "", "trail", "query", "--endpoint-url", url, "--athena", "--output-location", "s3://r/", "--assumed-root-column")
		if !strings.Contains(stderr, " FAILED: COLUMN_NOT_FOUND: Column 'useridentity.sessioncontext.assumedroot' cannot be resolved") {
			t.Errorf("stderr: %s", stderr)
		}
	})
}

func TestTrailQueryPrintSQL(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"athena whole set", []string{"--athena", "--database", "security"},
			[]string{`FROM "security"."cloudtrail_logs"`, "useridentity.type = 'Root'", "OR (eventsource = 'account.amazonaws.com'"}},
		{"lake one rule", []string{"--lake", "--event-data-store", "eds-1", "--rule", "root-password-recovery", "--since", "2025-03-01"},
			[]string{"FROM eds-1\n", "json_format(CAST(requestparameters AS JSON)) AS requestparameters",
				"(eventsource = 'signin.amazonaws.com' AND eventname IN ('PasswordRecoveryCompleted', 'PasswordRecoveryRequested'))",
				"AND eventtime >= '2025-03-01 00:00:00'"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"trail", "query", "--print-sql"}, tc.args...)
			code, stdout, stderr := run(t, "", args...)
			if code != cli.ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if !strings.HasPrefix(stdout, "SELECT\n") {
				t.Errorf("not a SELECT:\n%s", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("SQL lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

// TestScanAndQueryFeedOneDriver: trail scan over log files and trail query over Athena and
// CloudTrail Lake rows feed the same detect.Driver, so the same records, in shuffled order, give
// the same alerts (where each came from aside): a burst of failed root sign-ins, an AssumeRoot
// session joined to the call that opened it, and a root sign-in CloudTrail delivered twice,
// reported once by both.
func TestScanAndQueryFeedOneDriver(t *testing.T) {
	samples := filepath.Join("..", "detect", "testdata", "rules")
	var recs [][]byte
	for _, f := range []string{"root-console-brute-force/tp-six-in-twelve-minutes.json",
		"assume-root-session/tp-joined-session-before-call.json", "root-console-login/tp-success-mfa-uppercase-yes.json"} {
		recs = append(recs, tableRecords(t, filepath.Join(samples, f))...)
	}
	redelivered := recs[len(recs)-1]
	recs = append(recs, redelivered)
	rand.New(rand.NewPCG(8, 3)).Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })

	url, _ := serveTrailEvents(t, append(bytes.Join(recs, []byte("\n")), '\n'))
	// trail scan reads the records as two log files, each with a copy of the sign-in.
	dir := t.TempDir()
	half := len(recs) / 2
	for i, part := range [][][]byte{recs[:half], recs[half:]} {
		if !slices.ContainsFunc(part, func(r []byte) bool { return bytes.Equal(r, redelivered) }) {
			part = append(slices.Clip(part), redelivered)
		}
		write(t, dir, fmt.Sprintf("log%d.json", i), []byte(`{"Records":[`+string(bytes.Join(part, []byte(",")))+`]}`))
	}
	code, stdout, stderr := run(t, "", "trail", "scan", "--format", "jsonl", dir)
	if code != cli.ExitFindings {
		t.Fatalf("trail scan: exit %d\n%s", code, stderr)
	}
	var signIn struct {
		EventID string `json:"eventID"`
	}
	if err := json.Unmarshal(redelivered, &signIn); err != nil || signIn.EventID == "" {
		t.Fatalf("the re-delivered record has no event ID: %v", err)
	}
	scan := decodeAlerts(t, stdout)
	ids := map[string]int{}
	for _, a := range scan {
		ids[a.RuleID]++
		if a.EventID == signIn.EventID && a.RuleID == detect.RuleConsoleLogin {
			ids["re-delivered sign-in"]++
		}
		switch {
		case a.RuleID == detect.RuleConsoleBruteForce && a.Count < detect.DefaultConfig().BruteForceThreshold,
			a.RuleID == detect.RuleAssumeRootSession && a.Caller == "":
			t.Errorf("trail scan: %s alert without its burst or join: %+v", a.RuleID, a)
		}
	}
	if ids[detect.RuleConsoleBruteForce] != 1 || ids[detect.RuleAssumeRootSession] != 1 || ids["re-delivered sign-in"] != 1 {
		t.Fatalf("trail scan alerts %v, want one burst, one joined session and the re-delivered sign-in once", ids)
	}

	for _, args := range [][]string{
		{"--athena", "--output-location", "s3://query-results/rootguard/"},
		{"--lake", "--event-data-store", "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, stdout, stderr := run(t, "", append([]string{"trail", "query", "--format", "jsonl", "--endpoint-url", url}, args...)...)
			if code != cli.ExitFindings {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if diff := cmp.Diff(byEvent(scan), byEvent(decodeAlerts(t, stdout))); diff != "" {
				t.Errorf("alerts by event (-trail scan +trail query):\n%s", diff)
			}
			if !strings.Contains(stderr, "trail query: 1 duplicate alerts left out") {
				t.Errorf("stderr does not count the re-delivered sign-in:\n%s", stderr)
			}
		})
	}
}

// A query that returns no rows is an all-clear only when the source holds events for the range:
// with no event at all in it, trail query says that nothing was read and exits 3, never "No
// root activity found."; with events but none of root, it finds no root activity and exits 0.
func TestTrailQueryNothingRead(t *testing.T) {
	url, _ := querySetup(t)
	tests := []struct {
		name     string
		window   []string
		wantExit int
		want     string
	}{
		{"no event in the range", []string{"--since", "2001-01-01", "--until", "2001-01-02"}, cli.ExitError, "holds no CloudTrail event at all in the time range"},
	}
	for _, tc := range tests {
		for _, dialect := range [][]string{{"--athena", "--output-location", "s3://r/"}, {"--lake", "--event-data-store", "eds-1"}} {
			t.Run(tc.name+" "+dialect[0], func(t *testing.T) {
				args := append([]string{"trail", "query", "--endpoint-url", url}, dialect...)
				code, stdout, stderr := run(t, "", append(args, tc.window...)...)
				if code != tc.wantExit {
					t.Errorf("exit %d, want %d\n%s", code, tc.wantExit, stderr)
				}
				if !strings.Contains(stderr, tc.want) {
					t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
				}
				if strings.Contains(stdout, "No root activity found.") {
					t.Errorf("nothing read, yet stdout says: %s", stdout)
				}
			})
		}
	}
}
