package trail

import (
	"runtime"
	"sync"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailgen"
)

// TestScanMemoryBounded scans files larger than the heap bound and checks
// that the heap, sampled after every chunk, stays below it: nothing holds a
// whole decompressed file (whole-file inflation streams files above its
// bound, as these are), with every inflater of the build.
func TestScanMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 40 MB")
	}
	dir := t.TempDir()
	gen, err := trailgen.Generate(t.Context(), trailgen.GenerateOptions{Out: dir, Accounts: 2, Days: 1, SizeMB: 40, Seed: 3,
		MinFileBytes: 18_000_000, MaxFileBytes: 20_000_000})
	if err != nil {
		t.Fatal(err)
	}
	for _, inflater := range Inflaters() {
		t.Run(inflater, func(t *testing.T) { scanMemoryBounded(t, dir, gen, inflater) })
	}
}

func scanMemoryBounded(t *testing.T, dir string, gen trailgen.GenerateResult, inflater string) {
	runtime.GC()
	var mu sync.Mutex
	var peak uint64
	var ms runtime.MemStats
	opt := Options{Workers: 2, Inflater: inflater, afterChunk: func() {
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
	const bound = 2*(DefaultChunkSize+WholeMaxCompressed) + 4<<20 // two workers' buffers, and the rest of the heap
	t.Logf("%d files, %.1f MB decompressed, peak heap %.1f MB", gen.Files, float64(gen.Bytes)/1e6, float64(peak)/1e6)
	if peak > bound || int64(peak) > gen.Bytes/int64(gen.Files) {
		t.Errorf("peak heap %d bytes; want under %d and under one file (%d bytes)", peak, bound, gen.Bytes/int64(gen.Files))
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
