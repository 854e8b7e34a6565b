package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/iampolicy"
)

// IAMPolicyOptions are the flags of `rootguard iam-policy`.
type IAMPolicyOptions struct {
	Format            string
	Role              string
	ManagementAccount string
}

func (o *IAMPolicyOptions) validate() error {
	if o.Format != "text" && o.Format != "json" {
		return usageError("--format %q: want text or json", o.Format)
	}
	if len(o.ManagementAccount) != 12 || strings.Trim(o.ManagementAccount, "0123456789") != "" {
		return usageError("--management-account %q: want a 12-digit account ID", o.ManagementAccount)
	}
	if o.Role == "" || strings.ContainsAny(o.Role, " */\"") {
		return usageError("--role %q: want an IAM role name", o.Role)
	}
	return nil
}

func newIAMPolicyCmd(e *env) *cobra.Command {
	o := IAMPolicyOptions{Format: "text", Role: collect.DefaultRole, ManagementAccount: "111122223333"}
	var modes []string
	for _, m := range iampolicy.Modes() {
		modes = append(modes, string(m))
	}
	cmd := &cobra.Command{
		Use:   "iam-policy scan|plan|apply|serve",
		Short: "Print the least-privilege IAM policies a rootguard mode needs",
		Long: `Print the IAM policies that one mode of rootguard needs, generated from the
registry of the AWS actions each mode calls: the permissions policy of the
identity rootguard runs as in the management account, the permissions policy of
the role it assumes in every member account (--role), and that role's trust
policy, which lets the management account (--management-account) assume it.
Actions made inside sts:AssumeRoot sessions are listed too: the AWS managed task
policies grant them, so there is nothing to attach for them.

scan covers collect and scan --send securityhub; plan covers export; apply
needs the reads again and the writes of a plan; serve needs the scan reads, its
SQS queue and the SNS topics of its alert routing (notify test needs only
those topics). The output is the same for the same arguments, so it can be
reviewed and kept under version control. docs/iam-policy.md explains each part.

Exit codes: 0 printed, 2 usage error (an unknown mode or a bad flag).`,
		Example: `  rootguard iam-policy scan
  rootguard iam-policy apply --management-account 111111111111 --format json`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: modes,
		RunE: func(_ *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			mode, err := iampolicy.ParseMode(args[0])
			if err != nil {
				return usageError("%v", err)
			}
			p := iampolicy.Generate(mode, o.Role, o.ManagementAccount)
			if o.Format == "json" {
				b, err := json.MarshalIndent(struct {
					Schema string `json:"schema"`
					iampolicy.Policies
				}{"rootguard.iam-policy/v1", p}, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "%s\n", b)
				return err
			}
			return writeIAMPolicies(e, p)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", o.Format, "output format: text, json")
	f.StringVar(&o.Role, "role", o.Role, "`NAME` of the role rootguard assumes in member accounts")
	f.StringVar(&o.ManagementAccount, "management-account", o.ManagementAccount, "`ID` of the management account the member role trusts")
	return cmd
}

func writeIAMPolicies(e *env, p iampolicy.Policies) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# rootguard %s: IAM policies (rootguard iam-policy %s)\n\n", p.Mode, p.Mode)
	fmt.Fprintf(&b, "# 1. Permissions policy of the identity rootguard runs as, in the management account\n%s\n\n", p.Management.JSON())
	fmt.Fprintf(&b, "# 2. Permissions policy of the role %s in every member account\n%s\n\n", p.Role, p.MemberPolicy.JSON())
	fmt.Fprintf(&b, "# 3. Trust policy of the role %s: the management account may assume it\n%s\n\n", p.Role, p.MemberTrust.JSON())
	fmt.Fprintf(&b, "# 4. Inside sts:AssumeRoot sessions (granted by the AWS managed task policies; nothing to attach):\n")
	for _, a := range p.RootTasks {
		fmt.Fprintf(&b, "#    %s\n", a)
	}
	_, err := fmt.Fprint(e.stdout, b.String())
	return err
}
