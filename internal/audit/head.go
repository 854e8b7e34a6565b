package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Head is the last record of a log: its sequence number and hash. After
// every append the log writes it to a head file beside the log (the log's
// path + ".head"), so that entries cut from the end, or a log rewritten
// and re-chained by someone holding the key, no longer lead to it. Copy
// it elsewhere too (apply logs it) for an anchor out of an attacker's
// reach.
type Head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// headPath is where the head of the log at logPath is anchored.
func headPath(logPath string) string { return logPath + ".head" }

// Anchor keeps a log's head apart from the log: the head file beside it
// (FileAnchor, the default), or a row in a database that several hosts
// share. ReadHead returns nil when no head is anchored yet; WriteHead
// replaces the head and must refuse to move it backwards.
type Anchor interface {
	ReadHead(ctx context.Context) (*Head, error)
	WriteHead(ctx context.Context, h Head) error
}

// FileAnchor is a head file (by default the log's path + ".head"),
// replaced atomically on every write.
type FileAnchor string

// ReadHead reads the head file; nil when there is none.
func (a FileAnchor) ReadHead(context.Context) (*Head, error) { return readHead(string(a)) }

// WriteHead replaces the head file.
func (a FileAnchor) WriteHead(_ context.Context, h Head) error { return writeHead(string(a), h) }

// anchorOf is opts.Anchor, else the head file beside the log at path.
func anchorOf(opts Options, path string) Anchor {
	if opts.Anchor != nil {
		return opts.Anchor
	}
	return FileAnchor(headPath(path))
}

// readAnchor reads a's head and checks its form.
func readAnchor(ctx context.Context, a Anchor) (*Head, error) {
	h, err := a.ReadHead(ctx)
	if err != nil || h == nil {
		return nil, err
	}
	if !h.valid() {
		return nil, fmt.Errorf("audit head anchor: not a head (seq %d, hash %q)", h.Seq, h.Hash)
	}
	return h, nil
}

// valid: a sequence number from 1 and a hash of 64 hex digits.
func (h Head) valid() bool { return h.Seq > 0 && isHexHash(h.Hash) }

// readHead reads a head file; nil when there is none.
func readHead(path string) (*Head, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit head %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("audit head %s: %w", path, err)
	}
	var h Head
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil || !h.valid() {
		return nil, fmt.Errorf("audit head %s: not a head (want {\"seq\":N,\"hash\":\"<64 hex digits>\"})", path)
	}
	return &h, nil
}

// writeHead replaces the head file atomically: a new file, fsynced, renamed
// over the old one, and the directory fsynced.
func writeHead(path string, h Head) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("audit head %s: %w", path, err)
	}
	return nil
}
