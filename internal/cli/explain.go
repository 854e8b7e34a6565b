package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newExplainCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "explain",
		Short: "not built yet",
		RunE:  func(*cobra.Command, []string) error { return errors.New("explain: not built yet") },
	}
}
