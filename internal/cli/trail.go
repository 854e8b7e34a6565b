package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(stub): replaced by the real command.
func newTrailCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "trail",
		Short: "not built yet",
		RunE:  func(*cobra.Command, []string) error { return errors.New("trail: not built yet") },
	}
}
