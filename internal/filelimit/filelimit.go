// Package filelimit reads input files whose size an attacker or a broken
// pipeline controls (snapshots, plans, configs) with an upper bound, so a
// huge file is refused with a clear error instead of exhausting memory.
package filelimit

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Sizes of the inputs rootguard reads whole.
const (
	MiB = 1 << 20
	// Document is the limit for snapshots and plans: a 1,000-account
	// snapshot is a few MiB.
	Document = 64 * MiB
	// Config is the limit for YAML configs, which are hand-written.
	Config = 4 * MiB
)

// ErrTooLarge is returned (wrapped) when a file exceeds its limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads path whole, refusing a file of more than limit bytes. It
// reads at most limit+1 bytes, whatever the file's size.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, limit)
}

// Read reads r to its end, refusing more than limit bytes.
func Read(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %s", ErrTooLarge, size(limit))
	}
	return data, nil
}

func size(n int64) string {
	if n >= MiB && n%MiB == 0 {
		return fmt.Sprintf("%d MiB", n/MiB)
	}
	return fmt.Sprintf("%d bytes", n)
}
