package trailgen

import (
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trail"
)

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
	driver, err := detect.NewDriver(detect.DefaultConfig(), detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := trail.Scan(t.Context(), driver, trail.Paths(t.Context(), []string{a.Out}, nil, trail.Window{}, nil), trail.Options{},
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

// TestPresetShapes: the small preset makes smaller, less compressible
// records than the default mix, near the figures its description gives.
func TestPresetShapes(t *testing.T) {
	type shape struct{ perRecord, ratio float64 }
	got := map[string]shape{}
	for _, p := range Presets {
		o := GenerateOptions{Out: t.TempDir(), Accounts: 2, Days: 1, SizeMB: 4, Seed: 11}
		p.Apply(&o)
		r, err := Generate(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		got[p.Name] = shape{float64(r.Bytes) / float64(r.Records), float64(r.Bytes) / float64(r.Compressed)}
	}
	mixed, small := got["mixed"], got["small"]
	if !(small.perRecord < mixed.perRecord && small.ratio < mixed.ratio) {
		t.Errorf("small preset %+v is not smaller and less compressible than mixed %+v", small, mixed)
	}
	if small.perRecord < 1350 || small.perRecord > 1600 || small.ratio < 6 || small.ratio > 7.3 {
		t.Errorf("small preset: %.0f bytes per record, %.2f:1; want about 1.5 kB and 6.7:1", small.perRecord, small.ratio)
	}
}
