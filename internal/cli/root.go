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

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// env holds what every command needs from the process: streams, a logger
// and the global options.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// tty is the process's stderr as it is, for a question at the terminal;
	// stderr is it too unless --log-format json wraps it.
	tty io.Writer
	log *slog.Logger

	logLevel  string
	logFormat string
	timeout   time.Duration
	noColor   bool
	// db is --db: the store's DSN ("" means ROOTGUARD_DB, then the
	// SQLite file in the state directory; see openStore).
	db string
	// cancel releases the --timeout context once the command returns.
	cancel context.CancelFunc
}

// isTerminal reports whether w is a terminal (colour and progress only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is w's width in columns when w is a terminal, else 0.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// colorOn reports whether output to w may be coloured: only on a terminal,
// and neither --no-color, NO_COLOR (any non-empty value, no-color.org) nor
// TERM=dumb says otherwise.
func (e *env) colorOn(w io.Writer) bool {
	return colorAllowed(e.noColor, os.Getenv) && isTerminal(w)
}

// colorAllowed is colorOn's decision apart from the terminal test.
func colorAllowed(noColor bool, getenv func(string) string) bool {
	return !noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// Run executes rootguard with args and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, tty: stderr}
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
	code := exitCode(err, started)
	if j, ok := e.stderr.(*jsonLines); ok {
		j.flush()
	}
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			msg := err.Error()
			if errors.Is(err, awsclient.ErrNoCredentials) {
				// The SDK's operation text around it says nothing more.
				msg = awsclient.ErrNoCredentials.Error()
			}
			if code == ExitUsage && !strings.Contains(msg, "--help") {
				msg += " (see 'rootguard --help')"
			}
			if e.logFormat == "json" {
				j := newJSONLines(stderr)
				j.level = slog.LevelError
				fmt.Fprintln(j, msg)
			} else {
				fmt.Fprintln(stderr, "rootguard: "+termsafe.Escape(msg, true))
			}
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
				return usageError("--log-level %q: want debug, info, warn or error", e.logLevel)
			}
			log, err := newLogger(e.tty, e.logFormat, level)
			if err != nil {
				return err
			}
			e.log = log
			if e.logFormat == "json" {
				e.stderr = newJSONLines(e.tty)
			}
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
	// --version prints what the version command prints (cobra handles the
	// flag; the template prints the text as it is).
	root.Version = versionText()
	root.SetVersionTemplate("{{.Version}}")
	root.Flags().BoolP("version", "v", false, "print version, commit and build date (what 'rootguard version' prints)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(ExitUsage, err) })
	root.PersistentFlags().StringVar(&e.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	root.PersistentFlags().StringVar(&e.logFormat, "log-format", "text", "log format on stderr: text, or json (one JSON object a line)")
	daysDurationVar(root.PersistentFlags(), &e.timeout, "timeout", 0, "give up after this long (e.g. 10m, 2d); 0 means no limit")
	root.PersistentFlags().BoolVar(&e.noColor, "no-color", false, "no colour in the output (also when NO_COLOR is set or TERM=dumb)")
	root.PersistentFlags().StringVar(&e.db, "db", "", "the database for rootguard's state (`DSN`): postgres://…, sqlite:PATH or a path (default $ROOTGUARD_DB, else rootguard.db in the state directory)")

	for _, newCmd := range []func(*env) *cobra.Command{
		newScanCmd,
		newCollectCmd,
		newExplainCmd,
		newRulesCmd,
		newReportCmd,
		newGraphCmd,
		newRunbookCmd,
		newTrailCmd,
		newVersionCmd,
		newAuditCmd,
		newExportCmd,
		newPlanCmd,
		newApplyCmd,
		newIAMPolicyCmd,
		newSimCmd,
		newHistoryCmd,
		newCustodyCmd,
		newContactsCmd,
		newDrillCmd,
		newBreakglassCmd,
		newNotifyCmd,
		newServeCmd,
	} {
		root.AddCommand(newCmd(e))
	}
	return root
}
