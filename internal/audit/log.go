package audit

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Sentinel errors, wrapped by Open and Append.
var (
	// ErrLocked: another process (or another Open in this one) holds the log.
	ErrLocked = errors.New("audit log is locked by another writer")
	// ErrBroken: the log's chain does not verify; nothing may be appended.
	ErrBroken = errors.New("audit log chain is broken")
	// ErrClosed: Append after Close.
	ErrClosed = errors.New("audit log is closed")
)

// logFile is what Append needs of the open file (*os.File; a fake in
// tests that simulates a torn write).
type logFile interface {
	Write([]byte) (int, error)
	Sync() error
	Truncate(int64) error
	Close() error
}

// Options configure Open.
type Options struct {
	// Key is the HMAC key for sensitive parameters, at least KeySize bytes.
	// When nil, the key is read from KeyFile, or created there (mode 0600)
	// if the log is empty.
	Key []byte
	// KeyFile is where the key lives; "" means the log's path + ".key".
	KeyFile string
	// Now is the clock for record times; nil means time.Now.
	Now func() time.Time
	// Anchor keeps the log's head; nil means the head file beside the
	// log (its path + ".head").
	Anchor Anchor
}

// Log is an open audit log, locked for writing. Its methods are safe for
// concurrent use; appends are serialized.
type Log struct {
	path   string
	now    func() time.Time
	anchor Anchor
	key    []byte
	keyID  string

	mu   sync.Mutex
	f    logFile
	seq  uint64
	head string
	size int64
	err  error // sticky: set by the first write error
	// succeeded holds callKey of every call whose result was ok.
	succeeded map[[sha256.Size]byte]bool
}

// Open opens the log at path for appending, creating it (0600, in a 0700
// directory) if needed. It takes an exclusive lock and verifies the whole
// chain, and that it ends at the head anchored beside it: a log that does
// not verify is never appended to.
func Open(path string, opts Options) (*Log, error) {
	if path == "" {
		return nil, errors.New("audit log: no path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	f, created, err := openFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	l, err := open(f, path, created, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// openFile opens path for appending, and reports whether it created it.
func openFile(path string) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, false, err
		}
		return f, true, nil
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, false, err
	}
	f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	return f, false, err
}

func open(f *os.File, path string, created bool, opts Options) (*Log, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("audit log %s: not a regular file", path)
	}
	if err := lock(f); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	// The size is read again under the lock: another writer may have
	// appended between Stat and lock.
	if st, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	size := st.Size()
	key, err := resolveKey(opts, path, size == 0 || created)
	if err != nil {
		return nil, err
	}
	// Open takes no context (its callers predate anchors that need one);
	// reading the anchor is bounded by the anchor's own timeouts.
	ctx := context.Background()
	anchors := anchorOf(opts, path)
	anchor, err := readAnchor(ctx, anchors)
	if err != nil {
		return nil, err
	}
	l := &Log{path: path, now: opts.Now, anchor: anchors, key: key, keyID: keyID(key), f: f, head: Genesis, size: size, succeeded: map[[sha256.Size]byte]bool{}}
	if l.now == nil {
		l.now = time.Now
	}
	var tailKey string
	res, err := verify(io.NewSectionReader(f, 0, size), key, anchor, true, func(r *Record) {
		tailKey = r.KeyID
		if r.Phase == PhaseResult && r.Outcome == OutcomeOK {
			l.succeeded[callKey(r.PlanID, r.ChangeID, r.AccountID, r.Operation, r.Params, r.HMAC)] = true
		}
	})
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	if res.Broken != nil {
		return nil, fmt.Errorf("audit log %s: %w at %s", path, ErrBroken, res.Broken)
	}
	if res.Entries > 0 && tailKey != l.keyID {
		return nil, fmt.Errorf("audit log %s: its last entry was written under key %s, not under the given key %s", path, tailKey, l.keyID)
	}
	l.seq, l.head = uint64(res.Entries), res.Head
	// A crash between an append and its anchoring leaves the head file
	// one entry behind (verify allows that); bring it up to date.
	if res.Entries > 0 && (anchor == nil || anchor.Seq != l.seq) {
		if err := anchors.WriteHead(ctx, Head{Seq: l.seq, Hash: l.head}); err != nil {
			return nil, fmt.Errorf("audit log %s: %w", path, err)
		}
	}
	return l, nil
}

// callKey identifies a call by its plan, change, account, operation and
// parameters as stored.
func callKey(plan, change, account, op string, params, hmacs map[string]string) [sha256.Size]byte {
	p, _ := json.Marshal(params)
	h, _ := json.Marshal(hmacs)
	return sha256.Sum256([]byte(strings.Join([]string{plan, change, account, op, string(p), string(h)}, "\x00")))
}

// Succeeded reports whether the log records an ok result of the call e
// describes (same plan, change, account, operation and parameters): a
// rerun need not make it again.
func (l *Log) Succeeded(e Entry) bool {
	plain, hashed, err := splitParams(l.key, &e)
	if err != nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.succeeded[callKey(e.PlanID, e.ChangeID, e.AccountID, e.Operation, plain, hashed)]
}

// Path is the log's file name.
func (l *Log) Path() string { return l.path }

// Head returns the last record's sequence number and hash (0 and Genesis
// for an empty log). Noting the head elsewhere lets a later Verify detect
// entries cut from the end.
func (l *Log) Head() (seq uint64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.head
}

// HMAC returns what the log stores for a sensitive value, so that an
// investigator can find the entries about it.
func (l *Log) HMAC(value string) string { return mac(l.key, value) }

// KeyID names the log's HMAC key without revealing it.
func (l *Log) KeyID() string { return l.keyID }

// Append writes e as the next record and fsyncs the file before it
// returns. A nil error is the caller's permission to make the call an
// intent announces; any error means the change must not be made. After a
// write error the Log refuses every later Append.
func (l *Log) Append(ctx context.Context, e Entry) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if err := e.check(); err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	plain, hashed, err := splitParams(l.key, &e)
	if err != nil {
		return fmt.Errorf("audit entry %s %s: %w", e.Operation, e.Phase, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("audit log %s: %w", l.path, ErrClosed)
	}
	if l.err != nil {
		return fmt.Errorf("audit log %s unusable after an earlier write error: %w", l.path, l.err)
	}
	rec := Record{
		V: Version, Seq: l.seq + 1, Time: l.now().UTC(), Prev: l.head,
		Actor: e.Actor, PlanID: e.PlanID, ChangeID: e.ChangeID, AccountID: e.AccountID,
		Operation: e.Operation, Phase: e.Phase, Outcome: e.Outcome, ErrorCode: e.ErrorCode,
		KeyID: l.keyID, Params: plain, HMAC: hashed,
	}
	line, err := rec.seal(l.key)
	if err != nil {
		return fmt.Errorf("audit entry %s %s: %w", e.Operation, e.Phase, err)
	}
	if err := l.write(line); err != nil {
		l.err = err
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	l.seq, l.head = rec.Seq, rec.Hash
	// The record is written: its anchoring completes even if ctx is
	// cancelled now.
	if err := l.anchor.WriteHead(context.WithoutCancel(ctx), Head{Seq: l.seq, Hash: l.head}); err != nil {
		l.err = err
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	if rec.Phase == PhaseResult && rec.Outcome == OutcomeOK {
		l.succeeded[callKey(rec.PlanID, rec.ChangeID, rec.AccountID, rec.Operation, plain, hashed)] = true
	}
	return nil
}

// write appends line and fsyncs. On a failed or short write it cuts the
// file back to its last good size, so that the chain stays verifiable.
func (l *Log) write(line []byte) error {
	n, err := l.f.Write(line)
	if err == nil && n != len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			if terr := l.f.Truncate(l.size); terr != nil {
				return fmt.Errorf("write: %w (and cutting the partial line failed: %v)", err, terr)
			}
		}
		return fmt.Errorf("write: %w", err)
	}
	l.size += int64(n)
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("fsync: %w", err)
	}
	return nil
}

// Close releases the lock and closes the file. Closing twice is a no-op.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("audit log %s: close: %w", l.path, err)
	}
	return nil
}

// Do records an intent, makes the call only if the intent was written,
// then records the result. The result's error code is the API error code
// of call's error (any error with an ErrorCode() string method, as the
// SDK's are) or "ClientError". Do returns call's error, joined with the
// error of writing the result if that failed too; either way a non-nil
// error means no further change may be made.
func (l *Log) Do(ctx context.Context, e Entry, call func(context.Context) error) error {
	e.Phase, e.Outcome, e.ErrorCode = PhaseIntent, "", ""
	if err := l.Append(ctx, e); err != nil {
		return err
	}
	callErr := call(ctx)
	e.Phase, e.Outcome = PhaseResult, OutcomeOK
	if callErr != nil {
		e.Outcome, e.ErrorCode = OutcomeError, errorCode(callErr)
	}
	// The result is written even if ctx was cancelled during the call.
	if err := l.Append(context.WithoutCancel(ctx), e); err != nil {
		return errors.Join(callErr, fmt.Errorf("record result of %s: %w", e.Operation, err))
	}
	return callErr
}

// errorCode extracts an API error code from err.
func errorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) && errorCodeRE.MatchString(coded.ErrorCode()) {
		return coded.ErrorCode()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "DeadlineExceeded"
	}
	return "ClientError"
}

// Locker takes exclusive locks by name, for work that must not run twice
// at once: FileLocks on one host, a database's locks across hosts.
// TryLock fails at once, wrapping ErrLocked, while another holder has the
// lock; the release it returns gives it up.
type Locker interface {
	TryLock(ctx context.Context, name string) (release func(), err error)
}

// FileLocks is a Locker of lock files (Lock) in a directory.
type FileLocks string

// TryLock takes the lock file name + ".lock" in the directory.
func (d FileLocks) TryLock(_ context.Context, name string) (func(), error) {
	f, err := Lock(filepath.Join(string(d), name+".lock"))
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// Lock takes an exclusive lock named by path (creating the file, 0600, in
// a 0700 directory), for work that must not run twice at once, such as two
// applies to one organization. It fails with ErrLocked when another holder
// has it. Close the returned file to release it.
func Lock(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
