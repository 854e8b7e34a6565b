package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	// KindCut: the log ends before the head anchored beside it: entries
	// were cut from the end.
	KindCut Kind = "entries cut from the end"
	// KindAnchor: the chain verifies but does not lead to the anchored
	// head (the log was rewritten and re-chained), or the anchor is
	// missing.
	KindAnchor Kind = "head anchor mismatch"
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
// hash (keyed by the audit key: opts.Key, else the key file beside the
// log), sequence number and link to its predecessor, and that the chain
// ends at the head anchored in opts.Anchor (by default the head file
// beside the log). The error is
// for I/O only; a broken chain is reported in Result.Broken.
func Verify(path string, opts Options) (Result, error) {
	return walk(path, opts, true, nil)
}

// Read walks the log at path as Verify does, without a head anchor, and
// calls visit with every intact record before the first break, in order.
func Read(path string, opts Options, visit func(*Record)) (Result, error) {
	return walk(path, opts, false, visit)
}

// walk opens the log at path, keyed as Options says, and verifies it,
// against its head anchor when anchored.
func walk(path string, opts Options, anchored bool, visit func(*Record)) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{Head: Genesis}, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	key := opts.Key
	if key == nil {
		key, err = loadKey(keyPath(opts, path))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Result{Head: Genesis}, err
		}
	}
	var anchor *Head
	if anchored {
		if anchor, err = readAnchor(context.Background(), anchorOf(opts, path)); err != nil {
			return Result{Head: Genesis}, err
		}
	}
	res, err := verify(f, key, anchor, anchored, visit)
	if err != nil {
		return res, fmt.Errorf("audit log %s: %w", path, err)
	}
	return res, nil
}

type pendingKey struct{ plan, change, account, op string }

// VerifyReader checks the chain of a log read from r, keyed by key (nil
// checks only unkeyed, version 1, entries), without a head anchor.
func VerifyReader(r io.Reader, key []byte) (Result, error) {
	return verify(r, key, nil, false, nil)
}

// verify walks a log. anchor is the head noted beside it (nil when there
// is none); anchored says whether a keyed log must have one; visit, when
// not nil, sees every intact record.
func verify(r io.Reader, key []byte, anchor *Head, anchored bool, visit func(*Record)) (Result, error) {
	lr := &lineReader{br: bufio.NewReader(r)}
	res := Result{Head: Genesis}
	pending := map[pendingKey]int{}
	var prevSeq uint64
	var keyed bool
	anchorLine, anchorHash := 0, ""
	line := 1
	for ; ; line++ {
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
		rec, bad := parseRecord(b, key)
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
		if keyed && rec.V == versionUnkeyed {
			return brk(KindEdited, "an unkeyed (version %d) entry after keyed ones", versionUnkeyed)
		}
		keyed = rec.V != versionUnkeyed
		res.Entries++
		res.Head, res.Last, prevSeq = rec.Hash, rec.Time, rec.Seq
		if anchor != nil && rec.Seq == anchor.Seq {
			anchorLine, anchorHash = line, rec.Hash
		}
		k := pendingKey{rec.PlanID, rec.ChangeID, rec.AccountID, rec.Operation}
		if rec.Phase == PhaseIntent {
			pending[k] = line
		} else {
			delete(pending, k)
		}
		if visit != nil {
			visit(&rec)
		}
	}
	res.Pending = sortedLines(pending)
	switch {
	case anchor == nil && keyed && anchored:
		res.Broken = &Break{Line: line, Kind: KindAnchor, Detail: "its head anchor (the head file beside the log, or the database row) is missing"}
	case anchor == nil:
	case prevSeq < anchor.Seq:
		res.Broken = &Break{Line: line, Kind: KindCut, Detail: fmt.Sprintf("the log ends at seq %d, the head anchor says seq %d", prevSeq, anchor.Seq)}
	case anchorHash != anchor.Hash:
		res.Broken = &Break{Line: anchorLine, Kind: KindAnchor, Detail: fmt.Sprintf("seq %d's hash is not the one anchored: the log was rewritten", anchor.Seq)}
	case prevSeq > anchor.Seq+1:
		res.Broken = &Break{Line: anchorLine + 2, Kind: KindAnchor, Detail: fmt.Sprintf("the head anchor says seq %d, but %d entries follow it", anchor.Seq, prevSeq-anchor.Seq)}
	}
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
