package cli

import (
	"fmt"
	"os"
)

// createPrivate creates or replaces the file at path for output that holds
// root emails, phone numbers and key IDs (snapshots, reports, plans, alerts):
// readable and writable by its owner only (0600). An existing regular file is
// set to 0600 before it is emptied, and left as it was when that fails. A
// path that is not a regular file (/dev/stdout, a pipe) is written as it is.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && info.Mode().IsRegular() {
		if info.Mode().Perm() != 0o600 {
			if err = f.Chmod(0o600); err != nil {
				err = fmt.Errorf("make %s readable by its owner only: %w", path, err)
			}
		}
		if err == nil {
			err = f.Truncate(0)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// writePrivate writes data to a file made by createPrivate.
func writePrivate(path string, data []byte) error {
	f, err := createPrivate(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
