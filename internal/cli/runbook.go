package cli

import (
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/recovery"
	"github.com/rootguard/rootguard/internal/runbook"
)

// RunbookOptions are the flags of `rootguard runbook`.
type RunbookOptions struct{ accountView }

// DefaultRunbookOptions returns the defaults.
func DefaultRunbookOptions() RunbookOptions {
	return RunbookOptions{accountView{Format: runbook.Formats[0]}}
}

// Validate checks the options.
func (o *RunbookOptions) Validate() error { return o.validate(runbook.Formats, false) }

func newRunbookCmd(e *env) *cobra.Command {
	o := DefaultRunbookOptions()
	cmd := &cobra.Command{
		Use:   "runbook --account ID",
		Short: "Write an account's root runbook: reaching root, recovery and incident response",
		Long: `Collect the organization (read-only), assess it as scan does, and write the
account's root runbook from those facts: how to reach its root user (the root
email, the password and MFA devices and who holds them), how recovery works
and what it depends on (the recovery-path graph: mailbox, domain, DNS,
registration, mail host, the accounts behind them, cycles and single points),
the incident response steps for unexpected root activity (confirm with the
custodians, what to read in CloudTrail, rotate the password, remove keys,
re-check MFA, contact AWS Support), and the account's findings.

Exit codes: 0 written, 2 usage error, 3 the runbook could not be written (an
--account not collected, say).`,
		Example: `  rootguard runbook --demo --account 101010101010
  rootguard runbook --snapshot snapshot.json --account 111111111111 --format html --output runbook.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			src, err := o.Source.load(cmd.Context(), e)
			if err != nil {
				return err
			}
			if _, err := accountIn(src.snapshot, o.Account); err != nil {
				return err
			}
			cfg := checks.DefaultConfig(time.Now().UTC())
			cfg.OrgDomains = src.orgDomains
			db, err := e.existingStore(cmd.Context(), o.Source.Demo)
			if err != nil {
				return err
			}
			if db != nil {
				defer db.Close()
			}
			if err := storeRecords(cmd.Context(), db, "", src, &cfg); err != nil {
				return err
			}
			rb, err := runbook.Build(runbook.Input{Snapshot: src.snapshot, Account: o.Account,
				Findings: checks.Default().Assess(src.snapshot, cfg), Graph: recovery.Build(src.snapshot, recovery.Options{Secrets: checks.Secrets(cfg.Custody)}),
				Secrets: checks.Secrets(cfg.Custody)})
			if err != nil {
				return withCode(ExitError, err)
			}
			return writeOutput(e.stdout, o.Output, "the runbook", func(w io.Writer) error { return runbook.Write(w, o.Format, rb) })
		},
	}
	o.addFlags(cmd, runbook.Formats, "the account `ID` whose runbook to write (required)", "runbook")
	return cmd
}
