package trailbench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trail"
)

// BenchRound is one timed pass over the corpus.
type BenchRound struct {
	Decompress time.Duration `json:"decompress_ns"`
	Detect     time.Duration `json:"detect_ns"`
	// CPU time (user + system) of each pass: steadier than wall time on a
	// busy machine. Zero where the system does not report CPU time
	// (CPUTimeAvailable).
	DecompressCPU time.Duration `json:"decompress_cpu_ns"`
	DetectCPU     time.Duration `json:"detect_cpu_ns"`
}

// BenchReport compares, on the same files in the same run, a
// decompress-only pass and the full detection pass.
type BenchReport struct {
	// Corpus names the archive (its folder, or a preset) and Inflater the
	// gzip inflater both passes used.
	Corpus     string       `json:"corpus"`
	Inflater   string       `json:"inflater"`
	Files      int          `json:"files"`
	Compressed int64        `json:"compressed_bytes"`
	Bytes      int64        `json:"bytes"`
	Records    int64        `json:"records"`
	Alerts     int          `json:"alerts"`
	Failed     int          `json:"failed"`
	Workers    int          `json:"workers"`
	Rounds     []BenchRound `json:"rounds"`
	PeakRSS    int64        `json:"peak_rss_bytes"`
	Best       BenchRound   `json:"best"`
	Ratio      float64      `json:"ratio"` // detection throughput / decompress-only throughput, best rounds
	// CPURatio is the same ratio over CPU time (best rounds); 0 when CPU
	// time is unavailable.
	CPURatio float64       `json:"cpu_ratio"`
	Elapsed  time.Duration `json:"elapsed_ns"`
}

// Bench reads every file under dir: first once to warm the page cache,
// then rounds times a decompress-only pass (the same gzip library, chunk
// size and per-file parallelism as the scan) followed by a detection pass.
func Bench(ctx context.Context, dir string, rounds int, opt trail.Options, cfg detect.Config) (BenchReport, error) {
	rounds = max(rounds, 1)
	start := time.Now()
	var items []trail.Item
	for it := range trail.Paths(ctx, []string{dir}, nil, trail.Window{}, nil) {
		if it.Fail != nil {
			return BenchReport{}, fmt.Errorf("%s: %s", it.Fail.Input, it.Fail.Reason)
		}
		if it.Input != nil {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		return BenchReport{}, fmt.Errorf("%s: no files", dir)
	}
	seq := slices.Values(items)
	rep := BenchReport{Corpus: dir, Inflater: opt.Inflater, Files: len(items), Workers: opt.EffectiveWorkers()}

	// Warm the page cache so that neither pass pays for the disk.
	for _, it := range items {
		f, err := os.Open(it.Input.Name())
		if err != nil {
			return rep, err
		}
		_, err = io.Copy(io.Discard, f)
		f.Close()
		if err != nil {
			return rep, err
		}
	}

	for range rounds {
		var r BenchRound
		settle()
		t0, c0 := time.Now(), cpuNow()
		bytesA, err := trail.Decompress(ctx, seq, opt)
		r.Decompress, r.DecompressCPU = time.Since(t0), cpuNow()-c0
		if err != nil {
			return rep, fmt.Errorf("decompress-only pass: %w", err)
		}

		settle()
		t1, c1 := time.Now(), cpuNow()
		d, err := detect.NewDriver(cfg, detect.Window{})
		if err != nil {
			return rep, err
		}
		sum, err := trail.Scan(ctx, d, seq, opt, func(detect.Alert) error { return nil })
		r.Detect, r.DetectCPU = time.Since(t1), cpuNow()-c1
		if err != nil {
			return rep, fmt.Errorf("detection pass: %w", err)
		}
		if sum.Bytes != bytesA {
			return rep, fmt.Errorf("passes disagree: %d bytes decompressed, %d scanned", bytesA, sum.Bytes)
		}
		rep.Compressed, rep.Bytes, rep.Records, rep.Alerts, rep.Failed = sum.CompressedBytes, sum.Bytes, sum.Records, sum.Alerts, len(sum.Failed)
		rep.Rounds = append(rep.Rounds, r)
		rep.Best = BenchRound{
			Decompress:    fastest(rep.Best.Decompress, r.Decompress),
			Detect:        fastest(rep.Best.Detect, r.Detect),
			DecompressCPU: fastest(rep.Best.DecompressCPU, r.DecompressCPU),
			DetectCPU:     fastest(rep.Best.DetectCPU, r.DetectCPU),
		}
	}
	rep.Ratio = float64(rep.Best.Decompress) / float64(rep.Best.Detect)
	rep.CPURatio = CPURatio(rep.Best)
	rep.PeakRSS = PeakRSS()
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// settle collects the previous pass's buffers and returns their memory to
// the system before the next pass, untimed: each pass makes its own worker
// buffers, and without this the garbage of one pass is still resident
// while the next one fills its own, which is what a single scan never
// holds (peak RSS would measure the bench, not the scan).
func settle() { debug.FreeOSMemory() }

// fastest is the shorter of the best time so far (0: none yet) and d.
func fastest(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

// MBps is a throughput in MB (10^6 bytes) per second.
func MBps(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / 1e6 / d.Seconds()
}

// PeakRSS returns the process's peak resident set size in bytes: VmHWM
// from /proc/self/status, or getrusage's maxrss.
func PeakRSS() int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := bytes.CutPrefix(s.Bytes(), []byte("VmHWM:")); ok {
				f := bytes.Fields(v)
				if n, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
					return n << 10
				}
			}
		}
	}
	return maxRSS()
}

// CPUTimeAvailable reports whether this system reports the process's CPU
// time (getrusage); where it does not, the CPU fields of a report are 0.
func CPUTimeAvailable() bool {
	_, ok := cpuTime()
	return ok
}

// cpuNow is the CPU time so far, 0 when unavailable.
func cpuNow() time.Duration {
	d, _ := cpuTime()
	return d
}

// CPURatio is r's decompress-only CPU time over its detection CPU time, or
// 0 when CPU time is unavailable.
func CPURatio(r BenchRound) float64 {
	if r.DetectCPU <= 0 {
		return 0
	}
	return float64(r.DecompressCPU) / float64(r.DetectCPU)
}
