package trailbench

import (
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trail"
	"github.com/rootguard/rootguard/internal/trailgen"
)

// TestBench runs both passes over a small generated archive: they read the
// same bytes, the detection pass counts every generated record and raises
// the planted alerts, and CPU time is either measured or reported as
// unavailable, never made up.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	gen, err := trailgen.Generate(t.Context(), trailgen.GenerateOptions{Out: dir, Accounts: 2, Days: 1, SizeMB: 1, Seed: 5,
		MinFileBytes: 100_000, MaxFileBytes: 300_000})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Bench(t.Context(), dir, 2, trail.Options{Workers: 2}, detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != gen.Files || rep.Bytes != gen.Bytes || rep.Records != gen.Records || rep.Workers != 2 || len(rep.Rounds) != 2 {
		t.Errorf("report %+v; generated %d files, %d bytes, %d records", rep, gen.Files, gen.Bytes, gen.Records)
	}
	if rep.Alerts == 0 || rep.Failed != 0 {
		t.Errorf("%d alerts, %d unreadable files; want the planted alerts and none unreadable", rep.Alerts, rep.Failed)
	}
	if rep.Best.Decompress <= 0 || rep.Best.Detect <= 0 || rep.Ratio <= 0 {
		t.Errorf("best round %+v, ratio %v", rep.Best, rep.Ratio)
	}
	if got := rep.CPURatio > 0; got != CPUTimeAvailable() {
		t.Errorf("cpu ratio %v, CPU time available: %v", rep.CPURatio, CPUTimeAvailable())
	}
}

func TestBenchEmptyFolder(t *testing.T) {
	if _, err := Bench(t.Context(), t.TempDir(), 1, trail.Options{}, detect.DefaultConfig()); err == nil {
		t.Error("an empty folder gave a report")
	}
}
