package trail

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestScanEmptyInputsNotRead: a 0-byte file, .gz or not, a gzip of nothing
// and an empty stream are opened but unreadable, not read; an empty folder
// gives nothing read. Read counts only inputs read without error.
func TestScanEmptyInputsNotRead(t *testing.T) {
	var nothing bytes.Buffer
	if err := gzip.NewWriter(&nothing).Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty/x.json.gz": nil, "empty/y.json": nil, "gzip-of-nothing/z.json.gz": nothing.Bytes(),
		"good/a.json": []byte(`{"Records":[]}`),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "none"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name              string
		args              []string
		stdin             string
		wantFiles, wantRd int
		wantFailed        []string
	}{
		{"0-byte files", []string{filepath.Join(dir, "empty")}, "", 2, 0, []string{"x.json.gz: empty: no data", "y.json: empty: no data"}},
		{"empty stdin", []string{"-"}, "", 1, 0, []string{"-: empty: no data"}},
		{"gzip of nothing", []string{filepath.Join(dir, "gzip-of-nothing")}, "", 1, 0, []string{"z.json.gz: empty: no data"}},
		{"empty folder", []string{filepath.Join(dir, "none")}, "", 0, 0, nil},
		{"a file with no records is read", []string{filepath.Join(dir, "good")}, "", 1, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := Scan(t.Context(), newDriver(t), Paths(t.Context(), tt.args, strings.NewReader(tt.stdin), Window{}, nil), Options{},
				func(detect.Alert) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			if sum.Files != tt.wantFiles || sum.Read != tt.wantRd || len(sum.Failed) != len(tt.wantFailed) {
				t.Fatalf("files %d, read %d, failed %v; want %d, %d, %q", sum.Files, sum.Read, sum.Failed, tt.wantFiles, tt.wantRd, tt.wantFailed)
			}
			for i, p := range sum.Failed {
				if got := filepath.Base(p.Input) + ": " + p.Reason; !strings.HasPrefix(got, tt.wantFailed[i]) {
					t.Errorf("failed[%d] = %q, want %q…", i, got, tt.wantFailed[i])
				}
			}
		})
	}
}
