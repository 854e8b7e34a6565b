package trail

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/rootguard/rootguard/internal/detect"
)

const (
	// DefaultChunkSize is how much decompressed data a worker handles at a
	// time. Larger chunks measured faster than 1 MiB and 256 KiB ones (fewer
	// carries and needle restarts), at 4 MiB of memory per worker.
	DefaultChunkSize = 4 << 20
	// DefaultMaxRecord bounds one record; the chunk buffer grows up to it.
	DefaultMaxRecord = 64 << 20
	// MaxWorkers bounds Options.Workers: a worker holds at least a chunk
	// buffer, and reading is bound by the CPUs and the disk long before.
	MaxWorkers = 64
)

// Options tune a scan. The zero value is usable.
type Options struct {
	// Workers is how many inputs are read at once; 0 means GOMAXPROCS.
	// It is at most MaxWorkers, and a worker's buffers are made when it
	// gets its first input.
	Workers int
	// ChunkSize is the decompressed chunk size; 0 means DefaultChunkSize.
	ChunkSize int
	// MaxRecord is the largest record accepted; 0 means DefaultMaxRecord.
	MaxRecord int
	// Strict matches brackets over every record and decodes every record,
	// so that any malformed or non-CloudTrail record is reported. It is
	// several times slower.
	Strict bool
	// Counters, when set, is updated as the scan goes (for a progress line).
	Counters *Counters
	// Inflater names how gzip inputs are decompressed: one of Inflaters();
	// "" is the build's default (the first).
	Inflater string

	afterChunk func() // test hook: called after each decompressed chunk
}

// checked is withDefaults, and an error for an inflater this build does
// not have.
func (o Options) checked() (Options, error) {
	var err error
	o.Inflater, err = checkInflater(o.Inflater)
	return o.withDefaults(), err
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	o.Workers = min(o.Workers, MaxWorkers)
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.MaxRecord <= 0 {
		o.MaxRecord = DefaultMaxRecord
	}
	o.MaxRecord = max(o.MaxRecord, o.ChunkSize)
	return o
}

// Counters are live totals, safe to read while a scan runs.
type Counters struct {
	Files      atomic.Int64 // inputs finished
	Compressed atomic.Int64 // bytes read from inputs
	Bytes      atomic.Int64 // decompressed bytes
	Records    atomic.Int64
	Alerts     atomic.Int64
}

// Summary is the outcome of a scan.
type Summary struct {
	// Files is how many inputs were opened (fully read or not).
	Files int `json:"files"`
	// Read is how many inputs were read to their end without error. When
	// it is 0, nothing can be said about root activity.
	Read int `json:"read"`
	// CompressedBytes is what was read from the inputs; Bytes is the same
	// data decompressed.
	CompressedBytes int64 `json:"compressed_bytes"`
	Bytes           int64 `json:"bytes"`
	Records         int64 `json:"records"`
	Alerts          int   `json:"alerts"`
	// Duplicates counts alerts left out because an equal alert (the same
	// rule on the same event, read from another file or record) was already
	// reported: CloudTrail may deliver an event twice, and archives are often
	// copied.
	Duplicates int `json:"duplicate_alerts,omitempty"`
	// AlertsByRule counts alerts per rule ID.
	AlertsByRule map[string]int `json:"alerts_by_rule"`
	// Skipped lists inputs left out on purpose (date pruning).
	Skipped []Problem `json:"skipped,omitempty"`
	// Failed lists inputs that could not be read, fully or in part. Alerts
	// from the part that was read are kept.
	Failed []Problem `json:"failed,omitempty"`
}

// fileResult is what one input gave.
type fileResult struct {
	alerts     []detect.Alert
	compressed int64
	bytes      int64
	records    int64
	err        error
	opened     bool
}

// Scan reads every input from items with a pool of workers and feeds the
// records to the driver d: the workers call d.Observe, and the alerts of
// each input, in input order, then those of d.Close, go through d.Admit to
// emit. A bad input is recorded in the summary and the scan goes on; the
// error is non-nil only when emit fails or ctx ends.
func Scan(ctx context.Context, d *detect.Driver, items iter.Seq[Item], opt Options, emit func(detect.Alert) error) (sum Summary, err error) {
	sum = Summary{AlertsByRule: map[string]int{}}
	if opt, err = opt.checked(); err != nil {
		return sum, err
	}
	defer func() { sum.Duplicates = d.Duplicates() }()
	report := func(a detect.Alert) error {
		sum.Alerts++
		sum.AlertsByRule[a.RuleID]++
		return emit(a)
	}
	needles := detect.Needles()
	work := func(ctx context.Context, w *worker, in Input) fileResult {
		return w.scan(ctx, in, d, needles, opt)
	}
	err = runPool(ctx, items, opt, work, func(it Item, r fileResult) error {
		switch {
		case it.Skip != nil:
			sum.Skipped = append(sum.Skipped, *it.Skip)
			return nil
		case it.Fail != nil:
			sum.Failed = append(sum.Failed, *it.Fail)
			return nil
		}
		if r.opened {
			sum.Files++
		}
		if r.opened && r.err == nil {
			sum.Read++
		}
		sum.CompressedBytes += r.compressed
		sum.Bytes += r.bytes
		sum.Records += r.records
		if r.err != nil {
			sum.Failed = append(sum.Failed, Problem{Input: it.Input.Name(), Reason: r.err.Error()})
		}
		for _, a := range r.alerts {
			if !d.Admit(a) {
				continue
			}
			if err := report(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	for _, a := range d.Close() {
		if err := report(a); err != nil {
			return sum, err
		}
		if opt.Counters != nil {
			opt.Counters.Alerts.Add(1)
		}
	}
	return sum, nil
}

// runPool reads the inputs of items with opt.Workers workers and calls
// done for every item in the order items gave them (skips and failures
// included), from the calling goroutine.
func runPool(ctx context.Context, items iter.Seq[Item], opt Options, work func(context.Context, *worker, Input) fileResult, done func(Item, fileResult) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		seq int
		it  Item
	}
	type result struct {
		job
		r fileResult
	}
	jobs := make(chan job)
	results := make(chan result, opt.Workers)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w *worker
			for j := range jobs {
				var r fileResult
				if j.it.Input != nil {
					if w == nil {
						w = newWorker(opt)
					}
					if r = isolate(ctx, w, j.it.Input, work); errors.Is(r.err, errPanic) {
						w = nil // its buffers' state is unknown
					}
				}
				results <- result{j, r}
			}
		}()
	}
	go func() {
		defer close(jobs)
		seq := 0
		for it := range items {
			select {
			case jobs <- job{seq, it}:
				seq++
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	// Results arrive out of order; hand them over in input order.
	pending := map[int]result{}
	next := 0
	var err error
	for res := range results {
		if err != nil {
			continue // drain
		}
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err = done(r.it, r.r); err != nil {
				cancel()
				break
			}
		}
	}
	if err != nil {
		return err
	}
	return ctx.Err()
}

// errPanic marks an input whose reading panicked.
var errPanic = errors.New("internal error")

// isolate runs work on in and turns a panic into that input's error, so
// that a reader's bug on one hostile input is one unreadable input in the
// summary, not the end of the run.
func isolate(ctx context.Context, w *worker, in Input, work func(context.Context, *worker, Input) fileResult) (r fileResult) {
	defer func() {
		if p := recover(); p != nil {
			r = fileResult{err: fmt.Errorf("%w (please report it): %v", errPanic, p)}
		}
	}()
	return work(ctx, w, in)
}

// worker holds the buffers one goroutine reuses from input to input.
type worker struct {
	buf []byte
	br  *bufio.Reader
	gz  *gzip.Reader

	whole  bool      // inflate gzip files whole (libdeflate)
	gunzip gunzipper // made on the first gzip file
	zin    []byte    // a compressed file, read whole
	out    []byte    // that file inflated
}

func newWorker(opt Options) *worker {
	return &worker{br: bufio.NewReaderSize(nil, 64<<10), whole: opt.Inflater == InflaterLibdeflate}
}

// chunkBuf returns the chunk buffer, made on first use (a worker that
// inflates whole files needs it only for the inputs it streams).
func (w *worker) chunkBuf(size int) []byte {
	if cap(w.buf) == 0 {
		w.buf = make([]byte, 0, size)
	}
	return w.buf
}

// countingReader counts the compressed bytes of an input.
type countingReader struct {
	r   io.Reader
	n   int64
	ctx context.Context
	c   *Counters
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.c != nil {
		c.c.Compressed.Add(int64(n))
	}
	return n, err
}

// opened is an input being read: its decompressed stream, or, when it was
// inflated whole, its data.
type opened struct {
	r      io.Reader
	data   []byte
	cr     *countingReader
	closer io.Closer
}

// open opens in and returns its decompressed stream or data (gzip is
// recognised by its magic bytes, not by the name).
func (w *worker) open(ctx context.Context, in Input, c *Counters) (opened, error) {
	rc, err := in.Open(ctx)
	if err != nil {
		return opened{}, err
	}
	o := opened{cr: &countingReader{r: rc, ctx: ctx, c: c}, closer: rc}
	w.br.Reset(o.cr)
	magic, err := w.br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		rc.Close()
		return o, fmt.Errorf("read: %w", err)
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		o.r = w.br
		return o, nil
	}
	var src io.Reader = w.br
	if w.whole {
		data, stream, err := w.inflateWhole(w.br)
		if err != nil {
			rc.Close()
			return o, err
		}
		if data != nil {
			o.data = data
			return o, nil
		}
		src = stream
	}
	if w.gz == nil {
		w.gz, err = gzip.NewReader(src)
	} else {
		err = w.gz.Reset(src)
	}
	if err != nil {
		rc.Close()
		return o, fmt.Errorf("gzip: %w", err)
	}
	o.r = w.gz
	return o, nil
}

// scan reads one input through the splitter and the engine.
func (w *worker) scan(ctx context.Context, in Input, d *detect.Driver, needles [][]byte, opt Options) (res fileResult) {
	o, err := w.open(ctx, in, opt.Counters)
	if o.cr != nil {
		defer func() { res.compressed = o.cr.n }()
	}
	if err != nil {
		res.err = err
		return res
	}
	defer o.closer.Close()
	res.opened = true
	s := &fileSink{d: d, name: in.Name(), strict: opt.Strict, counters: opt.Counters}
	sp := newSplitter(s, needles, opt.Strict)
	var counted int
	onChunk := func(n int) {
		if opt.afterChunk != nil {
			opt.afterChunk()
		}
		res.bytes += int64(n)
		if opt.Counters != nil {
			opt.Counters.Bytes.Add(int64(n))
			opt.Counters.Records.Add(int64(sp.index - counted))
			counted = sp.index
		}
	}
	if o.data != nil {
		err = splitBytes(o.data, sp, opt.ChunkSize, opt.MaxRecord, onChunk)
	} else {
		w.buf, err = splitReader(o.r, sp, w.chunkBuf(opt.ChunkSize), opt.MaxRecord, onChunk)
	}
	if cap(w.buf) > opt.ChunkSize {
		w.buf = make([]byte, 0, opt.ChunkSize) // drop a buffer grown for a huge record
	}
	res.records = int64(sp.index)
	if opt.Counters != nil {
		opt.Counters.Records.Add(int64(sp.index - counted))
		opt.Counters.Files.Add(1)
	}
	res.alerts = s.alerts
	var se *syntaxError
	switch {
	case errors.Is(err, errNotCloudTrail), errors.As(err, &se):
		res.err = err // already says what is wrong where
	case err != nil:
		res.err = fmt.Errorf("read: %w", err)
	case res.bytes == 0:
		res.err = errEmpty
	case s.bad > 0:
		res.err = fmt.Errorf("%d records not decodable, first: %w", s.bad, s.firstBad)
	}
	return res
}

var (
	errNotCloudTrail = errors.New("not CloudTrail")
	// errEmpty is an input with no data (a 0-byte file, or a gzip of
	// nothing): unreadable, since CloudTrail never delivers one.
	errEmpty = errors.New("empty: no data")
)

// fileSink decodes candidate records and feeds them to the driver.
type fileSink struct {
	d        *detect.Driver
	name     string
	strict   bool
	counters *Counters

	alerts   []detect.Alert
	bad      int
	firstBad error
}

func (s *fileSink) match(raw []byte) bool { return s.strict || detect.Interesting(raw) }

func (s *fileSink) record(raw []byte, index int, first bool) error {
	r, err := detect.DecodeRecord(raw)
	if err != nil {
		if first {
			if !json.Valid(raw) {
				return fmt.Errorf("%w: record 0 is not valid JSON: %w", errNotCloudTrail, err)
			}
			return fmt.Errorf("%w: record 0: %w", errNotCloudTrail, err)
		}
		s.bad++
		if s.firstBad == nil {
			s.firstBad = fmt.Errorf("record %d: %w", index, err)
		}
		return nil
	}
	alerts, _ := s.d.Observe(r, detect.Source{File: s.name, Index: index})
	if s.counters != nil && len(alerts) > 0 {
		s.counters.Alerts.Add(int64(len(alerts)))
	}
	s.alerts = append(s.alerts, alerts...)
	return nil
}

// SortedRules returns the rule IDs of m sorted by count, then ID.
func SortedRules(m map[string]int) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if m[ids[i]] != m[ids[j]] {
			return m[ids[i]] > m[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids
}
