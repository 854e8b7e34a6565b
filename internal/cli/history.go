package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/suggest"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// HistorySchema identifies history --format json.
const HistorySchema = "rootguard.history/v1"

// HistoryOptions are the flags of `rootguard history`.
type HistoryOptions struct {
	Account string
	Check   string
	Format  string
}

// DefaultHistoryOptions returns the defaults.
func DefaultHistoryOptions() HistoryOptions { return HistoryOptions{Format: "table"} }

// Validate checks the options.
func (o *HistoryOptions) Validate() error {
	if o.Format != "table" && o.Format != "json" {
		return usageError("--format %q: want table or json", o.Format)
	}
	if o.Check != "" && !slices.Contains(checkIDs(), o.Check) {
		return usageError("--check: no check %q%s (run 'rootguard explain' for the list)", o.Check, suggest.DidYouMean(o.Check, checkIDs()))
	}
	return nil
}

func newHistoryCmd(e *env) *cobra.Command {
	o := DefaultHistoryOptions()
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Each finding's status across the recorded scans, and since when it holds",
		Long: `history reads the scans that 'scan --record' stored in the database (--db)
and prints, for each finding (a check in an account), its status in the
latest scan that reported it and since when it has held without a break:
for a FAIL, the first scan of the current failing run. A scan that did not
report the finding (another --account or --check) does not break a run.`,
		Example: `  rootguard scan --org --record
  rootguard history --account 111111111111
  rootguard history --check root-access-keys-absent --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runHistory(cmd, e, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Account, "account", "", "only this account `ID`")
	f.StringVar(&o.Check, "check", "", "only this check `ID`")
	f.StringVar(&o.Format, "format", o.Format, "output `FORMAT`: table or json ("+HistorySchema+")")
	return cmd
}

func runHistory(cmd *cobra.Command, e *env, o *HistoryOptions) error {
	ctx := cmd.Context()
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	hs, err := s.History(ctx, store.HistoryFilter{AccountID: o.Account, CheckID: o.Check})
	if err != nil {
		return err
	}
	if len(hs) == 0 {
		e.log.Warn("no recorded scan reports a finding that matches; 'rootguard scan --record' records one")
	}
	if o.Format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Schema   string                 `json:"schema"`
			Findings []store.FindingHistory `json:"findings"`
		}{HistorySchema, hs})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tACCOUNT\tSTATUS\tSEVERITY\tSINCE\tSCANS\tLAST SEEN")
	for _, h := range hs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", termsafe.Escape(h.CheckID, false), termsafe.Escape(h.AccountID, false),
			termsafe.Escape(string(h.Status), false), termsafe.Escape(string(h.Severity), false), h.Since.Format(time.RFC3339), h.Scans, h.LastSeen.Format(time.RFC3339))
	}
	return tw.Flush()
}
