package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// env holds what every command needs from the process: streams, a logger
// and the global options.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger

	logLevel string
	timeout  time.Duration
	// cancel releases the --timeout context once the command returns.
	cancel context.CancelFunc
}

// isTerminal reports whether w is a terminal (colour and progress only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Run executes rootguard with args and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	// started is set once a command's own code runs; an error before that
	// (unknown command, bad arguments) is a usage error.
	started := false
	e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	root := newRootCmd(e, &started)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)

	err := root.ExecuteContext(ctx)
	if e.cancel != nil {
		e.cancel()
	}
	code := exitCode(err)
	var ee *exitError
	if err != nil && !started && !errors.As(err, &ee) {
		code = ExitUsage
	}
	if err != nil {
		if !errors.As(err, &ee) || ee.err != nil {
			msg := err.Error()
			if code == ExitUsage && !strings.Contains(msg, "--help") {
				msg += " (see 'rootguard --help')"
			}
			fmt.Fprintln(stderr, "rootguard: "+msg)
		}
	}
	return code
}

// newRootCmd builds the command tree. It sets *started once a command's own
// code runs (after flag parsing), so that Run can tell a usage error from a
// failure. The CLI reference (docs/cli.md) is generated from this tree.
func newRootCmd(e *env, started *bool) *cobra.Command {
	root := &cobra.Command{
		Use:           "rootguard",
		Short:         "Keep the AWS account root user safe (AWS Well-Architected SEC01-BP02)",
		Long:          "rootguard audits, explains and fixes the AWS account root user's posture across one account or a whole AWS Organization, and detects root activity in CloudTrail.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			*started = true
			var level slog.Level
			if err := level.UnmarshalText([]byte(e.logLevel)); err != nil {
				return usageError("--log-level: %v", err)
			}
			e.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
			if e.timeout < 0 {
				return usageError("--timeout: %s is negative (0 means no limit)", e.timeout)
			}
			if e.timeout > 0 {
				ctx, cancel := context.WithTimeout(cmd.Context(), e.timeout)
				e.cancel = cancel
				cmd.SetContext(ctx)
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(ExitUsage, err) })
	root.PersistentFlags().StringVar(&e.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	root.PersistentFlags().DurationVar(&e.timeout, "timeout", 0, "give up after this long (e.g. 10m); 0 means no limit")

	for _, newCmd := range []func(*env) *cobra.Command{
		newScanCmd,
		newCollectCmd,
		newExplainCmd,
		newTrailCmd,
		newVersionCmd,
		newAuditCmd,
		newExportCmd,
		newPlanCmd,
		newApplyCmd,
		newSimCmd,
	} {
		root.AddCommand(newCmd(e))
	}
	return root
}
