package cli

import (
	"strings"
	"testing"
)

// TestRunbookMatchesScan: the runbook's facts are the scan's, account by
// account: every finding with its status, the recovery findings that fail
// among the dependencies, and the password as root-password-age saw it.
func TestRunbookMatchesScan(t *testing.T) {
	_, out, _ := run(t, "scan", "--demo", "--format", "json")
	doc := decodeFindings(t, out)
	for _, acct := range []string{"777777777777", "101010101010"} {
		code, rb, errb := run(t, "runbook", "--demo", "--account", acct)
		if code != 0 {
			t.Fatalf("runbook %s: exit %d: %s", acct, code, errb)
		}
		n := 0
		for _, f := range doc.Findings {
			if f.AccountID != acct {
				continue
			}
			n++
			status := strings.ReplaceAll(f.Status, "_", `\_`)
			if !strings.Contains(rb, "| `"+f.CheckID+"` | "+status+" |") {
				t.Errorf("%s: the runbook does not show %s as %s", acct, f.CheckID, f.Status)
			}
			if strings.HasPrefix(f.CheckID, "recovery-") && f.Status == "FAIL" && !strings.Contains(rb, "- "+f.CheckID+" FAIL: ") {
				t.Errorf("%s: the runbook's dependencies do not name the failing %s", acct, f.CheckID)
			}
			if f.CheckID == "root-password-age" {
				none := f.Status == "NOT_APPLICABLE"
				if got := strings.Contains(rb, "- Password: none"); got != none {
					t.Errorf("%s: root-password-age is %s but the runbook says password none = %v", acct, f.Status, got)
				}
			}
		}
		if n == 0 {
			t.Errorf("scan --demo has no finding for %s", acct)
		}
	}
}

func TestRunbookBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"runbook", "--demo"}, ExitUsage, "--account is required"},
		{[]string{"runbook", "--demo", "--account", "777777777777", "--format", "pdf"}, ExitUsage, `--format "pdf"`},
		{[]string{"runbook", "--demo", "--account", "123456789012"}, ExitError, "--account 123456789012: not an account of the 14 collected"},
	} {
		code, _, errb := run(t, c.args...)
		if code != c.code || !strings.Contains(errb, c.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errb, c.code, c.msg)
		}
	}
}
