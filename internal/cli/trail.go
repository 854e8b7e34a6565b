package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/termsafe"
	"github.com/rootguard/rootguard/internal/trail"
	"github.com/rootguard/rootguard/internal/trailbench"
	"github.com/rootguard/rootguard/internal/trailgen"
)

func newTrailCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "Find root activity in CloudTrail archives",
		Long: "trail reports root-user activity in CloudTrail: scan reads log files (local folders, S3, stdin),\n" +
			"query runs the same rules as SQL in Athena or CloudTrail Lake, watch reads EventBridge events\n" +
			"from an SQS queue as they come; generate and bench make and measure a synthetic archive.\n" +
			"Exit codes of scan, query and watch: 0 no alert, 1 alerts, 4 some input could not be read or none\n" +
			"was (scan; watch: messages that are not events; takes precedence), 2 usage, 3 could not run.\n" +
			"generate and bench: 0, 2 or 3.",
	}
	cmd.AddCommand(newTrailScanCmd(e), newTrailGenerateCmd(e), newTrailBenchCmd(e), newTrailQueryCmd(e), newTrailWatchCmd(e))
	return cmd
}

// TrailScanOptions are the flags of trail scan.
type TrailScanOptions struct {
	// Runbook is --runbook-url: where each alert points for its account's runbook.
	Runbook             string
	Format              string
	Output              string
	Since, Until        string
	BruteForceThreshold int
	BruteForceWindow    time.Duration
	EndpointURL         string
	Region              string
	Profile             string
	Strict              bool
	Workers             int
	// Windows judges root activity against the approved break-glass
	// windows of the store (--db; with Demo the demo's, whose trail is read
	// when no PATH is given): root-activity-unapproved.
	Windows bool
	Demo    bool

	window trail.Window
}

// DefaultTrailScanOptions returns the defaults.
func DefaultTrailScanOptions() TrailScanOptions {
	d := detect.DefaultConfig()
	return TrailScanOptions{Format: "table", BruteForceThreshold: d.BruteForceThreshold, BruteForceWindow: d.BruteForceWindow}
}

// Validate checks the options and resolves the time window.
func (o *TrailScanOptions) Validate() error {
	if err := checkAlertFlags(o.Format, o.BruteForceThreshold, o.BruteForceWindow); err != nil {
		return err
	}
	var err error
	if o.window, err = parseWindow(o.Since, o.Until); err != nil {
		return err
	}
	if !o.window.Since.IsZero() && !o.window.Until.IsZero() && !o.window.Since.Before(o.window.Until) {
		return usageError("--since %s is not before --until %s", o.Since, o.Until)
	}
	if o.Demo && !o.Windows {
		return usageError("--demo applies with --windows only")
	}
	if o.Workers < 0 || o.Workers > trail.MaxWorkers {
		return usageError("--workers %d: want 0 (one per CPU) to %d", o.Workers, trail.MaxWorkers)
	}
	return nil
}

// checkAlertFlags checks the --format, --brute-force-threshold and --brute-force-window flags
// that trail scan and trail query share.
func checkAlertFlags(format string, threshold int, window time.Duration) error {
	switch {
	case !slices.Contains(report.AlertFormats(), format):
		return usageError("--format %q: want %s", format, strings.Join(report.AlertFormats(), " or "))
	case threshold < 1:
		return usageError("--brute-force-threshold %d: want 1 or more", threshold)
	case window <= 0:
		return usageError("--brute-force-window %s: want a positive duration", window)
	}
	return nil
}

// parseWindow reads --since and --until (see parseWhen); it does not order them.
func parseWindow(since, until string) (trail.Window, error) {
	var w trail.Window
	var err error
	if w.Since, err = parseWhen(since, false); err != nil {
		return w, usageError("--since: %v", err)
	}
	if w.Until, err = parseWhen(until, true); err != nil {
		return w, usageError("--until: %v", err)
	}
	return w, nil
}

// parseWhen reads RFC 3339 or YYYY-MM-DD (UTC). A date used as an upper
// bound includes that whole day.
func parseWhen(s string, upper bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor YYYY-MM-DD", s)
	}
	if upper {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func newTrailScanCmd(e *env) *cobra.Command {
	o := DefaultTrailScanOptions()
	cmd := &cobra.Command{
		Use:   "scan PATH|s3://bucket/prefix|- ...",
		Short: "Scan CloudTrail files, folders, S3 prefixes or stdin for root activity",
		Long: "scan reads CloudTrail log files ({\"Records\":[...]}, plain or gzip), JSON Lines of records and\n" +
			"EventBridge envelopes, from files, folder trees (the S3 layout included), s3://bucket/prefix\n" +
			"and - (stdin). The format is recognised from the content. --since/--until prune the\n" +
			"CloudTrail date folders before they are listed or read, and filter records by eventTime.\n" +
			"The rules and their deliberate choices are described in docs/detection.md.\n\n" +
			"Output: the table (a summary per rule, most severe first, then each alert) or --format jsonl\n" +
			"(one alert per line) on stdout; on stderr the totals, alerts by rule, and one line per input\n" +
			"skipped or unreadable, naming the path and the reason.\n\n" +
			"Exit codes (docs/exit-codes.md):\n" +
			"  0  no alert, every input read\n" +
			"  1  alerts, every input read\n" +
			"  4  some input could not be read (truncated gzip, invalid JSON, not CloudTrail, empty, missing\n" +
			"     path, S3 credentials or listing error, a named pipe or a link loop), or no input was read at\n" +
			"     all (an empty folder or S3 prefix, every date folder outside --since/--until); every readable\n" +
			"     input was still scanned and its alerts reported. Takes precedence over 1\n" +
			"  2  usage error\n" +
			"  3  could not run (e.g. --output cannot be written)",
		Example: `  rootguard trail scan ./AWSLogs --since 2025-03-01 --until 2025-03-31
  rootguard trail scan s3://my-cloudtrail-bucket/AWSLogs/ --region us-east-1 --format jsonl --output alerts.jsonl
  zcat 123456789012_CloudTrail_us-east-1_*.json.gz | rootguard trail scan -`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 && !o.Demo {
				return usageError("trail scan: name at least one PATH, s3:// URL or -")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runTrailScan(cmd.Context(), e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", o.Format, "output format: table or jsonl (one alert per line)")
	f.StringVar(&o.Runbook, "runbook-url", report.DefaultRunbook, "where each alert points for its account's runbook (`TEMPLATE`; {account} is the account ID): a wiki URL, a path, or the command that writes it")
	f.StringVarP(&o.Output, "output", "o", "", "write the alerts to FILE instead of stdout")
	f.StringVar(&o.Since, "since", "", "only records at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
	f.StringVar(&o.Until, "until", "", "only records before this time (RFC 3339, or YYYY-MM-DD for that whole day)")
	f.IntVar(&o.BruteForceThreshold, "brute-force-threshold", o.BruteForceThreshold, "failed root sign-ins in one account that make a burst")
	daysDurationVar(f, &o.BruteForceWindow, "brute-force-window", o.BruteForceWindow, "time window of a burst of failed root sign-ins")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "S3 endpoint (an emulator or a VPC endpoint); path-style addressing")
	f.StringVar(&o.Region, "region", "", "AWS region for S3")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile for S3")
	f.BoolVar(&o.Strict, "strict", false, "check the structure of every record and decode every record (slower)")
	f.IntVar(&o.Workers, "workers", 0, fmt.Sprintf("inputs read at once (0: one per CPU; at most %d)", trail.MaxWorkers))
	f.BoolVar(&o.Windows, "windows", false, "judge root activity against the approved break-glass windows in the store (--db): root-activity-unapproved (critical) outside every window, approved_by inside one")
	f.BoolVar(&o.Demo, "demo", false, "with --windows: the demo's break-glass history, and its trail when no PATH is given")
	return cmd
}

// aws is the connection for s3:// inputs.
func (o TrailScanOptions) aws() awsclient.Options {
	return awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL}
}

// s3Store builds the S3 client lazily (only when an s3:// URL is given).
func s3Store(o awsclient.Options) func(context.Context) (trail.ObjectStore, error) {
	return func(ctx context.Context) (trail.ObjectStore, error) {
		cfg, err := awsclient.Load(ctx, o)
		if err != nil {
			return nil, err
		}
		return s3.NewFromConfig(cfg, func(so *s3.Options) {
			if o.EndpointURL != "" {
				so.UsePathStyle = true
			}
			// CloudTrail objects carry no checksum; the SDK would log that
			// once per object.
			so.DisableLogOutputChecksumValidationSkipped = true
		}), nil
	}
}

// createAlertOutput returns where trail scan and trail query write their alerts: stdout, or the
// --output file (0600, see createPrivate) when path is set. finish closes that file and returns
// err, or the close error when err is nil.
func createAlertOutput(path string, stdout io.Writer) (w io.Writer, finish func(err error) error, err error) {
	if path == "" {
		return stdout, func(err error) error { return err }, nil
	}
	file, err := createPrivate(path)
	if err != nil {
		return nil, nil, withCode(ExitError, fmt.Errorf("--output: %w", err))
	}
	return file, func(err error) error {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("--output: %w", cerr)
		}
		return err
	}, nil
}

func runTrailScan(ctx context.Context, e *env, o TrailScanOptions, args []string) error {
	driver, err := detect.NewDriver(detect.Config{BruteForceThreshold: o.BruteForceThreshold, BruteForceWindow: o.BruteForceWindow},
		detect.Window(o.window))
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail scan: %w", err))
	}
	if o.Windows {
		if err := e.approveWindows(ctx, driver, o.Demo); err != nil {
			return withCode(ExitError, fmt.Errorf("trail scan --windows: %w", err))
		}
	}
	out, finish, err := createAlertOutput(o.Output, e.stdout)
	if err != nil {
		return err
	}

	stdin := e.stdin
	if len(args) == 0 { // --demo
		if args, stdin, err = demoTrailInputs(); err != nil {
			return withCode(ExitError, err)
		}
	}
	var counters trail.Counters
	stopProgress := startProgress(e.stderr, &counters)
	items := trail.Paths(ctx, args, stdin, o.window, s3Store(o.aws()))
	opt := trail.Options{Strict: o.Strict, Workers: o.Workers, Counters: &counters}

	aw, err := report.NewAlertWriter(out, o.Format)
	if err != nil {
		return finish(withCode(ExitError, err))
	}
	aw = report.WithRunbook(aw, o.Runbook)
	emit, judge := aw.Write, windowJudge{driver: driver}
	if o.Windows {
		emit = func(a detect.Alert) error { return judge.judge(a, aw.Write) }
	}
	start := time.Now()
	sum, err := trail.Scan(ctx, driver, items, opt, emit)
	elapsed := time.Since(start)
	stopProgress()
	switch {
	case err != nil:
	case sum.Read == 0 && sum.Alerts == 0 && o.Format == "table":
		_, err = fmt.Fprintln(out, "No input was read: root activity is unknown.")
	default:
		err = aw.Close()
	}
	err = finish(err)
	writeTrailSummary(e.stderr, sum, elapsed)
	if o.Windows {
		judge.summary(e.stderr)
	}
	if err != nil {
		return withCode(ExitError, fmt.Errorf("trail scan: %w", err))
	}
	switch {
	case len(sum.Failed) > 0 || sum.Read == 0:
		return withCode(ExitPartial, nil)
	case sum.Alerts > 0:
		return withCode(ExitFindings, nil)
	}
	return nil
}

// writeTrailSummary prints the totals, the skipped inputs, one line each
// the inputs that could not be read, and whether no input was read at all.
func writeTrailSummary(w io.Writer, sum trail.Summary, elapsed time.Duration) {
	fmt.Fprintf(w, "trail: %d files, %s read, %s decompressed, %d records, %d alerts in %s\n",
		sum.Files, mb(sum.CompressedBytes), mb(sum.Bytes), sum.Records, sum.Alerts, elapsed.Round(time.Millisecond))
	if len(sum.AlertsByRule) > 0 {
		fmt.Fprintf(w, "trail: alerts by rule: %s\n", counts(sum.AlertsByRule))
	}
	if sum.Duplicates > 0 {
		fmt.Fprintf(w, "trail: %d duplicate alerts left out (equal to an alert already reported, from another copy of the same record)\n", sum.Duplicates)
	}
	for _, p := range sum.Skipped {
		fmt.Fprintf(w, "trail: skipped %s: %s\n", termsafe.Escape(p.Input, false), termsafe.Escape(p.Reason, false))
	}
	for _, p := range sum.Failed {
		fmt.Fprintf(w, "trail: unreadable %s: %s\n", termsafe.Escape(p.Input, false), termsafe.Escape(p.Reason, false))
	}
	if sum.Read == 0 && sum.Alerts == 0 {
		fmt.Fprintln(w, "trail: no input was read: root activity is unknown")
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// startProgress redraws a one-line progress report on stderr, four times a
// second, when stderr is a terminal. The returned function stops it and
// clears the line.
func startProgress(w io.Writer, c *trail.Counters) func() {
	if !isTerminal(w) {
		return func() {}
	}
	t := time.NewTicker(250 * time.Millisecond)
	stop := runProgress(w, c, t.C)
	return func() { stop(); t.Stop() }
}

// runProgress redraws the progress line on w at every tick until the
// returned function is called, which clears the line and returns once
// nothing more will be written.
func runProgress(w io.Writer, c *trail.Counters, tick <-chan time.Time) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-tick:
				fmt.Fprintf(w, "\r\033[K%s", progressLine(c))
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func progressLine(c *trail.Counters) string {
	return fmt.Sprintf("files %d · %s read · %s decompressed · %d records · %d alerts",
		c.Files.Load(), mb(c.Compressed.Load()), mb(c.Bytes.Load()), c.Records.Load(), c.Alerts.Load())
}

func newTrailGenerateCmd(e *env) *cobra.Command {
	o := trailgen.GenerateOptions{Accounts: 3, Days: 7, SizeMB: 50, Seed: 1}
	var minMB, maxMB float64
	var preset string
	cmd := &cobra.Command{
		Use:   "generate --out DIR",
		Short: "Write a synthetic CloudTrail archive (S3 layout, .json.gz) for tests and benchmarks",
		Long: "generate writes a deterministic (per --seed) CloudTrail archive: a realistic mix of services,\n" +
			"event names and identity types, about 0.1% root activity of varied kinds (console sign-ins, a\n" +
			"burst of failed sign-ins, API calls, AssumeRoot calls and their sessions) and look-alikes that\n" +
			"must not alert (IAM users named root, roles with Root in the name, \"Root\" as a parameter value).\n" +
			"The first day is 2025-03-03 (UTC). --preset picks a shape (file sizes, record mix, compression\n" +
			"ratio); --file-min-mb, --file-max-mb, --large-share and --noise given as well override it.\n" +
			presetList(),
		Example: `  rootguard trail generate --out /tmp/trailbench/corpus --accounts 20 --days 14 --size-mb 600 --seed 2025
  rootguard trail generate --out /tmp/trailbench/small --preset small --accounts 20 --days 14 --size-mb 600 --seed 2025`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Out == "" {
				return usageError("trail generate: --out is required")
			}
			if err := applyPreset(cmd.Flags(), preset, &o, &minMB, &maxMB); err != nil {
				return err
			}
			if err := checkGenerateFlags(o, minMB, maxMB); err != nil {
				return err
			}
			o.MinFileBytes, o.MaxFileBytes = int(minMB*1e6), int(maxMB*1e6)
			res, err := trailgen.Generate(cmd.Context(), o)
			if err != nil {
				return withCode(ExitError, fmt.Errorf("trail generate: %w", err))
			}
			fmt.Fprintf(e.stdout, "wrote %d files under %s: %d records, %s decompressed, %s compressed\n",
				res.Files, o.Out, res.Records, mb(res.Bytes), mb(res.Compressed))
			fmt.Fprintf(e.stdout, "root records: %s\n", counts(res.Root))
			fmt.Fprintf(e.stdout, "look-alikes:  %s\n", counts(res.Decoys))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "folder to write the AWSLogs/ tree into")
	f.IntVar(&o.Accounts, "accounts", o.Accounts, "number of accounts (the first is the management account)")
	f.IntVar(&o.Days, "days", o.Days, "number of days, from 2025-03-03")
	f.Float64Var(&o.SizeMB, "size-mb", o.SizeMB, "total size of the records, decompressed, in MB")
	f.Uint64Var(&o.Seed, "seed", o.Seed, "random seed; the same seed gives the same archive")
	f.Float64Var(&minMB, "file-min-mb", 1, "smallest file, decompressed, in MB")
	f.Float64Var(&maxMB, "file-max-mb", 5, "largest file, decompressed, in MB")
	f.StringVar(&preset, "preset", "mixed", "archive shape: "+presetNames())
	f.Float64Var(&o.LargeShare, "large-share", trailgen.DefaultLargeShare, "share of large records (EC2 RunInstances, 4–9 kB)")
	f.IntVar(&o.Noise, "noise", 0, "random characters per record (a request token), lowering the compression ratio")
	return cmd
}

// presetNames lists the generator's presets as "a|b".
func presetNames() string {
	var names []string
	for _, p := range trailgen.Presets {
		names = append(names, p.Name)
	}
	return strings.Join(names, "|")
}

// presetList describes the presets, one a line.
func presetList() string {
	var b strings.Builder
	for _, p := range trailgen.Presets {
		fmt.Fprintf(&b, "  %-6s %s\n", p.Name, p.Doc)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// applyPreset sets the shape of o from the preset called name, except for
// the shape flags given on the command line.
func applyPreset(f interface{ Changed(string) bool }, name string, o *trailgen.GenerateOptions, minMB, maxMB *float64) error {
	p, ok := trailgen.LookupPreset(name)
	if !ok {
		return usageError("trail generate: --preset %q is not one of %s", name, presetNames())
	}
	set := func(flag string, dst *float64, v float64) {
		if !f.Changed(flag) {
			*dst = v
		}
	}
	set("file-min-mb", minMB, float64(p.MinFileBytes)/1e6)
	set("file-max-mb", maxMB, float64(p.MaxFileBytes)/1e6)
	set("large-share", &o.LargeShare, p.LargeShare)
	if !f.Changed("noise") {
		o.Noise = p.Noise
	}
	return nil
}

// Bounds of trail generate's flags: beyond them the archive would not fit
// in memory (the file plan is held whole) or on any disk meant for tests.
const (
	genMaxAccounts = 10_000
	genMaxDays     = 3_650
	genMaxSizeMB   = 100_000 // 100 GB
	genMinFileMB   = 0.01
	genMaxFileMB   = 100
	genMaxFiles    = 1_000_000 // --size-mb / --file-min-mb
	genMaxNoise    = 100_000   // characters per record
)

// checkGenerateFlags bounds every trail generate flag, naming the flag.
func checkGenerateFlags(o trailgen.GenerateOptions, minMB, maxMB float64) error {
	for _, b := range []struct {
		flag   string
		v      float64
		lo, hi float64
	}{
		{"--accounts", float64(o.Accounts), 1, genMaxAccounts},
		{"--days", float64(o.Days), 1, genMaxDays},
		{"--size-mb", o.SizeMB, 1e-6, genMaxSizeMB},
		{"--file-min-mb", minMB, genMinFileMB, genMaxFileMB},
		{"--file-max-mb", maxMB, genMinFileMB, genMaxFileMB},
		{"--large-share", o.LargeShare, 1e-6, 1},
		{"--noise", float64(o.Noise), 0, genMaxNoise},
	} {
		if !(b.v >= b.lo && b.v <= b.hi) { // also refuses NaN
			return usageError("trail generate: %s must be between %g and %g, not %g", b.flag, b.lo, b.hi, b.v)
		}
	}
	if maxMB < minMB {
		return usageError("trail generate: --file-max-mb (%g) must be at least --file-min-mb (%g)", maxMB, minMB)
	}
	if o.SizeMB/minMB > genMaxFiles {
		return usageError("trail generate: --size-mb %g in files of at least --file-min-mb %g makes more than %d files", o.SizeMB, minMB, genMaxFiles)
	}
	return nil
}

// counts lists m as "key n, key n", most first, or "none".
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range trail.SortedRules(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func newTrailBenchCmd(e *env) *cobra.Command {
	var rounds, workers int
	var asJSON bool
	var sizeMB float64
	var profile string
	cmd := &cobra.Command{
		Use:   "bench [DIR...]",
		Short: "Measure detection throughput against a decompress-only pass over the same files",
		Long: "bench reads every file under each DIR once to warm the page cache, then runs --rounds rounds of\n" +
			"two timed passes over the same files: decompression only, then the full trail scan detection. It\n" +
			"reports MB/s of each, their ratio by wall time and by CPU time, records/s, alerts and peak RSS,\n" +
			"once per gzip inflater this build has (libdeflate only with -tags libdeflate). Without DIR it\n" +
			"generates every trail generate preset (--size-mb each, 20 accounts, 14 days, seed 2025) into a\n" +
			"temporary folder and measures each. docs/trail-benchmark.md has the method and the figures.",
		Example: `  rootguard trail bench --rounds 5 --size-mb 300
  rootguard trail generate --out /tmp/trailbench/corpus --accounts 20 --days 14 --size-mb 600 --seed 2025
  rootguard trail bench --rounds 3 --cpuprofile cpu.prof /tmp/trailbench/corpus`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !(sizeMB >= 1 && sizeMB <= genMaxSizeMB) {
				return usageError("trail bench: --size-mb must be between 1 and %d, not %g", genMaxSizeMB, sizeMB)
			}
			corpora, cleanup, err := benchCorpora(cmd.Context(), e, args, sizeMB)
			defer cleanup()
			if err != nil {
				return withCode(ExitError, fmt.Errorf("trail bench: %w", err))
			}
			if profile != "" {
				stop, err := startCPUProfile(profile)
				if err != nil {
					return withCode(ExitError, fmt.Errorf("trail bench: --cpuprofile: %w", err))
				}
				defer stop()
			}
			var reps []trailbench.BenchReport
			for _, c := range corpora {
				for _, inf := range trail.Inflaters() {
					rep, err := trailbench.Bench(cmd.Context(), c.dir, rounds, trail.Options{Workers: workers, Inflater: inf}, detect.DefaultConfig())
					if err != nil {
						return withCode(ExitError, fmt.Errorf("trail bench: %w", err))
					}
					rep.Corpus = c.name
					reps = append(reps, rep)
					if !asJSON {
						printBench(e.stdout, rep)
					}
				}
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(reps)
			}
			printInflaterGain(e.stdout, reps)
			return nil
		},
	}
	cmd.Flags().IntVar(&rounds, "rounds", 3, "timed rounds (each: decompress-only, then detection)")
	cmd.Flags().IntVar(&workers, "workers", 0, "files read at once (0: GOMAXPROCS)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reports as a JSON array")
	cmd.Flags().Float64Var(&sizeMB, "size-mb", 300, "without DIR: size of each generated preset, decompressed, in MB")
	cmd.Flags().StringVar(&profile, "cpuprofile", "", "write a CPU profile (pprof) of both passes to this file")
	return cmd
}

// benchCorpus is an archive trail bench measures.
type benchCorpus struct{ name, dir string }

// benchCorpora returns the folders given, or, without any, every preset
// generated into a temporary folder that cleanup removes.
func benchCorpora(ctx context.Context, e *env, dirs []string, sizeMB float64) ([]benchCorpus, func(), error) {
	var out []benchCorpus
	for _, d := range dirs {
		out = append(out, benchCorpus{d, d})
	}
	if len(dirs) > 0 {
		return out, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "rootguard-trail-bench-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	for _, p := range trailgen.Presets {
		o := trailgen.GenerateOptions{Out: filepath.Join(tmp, p.Name), Accounts: 20, Days: 14, SizeMB: sizeMB, Seed: 2025}
		p.Apply(&o)
		res, err := trailgen.Generate(ctx, o)
		if err != nil {
			return nil, cleanup, err
		}
		fmt.Fprintf(e.stdout, "preset %s: %d files, %s decompressed, %.1f:1, %.0f bytes per record\n",
			p.Name, res.Files, mb(res.Bytes), float64(res.Bytes)/float64(res.Compressed), float64(res.Bytes)/float64(res.Records))
		out = append(out, benchCorpus{p.Name, o.Out})
	}
	return out, cleanup, nil
}

// startCPUProfile starts a CPU profile into path; stop ends and closes it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func printBench(w io.Writer, rep trailbench.BenchReport) {
	fmt.Fprintf(w, "%s, inflater %s: %d files, %s compressed, %s decompressed, %d records; %d workers (GOMAXPROCS %d)\n",
		rep.Corpus, rep.Inflater, rep.Files, mb(rep.Compressed), mb(rep.Bytes), rep.Records, rep.Workers, runtime.GOMAXPROCS(0))
	for i, r := range rep.Rounds {
		fmt.Fprintf(w, "  round %d: decompress-only %.0f MB/s (%s, cpu %s), detection %.0f MB/s (%s, cpu %s), ratio %.2f, cpu ratio %.2f\n", i+1,
			trailbench.MBps(rep.Bytes, r.Decompress), r.Decompress.Round(time.Millisecond), r.DecompressCPU.Round(time.Millisecond),
			trailbench.MBps(rep.Bytes, r.Detect), r.Detect.Round(time.Millisecond), r.DetectCPU.Round(time.Millisecond),
			float64(r.Decompress)/float64(r.Detect), trailbench.CPURatio(r))
	}
	fmt.Fprintf(w, "  best: decompress-only %.0f MB/s, detection %.0f MB/s, ratio %.2f (cpu ratio %.2f), %.0f records/s\n",
		trailbench.MBps(rep.Bytes, rep.Best.Decompress), trailbench.MBps(rep.Bytes, rep.Best.Detect), rep.Ratio, rep.CPURatio,
		float64(rep.Records)/rep.Best.Detect.Seconds())
	fmt.Fprintf(w, "  alerts: %d, unreadable files: %d, peak RSS so far: %.1f MB\n", rep.Alerts, rep.Failed, float64(rep.PeakRSS)/1e6)
}

// printInflaterGain prints, per corpus measured with more than one
// inflater, how much faster detection is with the first (the default) than
// with each other, by CPU time.
func printInflaterGain(w io.Writer, reps []trailbench.BenchReport) {
	first := map[string]trailbench.BenchReport{}
	for _, r := range reps {
		f, ok := first[r.Corpus]
		if !ok {
			first[r.Corpus] = r
			continue
		}
		if r.Alerts != f.Alerts {
			fmt.Fprintf(w, "%s: %s raised %d alerts, %s %d\n", r.Corpus, f.Inflater, f.Alerts, r.Inflater, r.Alerts)
		}
		if r.Best.DetectCPU > 0 && f.Best.DetectCPU > 0 {
			fmt.Fprintf(w, "%s: detection with %s is %.2fx as fast as with %s by CPU time (best rounds)\n",
				r.Corpus, f.Inflater, float64(r.Best.DetectCPU)/float64(f.Best.DetectCPU), r.Inflater)
		}
	}
}
