package cli

import (
	"errors"
	"fmt"
)

// Exit codes. docs/exit-codes.md documents them; keep both in step.
const (
	// ExitOK: the command ran and found nothing at or above the threshold.
	ExitOK = 0
	// ExitFindings: scan found a finding at or above --fail-on, or trail
	// scan (every input read) or trail query raised an alert.
	ExitFindings = 1
	// ExitUsage: the command line was wrong (unknown flag, bad value).
	ExitUsage = 2
	// ExitError: the command could not run (no credentials, unreadable
	// snapshot, refused plan).
	ExitError = 3
	// ExitPartial: trail scan ran, but some input could not be read (a
	// corrupt or non-CloudTrail file, a missing path, an unlistable S3
	// prefix). Takes precedence over ExitFindings. An account scan could
	// not assess is not this: its findings are UNKNOWN with the reason.
	ExitPartial = 4
)

// exitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode makes a command return a given exit code. err may be nil for a
// silent non-zero exit (the command already explained itself).
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// usageError marks a bad command line.
func usageError(format string, args ...any) error {
	return withCode(ExitUsage, fmt.Errorf(format, args...))
}

func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitError
}
