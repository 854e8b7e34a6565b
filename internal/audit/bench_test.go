package audit_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rootguard/rootguard/internal/audit"
)

// BenchmarkAppend measures one Append: encode, hash, write and fsync. The
// fsync dominates and depends on the disk.
func BenchmarkAppend(b *testing.B) {
	l := openLog(b, filepath.Join(b.TempDir(), "audit.log"))
	defer l.Close()
	e := plan()[2]
	for b.Loop() {
		if err := l.Append(b.Context(), e); err != nil {
			b.Fatal(err)
		}
	}
}

// bigLog writes n entries and returns the file's path.
func bigLog(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "audit.log")
	// The hashes link the lines, so the entries are appended for real
	// (an fsync each): n stays modest.
	l := openLog(b, path)
	entries := plan()
	for i := range n {
		e := entries[i%len(entries)]
		e.ChangeID = fmt.Sprintf("c%d", i)
		if err := l.Append(b.Context(), e); err != nil {
			b.Fatal(err)
		}
	}
	l.Close()
	return path
}

// BenchmarkVerify reports the full walk's throughput over a 2,000-entry log.
func BenchmarkVerify(b *testing.B) {
	path := bigLog(b, 2000)
	data, _ := os.ReadFile(path)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		res, err := audit.VerifyReader(bytes.NewReader(data), testKey)
		if err != nil || !res.OK() {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkOpen measures Open, which verifies the whole chain, on a
// 2,000-entry log.
func BenchmarkOpen(b *testing.B) {
	path := bigLog(b, 2000)
	for b.Loop() {
		l, err := audit.Open(path, audit.Options{Key: testKey})
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}
