package trail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Inflaters: how a gzip input is decompressed.
const (
	// InflaterGo streams through github.com/klauspost/compress/gzip into the
	// chunk buffer; every build has it.
	InflaterGo = "go"
	// InflaterLibdeflate inflates a whole file at once with libdeflate (cgo,
	// built with -tags libdeflate) into a buffer the worker reuses.
	InflaterLibdeflate = "libdeflate"
)

// Bounds of whole-file inflation: a file whose compressed size or gzip
// trailer size (ISIZE) is above them, or that does not fit once inflated,
// is streamed instead. A worker's two buffers grow to at most their sum.
const (
	WholeMaxCompressed = 3 << 20
	WholeMaxInflated   = 16 << 20
)

// gunzipper inflates every gzip member of src into dst[:cap(dst)] and
// returns how many bytes it wrote; errNoSpace when they do not fit, any
// other error when src is not valid gzip.
type gunzipper interface {
	gunzip(dst, src []byte) (int, error)
}

var errNoSpace = errors.New("inflated data larger than the buffer")

// newGunzipper is set by the libdeflate build.
var newGunzipper func() gunzipper

// Inflaters lists the inflaters this build has, the default first.
func Inflaters() []string {
	if newGunzipper != nil {
		return []string{InflaterLibdeflate, InflaterGo}
	}
	return []string{InflaterGo}
}

// checkInflater returns the inflater name stands for ("" is the default).
func checkInflater(name string) (string, error) {
	if name == "" {
		return Inflaters()[0], nil
	}
	if !slices.Contains(Inflaters(), name) {
		return "", fmt.Errorf("inflater %q is not in this build (it has %v)", name, Inflaters())
	}
	return name, nil
}

// inflateWhole reads the gzip stream of br (magic already seen) into the
// worker's compressed buffer and inflates it whole into its output buffer.
// When the file is above the bounds or libdeflate refuses it, it returns
// a stream over the bytes read so far and the rest of br instead, which
// the Go gzip reader then decompresses exactly as without libdeflate (the
// same bytes, the same errors at the same place).
func (w *worker) inflateWhole(br io.Reader) (data []byte, stream io.Reader, err error) {
	if cap(w.zin) == 0 {
		// One more byte than the bound tells a file above it.
		w.zin = make([]byte, 0, WholeMaxCompressed+1)
	}
	src, err := readUpTo(br, w.zin)
	if err != nil {
		return nil, nil, err
	}
	if len(src) > WholeMaxCompressed {
		return nil, io.MultiReader(bytes.NewReader(src), br), nil
	}
	if len(src) < 18 {
		return nil, bytes.NewReader(src), nil // not even one gzip member
	}
	if w.gunzip == nil {
		w.gunzip = newGunzipper()
	}
	// The trailer's size field is the last member's size modulo 2^32, and
	// comes from the file: a hint for the first buffer, never trusted.
	size := int(binary.LittleEndian.Uint32(src[len(src)-4:]))
	if size > WholeMaxInflated {
		return nil, bytes.NewReader(src), nil
	}
	size = max(size, 4*len(src), 64<<10)
	for {
		size = min(size, WholeMaxInflated)
		if cap(w.out) < size {
			w.out = make([]byte, 0, size)
		}
		n, err := w.gunzip.gunzip(w.out[:cap(w.out)], src)
		switch {
		case err == nil:
			return w.out[:n], nil, nil
		case errors.Is(err, errNoSpace) && cap(w.out) < WholeMaxInflated:
			size = 2 * cap(w.out)
		default:
			return nil, bytes.NewReader(src), nil
		}
	}
}

// readUpTo reads r into buf[:cap(buf)] until r ends or buf is full.
func readUpTo(r io.Reader, buf []byte) ([]byte, error) {
	n, err := io.ReadFull(r, buf[:cap(buf)])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	if err != nil {
		return buf[:n], fmt.Errorf("read: %w", err)
	}
	return buf[:n], nil
}

// splitBytes runs sp over data, held whole in memory, in windows of
// window bytes, so that the splitter's passes over a window stay in the
// CPU cache; nothing is copied. onChunk gets the bytes each window adds.
func splitBytes(data []byte, sp *splitter, window, maxRecord int, onChunk func(n int)) error {
	pos, end := 0, 0
	for {
		next := min(len(data), max(end, pos+window))
		if next == end && next < len(data) {
			next = min(len(data), end+window) // one record larger than a window
		}
		if onChunk != nil && next > end {
			onChunk(next - end)
		}
		end = next
		eof := end == len(data)
		used, err := sp.process(data[pos:end], eof)
		if err != nil || eof {
			return err
		}
		pos += used
		if end-pos >= maxRecord {
			return fmt.Errorf("record %d is larger than %d bytes", sp.index, maxRecord)
		}
	}
}
