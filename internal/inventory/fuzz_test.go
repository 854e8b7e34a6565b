package inventory_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

func addSeeds(f *testing.F, pattern string) {
	f.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds match %s", pattern)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParseCredentialReport checks that no input makes the parser panic, and
// that whatever it accepts is consistent: every row has every header column,
// and the root row's derived facts can be computed without panicking.
func FuzzParseCredentialReport(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "credreport", "*.csv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := inventory.ParseCredentialReport(data)
		if err != nil {
			return
		}
		for i, row := range rep.Rows {
			if len(row) != len(rep.Header) {
				t.Fatalf("row %d has %d columns, header has %d", i, len(row), len(rep.Header))
			}
		}
		root, err := rep.Root()
		if err != nil {
			return
		}
		row := &inventory.CredentialReportRow{Columns: root}
		_, _ = row.AccessKeys()
		_, _ = row.SigningCertificates()
		for _, c := range inventory.CredentialReportColumns {
			_, _ = row.Date(c)
			_, _ = row.Bool(c)
		}
	})
}

// FuzzDecodeSnapshot checks that Decode never panics and that a snapshot it
// accepts survives encode and decode unchanged.
func FuzzDecodeSnapshot(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "snapshot", "*.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := inventory.Decode("fuzz", data)
		if err != nil {
			return
		}
		enc, err := s.Encode()
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		again, err := inventory.Decode("re-encoded", enc)
		if err != nil {
			t.Fatalf("decode of encoded snapshot: %v\n%s", err, enc)
		}
		if diff := cmp.Diff(s, again); diff != "" {
			t.Fatalf("decode, encode, decode (-first +second):\n%s", diff)
		}
	})
}
