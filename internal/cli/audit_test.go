package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/audit"
)

// runAudit runs `rootguard audit ARGS` in process: through Run once root.go
// lists the command, through its constructor (with Run's error handling)
// until then.
func runAudit(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(t.Context(), append([]string{"audit"}, args...), strings.NewReader(""), &out, &errOut)
	if !strings.Contains(errOut.String(), `unknown command "audit"`) {
		return code, out.String(), errOut.String()
	}
	out.Reset()
	errOut.Reset()
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	cmd := newAuditCmd(e)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(ExitUsage, err) })
	err := cmd.ExecuteContext(t.Context())
	code = exitCode(err, true)
	var ee *exitError
	if err != nil && (!errors.As(err, &ee) || ee.err != nil) {
		fmt.Fprintln(&errOut, "rootguard: "+err.Error())
	}
	if err != nil && code == ExitOK {
		code = ExitUsage
	}
	return code, out.String(), errOut.String()
}

// writeAuditLog appends n entries to a new log at path.
func writeAuditLog(t *testing.T, path string, n int) {
	t.Helper()
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	l, err := audit.Open(path, audit.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		e := audit.Entry{
			Actor: "arn:aws:iam::111111111111:user/alice", PlanID: "plan-1", ChangeID: fmt.Sprintf("c%d", i/2),
			AccountID: "222222222222", Operation: "iam:DeleteAccessKey", Phase: audit.PhaseIntent,
			Params: map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE"},
		}
		if i%2 == 1 {
			e.Phase, e.Outcome = audit.PhaseResult, audit.OutcomeOK
		}
		if err := l.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerify(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.log")
	writeAuditLog(t, good, 6)
	valid, _ := os.ReadFile(good)
	ls := strings.SplitAfter(string(valid), "\n")[:6]
	// write makes a log of parts, with the key and head files of good.
	write := func(name string, parts ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(parts, "")), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{".key", ".head"} {
			b, err := os.ReadFile(good + ext)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p+ext, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	empty := filepath.Join(dir, "empty.log")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pending := filepath.Join(dir, "pending.log")
	writeAuditLog(t, pending, 5)

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring; stderr must be one line when set
	}{
		{"intact", []string{"verify", "--log", good}, ExitOK, "audit log " + good + ": intact, 6 entries, head ", ""},
		{"pending intent", []string{"verify", "--log", pending}, ExitOK, "1 intent(s) without a result, the call may or may not have been made (line 5)", ""},
		{"empty", []string{"verify", "--log", empty}, ExitOK, "intact, 0 entries, head " + audit.Genesis, ""},
		{"edited", []string{"verify", "--log", write("edited.log", ls[0], ls[1], strings.Replace(ls[2], "222222222222", "333333333333", 1), ls[3], ls[4], ls[5])}, ExitError, "", "edited.log is broken at line 3: content edited"},
		{"deleted", []string{"verify", "--log", write("deleted.log", ls[0], ls[1], ls[3], ls[4], ls[5])}, ExitError, "", "deleted.log is broken at line 3: entry removed (seq 4 follows seq 2)"},
		{"swapped", []string{"verify", "--log", write("swapped.log", ls[0], ls[2], ls[1], ls[3], ls[4], ls[5])}, ExitError, "", "swapped.log is broken at line 2: entries reordered"},
		{"truncated", []string{"verify", "--log", write("truncated.log", ls[0], ls[1], ls[2][:100])}, ExitError, "", "truncated.log is broken at line 3: truncated last line"},
		{"cut from the end", []string{"verify", "--log", write("cut.log", ls[0], ls[1], ls[2], ls[3])}, ExitError, "", "cut.log is broken at line 5: entries cut from the end (the log ends at seq 4, the head anchor says seq 6)"},
		{"garbage", []string{"verify", "--log", write("garbage.log", ls[0], ls[1], "{}\n")}, ExitError, "", "garbage.log is broken at line 3: not an audit entry"},
		{"missing", []string{"verify", "--log", filepath.Join(dir, "missing.log")}, ExitError, "", "missing.log: no such file or directory"},
		{"unknown flag", []string{"verify", "--nope"}, ExitUsage, "", "unknown flag: --nope"},
		{"argument", []string{"verify", good}, ExitUsage, "", "audit verify takes no arguments"},
		{"empty log flag", []string{"verify", "--log", " "}, ExitUsage, "", "--log: empty path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAudit(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout %q lacks %q", stdout, tt.wantStdout)
			}
			if tt.wantStderr != "" {
				if !strings.Contains(stderr, tt.wantStderr) {
					t.Errorf("stderr %q lacks %q", stderr, tt.wantStderr)
				}
				if strings.Count(stderr, "\n") != 1 {
					t.Errorf("stderr is not one line: %q", stderr)
				}
			}
			if tt.wantCode == ExitOK && (strings.Count(stdout, "\n") != 1 || stderr != "") {
				t.Errorf("want one line on stdout and nothing on stderr; stdout %q, stderr %q", stdout, stderr)
			}
		})
	}
}

// TestAuditVerifyDefaultPath: without --log the path comes from the
// environment.
func TestAuditVerifyDefaultPath(t *testing.T) {
	dir := t.TempDir()
	byEnv := filepath.Join(dir, "env.log")
	writeAuditLog(t, byEnv, 2)
	t.Setenv("ROOTGUARD_AUDIT_LOG", byEnv)
	if code, stdout, stderr := runAudit(t, "verify"); code != ExitOK || !strings.Contains(stdout, byEnv+": intact, 2 entries") {
		t.Errorf("with ROOTGUARD_AUDIT_LOG: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	t.Setenv("ROOTGUARD_AUDIT_LOG", "")
	t.Setenv("XDG_STATE_HOME", dir)
	writeAuditLog(t, filepath.Join(dir, "rootguard", "audit.log"), 4)
	if code, stdout, stderr := runAudit(t, "verify"); code != ExitOK || !strings.Contains(stdout, filepath.Join(dir, "rootguard", "audit.log")+": intact, 4 entries") {
		t.Errorf("with XDG_STATE_HOME: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// The flag wins over the environment.
	if code, stdout, _ := runAudit(t, "verify", "--log", byEnv); code != ExitOK || !strings.Contains(stdout, "2 entries") {
		t.Errorf("--log did not win: exit %d, stdout %q", code, stdout)
	}
}

func TestDefaultAuditLogPath(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"explicit", map[string]string{"ROOTGUARD_AUDIT_LOG": "/srv/a.log", "XDG_STATE_HOME": "/x", "HOME": "/h"}, "/srv/a.log", false},
		{"xdg", map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "/x/rootguard/audit.log", false},
		{"relative xdg is ignored", map[string]string{"XDG_STATE_HOME": "x", "HOME": "/h"}, "/h/.local/state/rootguard/audit.log", false},
		{"home", map[string]string{"HOME": "/h"}, "/h/.local/state/rootguard/audit.log", false},
		{"nothing", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := defaultAuditLogPath(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
		})
	}
}
