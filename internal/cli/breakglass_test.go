package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/sim"
)

// breakglassDemo gives a test its own state directory, holding a demo organization with both
// centralized root access features (as apply leaves it), so the S3 unlock task may run.
func breakglassDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	t.Setenv("ROOTGUARD_DB", "")
	t.Setenv("ROOTGUARD_AUDIT_LOG", "")
	t.Setenv("ROOTGUARD_DEMO_IDENTITY", "")
	scn := sim.Demo()
	scn.Organization.Features = []string{"RootCredentialsManagement", "RootSessions"}
	path, err := sim.DemoStatePath(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.StateFile(path).Save(scn); err != nil {
		t.Fatal(err)
	}
	return dir
}

// demoFinding scans the demo for one check and returns the account's
// finding as "STATUS: detail" ("" when there is none).
func demoFinding(t *testing.T, check, account string) string {
	t.Helper()
	_, out, _ := run(t, "scan", "--demo", "--check", check, "--format", "json")
	for _, f := range decodeFindings(t, out).Findings {
		if f.AccountID == account {
			return f.Status + ": " + f.Detail
		}
	}
	return ""
}

// bg runs a breakglass command in the demo as the demo caller who (requester, approver, or ""
// for the default caller, who is person admin).
func bg(t *testing.T, who string, args ...string) (int, string, string) {
	t.Helper()
	args = append(append([]string{"breakglass"}, args...), "--demo", "--format", "json")
	if who != "" {
		args = append(args, "--demo-identity", who)
	}
	return run(t, args...)
}

// TestBreakglassTour is the README's tour: request, self-approval refused, approval by another
// person, the S3 unlock run through sts:AssumeRoot (the bucket policy is gone afterwards), and
// the report with the AssumeRoot call and its session's DeleteBucketPolicy as a root-required
// task; then the demo's unapproved sign-in raised by trail scan --windows.
func TestBreakglassTour(t *testing.T) {
	dir := breakglassDemo(t)
	code, out, stderr := bg(t, "requester", "request", "--account", "666666666666", "--reason", "unlock the payments audit bucket",
		"--duration", "30m", "--task", "unlock-bucket-policy", "--bucket", "acme-payments-audit")
	if code != 0 {
		t.Fatalf("request: exit %d, %s", code, stderr)
	}
	req := decodeJSON[breakglass.Request](t, out)
	if req.State != breakglass.Pending || req.Requester != "alice" {
		t.Fatalf("request = %+v", req)
	}

	// Refusals, each one line, exit 5, nothing written.
	for _, tc := range []struct {
		who  string
		args []string
		want string
	}{
		{"requester", []string{"approve", req.ID}, "alice is its requester: the approver must be a different person"},
		{"requester", []string{"run", req.ID}, "it is pending, not approved"},
		{"approver", []string{"approve", "bg-nosuch000"}, "no such request"},
	} {
		code, _, stderr := bg(t, tc.who, tc.args...)
		if code != ExitRefused || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%s %v: exit %d, stderr %q; want exit %d and one line with %q", tc.who, tc.args, code, stderr, ExitRefused, tc.want)
		}
	}
	if _, out, _ := bg(t, "", "show", req.ID); decodeJSON[breakglass.Request](t, out).State != breakglass.Pending {
		t.Fatalf("after the refusals: %s", out)
	}

	// The demo's Admin role has AdministratorAccess: it may call
	// sts:AssumeRoot besides the executor (assume-root-restricted FAILs
	// the management account for it), and the approval says so.
	if code, _, stderr := bg(t, "approver", "approve", req.ID); code != 0 ||
		!strings.Contains(stderr, "warning: the two-person rule does not bind: besides the executor role arn:aws:iam::111111111111:role/RootguardBreakGlassExecutor, "+
			"arn:aws:iam::111111111111:role/Admin may call sts:AssumeRoot without a task policy limit") {
		t.Fatalf("approve: exit %d, %s", code, stderr)
	}
	if code, _, stderr := bg(t, "approver", "run", req.ID); code != ExitRefused || !strings.Contains(stderr, "bob is not its requester") {
		t.Fatalf("run by the approver: exit %d, %s", code, stderr)
	}
	srvs := captureServers(t)
	code, out, stderr = bg(t, "requester", "run", req.ID)
	if code != 0 || !strings.Contains(out, "s3:DeleteBucketPolicy Bucket=acme-payments-audit in 666666666666: done") {
		t.Fatalf("run: exit %d, stdout %s, stderr %s", code, out, stderr)
	}
	var ops []string
	for _, c := range srvs.take() {
		ops = append(ops, c.Service+":"+c.Operation)
	}
	// The SDK retries a call whose connection failed (a loaded machine):
	// a retried call is the same call.
	ops = slices.Compact(ops)
	// Who else may call sts:AssumeRoot is read (the warning) before the
	// task runs.
	if want := "sts:GetCallerIdentity iam:GetAccountAuthorizationDetails sts:AssumeRole sts:AssumeRoot s3:DeleteBucketPolicy"; strings.Join(ops, " ") != want {
		t.Errorf("calls %v, want %s", ops, want)
	}
	// The write is in the audit log, intent then result.
	log, err := os.ReadFile(filepath.Join(dir, "rootguard", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), `"operation":"s3:DeleteBucketPolicy","phase":"intent"`) || !strings.Contains(string(log), `"operation":"s3:DeleteBucketPolicy","phase":"result","outcome":"ok"`) {
		t.Errorf("the audit log lacks the DeleteBucketPolicy intent and result")
	}
	code, out, stderr = bg(t, "requester", "close", req.ID)
	if code != 0 {
		t.Fatalf("close: exit %d, %s", code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var closed breakglass.Request
	var rep breakglass.Report
	if err := dec.Decode(&closed); err != nil || closed.State != breakglass.Closed {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("close wrote no report: %v\n%s", err, out)
	}
	var got []string
	for _, ev := range rep.Events {
		got = append(got, ev.Name+" "+ev.Class)
	}
	if want := "AssumeRoot root-session-opened,DeleteBucketPolicy root-required"; strings.Join(got, ",") != want {
		t.Errorf("report events %v, want %s", got, want)
	}
	if code, _, stderr := bg(t, "approver", "approve", req.ID); code != ExitRefused || !strings.Contains(stderr, "it is closed") {
		t.Errorf("approve a closed request: exit %d, %s", code, stderr)
	}

	// The demo's history: the root sign-in outside every window is unapproved, the unlock
	// sessions (the demo's and this test's) are approved by their requests.
	code, out, stderr = run(t, "trail", "scan", "--windows", "--demo", "--format", "jsonl")
	if code != ExitFindings {
		t.Fatalf("trail scan --windows: exit %d, %s", code, stderr)
	}
	var unapproved, approved []string
	for line := range strings.Lines(out) {
		var a detect.Alert
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		switch {
		case a.RuleID == detect.RuleRootActivityUnapproved:
			unapproved = append(unapproved, a.AccountID+" "+a.EventName+" "+string(a.Severity))
		case a.ApprovedBy != "":
			approved = append(approved, a.EventName+" "+a.ApprovedBy)
		}
	}
	if want := "111111111111 ConsoleLogin critical"; strings.Join(unapproved, ",") != want {
		t.Errorf("unapproved %v, want %s", unapproved, want)
	}
	if want := "DeleteBucketPolicy bg-demo00000001,DeleteBucketPolicy " + req.ID; strings.Join(approved, ",") != want {
		t.Errorf("approved %v, want %s", approved, want)
	}
}

func TestBreakglassRefusals(t *testing.T) {
	breakglassDemo(t)
	empty := "sqlite:" + filepath.Join(t.TempDir(), "empty.db") // no person registered
	for _, tc := range []struct {
		name string
		who  string
		args []string
		code int
		want string
	}{
		{"too long", "requester", []string{"request", "--account", "666666666666", "--reason", "r", "--duration", "5h"}, ExitError, "longer than the maximum window of 4h0m0s"},
		{"longer than a configured maximum", "requester", []string{"request", "--account", "666666666666", "--reason", "r", "--duration", "2h", "--max-duration", "1h"}, ExitError, "longer than the maximum window of 1h0m0s"},
		{"unknown task", "requester", []string{"request", "--account", "666666666666", "--reason", "r", "--duration", "1h", "--task", "unlock-bucket"}, ExitError, `unknown task "unlock-bucket"`},
		{"no duration", "requester", []string{"request", "--account", "666666666666", "--reason", "r"}, ExitUsage, "--duration"},
		{"unknown identity", "approver", []string{"approve", "bg-demo00000001", "--db", empty}, ExitRefused, "identity is not mapped to a person"},
		{"a denied request", "approver", []string{"approve", "bg-demo00000002"}, ExitRefused, "it is denied"},
		{"run a denied request", "requester", []string{"run", "bg-demo00000002"}, ExitRefused, "it is denied"},
		{"report of a request never approved", "", []string{"report", "bg-demo00000002"}, ExitRefused, "never had a window"},
		{"unreachable database", "requester", []string{"list", "--db", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, ExitError, "127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := bg(t, tc.who, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || out != "" {
				t.Errorf("want one line on stderr and nothing on stdout; stdout %q stderr %q", out, stderr)
			}
		})
	}
	// Nothing of the refused requests was written.
	_, out, _ := bg(t, "", "list")
	if n := len(decodeJSON[[]breakglass.Request](t, out)); n != 2 {
		t.Errorf("%d requests stored, want the demo's 2", n)
	}
}

// TestBreakglassQueueUnlock: an approved unlock-queue-policy removes the demo queue's deny-all
// policy through an AssumeRoot session with SQSUnlockQueuePolicy; a task the request did not
// approve cannot run.
func TestBreakglassQueueUnlock(t *testing.T) {
	breakglassDemo(t)
	url := "https://sqs.us-east-1.amazonaws.com/666666666666/payments-events"
	code, out, stderr := bg(t, "requester", "request", "--account", "666666666666", "--reason", "consumers are locked out",
		"--duration", "15m", "--task", "unlock-queue-policy", "--queue-url", url)
	if code != 0 {
		t.Fatalf("request: exit %d, %s", code, stderr)
	}
	id := decodeJSON[breakglass.Request](t, out).ID
	if code, _, stderr := bg(t, "approver", "approve", id); code != 0 {
		t.Fatalf("approve: exit %d, %s", code, stderr)
	}
	srvs := captureServers(t)
	if code, out, stderr := bg(t, "requester", "run", id); code != 0 || !strings.Contains(out, "sqs:SetQueueAttributes") {
		t.Fatalf("run: exit %d, %s %s", code, out, stderr)
	}
	var got []string
	for _, c := range srvs.take() {
		if c.Write || c.Operation == "AssumeRoot" {
			got = append(got, c.Service+":"+c.Operation+" "+c.Account+" "+c.ErrorCode)
		}
	}
	if want := "sts:AssumeRoot 666666666666 ,sqs:SetQueueAttributes 666666666666 "; strings.Join(got, ",") != want {
		t.Errorf("calls %v, want %s", got, want)
	}
	// The demo state kept the change: the queue has no policy left.
	path, _ := sim.DemoStatePath(os.Getenv)
	scn, err := sim.StateFile(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range scn.Accounts {
		for _, q := range a.Queues {
			if a.ID == "666666666666" && q.Name == "payments-events" && len(q.Policy) != 0 {
				t.Errorf("the queue still has its policy %s", q.Policy)
			}
		}
	}
}

// The credential tasks: audit-root-credentials lists the member's root credentials in a root
// session and changes nothing; delete-root-credentials deletes exactly what it read, each write
// in the audit log first, and member-root-credentials-absent passes afterwards.
func TestBreakglassCredentialTasks(t *testing.T) {
	breakglassDemo(t)
	const acct = "555555555555"
	approved := func(task string) string {
		t.Helper()
		code, out, stderr := bg(t, "requester", "request", "--account", acct, "--reason", "remove the build account's leftover root credentials",
			"--duration", "30m", "--task", task)
		if code != 0 {
			t.Fatalf("request %s: exit %d, %s", task, code, stderr)
		}
		id := decodeJSON[breakglass.Request](t, out).ID
		if code, _, stderr := bg(t, "approver", "approve", id); code != 0 {
			t.Fatalf("approve: exit %d, %s", code, stderr)
		}
		return id
	}
	memberStatus := func() string { return demoFinding(t, "member-root-credentials-absent", acct) }
	before := memberStatus()
	if !strings.HasPrefix(before, "FAIL") {
		t.Fatalf("%s before: %s", acct, before)
	}

	code, out, stderr := bg(t, "requester", "run", approved(breakglass.TaskAuditRootCredentials))
	if code != 0 || !strings.Contains(out, "root credentials of "+acct+" (task policy IAMAuditRootUserCredentials): password yes") ||
		!strings.Contains(out, "MFA devices arn:aws:iam::"+acct+":u2f/root/") {
		t.Fatalf("run audit: exit %d\n%s%s", code, out, stderr)
	}
	if after := memberStatus(); after != before {
		t.Errorf("the audit task changed the account: %s", after)
	}

	code, out, stderr = bg(t, "requester", "run", approved(breakglass.TaskDeleteRootCredentials))
	if code != 0 {
		t.Fatalf("run delete: exit %d\n%s%s", code, out, stderr)
	}
	for _, op := range []string{"iam:DeactivateMFADevice", "iam:DeleteSigningCertificate", "iam:DeleteLoginProfile"} {
		if !strings.Contains(out, op+" ") || !strings.Contains(out, "task policy IAMDeleteRootUserCredentials") {
			t.Errorf("run delete did not report %s:\n%s", op, out)
		}
	}
	if after := memberStatus(); !strings.HasPrefix(after, "PASS") {
		t.Errorf("%s after delete-root-credentials: %s", acct, after)
	}
	if code, out, stderr := run(t, "audit", "verify"); code != 0 {
		t.Errorf("audit verify: exit %d\n%s%s", code, out, stderr)
	}
}

// TestBreakglassDeletedKeyKeepsItsUse: deleting a root access key used three
// days ago through break-glass leaves root-recent-use failing on that use,
// from the audit log, as apply's deletions do.
func TestBreakglassDeletedKeyKeepsItsUse(t *testing.T) {
	breakglassDemo(t)
	const acct = "666666666666"
	recentUse := func() string { return demoFinding(t, "root-recent-use", acct) }
	if before := recentUse(); !strings.HasPrefix(before, "FAIL: root access key ") {
		t.Fatalf("before: %s", before)
	}
	code, out, stderr := bg(t, "requester", "request", "--account", acct, "--reason", "a leaked root key",
		"--duration", "30m", "--task", breakglass.TaskDeleteRootCredentials)
	if code != 0 {
		t.Fatalf("request: exit %d, %s", code, stderr)
	}
	id := decodeJSON[breakglass.Request](t, out).ID
	if code, _, stderr := bg(t, "approver", "approve", id); code != 0 {
		t.Fatalf("approve: exit %d, %s", code, stderr)
	}
	code, out, stderr = bg(t, "requester", "run", id)
	if code != 0 || strings.Count(out, "iam:DeleteAccessKey ") != 2 || !strings.Contains(out, "(last used ") {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	used := time.Now().AddDate(0, 0, -3).UTC().Format(time.DateOnly)
	if after := recentUse(); !strings.HasPrefix(after, "FAIL: root access key deleted "+time.Now().UTC().Format(time.DateOnly)+" was used on "+used) {
		t.Errorf("after the deletion: %s", after)
	}
}
