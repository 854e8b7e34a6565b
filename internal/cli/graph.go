package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/recovery"
)

// accountView are the flags of a command that renders the organization,
// or one account of it, in one of several formats: graph and runbook.
type accountView struct {
	Source  sourceOptions
	Account string
	Format  string
	Output  string
}

func (o *accountView) validate(formats []string, accountOptional bool) error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if !slices.Contains(formats, o.Format) {
		return usageError("--format %q: want one of %s", o.Format, strings.Join(formats, ", "))
	}
	return validAccountID("--account", o.Account, accountOptional)
}

func (o *accountView) addFlags(cmd *cobra.Command, formats []string, accountUsage, what string) {
	o.Source.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.Account, "account", "", accountUsage)
	f.StringVarP(&o.Format, "format", "f", o.Format, "output format: "+strings.Join(formats, ", "))
	f.StringVarP(&o.Output, "output", "o", "", "write the "+what+" to `FILE` (created 0600) instead of stdout")
}

// writeOutput writes what render produces to path (stdout when "" or "-").
func writeOutput(stdout io.Writer, path, what string, render func(io.Writer) error) error {
	w, closeOut, err := openOutput(stdout, path)
	if err != nil {
		return err
	}
	if err := render(w); err != nil {
		closeOut()
		return fmt.Errorf("write %s: %w", what, err)
	}
	return closeOut()
}

// GraphOptions are the flags of `rootguard graph`.
type GraphOptions struct{ accountView }

// DefaultGraphOptions returns the defaults.
func DefaultGraphOptions() GraphOptions {
	return GraphOptions{accountView{Format: recovery.Formats[0]}}
}

// Validate checks the options.
func (o *GraphOptions) Validate() error { return o.validate(recovery.Formats, true) }

// validAccountID checks a 12-digit account ID flag (empty only if optional).
func validAccountID(flag, id string, optional bool) error {
	switch {
	case id == "" && optional:
		return nil
	case id == "":
		return usageError("%s is required", flag)
	case len(id) != 12 || strings.Trim(id, "0123456789") != "":
		return usageError("%s: %q is not a 12-digit account ID", flag, id)
	}
	return nil
}

// accountIn returns the account of the snapshot with the given ID, or the
// error (exit 3) naming it.
func accountIn(s *inventory.Snapshot, id string) (*inventory.Account, error) {
	if a := s.Account(id); a != nil {
		return a, nil
	}
	return nil, withCode(ExitError, fmt.Errorf("--account %s: not an account of the %d collected", id, len(s.Accounts)))
}

func newGraphCmd(e *env) *cobra.Command {
	o := DefaultGraphOptions()
	cmd := &cobra.Command{
		Use:   "graph [--account ID]",
		Short: "Draw how each root user is reached and recovered (SVG, DOT, JSON, Mermaid)",
		Long: `Collect the organization (read-only) and draw its recovery-path graph: for each
account, what one must control to recover its root user. An arrow reads "to
recover A you must control B": the root email's mailbox, its mail domain,
the domain's DNS zone and registration and the mailbox's mail host, in
whichever account hosts them (which leads on to that account's root) or
outside AWS; the root's password and MFA devices with who holds them and
where the password is stored (the custody registry: the demo's with --demo,
else the store's); the contact phone.
Cycles (a root whose recovery depends on itself) and single points of
failure (a mailbox, person or account blocking several roots) are drawn in
red; recovery-path-cycle and recovery-single-point report them as findings.

--account draws only what that account's root reaches. The SVG is drawn by
rootguard itself; DOT is for Graphviz, Mermaid for Markdown viewers, JSON
(rootguard.recovery-graph/v1) for programs.

Exit codes: 0 written, 2 usage error, 3 the graph could not be drawn (an
--account not collected, say).`,
		Example: `  rootguard graph --demo --output recovery.svg
  rootguard graph --demo --account 101010101010 --format mermaid
  rootguard graph --snapshot snapshot.json --format dot | dot -Tpng > recovery.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			src, err := o.Source.load(cmd.Context(), e)
			if err != nil {
				return err
			}
			db, err := e.existingStore(cmd.Context(), o.Source.Demo)
			if err != nil {
				return err
			}
			if db != nil {
				defer db.Close()
			}
			reg, err := scanCustody(cmd.Context(), db, "", src)
			if err != nil {
				return err
			}
			g := recovery.Build(src.snapshot, recovery.Options{Secrets: checks.Secrets(reg)})
			if o.Account != "" {
				if _, err := accountIn(src.snapshot, o.Account); err != nil {
					return err
				}
				g = g.Subgraph(o.Account)
			}
			return writeOutput(e.stdout, o.Output, "the graph", func(w io.Writer) error { return recovery.Write(w, o.Format, g) })
		},
	}
	o.addFlags(cmd, recovery.Formats, "draw only what this account `ID`'s root reaches", "graph")
	return cmd
}
