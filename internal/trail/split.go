package trail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// errIncomplete means the buffer ends before the JSON value does.
var errIncomplete = errors.New("incomplete")

// anchor starts a record in CloudTrail's own delivery format: every record
// AWS writes is a compact object whose first key is eventVersion. Inside a
// JSON string a bare quote cannot occur, so in valid JSON this byte sequence
// is always the start of an object whose first key is eventVersion.
var anchor = []byte(`{"eventVersion":`)

// isSpace reports JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(buf []byte, i int) int {
	for i < len(buf) && isSpace(buf[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string whose opening quote
// is at buf[i], or errIncomplete.
func stringEnd(buf []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(buf[j:], '"')
		if k < 0 {
			return 0, errIncomplete
		}
		q := j + k
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for p := q - 1; p > i && buf[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
}

// valueEnd returns the index just past the JSON object or array that starts
// at buf[start] ('{' or '['). It is a string-aware bracket matcher, not a
// validator: it checks that brackets nest and strings close, and leaves the
// rest to the decoder. It returns errIncomplete when buf ends first.
func valueEnd(buf []byte, start int, stack []byte) (int, []byte, error) {
	stack = stack[:0]
	for i := start; i < len(buf); i++ {
		switch c := buf[i]; c {
		case '"':
			end, err := stringEnd(buf, i)
			if err != nil {
				return 0, stack, err
			}
			i = end - 1
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			open := byte('{')
			if c == ']' {
				open = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return 0, stack, &bracketError{pos: i, c: c}
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i + 1, stack, nil
			}
		}
	}
	return 0, stack, errIncomplete
}

// sink receives the records the splitter finds.
type sink interface {
	// match is the cheap byte-level test: false means the record can be
	// counted and skipped.
	match(raw []byte) bool
	// record handles a candidate record (raw is only valid during the call).
	// first is true for the file's first record, which is always decoded so
	// that a file that is not CloudTrail is recognised.
	record(raw []byte, index int, first bool) error
}

// splitter state between chunks.
type splitState int

const (
	stTop      splitState = iota // between top-level values
	stArray                      // inside a Records (or bare) array, before an element
	stArrayEnd                   // after an element: ',' or ']' next
	stWrapEnd                    // after the Records array: '}' next
)

// splitter finds the records of one input in chunks of decompressed data and
// carries an incomplete record over to the next chunk.
type splitter struct {
	sink    sink
	needles needleSet
	anchor  finder
	strict  bool // exact bracket matching for every record, no fast paths

	state   splitState
	wrapped bool // the current array is a {"Records":[...]} wrapper
	fast    bool // the current array's records all start with anchor
	inArray int  // records seen in the current array
	lines   bool // top-level objects are one per line
	index   int  // records seen so far
	off     int64
	stack   []byte
}

// newSplitter returns a splitter that hands sink the records containing
// one of needles (plus the first record of the input).
func newSplitter(s sink, needles [][]byte, strict bool) *splitter {
	return &splitter{sink: s, strict: strict, needles: newNeedleSet(needles), anchor: newFinder(anchor)}
}

// syntaxError is a structural problem in the input at a byte offset of the
// decompressed stream.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("invalid JSON at byte %d: %s", e.off, e.msg) }

// bracketError is a bracket that closes nothing, at pos in the buffer.
type bracketError struct {
	pos int
	c   byte
}

func (e *bracketError) Error() string { return fmt.Sprintf("unexpected %q", e.c) }

func (sp *splitter) errAt(pos int, format string, args ...any) error {
	return &syntaxError{off: sp.off + int64(pos), msg: fmt.Sprintf(format, args...)}
}

// process handles the complete records in buf and returns how many bytes it
// consumed. At eof every byte must be consumed, or the input is truncated.
func (sp *splitter) process(buf []byte, eof bool) (int, error) {
	pos, err := sp.run(buf, eof)
	if err == nil && eof {
		switch {
		case sp.state != stTop:
			err = sp.errAt(pos, "unexpected end of input: Records array not closed after record %d", sp.index)
		case skipSpace(buf, pos) < len(buf):
			err = sp.errAt(pos, "unexpected end of input in record %d", sp.index)
		}
	}
	sp.off += int64(pos)
	return pos, err
}

// incomplete turns errIncomplete into "need more data" and any other error
// into a syntax error at i.
func (sp *splitter) incomplete(i int, err error) (int, error) {
	if errors.Is(err, errIncomplete) {
		return i, nil
	}
	var be *bracketError
	if errors.As(err, &be) {
		return i, sp.errAt(be.pos, "unexpected %q", be.c)
	}
	return i, sp.errAt(i, "%v", err)
}

func (sp *splitter) run(buf []byte, eof bool) (int, error) {
	pos := 0
	for {
		switch sp.state {
		case stTop:
			if sp.lines && !sp.strict {
				n, err := sp.runLines(buf, pos, eof)
				pos = n
				if err != nil || sp.lines {
					return pos, err
				}
				// Not a one-line object: the exact path below takes it.
			}
			i := skipSpace(buf, pos)
			if i == len(buf) {
				return i, nil
			}
			switch buf[i] {
			case '[':
				sp.openArray(false)
				pos = i + 1
				continue
			case '{':
			default:
				return i, sp.errAt(i, "not a JSON object or array (starts with %q)", buf[i])
			}
			j, ok, err := recordsWrapper(buf, i)
			if err != nil {
				return sp.incomplete(i, err)
			}
			if ok {
				sp.openArray(true)
				pos = j
				continue
			}
			end, err := sp.valueEnd(buf, i)
			if err != nil {
				return sp.incomplete(i, err)
			}
			if err := sp.emit(buf[i:end]); err != nil {
				return end, err
			}
			pos = end
			// A one-line object followed by a newline: JSON Lines.
			if k := skipSpaceNoNewline(buf, end); k < len(buf) && buf[k] == '\n' && bytes.IndexByte(buf[i:end], '\n') < 0 {
				sp.lines = true
			}
		case stArray:
			i := skipSpace(buf, pos)
			if i == len(buf) {
				return i, nil
			}
			switch buf[i] {
			case ']':
				if sp.inArray > 0 {
					return i, sp.errAt(i, "unexpected ']' after ',' in the Records array")
				}
				sp.closeArray()
				pos = i + 1
				continue
			case '{':
			default:
				return i, sp.errAt(i, "expected a record object in the Records array, found %q", buf[i])
			}
			if sp.fast && !sp.strict {
				n, err := sp.runFast(buf, i)
				if err != nil {
					return n, err
				}
				if n > i {
					pos = n
					continue
				}
			}
			end, err := sp.valueEnd(buf, i)
			if err != nil {
				return sp.incomplete(i, err)
			}
			if sp.inArray == 0 && bytes.HasPrefix(buf[i:], anchor) {
				sp.fast = true
			}
			sp.inArray++
			if err := sp.emit(buf[i:end]); err != nil {
				return end, err
			}
			pos = end
			sp.state = stArrayEnd
		case stArrayEnd:
			i := skipSpace(buf, pos)
			if i == len(buf) {
				return i, nil
			}
			switch buf[i] {
			case ',':
				sp.state = stArray
			case ']':
				sp.closeArray()
			default:
				return i, sp.errAt(i, "expected ',' or ']' after record %d, found %q", sp.index-1, buf[i])
			}
			pos = i + 1
		case stWrapEnd:
			i := skipSpace(buf, pos)
			if i == len(buf) {
				return i, nil
			}
			if buf[i] != '}' {
				return i, sp.errAt(i, "expected '}' after the Records array, found %q", buf[i])
			}
			sp.state = stTop
			pos = i + 1
		}
	}
}

func (sp *splitter) valueEnd(buf []byte, i int) (int, error) {
	end, st, err := valueEnd(buf, i, sp.stack)
	sp.stack = st
	return end, err
}

func (sp *splitter) openArray(wrapped bool) {
	sp.state, sp.wrapped, sp.fast, sp.inArray = stArray, wrapped, false, 0
}

func (sp *splitter) closeArray() {
	sp.fast = false
	if sp.wrapped {
		sp.state = stWrapEnd
	} else {
		sp.state = stTop
	}
}

func skipSpaceNoNewline(buf []byte, i int) int {
	for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r') {
		i++
	}
	return i
}

// emit hands one record found by the exact path to the sink.
func (sp *splitter) emit(raw []byte) error {
	idx := sp.index
	sp.index++
	if idx == 0 || sp.strict || sp.sink.match(raw) {
		return sp.sink.record(raw, idx, idx == 0)
	}
	return nil
}

// recordsWrapper reports whether the object at buf[i] opens with a
// "Records" key holding an array, and returns the index after the '['.
func recordsWrapper(buf []byte, i int) (int, bool, error) {
	j := skipSpace(buf, i+1)
	if j == len(buf) {
		return 0, false, errIncomplete
	}
	if buf[j] != '"' {
		return 0, false, nil
	}
	end, err := stringEnd(buf, j)
	if err != nil {
		return 0, false, err
	}
	if string(buf[j:end]) != `"Records"` {
		return 0, false, nil
	}
	k := skipSpace(buf, end)
	if k == len(buf) {
		return 0, false, errIncomplete
	}
	if buf[k] != ':' {
		return 0, false, fmt.Errorf("expected ':' after \"Records\"")
	}
	k = skipSpace(buf, k+1)
	if k == len(buf) {
		return 0, false, errIncomplete
	}
	if buf[k] != '[' {
		return 0, false, nil
	}
	return k + 1, true, nil
}

// runFast walks the records of a Records array whose records start with
// anchor, from buf[i]. It looks inside a record only when it contains a
// needle, and checks the shape of the input at every record boundary. It
// stops before the last anchor in buf, whose record may be incomplete, and
// returns the position reached (an anchor, with the state before an
// element). Returning i means the exact path must take the next record:
// it is the last one in buf, or the input does not have the expected shape
// (then fast mode is off for the rest of the array).
//
// A record's end is proven only where its brackets are matched (a
// candidate's); elsewhere "}", "," and the next anchor are taken as a
// boundary, and an object nested in an array inside a record
// (`[{...},{"eventVersion":...}]`) has that shape too. So when a check
// fails, the exact path starts over from the last boundary proven since
// nothing was handed to the sink (a candidate's end, or i), with the
// records counted since then uncounted: it splits that stretch exactly
// instead of from inside a record. What remains inexact: a window that
// ends inside such a record carries an assumed boundary into the next call
// (the file may then be reported as invalid JSON), and a nested object
// that holds a needle and is followed by another such object is handed
// over as a record (docs/trail-benchmark.md, Limits).
func (sp *splitter) runFast(buf []byte, i int) (int, error) {
	if !bytes.HasPrefix(buf[i:], anchor) {
		sp.fast = false
		return i, nil
	}
	cut := sp.anchor.lastIndex(buf, i+1)
	if cut < 0 {
		return i, nil
	}
	region := buf[:cut]
	proven, index, inArray := i, sp.index, sp.inArray
	exact := func() (int, error) {
		sp.fast = false
		sp.index, sp.inArray = index, inArray
		return proven, nil
	}
	start := i
	for start < cut {
		next := cut
		if n := sp.anchor.index(region, start+1); n >= 0 {
			next = n
		}
		if !boundaryOK(region, next) {
			return exact()
		}
		if sp.needles.within(buf, start, next) {
			end, err := sp.valueEnd(region, start)
			if err != nil || end > next || !separatorOnly(region[end:next]) {
				return exact()
			}
			idx := sp.index
			sp.index++
			sp.inArray++
			if raw := region[start:end]; sp.sink.match(raw) {
				if err := sp.sink.record(raw, idx, false); err != nil {
					return start, err
				}
			}
			proven, index, inArray = next, sp.index, sp.inArray
		} else {
			sp.index++
			sp.inArray++
		}
		start = next
	}
	sp.state = stArray
	return cut, nil
}

// boundaryOK checks the bytes before an anchor at next: "}" ws* "," ws*.
func boundaryOK(buf []byte, next int) bool {
	j := next - 1
	for j >= 0 && isSpace(buf[j]) {
		j--
	}
	if j < 0 || buf[j] != ',' {
		return false
	}
	j--
	for j >= 0 && isSpace(buf[j]) {
		j--
	}
	return j >= 0 && buf[j] == '}'
}

// separatorOnly reports whether b is ws* "," ws*.
func separatorOnly(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != ',' {
		return false
	}
	return len(bytes.TrimLeft(b[1:], " \t\r\n")) == 0
}

// runLines handles JSON Lines from buf[pos]: one object per line. It
// returns the position after the last complete line. A line that does not
// look like one object (or opens a Records wrapper) ends line mode, and the
// exact path takes over from its start. Only lines that contain a needle
// are bracket-matched; for the others the first and last bytes are checked.
func (sp *splitter) runLines(buf []byte, pos int, eof bool) (int, error) {
	for pos < len(buf) {
		nl := bytes.IndexByte(buf[pos:], '\n')
		end := pos + nl
		if nl < 0 {
			if !eof {
				return pos, nil
			}
			end = len(buf)
		}
		line := bytes.TrimRight(buf[pos:end], " \t\r")
		lstart := skipSpace(line, 0)
		line = line[lstart:]
		if len(line) == 0 {
			pos = min(end+1, len(buf))
			continue
		}
		if line[0] != '{' || line[len(line)-1] != '}' || bytes.HasPrefix(line, []byte(`{"Records"`)) {
			sp.lines = false
			return pos, nil
		}
		if sp.needles.within(buf, pos+lstart, pos+lstart+len(line)) {
			// A candidate: make sure the line is exactly one object.
			if e, err := sp.valueEnd(line, 0); err != nil || e != len(line) {
				sp.lines = false
				return pos, nil
			}
			idx := sp.index
			sp.index++
			if sp.sink.match(line) {
				if err := sp.sink.record(line, idx, false); err != nil {
					return pos, err
				}
			}
		} else {
			sp.index++
		}
		pos = min(end+1, len(buf))
	}
	return pos, nil
}

// splitReader runs sp over r in chunks of chunkSize bytes (the buffer grows
// only when one record is larger than a chunk, up to maxRecord).
func splitReader(r io.Reader, sp *splitter, buf []byte, maxRecord int, onChunk func(n int)) ([]byte, error) {
	buf = buf[:0]
	for {
		n, rerr := fill(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if onChunk != nil && n > 0 {
			onChunk(n)
		}
		eof := errors.Is(rerr, io.EOF)
		if rerr != nil && !eof {
			// Keep what was read before the error: handle the complete
			// records, then report the read error.
			if _, err := sp.process(buf, false); err != nil {
				return buf, err
			}
			return buf, rerr
		}
		used, err := sp.process(buf, eof)
		if err != nil || eof {
			return buf, err
		}
		rest := copy(buf, buf[used:])
		buf = buf[:rest]
		if rest == cap(buf) {
			if cap(buf) >= maxRecord {
				return buf, fmt.Errorf("record %d is larger than %d bytes", sp.index, maxRecord)
			}
			nb := make([]byte, rest, min(2*cap(buf), maxRecord))
			copy(nb, buf)
			buf = nb
		}
	}
}

// fill reads into p until it is full, the reader ends or fails.
func fill(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			// A reader that returns nothing without an error: try again,
			// but not forever.
			m, err = r.Read(p[n:])
			n += m
			if err != nil {
				return n, err
			}
			if m == 0 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}
