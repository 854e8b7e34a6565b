package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newCollectCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "collect",
		Short: "not built yet",
		RunE:  func(*cobra.Command, []string) error { return errors.New("collect: not built yet") },
	}
}
