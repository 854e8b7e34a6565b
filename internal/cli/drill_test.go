package cli_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/cli"
)

var drillIDRe = regexp.MustCompile(`^drill (drill-[0-9a-f]+): `)

// A drill on the demo's management account, verified from the CloudTrail
// sign-in inside its window; scan then passes root-access-drill-recent for
// that account and fails it for an account without a verified drill.
func TestDrillVerifiedFromCloudTrail(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "rootguard.db")
	start := func(account string) string {
		t.Helper()
		code, stdout, stderr := run(t, "", "drill", "start", "--db", db, "--account", account, "--duration", "5m")
		m := drillIDRe.FindStringSubmatch(stdout)
		if code != cli.ExitOK || m == nil {
			t.Fatalf("drill start: exit %d\n%s%s", code, stdout, stderr)
		}
		return m[1]
	}
	id := start("111111111111")
	dir := t.TempDir()
	now := time.Now().UTC()
	inWindow := now.Add(time.Minute).Format(time.RFC3339)
	before := now.Add(-time.Hour).Format(time.RFC3339)
	write(t, dir, "in.json.gz", gz(t, records(
		rootLogin("111111111111", "login-before", "Yes", before),
		rootLogin("222222222222", "login-other-account", "Yes", inWindow),
		rootLogin("111111111111", "login-drill", "Yes", inWindow))))

	code, stdout, stderr := run(t, "", "drill", "verify", "--db", db, id, dir)
	if code != cli.ExitOK || !strings.Contains(stdout, "verified (ConsoleLogin at "+inWindow+")") {
		t.Fatalf("drill verify: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "", "drill", "verify", "--db", db, id, dir); code != cli.ExitError || !strings.Contains(stderr, "already verified") {
		t.Errorf("second verify: exit %d %s", code, stderr)
	}

	// A drill whose window has no sign-in, verified while CloudTrail may
	// still deliver: no result is recorded yet.
	other := start("101010101010")
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
