package cli_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/cli"
)

var (
	drillIDRe   = regexp.MustCompile(`^drill (drill-[0-9a-f]+): .* break-glass request (bg-[0-9a-f]+) `)
	drillSigner = map[string]string{"alice": "arn:aws:iam::111111111111:role/BreakGlassRequester", "bob": "arn:aws:iam::111111111111:role/BreakGlassApprover"}
)

// drillStore gives a test its own state directory and a store in which the demo's requester and
// approver are the persons alice and bob; it returns the store's DSN.
func drillStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	t.Setenv("ROOTGUARD_DEMO_IDENTITY", "")
	db := "sqlite:" + filepath.Join(dir, "rootguard.db")
	for p, arn := range drillSigner {
		if code, _, stderr := run(t, "", "breakglass", "person", "add", p, "--identity", arn, "--demo", "--db", db); code != cli.ExitOK {
			t.Fatalf("person add %s: exit %d %s", p, code, stderr)
		}
	}
	return db
}

// A drill on the demo's management account: started by one person, its window approved by
// another, verified from the CloudTrail sign-in inside it; the sign-in is approved activity
// marked as the drill under trail scan --windows, one outside it is unapproved. scan then passes
// root-access-drill-recent for that account and fails it for an account without a verified drill.
func TestDrillVerifiedFromCloudTrail(t *testing.T) {
	db := drillStore(t)
	start := func(account string, approve bool) (id, req string) {
		t.Helper()
		code, stdout, stderr := run(t, "", "drill", "start", "--demo", "--demo-identity", "requester", "--db", db, "--account", account, "--duration", "5m")
		m := drillIDRe.FindStringSubmatch(stdout)
		if code != cli.ExitOK || m == nil {
			t.Fatalf("drill start: exit %d\n%s%s", code, stdout, stderr)
		}
		if code, _, stderr := run(t, "", "breakglass", "approve", m[2], "--demo", "--demo-identity", "requester", "--db", db); code != cli.ExitRefused || !strings.Contains(stderr, "the approver must be a different person") {
			t.Fatalf("the drill's starter approved its window: exit %d %s", code, stderr)
		}
		if approve {
			if code, _, stderr := run(t, "", "breakglass", "approve", m[2], "--demo", "--demo-identity", "approver", "--db", db); code != cli.ExitOK {
				t.Fatalf("approve: exit %d %s", code, stderr)
			}
		}
		return m[1], m[2]
	}
	unapproved, _ := start("111111111111", false)
	dir := t.TempDir()
	if code, _, stderr := run(t, "", "drill", "verify", "--db", db, unapproved, dir); code != cli.ExitRefused || !strings.Contains(stderr, "is pending, never approved") {
		t.Errorf("verify a drill whose window was never approved: exit %d %s", code, stderr)
	}
	id, req := start("111111111111", true)
	now := time.Now().UTC()
	inWindow := now.Add(time.Minute).Format(time.RFC3339)
	before := now.Add(-time.Hour).Format(time.RFC3339)
	write(t, dir, "in.json.gz", gz(t, records(
		rootLogin("111111111111", "login-before", "Yes", before),
		rootLogin("222222222222", "login-other-account", "Yes", inWindow),
		rootLogin("111111111111", "login-drill", "Yes", inWindow))))

	code, stdout, stderr := run(t, "", "trail", "scan", "--windows", "--db", db, "--format", "jsonl", dir)
	if code != cli.ExitFindings {
		t.Fatalf("trail scan --windows: exit %d %s", code, stderr)
	}
	if want, got := []string{"login-before unapproved", "login-drill approved by " + req + " drill " + id, "login-other-account unapproved"}, judged(t, stdout); !slices.Equal(got, want) {
		t.Errorf("trail scan --windows: %v, want %v", got, want)
	}

	code, stdout, stderr = run(t, "", "drill", "verify", "--db", db, id, dir)
	if code != cli.ExitOK || !strings.Contains(stdout, "verified (ConsoleLogin at "+inWindow+")") {
		t.Fatalf("drill verify: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "", "drill", "verify", "--db", db, id, dir); code != cli.ExitError || !strings.Contains(stderr, "already verified") {
		t.Errorf("second verify: exit %d %s", code, stderr)
	}

	// A drill whose window has no sign-in, verified while CloudTrail may
	// still deliver: no result is recorded yet.
	other, _ := start("101010101010", true)
	if code, _, stderr := run(t, "", "drill", "verify", "--db", db, other, dir); code != cli.ExitError || !strings.Contains(stderr, "CloudTrail may still deliver it") {
		t.Errorf("early verify: exit %d %s", code, stderr)
	}
	// Nothing read is never a result.
	if code, _, stderr := run(t, "", "drill", "verify", "--db", db, other, t.TempDir()); code != cli.ExitPartial || !strings.Contains(stderr, "no CloudTrail input was read") {
		t.Errorf("verify over an empty folder: exit %d %s", code, stderr)
	}

	code, stdout, stderr = run(t, "", "scan", "--demo", "--db", db, "--format", "json", "--check", "root-access-drill-recent")
	if code != cli.ExitOK {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	got := statusByAccount(t, stdout)
	if f := got["111111111111"]; !strings.HasPrefix(f, "PASS: sign-in drill verified from CloudTrail") {
		t.Errorf("management account after its verified drill: %s", f)
	}
	failed := 0
	for _, f := range got {
		if strings.HasPrefix(f, "FAIL: no ") {
			failed++
		}
	}
	if failed == 0 {
		t.Errorf("no account without a verified drill FAILs: %v", got)
	}
	code, stdout, _ = run(t, "", "drill", "list", "--db", db)
	if code != cli.ExitOK || !strings.Contains(stdout, id) || !strings.Contains(stdout, "verified") || !strings.Contains(stdout, "open") {
		t.Errorf("drill list: exit %d\n%s", code, stdout)
	}
}

func TestDrillUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"drill", "start", "--account", "12"}, "want a 12-digit account ID"},
		{[]string{"drill", "start", "--account", "111111111111", "--kind", "nope"}, "want sign-in, recovery or assume-root"},
		{[]string{"drill", "start", "--account", "111111111111", "--duration", "48h"}, "--duration 48h0m0s: want 5m to 24h"},
		{[]string{"drill", "record", "drill-x"}, "--by NAME and --note TEXT are required"},
	} {
		code, _, stderr := run(t, "", tc.args...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, stderr)
		}
	}
}
