package filelimit_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/filelimit"
)

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in")
	for _, tc := range []struct {
		name    string
		size    int
		limit   int64
		wantErr string
	}{
		{"under the limit", 10, 11, ""},
		{"at the limit", 11, 11, ""},
		{"one byte over", 12, 11, "file too large: more than 11 bytes"},
		{"over a MiB limit", filelimit.MiB + 1, filelimit.MiB, "file too large: more than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(strings.Repeat("x", tc.size)), 0o600); err != nil {
				t.Fatal(err)
			}
			data, err := filelimit.ReadFile(path, tc.limit)
			if tc.wantErr == "" {
				if err != nil || len(data) != tc.size {
					t.Fatalf("ReadFile = %d bytes, %v; want %d bytes", len(data), err, tc.size)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr || !errors.Is(err, filelimit.ErrTooLarge) {
				t.Fatalf("ReadFile error = %v, want %q wrapping ErrTooLarge", err, tc.wantErr)
			}
		})
	}
	if _, err := filelimit.ReadFile(filepath.Join(t.TempDir(), "missing"), 1); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v, want not exist", err)
	}
}
