package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestOutputFilesPrivate: the files that hold root emails, phone numbers and
// key IDs (collect --out, scan --output, plan --out, trail scan --output)
// are created 0600, and an existing file written over becomes 0600 too.
func TestOutputFilesPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix file modes")
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "demo-state.yaml")
	snap := filepath.Join(dir, "snapshot.json")
	if code, _, stderr := run(t, "collect", "--demo", "--state", state, "--out", snap); code != ExitOK {
		t.Fatalf("collect: exit %d\n%s", code, stderr)
	}
	rec := filepath.Join(dir, "trail.json")
	if err := os.WriteFile(rec, []byte(`{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"eventTime":"2025-03-03T09:59:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"eventID":"l1","recipientAccountId":"111122223333"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args func(out string) []string
		exit int
	}{
		{"collect --out", func(out string) []string { return []string{"collect", "--demo", "--state", state, "--out", out} }, ExitOK},
		{"scan --output", func(out string) []string {
			return []string{"scan", "--snapshot", snap, "--format", "json", "--output", out}
		}, ExitOK},
		{"plan --out", func(out string) []string { return []string{"plan", "--demo", "--state", state, "--out", out} }, ExitOK},
		{"trail scan --output", func(out string) []string { return []string{"trail", "scan", "--output", out, rec} }, ExitFindings},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fresh := filepath.Join(t.TempDir(), "new")
			old := filepath.Join(t.TempDir(), "old")
			if err := os.WriteFile(old, []byte("stale content\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(old, 0o644); err != nil { // whatever the umask
				t.Fatal(err)
			}
			for _, out := range []string{fresh, old} {
				if code, _, stderr := run(t, tc.args(out)...); code != tc.exit {
					t.Fatalf("%s: exit %d, want %d\n%s", out, code, tc.exit, stderr)
				}
				info, err := os.Stat(out)
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v, want -rw-------", filepath.Base(out), info.Mode().Perm())
				}
				if data, err := os.ReadFile(out); err != nil || len(data) == 0 || strings.Contains(string(data), "stale content") {
					t.Errorf("%s: not replaced by the output (%v):\n%s", filepath.Base(out), err, data)
				}
			}
		})
	}
}

// TestCreatePrivateSpecialFile: a path that is not a regular file is written
// as it is, its mode untouched.
func TestCreatePrivateSpecialFile(t *testing.T) {
	before, err := os.Stat(os.DevNull)
	if err != nil || before.Mode().IsRegular() {
		t.Skipf("no device at %s", os.DevNull)
	}
	f, err := createPrivate(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("x"); err != nil {
		t.Error(err)
	}
	f.Close()
	after, err := os.Stat(os.DevNull)
	if err != nil || after.Mode() != before.Mode() {
		t.Errorf("%s mode %v, was %v (%v)", os.DevNull, after.Mode(), before.Mode(), err)
	}
}
