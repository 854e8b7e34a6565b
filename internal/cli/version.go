package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/version"
)

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := version.Get()
			_, err := fmt.Fprintf(e.stdout, "rootguard %s\ncommit %s\nbuilt %s\n", v.Version, v.Commit, v.Date)
			return err
		},
	}
}
