package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"
)

// Kind names what is wrong with a broken line.
type Kind string

// Kinds of breakage.
const (
	// KindEdited: the line's hash does not match its content, or the line
	// is not in canonical form.
	KindEdited Kind = "content edited"
	// KindRemoved: sequence numbers skip: entries were removed before
	// this line.
	KindRemoved Kind = "entry removed"
	// KindReordered: the line's sequence number comes too early or too
	// late and the expected one is elsewhere (or repeats).
	KindReordered Kind = "entries reordered"
	// KindChain: the line is intact and in sequence but its prev is not
	// the previous line's hash: a rewritten predecessor or an inserted line.
	KindChain Kind = "chain broken"
	// KindTruncated: the last line has no newline (a torn write, or the
	// file was cut in the middle of a line).
	KindTruncated Kind = "truncated last line"
	// KindMalformed: the line is not an audit record at all.
	KindMalformed Kind = "not an audit entry"
)

// Break is the first broken line of a log.
type Break struct {
	Line   int // 1-based
	Kind   Kind
	Detail string
}

// String is one line: "line 7: entry removed (seq 8 follows seq 6)".
func (b *Break) String() string {
	if b.Detail == "" {
		return fmt.Sprintf("line %d: %s", b.Line, b.Kind)
	}
	return fmt.Sprintf("line %d: %s (%s)", b.Line, b.Kind, b.Detail)
}

// Result is what Verify found.
type Result struct {
	// Entries is the number of intact records before the first break.
	Entries int
	// Head is the hash of the last intact record (Genesis if none).
	Head string
	// Last is the time of the last intact record.
	Last time.Time
	// Pending are the lines of intents with no later result for the same
	// plan, change, account and operation: calls that may or may not have
	// been made (the writer stopped in between).
	Pending []int
	// Broken is the first broken line, nil when the whole file verifies.
	Broken *Break
}

// OK reports whether the whole file verified.
func (r Result) OK() bool { return r.Broken == nil }

// Verify walks the log at path and checks every line's canonical form,
// hash, sequence number and link to its predecessor. The error is for
// I/O only; a broken chain is reported in Result.Broken.
func Verify(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{Head: Genesis}, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	res, err := VerifyReader(f)
	if err != nil {
		return res, fmt.Errorf("audit log %s: %w", path, err)
	}
	return res, nil
}

type pendingKey struct{ plan, change, account, op string }

// VerifyReader is Verify over a reader.
func VerifyReader(r io.Reader) (Result, error) {
	lr := &lineReader{br: bufio.NewReader(r)}
	res := Result{Head: Genesis}
	pending := map[pendingKey]int{}
	var prevSeq uint64
	for line := 1; ; line++ {
		b, err := lr.next()
		if len(b) == 0 && errors.Is(err, io.EOF) {
			break
		}
		brk := func(k Kind, format string, args ...any) (Result, error) {
			res.Broken = &Break{Line: line, Kind: k, Detail: fmt.Sprintf(format, args...)}
			res.Pending = sortedLines(pending)
			return res, nil
		}
		switch {
		case errors.Is(err, errLong):
			return brk(KindMalformed, "longer than %d bytes", maxLine)
		case errors.Is(err, io.EOF):
			return brk(KindTruncated, "no newline at the end of the file")
		case err != nil:
			return res, fmt.Errorf("read line %d: %w", line, err)
		}
		b = b[:len(b)-1]
		if len(b) == 0 {
			return brk(KindMalformed, "empty line")
		}
		rec, bad := parseRecord(b)
		if bad != nil {
			return brk(bad.Kind, "%s", bad.Detail)
		}
		if want := prevSeq + 1; rec.Seq != want {
			k, detail, err := seqBreak(lr, line, rec.Seq, want)
			if err != nil {
				return res, err
			}
			return brk(k, "%s", detail)
		}
		if rec.Prev != res.Head {
			if line == 1 {
				return brk(KindChain, "the first entry's prev is not the genesis hash")
			}
			return brk(KindChain, "prev does not match the hash of line %d", line-1)
		}
		res.Entries++
		res.Head, res.Last, prevSeq = rec.Hash, rec.Time, rec.Seq
		k := pendingKey{rec.PlanID, rec.ChangeID, rec.AccountID, rec.Operation}
		if rec.Phase == PhaseIntent {
			pending[k] = line
		} else {
			delete(pending, k)
		}
	}
	res.Pending = sortedLines(pending)
	return res, nil
}

// seqBreak explains a sequence number that is not the expected one. It
// reads the rest of the file to tell a removal from a reordering.
func seqBreak(lr *lineReader, line int, got, want uint64) (Kind, string, error) {
	if got < want {
		return KindReordered, fmt.Sprintf("seq %d after seq %d", got, want-1), nil
	}
	for ahead := line + 1; ; ahead++ {
		b, err := lr.next()
		if errors.Is(err, errLong) {
			continue
		}
		var s struct {
			Seq uint64 `json:"seq"`
		}
		if len(b) > 0 && json.Unmarshal(bytes.TrimSpace(b), &s) == nil && s.Seq == want {
			return KindReordered, fmt.Sprintf("seq %d where seq %d was expected; seq %d is at line %d", got, want, want, ahead), nil
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", fmt.Errorf("read line %d: %w", ahead, err)
		}
	}
	if want == 1 {
		return KindRemoved, fmt.Sprintf("the log starts at seq %d", got), nil
	}
	return KindRemoved, fmt.Sprintf("seq %d follows seq %d", got, want-1), nil
}

// errLong: a line longer than maxLine; lineReader skipped the rest of it.
var errLong = errors.New("line too long")

// lineReader reads lines of up to maxLine bytes without allocating a
// maxLine buffer for files of short lines.
type lineReader struct {
	br  *bufio.Reader
	buf []byte
}

// next returns the next line with its newline, valid until the next call.
// At the end of the file it returns the unterminated rest and io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		b, err := lr.br.ReadSlice('\n')
		if len(lr.buf)+len(b) > maxLine {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = lr.br.ReadSlice('\n')
			}
			return nil, errLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			lr.buf = append(lr.buf, b...)
			continue
		}
		if len(lr.buf) == 0 {
			return b, err
		}
		lr.buf = append(lr.buf, b...)
		return lr.buf, err
	}
}

// sortedLines returns the pending intents' line numbers in order, nil for
// none.
func sortedLines(m map[pendingKey]int) []int {
	return slices.Sorted(maps.Values(m))
}

// verifyTail checks the last line of a log of the given size and its link
// to the line before it. It returns the last record, or nil for an empty
// log.
func verifyTail(f io.ReaderAt, size int64) (*Record, *Break, error) {
	if size == 0 {
		return nil, nil, nil
	}
	n := min(size, 2*int64(maxLine)+2)
	base := size - n
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, base); err != nil {
		return nil, nil, fmt.Errorf("read tail: %w", err)
	}
	at := func(off int, k Kind, format string, args ...any) (*Record, *Break, error) {
		line, err := lineAt(f, base+int64(off))
		if err != nil {
			return nil, nil, err
		}
		return nil, &Break{Line: line, Kind: k, Detail: fmt.Sprintf(format, args...)}, nil
	}
	if buf[n-1] != '\n' {
		start := bytes.LastIndexByte(buf, '\n') + 1
		return at(start, KindTruncated, "no newline at the end of the file")
	}
	// lineBounds returns the start of the line ending just before end.
	lineBounds := func(end int) (int, bool) {
		i := bytes.LastIndexByte(buf[:end], '\n')
		if i < 0 && base > 0 {
			return 0, false
		}
		return i + 1, true
	}
	lastEnd := int(n) - 1
	lastStart, ok := lineBounds(lastEnd)
	if !ok {
		return at(0, KindMalformed, "longer than %d bytes", maxLine)
	}
	if lastStart == lastEnd {
		return at(lastStart, KindMalformed, "empty line")
	}
	last, bad := parseRecord(buf[lastStart:lastEnd])
	if bad != nil {
		return at(lastStart, bad.Kind, "%s", bad.Detail)
	}
	if lastStart == 0 && base == 0 { // a single line
		switch {
		case last.Seq != 1:
			return at(0, KindRemoved, "the log starts at seq %d", last.Seq)
		case last.Prev != Genesis:
			return at(0, KindChain, "the first entry's prev is not the genesis hash")
		}
		return &last, nil, nil
	}
	prevEnd := lastStart - 1
	prevStart, ok := lineBounds(prevEnd)
	if !ok {
		return at(0, KindMalformed, "longer than %d bytes", maxLine)
	}
	if prevStart == prevEnd {
		return at(prevStart, KindMalformed, "empty line")
	}
	prev, bad := parseRecord(buf[prevStart:prevEnd])
	if bad != nil {
		return at(prevStart, bad.Kind, "%s", bad.Detail)
	}
	switch {
	case last.Seq > prev.Seq+1:
		return at(lastStart, KindRemoved, "seq %d follows seq %d", last.Seq, prev.Seq)
	case last.Seq+1 == prev.Seq: // the last two lines swapped; Verify blames the first
		return at(prevStart, KindReordered, "seq %d where seq %d was expected; seq %d is on the next line", prev.Seq, last.Seq, last.Seq)
	case last.Seq != prev.Seq+1:
		return at(lastStart, KindReordered, "seq %d after seq %d", last.Seq, prev.Seq)
	case last.Prev != prev.Hash:
		return at(lastStart, KindChain, "prev does not match the hash of the line before")
	}
	return &last, nil, nil
}

// lineAt returns the 1-based number of the line that starts at off.
func lineAt(f io.ReaderAt, off int64) (int, error) {
	line := 1
	buf := make([]byte, 64<<10)
	for pos := int64(0); pos < off; {
		n, err := f.ReadAt(buf[:min(int64(len(buf)), off-pos)], pos)
		line += bytes.Count(buf[:n], []byte("\n"))
		pos += int64(n)
		if err != nil && !(errors.Is(err, io.EOF) && pos >= off) {
			return 0, fmt.Errorf("count lines: %w", err)
		}
	}
	return line, nil
}
