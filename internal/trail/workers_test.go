package trail

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestWorkersBounded: Workers is at most MaxWorkers, and a scan of one
// input with that many workers makes one worker's buffers, not one set per
// worker (a chunk buffer is 4 MiB).
func TestWorkersBounded(t *testing.T) {
	if got := (Options{Workers: 100_000_000}).withDefaults().Workers; got != MaxWorkers {
		t.Errorf("Workers 100000000 becomes %d, want %d", got, MaxWorkers)
	}
	p := filepath.Join(t.TempDir(), "a.json")
	if err := os.WriteFile(p, []byte(`{"Records":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, err := Scan(t.Context(), newDriver(t), Paths(t.Context(), []string{p}, nil, Window{}, nil),
		Options{Workers: MaxWorkers}, func(detect.Alert) error { return nil })
	runtime.ReadMemStats(&after)
	if err != nil || sum.Read != 1 {
		t.Fatalf("scan: %v, %d read", err, sum.Read)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 8*DefaultChunkSize {
		t.Errorf("a scan of one input with %d workers allocated %d bytes, want under %d", MaxWorkers, n, 8*DefaultChunkSize)
	}
}
