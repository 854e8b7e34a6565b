package trail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// TestPoolIsolatesPanics: an input whose reading panics is that input's
// error; the other inputs are read and the run goes on.
func TestPoolIsolatesPanics(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"a.json", "b.json", "c.json"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"Records":[]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	got := map[string]string{}
	err := runPool(t.Context(), Paths(t.Context(), paths, nil, Window{}, nil), Options{Workers: 1}.withDefaults(),
		func(_ context.Context, _ *worker, in Input) fileResult {
			if filepath.Base(in.Name()) == "b.json" {
				panic("a reader's bug")
			}
			return fileResult{records: 1}
		},
		func(it Item, r fileResult) error {
			got[filepath.Base(it.Input.Name())] = fmt.Sprint(r.records, r.err)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if got["a.json"] != "1 <nil>" || got["c.json"] != "1 <nil>" || !strings.HasPrefix(got["b.json"], "0 internal error (please report it): a reader's bug") {
		t.Errorf("results: %q", got)
	}
}
