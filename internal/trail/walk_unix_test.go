//go:build unix

package trail

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

// listing is what Paths gave, by kind, with paths relative to a folder.
type listing struct {
	Inputs, Skips, Fails []string
}

func list(t *testing.T, base string, args ...string) listing {
	t.Helper()
	var l listing
	rel := func(p string) string {
		r, err := filepath.Rel(base, p)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	for it := range Paths(t.Context(), args, nil, Window{}, nil) {
		switch {
		case it.Input != nil:
			l.Inputs = append(l.Inputs, rel(it.Input.Name()))
		case it.Skip != nil:
			l.Skips = append(l.Skips, rel(it.Skip.Input)+": "+it.Skip.Reason)
		case it.Fail != nil:
			l.Fails = append(l.Fails, rel(it.Fail.Input)+": "+it.Fail.Reason)
		}
	}
	return l
}

// specialTree makes under base: records/ (outside the scanned folder) and
// scan/ holding a link to records/, a folder and a second link to it, a link
// loop, a link to itself, a dangling link, a named pipe with no writer and
// a listening unix socket.
func specialTree(t *testing.T, base string) (scan string) {
	t.Helper()
	const rec = `{"Records":[{"eventVersion":"1.08","eventTime":"2026-01-02T03:04:05Z","eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com"}]}`
	scan = filepath.Join(base, "scan")
	for _, f := range []string{"records/r.json", "scan/inside/i.json", "records-file.json"} {
		p := filepath.Join(base, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(rec), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"a-records": "../records", "b-inside-again": "inside", "f-file": "../records-file.json",
		"loop": ".", "self": "self", "dangling": "nowhere",
	} {
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
	return scan
}

// TestPathsSpecialFiles: links are followed, a folder reached twice is
// listed once, and a link loop, a broken link, a named pipe and a socket are
// each unreadable, named, and never opened.
func TestPathsSpecialFiles(t *testing.T) {
	base := t.TempDir()
	scan := specialTree(t, base)
	want := listing{
		Inputs: []string{"scan/a-records/r.json", "scan/b-inside-again/i.json", "scan/f-file"},
		Skips:  []string{"scan/inside: the same folder as " + filepath.Join(scan, "b-inside-again") + ", listed once"},
		Fails: []string{
			"scan/dangling: stat: no such file or directory",
			"scan/fifo: not a regular file (a named pipe), not opened",
			"scan/loop: symbolic link loop: leads back to " + scan,
			"scan/self: stat: too many levels of symbolic links",
			"scan/sock: not a regular file (a socket), not opened",
		},
	}
	if diff := cmp.Diff(want, list(t, base, scan)); diff != "" {
		t.Errorf("listing (-want +got)\n%s", diff)
	}

	// A link named on the command line is followed like a folder.
	link := filepath.Join(base, "link")
	if err := os.Symlink("scan", link); err != nil {
		t.Fatal(err)
	}
	if got := list(t, base, link); !cmp.Equal(got.Inputs, []string{"link/a-records/r.json", "link/b-inside-again/i.json", "link/f-file"}) || len(got.Fails) != 5 {
		t.Errorf("scan of a link to the folder: %+v", got)
	}
	// A named pipe named on the command line is not opened either.
	if got := list(t, base, filepath.Join(scan, "fifo")); !cmp.Equal(got, listing{Fails: []string{"scan/fifo: not a regular file (a named pipe), not opened"}}) {
		t.Errorf("scan of a named pipe: %+v", got)
	}
}

// TestScanSpecialFilesDoNotBlock: the scan of that tree ends (a named pipe
// with no writer is never opened), reads the records behind the links once,
// and counts what it read.
func TestScanSpecialFilesDoNotBlock(t *testing.T) {
	scan := specialTree(t, t.TempDir())
	type result struct {
		sum Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Scan(t.Context(), newDriver(t), Paths(t.Context(), []string{scan}, nil, Window{}, nil), Options{},
			func(detect.Alert) error { return nil })
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		if r.err != nil || r.sum.Files != 3 || r.sum.Read != 3 || r.sum.Records != 3 || len(r.sum.Failed) != 5 || len(r.sum.Skipped) != 1 {
			t.Errorf("scan: %v; files %d, read %d, records %d, failed %v, skipped %v; want 3, 3, 3, 5 failed, 1 skipped",
				r.err, r.sum.Files, r.sum.Read, r.sum.Records, r.sum.Failed, r.sum.Skipped)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("scan blocked (a named pipe opened?)")
	}
}
