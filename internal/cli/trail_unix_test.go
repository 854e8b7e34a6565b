//go:build unix

package cli_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/cli"
)

// TestTrailScanSpecialFiles: a folder holding a link to a folder of records
// (outside it), a link loop, a named pipe with no writer and a unix socket.
// The records behind the link are read once, the loop, pipe and socket are
// each named as unreadable, and the exit code is 4. A link named on the
// command line is read like its folder.
func TestTrailScanSpecialFiles(t *testing.T) {
	const acct = "111122223333"
	base := t.TempDir()
	write(t, base, "records/a.json", []byte(records(rootLogin(acct, "behind-link", "Yes", "2025-03-03T09:59:00Z"))))
	scan := filepath.Join(base, "scan")
	if err := os.Mkdir(scan, 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"linked": "../records", "again": "../records", "loop": "."} {
		if err := os.Symlink(target, filepath.Join(scan, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(scan, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", filepath.Join(scan, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })

	code, stdout, stderr := run(t, "", "trail", "scan", "--format", "jsonl", scan)
	if code != cli.ExitPartial {
		t.Errorf("exit %d, want %d\nstderr:\n%s", code, cli.ExitPartial, stderr)
	}
	want := []hit{{"root-console-login", "again/a.json", 0}}
	if diff := cmp.Diff(want, parseJSONL(t, []byte(stdout), scan)); diff != "" {
		t.Errorf("alerts (-want +got)\n%s", diff)
	}
	for _, line := range []string{
		"trail: skipped " + filepath.Join(scan, "linked") + ": the same folder as " + filepath.Join(scan, "again") + ", listed once",
		"trail: unreadable " + filepath.Join(scan, "loop") + ": symbolic link loop",
		"trail: unreadable " + filepath.Join(scan, "fifo") + ": not a regular file (a named pipe)",
		"trail: unreadable " + filepath.Join(scan, "sock") + ": not a regular file (a socket)",
		"trail: 1 files",
	} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}

	link := filepath.Join(base, "link")
	if err := os.Symlink("records", link); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "", "trail", "scan", link)
	if code != cli.ExitFindings || !strings.Contains(stdout, "root-console-login") {
		t.Errorf("trail scan LINK: exit %d, want %d with the alert\nstdout:\n%s\nstderr:\n%s", code, cli.ExitFindings, stdout, stderr)
	}
}
