package trail

import (
	"runtime"
	"sync"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestScanMemoryBounded scans files larger than the heap bound and checks
// that the heap, sampled after every chunk, stays below it: nothing holds a
// whole decompressed file.
func TestScanMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 40 MB")
	}
	dir := t.TempDir()
	gen, err := Generate(t.Context(), GenerateOptions{Out: dir, Accounts: 2, Days: 1, SizeMB: 40, Seed: 3,
		MinFileBytes: 18_000_000, MaxFileBytes: 20_000_000})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var mu sync.Mutex
	var peak uint64
	var ms runtime.MemStats
	opt := Options{Workers: 2, afterChunk: func() {
		mu.Lock()
		defer mu.Unlock()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}}
	sum, err := Scan(t.Context(), newDriver(t), Paths(t.Context(), []string{dir}, nil, Window{}, nil), opt,
		func(detect.Alert) error { return nil })
	if err != nil || len(sum.Failed) > 0 {
		t.Fatalf("scan: %v %v", err, sum.Failed)
	}
	if sum.Records != gen.Records || sum.Bytes != gen.Bytes {
		t.Errorf("scanned %d records, %d bytes; generated %d, %d", sum.Records, sum.Bytes, gen.Records, gen.Bytes)
	}
	const bound = 16 << 20
	t.Logf("%d files, %.1f MB decompressed, peak heap %.1f MB", gen.Files, float64(gen.Bytes)/1e6, float64(peak)/1e6)
	if peak > bound || int64(peak) > gen.Bytes/int64(gen.Files) {
		t.Errorf("peak heap %d bytes; want under %d and under one file (%d bytes)", peak, bound, gen.Bytes/int64(gen.Files))
	}
}

// TestGenerateDeterministic checks that a seed gives the same archive.
func TestGenerateDeterministic(t *testing.T) {
	opt := GenerateOptions{Accounts: 3, Days: 2, SizeMB: 1, Seed: 9, MinFileBytes: 100_000, MaxFileBytes: 300_000}
	a, b := opt, opt
	a.Out, b.Out = t.TempDir(), t.TempDir()
	ra, err := Generate(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Generate(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Records != rb.Records || ra.Bytes != rb.Bytes || ra.Compressed != rb.Compressed || ra.Files != rb.Files {
		t.Errorf("two runs with seed 9 differ: %+v vs %+v", ra, rb)
	}
	if ra.Root[kindBruteForce] != 8 || ra.Root[kindAssumeRootCall] != 3 || ra.Root[kindAssumeRootUsage] != 9 {
		t.Errorf("planted root activity missing: %v", ra.Root)
	}
	// The generated archive scans cleanly, and its planted burst alerts.
	sum, err := Scan(t.Context(), newDriver(t), Paths(t.Context(), []string{a.Out}, nil, Window{}, nil), Options{},
		func(detect.Alert) error { return nil })
	if err != nil || len(sum.Failed) > 0 {
		t.Fatalf("scan: %v %v", err, sum.Failed)
	}
	if sum.Records != ra.Records {
		t.Errorf("scan counted %d records; generated %d", sum.Records, ra.Records)
	}
	for _, rule := range []string{detect.RuleConsoleBruteForce, detect.RuleAssumeRootCalled, detect.RuleAssumeRootSession} {
		if sum.AlertsByRule[rule] == 0 {
			t.Errorf("no %s alert; alerts by rule: %v", rule, sum.AlertsByRule)
		}
	}
}

// newDriver returns a driver of the default configuration and no window,
// failing the test when it cannot be built.
func newDriver(t testing.TB) *detect.Driver {
	t.Helper()
	d, err := detect.NewDriver(detect.DefaultConfig(), detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
