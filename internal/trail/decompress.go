package trail

import (
	"context"
	"errors"
	"io"
	"iter"
)

// Decompress reads every input of items to the end with the scan's worker
// pool, chunk size and gzip library, and does nothing with the data: the
// baseline trail bench compares Scan with. It returns the decompressed
// bytes; the first unreadable input stops it with its error.
func Decompress(ctx context.Context, items iter.Seq[Item], opt Options) (int64, error) {
	var n int64
	opt, err := opt.checked()
	if err != nil {
		return 0, err
	}
	err = runPool(ctx, items, opt, func(ctx context.Context, w *worker, in Input) fileResult {
		return w.decompress(ctx, in, opt)
	}, func(_ Item, fr fileResult) error {
		n += fr.bytes
		return fr.err
	})
	return n, err
}

// EffectiveWorkers is the number of files read at once with these options
// (zero Workers means GOMAXPROCS).
func (o Options) EffectiveWorkers() int { return o.withDefaults().Workers }

// decompress reads one input to the end in chunks, like scan, and does
// nothing with the data.
func (w *worker) decompress(ctx context.Context, in Input, opt Options) (res fileResult) {
	o, err := w.open(ctx, in, nil)
	if o.cr != nil {
		defer func() { res.compressed = o.cr.n }()
	}
	if err != nil {
		res.err = err
		return res
	}
	defer o.closer.Close()
	res.opened = true
	if o.data != nil {
		res.bytes = int64(len(o.data))
		return res
	}
	buf := w.chunkBuf(opt.ChunkSize)
	buf = buf[:cap(buf)]
	for {
		n, err := fill(o.r, buf)
		res.bytes += int64(n)
		if errors.Is(err, io.EOF) {
			return res
		}
		if err != nil {
			res.err = err
			return res
		}
	}
}
