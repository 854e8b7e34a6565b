package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/audit"
)

// AuditOptions are the flags shared by the `rootguard audit` commands.
type AuditOptions struct {
	// Log is the audit log's path; "" means ROOTGUARD_AUDIT_LOG, then
	// $XDG_STATE_HOME/rootguard/audit.log, then
	// ~/.local/state/rootguard/audit.log.
	Log string
}

// DefaultAuditOptions returns the defaults (the path is resolved later,
// from the environment, by resolve).
func DefaultAuditOptions() AuditOptions { return AuditOptions{} }

// resolve fills in Log from the environment when no flag gave it.
func (o *AuditOptions) resolve(getenv func(string) string) error {
	if o.Log != "" {
		return nil
	}
	p, err := defaultAuditLogPath(getenv)
	if err != nil {
		return err
	}
	o.Log = p
	return nil
}

// Validate checks the options.
func (o *AuditOptions) Validate() error {
	if strings.TrimSpace(o.Log) == "" {
		return usageError("--log: empty path")
	}
	return nil
}

// auditLogPath is the audit log an --audit-log flag names, or the default
// one when it names none.
func auditLogPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return defaultAuditLogPath(os.Getenv)
}

// defaultAuditLogPath is where rootguard keeps its audit log unless told
// otherwise: ROOTGUARD_AUDIT_LOG, else in the state directory.
func defaultAuditLogPath(getenv func(string) string) (string, error) {
	if p := getenv("ROOTGUARD_AUDIT_LOG"); p != "" {
		return p, nil
	}
	dir, err := stateDir(getenv)
	if err != nil {
		return "", errors.New("no audit log path: give --log, or set ROOTGUARD_AUDIT_LOG, XDG_STATE_HOME or HOME")
	}
	return filepath.Join(dir, "audit.log"), nil
}

// openChangeLog opens the audit log at path, or at the default path when
// it is "", for a command about to change something: no log, no change.
// closeChangeLog closes it.
func openChangeLog(path string, opts audit.Options) (*audit.Log, error) {
	path, err := auditLogPath(path)
	if err != nil {
		return nil, withCode(ExitError, err)
	}
	log, err := audit.Open(path, opts)
	if err != nil {
		return nil, withCode(ExitError, fmt.Errorf("no audit log, no change: %w", err))
	}
	return log, nil
}

// closeChangeLog closes log; a close error becomes *err when there was
// none.
func closeChangeLog(log *audit.Log, err *error) {
	if cerr := log.Close(); *err == nil && cerr != nil {
		*err = withCode(ExitError, cerr)
	}
}

// stateDir is rootguard's state directory: $XDG_STATE_HOME/rootguard,
// else ~/.local/state/rootguard.
func stateDir(getenv func(string) string) (string, error) {
	// The XDG base directory spec says a relative path is invalid and is
	// to be ignored.
	if s := getenv("XDG_STATE_HOME"); s != "" && filepath.IsAbs(s) {
		return filepath.Join(s, "rootguard"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("no state directory: set XDG_STATE_HOME or HOME")
	}
	return filepath.Join(home, ".local", "state", "rootguard"), nil
}

// madeStateDir is the state directory, or the folder sub inside it when
// sub is not "", created owner-only (0700) when missing.
func madeStateDir(sub string) (string, error) {
	dir, err := stateDir(os.Getenv)
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, sub)
	return dir, os.MkdirAll(dir, 0o700)
}

func newAuditCmd(e *env) *cobra.Command {
	o := DefaultAuditOptions()
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Inspect the audit log of changes rootguard made",
		Long: `rootguard records every change it makes to AWS in an append-only, hash-chained
audit log, before the change is made; no record, no change.

The log lives at --log, else $ROOTGUARD_AUDIT_LOG, else
$XDG_STATE_HOME/rootguard/audit.log, else ~/.local/state/rootguard/audit.log.`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&o.Log, "log", "", "audit log `FILE` (default $ROOTGUARD_AUDIT_LOG or $XDG_STATE_HOME/rootguard/audit.log)")
	cmd.AddCommand(newAuditVerifyCmd(e, &o))
	return cmd
}

func newAuditVerifyCmd(e *env, o *AuditOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Verify the audit log's hash chain",
		Long: `Walk the whole audit log and check every entry's keyed hash (under the key in
FILE.key), sequence number and link to the entry before it, and that the chain
ends at the head anchored in FILE.head (in the database when --db or
ROOTGUARD_DB names one: apply anchors it there then). The first broken line is named: edited
content, a removed entry, reordered entries, a truncated last line, garbage,
entries cut from the end, or a log rewritten and re-chained.

Whoever can write FILE.key and FILE.head can also rewrite the log: compare the
head this command prints with one noted elsewhere.

Exit codes: 0 the log is intact, 2 usage error, 3 the log is broken or cannot
be read.`,
		Example: `  rootguard audit verify
  rootguard audit verify --log /var/lib/rootguard/audit.log`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("audit verify takes no arguments, got %q; give the log with --log FILE", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			// An empty --log is a mistake, not a request for the default.
			if f := cmd.Flag("log"); f != nil && f.Changed && o.Log == "" {
				return usageError("--log is empty: give the audit log FILE, or leave --log out for the default")
			}
			if err := o.resolve(os.Getenv); err != nil {
				return withCode(ExitError, err)
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return runAuditVerify(cmd.Context(), e, o)
		},
	}
}

func runAuditVerify(ctx context.Context, e *env, o *AuditOptions) error {
	var opts audit.Options
	db, err := e.namedStore(ctx)
	if err != nil {
		return withCode(ExitError, err)
	}
	if db != nil {
		defer db.Close()
		if opts.Anchor, err = auditAnchor(db, o.Log); err != nil {
			return withCode(ExitError, err)
		}
	}
	res, err := audit.Verify(o.Log, opts)
	if err != nil {
		return withCode(ExitError, err)
	}
	if res.Broken != nil {
		return withCode(ExitError, fmt.Errorf("audit log %s is broken at %s", o.Log, res.Broken))
	}
	msg := fmt.Sprintf("audit log %s: intact, %d entries, head %s", o.Log, res.Entries, res.Head)
	if res.Entries > 0 {
		msg += ", last at " + res.Last.UTC().Format("2006-01-02T15:04:05Z")
	}
	if n := len(res.Pending); n > 0 {
		lines := make([]string, n)
		for i, l := range res.Pending {
			lines[i] = fmt.Sprint(l)
		}
		msg += fmt.Sprintf("; %d intent(s) without a result, the call may or may not have been made (line %s)", n, strings.Join(lines, ", "))
	}
	_, err = fmt.Fprintln(e.stdout, msg)
	return err
}
