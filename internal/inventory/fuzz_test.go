package inventory_test

import (
	"os"
	"path/filepath"
	"strings"
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

// FuzzLogGroupARN checks that LogGroupARN never panics, that what it
// accepts has a Region and a name, and that the parts it returns parse back
// to themselves.
func FuzzLogGroupARN(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "loggroup", "arns.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		region, account, name, ok := inventory.LogGroupARN(arn)
		if !ok {
			return
		}
		if region == "" || name == "" || strings.Contains(region, ":") || strings.Contains(account, ":") {
			t.Fatalf("LogGroupARN(%q) = %q, %q, %q: want a Region and a name, no colon in Region or account", arn, region, account, name)
		}
		again := "arn:aws:logs:" + region + ":" + account + ":log-group:" + name + ":*"
		r2, a2, n2, ok2 := inventory.LogGroupARN(again)
		if !ok2 || r2 != region || a2 != account || n2 != name {
			t.Fatalf("LogGroupARN(%q) = %q, %q, %q, %v; want %q, %q, %q from %q", again, r2, a2, n2, ok2, region, account, name, arn)
		}
	})
}
