package trail

import (
	"bytes"
	"io"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailgen"
)

var (
	benchOnce   sync.Once
	benchDir    string
	benchItems  []Item
	benchResult trailgen.GenerateResult
	benchErr    error
)

// benchCorpus generates a small archive once per test binary run.
func benchCorpus(b *testing.B) []Item {
	benchOnce.Do(func() {
		benchDir, benchErr = tempDir("rootguard-trail-bench")
		if benchErr != nil {
			return
		}
		benchResult, benchErr = trailgen.Generate(b.Context(), trailgen.GenerateOptions{Out: benchDir, Accounts: 3, Days: 2, SizeMB: 24, Seed: 42,
			MinFileBytes: 1_000_000, MaxFileBytes: 3_000_000})
		for it := range Paths(b.Context(), []string{benchDir}, nil, Window{}, nil) {
			benchItems = append(benchItems, it)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchItems
}

func BenchmarkDecompressOnly(b *testing.B) {
	items := benchCorpus(b)
	opt := Options{}
	b.SetBytes(benchResult.Bytes)
	for b.Loop() {
		if _, err := Decompress(b.Context(), slices.Values(items), opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScan(b *testing.B) {
	items := benchCorpus(b)
	b.SetBytes(benchResult.Bytes)
	var ms runtime.MemStats
	for b.Loop() {
		sum, err := Scan(b.Context(), newDriver(b), slices.Values(items), Options{}, func(detect.Alert) error { return nil })
		if err != nil || len(sum.Failed) > 0 || sum.Alerts == 0 {
			b.Fatalf("scan: %v, %d failed, %d alerts", err, len(sum.Failed), sum.Alerts)
		}
	}
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(benchResult.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSplit measures the splitter and the engine alone over one
// decompressed file held in memory (no gzip).
func BenchmarkSplit(b *testing.B) {
	items := benchCorpus(b)
	w := newWorker(Options{}.withDefaults())
	o, err := w.open(b.Context(), items[0].Input, nil)
	if err != nil {
		b.Fatal(err)
	}
	data := o.data
	if data == nil {
		data, err = io.ReadAll(o.r)
	}
	o.closer.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	d := newDriver(b)
	buf := make([]byte, 0, DefaultChunkSize)
	for b.Loop() {
		s := &fileSink{d: d, name: "x"}
		sp := newSplitter(s, detect.Needles(), false)
		if buf, err = splitReader(bytes.NewReader(data), sp, buf, DefaultMaxRecord, nil); err != nil {
			b.Fatal(err)
		}
	}
}
