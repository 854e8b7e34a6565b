package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newScanCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "scan",
		Short: "not built yet",
		RunE:  func(*cobra.Command, []string) error { return errors.New("scan: not built yet") },
	}
}
