package cli

import (
	"errors"
	"fmt"
)

// Exit codes. docs/exit-codes.md's table of codes is generated from
// exitCodes below (go test ./internal/cli -run TestExitCodeReference
// -update-exit-codes); its per-command table is checked against it.
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
	// prefix); breakglass report read no input. Takes precedence over
	// ExitFindings. An account scan could not assess is not this: its
	// findings are UNKNOWN with the reason.
	ExitPartial = 4
	// ExitRefused: breakglass refused the change: an unknown identity,
	// self-approval, a request that is not in the state the change needs
	// (expired, closed, already decided), a task that was not approved, a
	// request that changed meanwhile. Nothing was written.
	ExitRefused = 5
)

// exitCodeDoc documents one exit code.
type exitCodeDoc struct {
	Code int
	Name string // the constant's name
	Doc  string // what the code means, in general
	// Commands are the commands that can exit with the code (command paths
	// without "rootguard "); nil means every command.
	Commands []string
}

// exitCodes is the registry of exit codes, in order.
var exitCodes = []exitCodeDoc{
	{ExitOK, "ExitOK", "The command did what it was asked.", nil},
	{ExitFindings, "ExitFindings", "It ran and found something to act on: a FAIL finding at or above `--fail-on` (`scan`), an alert (`trail scan`, `trail query`, `trail watch`), a drill CloudTrail shows failed (`drill verify`).",
		[]string{"scan", "trail scan", "trail query", "trail watch", "drill verify"}},
	{ExitUsage, "ExitUsage", "The command line is wrong: unknown command or flag, a bad value, flags that exclude each other, a missing argument; also `apply` without `--yes` when there is no terminal to ask on. Nothing was read or changed.", nil},
	{ExitError, "ExitError", "The command could not do its work: no credentials, a collection, query or write that failed, an unreadable or refused input (snapshot, plan, config, audit log).", nil},
	{ExitPartial, "ExitPartial", "`trail scan`, `trail watch` and `drill verify`: some input could not be read, or none was (`trail scan`, `drill verify`), and everything readable was scanned. Takes precedence over 1. `breakglass report`: no input was read, so the window's root activity is unknown.",
		[]string{"trail scan", "trail watch", "drill verify", "breakglass report"}},
	{ExitRefused, "ExitRefused", "`breakglass` refused the change: an unknown identity, self-approval, a request that is not in the state the change needs (expired, closed, already decided), a task that was not approved, a request that changed meanwhile (another approver won). Nothing was written.",
		[]string{"breakglass request", "breakglass approve", "breakglass deny", "breakglass close", "breakglass show", "breakglass report", "breakglass run"}},
}

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

// exitCode is the one place an error becomes an exit code: nil is ExitOK, an
// error carrying a code (withCode, usageError) has that code, any other
// error is ExitUsage when no command's own code ran yet (cobra's unknown
// command, wrong number of arguments: started is false) and ExitError
// otherwise.
func exitCode(err error, started bool) int {
	var ee *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case !started:
		return ExitUsage
	default:
		return ExitError
	}
}
