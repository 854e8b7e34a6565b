package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func testEntry() Entry {
	return Entry{
		Actor: "arn:aws:iam::111111111111:user/alice", PlanID: "p1", ChangeID: "c1",
		AccountID: "111111111111", Operation: "iam:DeleteAccessKey", Phase: PhaseIntent,
		Params: map[string]string{"user": "root"},
	}
}

// TestWriteErrorsFailClosed replaces the log's file with one that cannot
// be written, as a full disk or a revoked descriptor would: Append fails,
// every later Append fails, and the file on disk still verifies.
func TestWriteErrorsFailClosed(t *testing.T) {
	tests := []struct {
		name    string
		swap    func(t *testing.T, path string) *os.File
		wantErr error
	}{
		{"read-only descriptor", func(t *testing.T, path string) *os.File {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, syscall.EBADF},
		{"disk full", func(t *testing.T, _ string) *os.File {
			f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			return f
		}, syscall.ENOSPC},
		{"closed descriptor", func(t *testing.T, path string) *os.File {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			return f
		}, os.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			l, err := Open(path, Options{Key: bytes.Repeat([]byte{1}, KeySize), Now: func() time.Time { return time.Unix(0, 0) }})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Append(t.Context(), testEntry()); err != nil {
				t.Fatal(err)
			}
			good, _ := os.ReadFile(path)

			orig := l.f
			bad := tt.swap(t, path)
			defer bad.Close()
			l.f = bad

			err = l.Append(t.Context(), testEntry())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Append = %v, want %v", err, tt.wantErr)
			}
			l.f = orig // the file is writable again, but the log stays poisoned
			if err := l.Append(t.Context(), testEntry()); err == nil {
				t.Error("Append after a write error succeeded")
			}
			called := false
			l.Do(t.Context(), testEntry(), func(context.Context) error { called = true; return nil })
			if called {
				t.Error("Do made the call after a write error")
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, good) {
				t.Errorf("file changed after failed appends:\n%s", after)
			}
			if res, err := VerifyReader(bytes.NewReader(after), l.key); err != nil || !res.OK() {
				t.Errorf("Verify = %+v, %v", res, err)
			}
		})
	}
}

// tornFile writes half of what it is given, then fails, as a disk filling
// up in the middle of a line would.
type tornFile struct{ *os.File }

func (f tornFile) Write(b []byte) (int, error) {
	n, _ := f.File.Write(b[:len(b)/2])
	return n, syscall.ENOSPC
}

// TestTornWriteIsCut: the half line is cut off, so the file still
// verifies and a later Open may append again.
func TestTornWriteIsCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	key := bytes.Repeat([]byte{1}, KeySize)
	l, err := Open(path, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(t.Context(), testEntry()); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	orig := l.f
	l.f = tornFile{orig.(*os.File)}
	if err := l.Append(t.Context(), testEntry()); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append = %v, want ENOSPC", err)
	}
	l.f = orig
	l.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(after, good) {
		t.Fatalf("torn line left in the file: %q", after[len(good):])
	}
	l, err = Open(path, Options{Key: key})
	if err != nil {
		t.Fatalf("reopen after a torn write: %v", err)
	}
	defer l.Close()
	if err := l.Append(t.Context(), testEntry()); err != nil {
		t.Errorf("Append after reopening: %v", err)
	}
}

// syncFailFile writes but cannot fsync, as a failing disk would report.
type syncFailFile struct{ *os.File }

func (syncFailFile) Sync() error { return syscall.EIO }

// TestSyncErrorFailsAppend: a line that may not be on disk is not a
// permission to act.
func TestSyncErrorFailsAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path, Options{Key: bytes.Repeat([]byte{1}, KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	orig := l.f
	l.f = syncFailFile{orig.(*os.File)}
	called := false
	err = l.Do(t.Context(), testEntry(), func(context.Context) error { called = true; return nil })
	if !errors.Is(err, syscall.EIO) || called {
		t.Errorf("Do = %v, called %v; want EIO and no call", err, called)
	}
	l.f = orig
	if err := l.Append(t.Context(), testEntry()); err == nil {
		t.Error("Append after an fsync error succeeded")
	}
}
