//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package audit

import (
	"errors"
	"os"
)

// lock fails: without a lock two applies could interleave, so the log is
// not opened for writing on this platform. Verify still works.
func lock(*os.File) error {
	return errors.New("locking the audit log is not supported on this platform")
}
