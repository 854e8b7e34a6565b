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
			_, err := fmt.Fprint(e.stdout, versionText())
			return err
		},
	}
}

// versionText is what both `rootguard version` and `rootguard --version`
// print.
func versionText() string {
	v := version.Get()
	return fmt.Sprintf("rootguard %s\ncommit %s\nbuilt %s\n", v.Version, v.Commit, v.Date)
}
