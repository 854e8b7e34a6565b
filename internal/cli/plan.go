package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/version"
)

// PlanFormats are the output formats of `rootguard plan`.
var PlanFormats = []string{"text", "json"}

// PlanOptions are the flags of `rootguard plan`.
type PlanOptions struct {
	Source sourceOptions
	// Config is the desired-guardrails YAML file; empty means the defaults,
	// or the built-in demo config with --demo.
	Config string
	// Out is where the plan file is written; empty writes none.
	Out    string
	Format string
	// OrgDomains are passed to the checks run over the state as it will be.
	OrgDomains []string
}

// DefaultPlanOptions returns the defaults.
func DefaultPlanOptions() PlanOptions { return PlanOptions{Format: "text"} }

// Validate checks the options.
func (o *PlanOptions) Validate() error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if !slices.Contains(PlanFormats, o.Format) {
		return usageError("--format %q: want one of %s", o.Format, strings.Join(PlanFormats, ", "))
	}
	return nil
}

func newPlanCmd(e *env) *cobra.Command {
	o := DefaultPlanOptions()
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Compute the changes that bring the organization to the desired guardrails (read-only)",
		Long: `Collect the organization (read-only) and compute the changes that bring it to
the desired guardrails: the root-deny, root-access-key and contact-protection
SCPs (created and attached), IAM trusted access with the centralized root
access features, removal of member root credentials through sts:AssumeRoot,
missing alternate contacts, and root-activity alerting where it is missing:
a stack in us-east-1 of the alerting account (rule, SNS topic, subscription)
and, in every other account where root-activity-alerting fails, a rule that
forwards root activity to that account's default event bus, which lets each
of them put events on it.

The plan reads like a diff: "+" adds a guardrail, "~" sets a value, "-"
removes a credential, each with why (the checks it fixes) and its risk.
Before any SCP is attached the policy engine evaluates the organization as it
will be, to show which accounts the SCPs newly cover and that centralized root
sessions keep working; a plan that would break them is refused. The checks
are run over the state as it will be, to show the findings the plan changes.

--out FILE saves the plan (JSON, schema rootguard.plan/v1) for review and for
'rootguard apply FILE'. Each change records the facts it was computed from and
a fingerprint of them, so apply refuses a plan the organization has moved away
from. plan never writes to AWS.

--config names the desired-guardrails YAML (see docs/guardrails.example.yaml);
without it the defaults apply, except with --demo: then the built-in demo
config applies, the defaults plus the alternate contacts (security@acme.example,
+1 206 555 0100, …) and an alert subscription (an SQS queue in the security
account 222222222222) that the defaults leave unset. --demo plans on the
built-in demo organization, including the changes an earlier 'apply --demo'
made (see --state).

Exit codes: 0 planned (with or without changes), 2 usage error, 3 the plan
could not be made (unreadable config, collection failed, or it would break
centralized root sessions).`,
		Example: `  rootguard plan --demo
  rootguard plan --org --config guardrails.yaml --out plan.json
  rootguard plan --snapshot snapshot.json --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runPlan(cmd, e, &o)
		},
	}
	o.Source.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.Config, "config", "", "desired-guardrails YAML `FILE` (default: the built-in defaults; with --demo, the built-in demo config)")
	f.StringVar(&o.Out, "out", "", "write the plan to `FILE` for 'rootguard apply'")
	f.StringVarP(&o.Format, "format", "f", o.Format, "output format: "+strings.Join(PlanFormats, ", "))
	f.StringSliceVar(&o.OrgDomains, "org-domain", nil, "email `DOMAIN` the organization owns (repeatable), for the checks run over the planned state")
	return cmd
}

func runPlan(cmd *cobra.Command, e *env, o *PlanOptions) error {
	cfg, err := desiredConfig(o.Config, o.Source.Demo)
	if err != nil {
		return err
	}
	o.Source.materialize = true
	src, err := o.Source.load(cmd.Context(), e)
	if err != nil {
		return err
	}
	domains := o.OrgDomains
	if len(domains) == 0 {
		domains = src.orgDomains
	}
	ccfg := checks.DefaultConfig(src.snapshot.CollectedAt)
	ccfg.OrgDomains = domains
	ccfg.Custody = src.custody
	p, err := guardrail.NewPlan(cfg, src.snapshot, guardrail.PlanOptions{
		Now:    time.Now(),
		Tool:   "rootguard " + version.Get().Version,
		Checks: ccfg,
	})
	if err != nil {
		return err
	}
	doc, err := p.Encode()
	if err != nil {
		return err
	}
	if o.Out != "" {
		if err := writePrivate(o.Out, doc); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		e.log.Info("plan written", "plan_id", p.ID, "path", o.Out, "changes", len(p.Changes))
	}
	switch o.Format {
	case "json":
		_, err = e.stdout.Write(doc)
	default:
		err = p.WriteText(e.stdout)
		if err == nil && o.Out != "" && !p.Empty() {
			_, err = fmt.Fprintf(e.stdout, "\nSaved to %s. Review it, then: rootguard apply %s%s\n", o.Out, o.Out, sourceHint(&o.Source))
		}
	}
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// desiredConfig is the desired-guardrails config: the file when one is
// named, else the built-in demo config with --demo, else the defaults.
func desiredConfig(path string, demo bool) (guardrail.Config, error) {
	switch {
	case path != "":
		return guardrail.LoadConfig(path)
	case demo:
		return guardrail.DemoConfig(), nil
	}
	return guardrail.DefaultConfig(), nil
}

// sourceHint repeats the source flags apply needs to reach the same
// organization.
func sourceHint(o *sourceOptions) string {
	switch {
	case o.Demo:
		return " --demo"
	case o.Scenario != "":
		return " --scenario " + o.Scenario
	case o.Org:
		return " --org"
	}
	return ""
}
