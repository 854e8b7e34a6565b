package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// CollectOptions are the flags of `rootguard collect`.
type CollectOptions struct {
	Source sourceOptions
	Out    string
}

func newCollectCmd(e *env) *cobra.Command {
	var o CollectOptions
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect root-user facts into a snapshot file (read-only)",
		Long: `Collect every root-user fact (read-only) into a versioned JSON snapshot that
'rootguard scan --snapshot FILE' assesses later, offline. Every fact records the
API it came from, when, and the error if the call failed.

Exit codes: 0 written (facts that could not be read are recorded with their
error), 2 usage error, 3 the collection or the write failed.`,
		Example: `  rootguard collect --org --out snapshot.json
  rootguard collect --demo --out demo-snapshot.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Out == "" {
				return usageError("--out is required (use - for stdout)")
			}
			if err := o.Source.validate(); err != nil {
				return err
			}
			// A snapshot outlives the command: fix the demo's relative
			// dates in its state file, as plan and apply do, so that a
			// plan made from it is not stale against apply --demo.
			o.Source.materialize = true
			src, err := o.Source.load(cmd.Context(), e)
			if err != nil {
				return err
			}
			data, err := src.snapshot.Encode()
			if err != nil {
				return fmt.Errorf("encode snapshot: %w", err)
			}
			w, closeOut, err := openOutput(e.stdout, o.Out)
			if err != nil {
				return err
			}
			if _, err := w.Write(append(data, '\n')); err != nil {
				closeOut()
				return fmt.Errorf("write snapshot: %w", err)
			}
			if err := closeOut(); err != nil {
				return err
			}
			if o.Out != "-" {
				fmt.Fprintf(e.stderr, "snapshot of %d accounts written to %s\n", len(src.snapshot.Accounts), o.Out)
			}
			return nil
		},
	}
	o.Source.addFlags(cmd, false)
	cmd.Flags().StringVar(&o.Out, "out", "", "write the snapshot to `FILE` (- for stdout)")
	return cmd
}
