package cli_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/store"
)

// approvedWindow records persons alice and bob and a root sign-in request of account by alice,
// approved by bob at start for d, in a fresh SQLite store; it returns the store's DSN.
func approvedWindow(t *testing.T, account string, start time.Time, d time.Duration) string {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "rootguard.db")
	st, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	repo := st.Breakglass()
	for _, p := range []string{"alice", "bob"} {
		if err := repo.AddPerson(t.Context(), breakglass.Person{ID: p}, []string{"arn:aws:iam::" + account + ":role/" + p}, start); err != nil {
			t.Fatal(err)
		}
	}
	r := breakglass.Request{ID: "bg-window000001", AccountID: account, Reason: "test", Duration: d, Requester: "alice",
		CreatedAt: start.Add(-time.Minute), ExpiresAt: start.Add(time.Hour), State: breakglass.Approved, Decider: "bob", DecidedAt: start}
	if err := repo.Create(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// judged is the alerts' judgement: each unapproved event and each approved one with its request
// (and drill).
func judged(t *testing.T, jsonl string) []string {
	t.Helper()
	var out []string
	for _, a := range decodeAlerts(t, jsonl) {
		switch {
		case a.RuleID == detect.RuleRootActivityUnapproved:
			out = append(out, a.EventID+" unapproved")
		case a.ApprovedBy != "" && a.Drill != "":
			out = append(out, a.EventID+" approved by "+a.ApprovedBy+" drill "+a.Drill)
		case a.ApprovedBy != "":
			out = append(out, a.EventID+" approved by "+a.ApprovedBy)
		}
	}
	slices.Sort(out)
	return out
}

// trail query --windows judges the queried alerts against the store's windows as trail scan
// --windows judges the scanned ones, and breakglass report reads a window from Athena and Lake
// as it does from files.
func TestWindowsFromQuery(t *testing.T) {
	const account = "111122223333"
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	in, out := start.Add(10*time.Minute).Format(time.RFC3339), start.Add(3*time.Hour).Format(time.RFC3339)
	url, records := serveTrailEvents(t, []byte(rootLogin(account, "login-in-window", "Yes", in)+"\n"+
		rootLogin(account, "login-outside", "Yes", out)+"\n"))
	db := approvedWindow(t, account, start, time.Hour)
	want := []string{"login-in-window approved by bg-window000001", "login-outside unapproved"}

	code, stdout, stderr := run(t, "", "trail", "scan", "--windows", "--db", db, "--format", "jsonl", records)
	if code != cli.ExitFindings || !slices.Equal(judged(t, stdout), want) {
		t.Fatalf("trail scan --windows: exit %d, %v, want %v\n%s", code, judged(t, stdout), want, stderr)
	}
	sources := map[string][]string{
		"athena": {"--athena", "--output-location", "s3://query-results/rootguard/"},
		"lake":   {"--lake", "--event-data-store", "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"},
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"trail", "query", "--windows", "--db", db, "--format", "jsonl", "--endpoint-url", url}, src...)
			code, stdout, stderr := run(t, "", args...)
			if got := judged(t, stdout); code != cli.ExitFindings || !slices.Equal(got, want) {
				t.Errorf("trail query --windows: exit %d, %v, want %v\n%s", code, got, want, stderr)
			}
			if !strings.Contains(stderr, "trail: 1 root-activity-unapproved") {
				t.Errorf("stderr lacks the count of unapproved activity:\n%s", stderr)
			}

			args = append([]string{"breakglass", "report", "bg-window000001", "--db", db, "--format", "json", "--endpoint-url", url}, src...)
			code, stdout, stderr = run(t, "", args...)
			if code != cli.ExitOK {
				t.Fatalf("breakglass report: exit %d\n%s", code, stderr)
			}
			var rep breakglass.Report
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Events) != 1 || rep.Events[0].EventID != "login-in-window" {
				t.Errorf("report events %+v, want the sign-in inside the window only", rep.Events)
			}
		})
	}

	// A window with nothing in the table reads nothing: never an empty report.
	empty := approvedWindow(t, account, start.AddDate(0, 1, 0), time.Hour)
	code, _, stderr = run(t, "", append([]string{"breakglass", "report", "bg-window000001", "--db", empty, "--endpoint-url", url}, sources["lake"]...)...)
	if code != cli.ExitPartial || !strings.Contains(stderr, "no input was read") {
		t.Errorf("report of a window the table does not cover: exit %d\n%s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trail", "query", "--windows", "--print-sql", "--athena"}, "--print-sql runs no query"},
		{[]string{"breakglass", "report", "bg-window000001", "--db", db, "-", "--lake", "--event-data-store", "x"}, "either PATHs or --athena/--lake"},
		{[]string{"breakglass", "close", "bg-window000001", "--db", db, "-", "--lake", "--event-data-store", "x"}, "either PATHs or --athena/--lake"},
		{[]string{"breakglass", "report", "bg-window000001", "--db", db}, "name the CloudTrail PATH"},
		{[]string{"drill", "verify", "drill-x", "--db", db, "--athena", "--lake"}, "choose one of --athena and --lake"},
	} {
		if code, _, stderr := run(t, "", tc.args...); code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %s; want exit %d and %q", tc.args, code, stderr, cli.ExitUsage, tc.want)
		}
	}
}
