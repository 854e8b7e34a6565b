package audit

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the size of a generated HMAC key; a key given by the caller
// must be at least this long.
const KeySize = 32

// keyID names a key without revealing it: the first 16 hex digits of a
// domain-separated SHA-256.
func keyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("rootguard audit key id\x00"), key...))
	return hex.EncodeToString(sum[:8])
}

// loadKey reads the hex key in path. It refuses a key file that others
// than its owner may read.
func loadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("audit key %s: not a regular file", path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit key %s: mode %v lets others read it; chmod 600", path, st.Mode().Perm())
	}
	b := make([]byte, 4*KeySize)
	n, err := f.Read(b)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	key, err := hex.DecodeString(string(bytes.TrimSpace(b[:n])))
	if err != nil || len(key) < KeySize {
		return nil, fmt.Errorf("audit key %s: want at least %d bytes in hex", path, KeySize)
	}
	return key, nil
}

// createKey writes a new random key to path, mode 0600. It fails if path
// exists, so that two processes cannot both create one.
func createKey(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate audit key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create audit key: %w", err)
	}
	_, err = f.Write([]byte(hex.EncodeToString(key) + "\n"))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write audit key %s: %w", path, err)
	}
	return key, nil
}

// resolveKey returns the key to use for the log at logPath: the caller's,
// the one in the key file, or a new one when the log is empty.
func resolveKey(opts Options, logPath string, logEmpty bool) ([]byte, error) {
	if opts.Key != nil {
		if len(opts.Key) < KeySize {
			return nil, fmt.Errorf("audit key: %d bytes, want at least %d", len(opts.Key), KeySize)
		}
		return bytes.Clone(opts.Key), nil
	}
	path := keyPath(opts, logPath)
	key, err := loadKey(path)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if !logEmpty {
		return nil, fmt.Errorf("audit key %s is missing but the log has entries: restore the key (a new one would make old HMACs unsearchable)", path)
	}
	return createKey(path)
}

// keyPath is the key file of the log at logPath.
func keyPath(opts Options, logPath string) string {
	if opts.KeyFile != "" {
		return opts.KeyFile
	}
	return logPath + ".key"
}

// syncDir fsyncs a directory so that a new file in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
