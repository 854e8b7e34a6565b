package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
)

// sourceOptions say where a command gets its facts: live AWS (the default),
// the built-in demo organization or a scenario file served by the in-process
// endpoint, or a saved snapshot.
type sourceOptions struct {
	Demo        bool
	Scenario    string
	Snapshot    string
	Org         bool
	Accounts    []string
	Profile     string
	Region      string
	EndpointURL string
	Concurrency int
	Role        string
	Regions     []string
}

func (o *sourceOptions) addFlags(cmd *cobra.Command, withSnapshot bool) {
	f := cmd.Flags()
	f.BoolVar(&o.Demo, "demo", false, "run on the built-in demo organization (an in-process AWS endpoint; no AWS needed)")
	f.StringVar(&o.Scenario, "scenario", "", "run on a scenario `FILE` served by the in-process AWS endpoint (like --demo)")
	if withSnapshot {
		f.StringVar(&o.Snapshot, "snapshot", "", "assess a saved snapshot `FILE` instead of collecting")
	}
	f.BoolVar(&o.Org, "org", false, "collect the whole organization (from the management or delegated administrator account)")
	f.StringSliceVar(&o.Accounts, "accounts", nil, "collect only these account `IDs` of the organization (implies --org)")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile")
	f.StringVar(&o.Region, "region", "", "AWS Region for the API calls (default: from the profile or environment)")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "send every AWS call to this `URL` (an emulator or a rootguard sim endpoint)")
	f.IntVar(&o.Concurrency, "concurrency", inventory.DefaultConcurrency, "accounts collected at once")
	f.StringVar(&o.Role, "role", inventory.DefaultRole, "`NAME` of the role assumed in member accounts to read their trails, alarms, rules and mail facts")
	f.StringSliceVar(&o.Regions, "regions", nil, "Regions read for regional facts (default: us-east-1 and --region); us-east-1 is always read")
}

func (o *sourceOptions) validate() error {
	n := 0
	for _, set := range []bool{o.Demo, o.Scenario != "", o.Snapshot != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usageError("--demo, --scenario and --snapshot exclude each other")
	}
	if o.Snapshot != "" && (o.Org || len(o.Accounts) > 0 || o.EndpointURL != "") {
		return usageError("--snapshot assesses a saved snapshot: --org, --accounts and --endpoint-url do not apply")
	}
	if (o.Demo || o.Scenario != "") && o.EndpointURL != "" {
		return usageError("--endpoint-url does not apply with --demo or --scenario (they start their own endpoint)")
	}
	for _, id := range o.Accounts {
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return usageError("--accounts: %q is not a 12-digit account ID", id)
		}
	}
	if len(o.Accounts) > 0 {
		o.Org = true
	}
	if o.Concurrency < 1 {
		return usageError("--concurrency must be at least 1")
	}
	return nil
}

// source is the result of resolving sourceOptions.
type source struct {
	snapshot   *inventory.Snapshot
	mode       string // report.Meta.Mode
	orgDomains []string
}

// load collects (or loads) the snapshot the command works on.
func (o *sourceOptions) load(ctx context.Context, e *env) (*source, error) {
	if o.Snapshot != "" {
		s, err := inventory.Load(o.Snapshot)
		if err != nil {
			return nil, err
		}
		return &source{snapshot: s, mode: "snapshot"}, nil
	}
	opts := awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL}
	mode := "account"
	if o.Org {
		mode = "org"
	}
	var domains []string
	if o.Demo || o.Scenario != "" {
		scn := sim.Demo()
		mode = "demo"
		if o.Scenario != "" {
			var err error
			if scn, err = sim.LoadScenario(o.Scenario); err != nil {
				return nil, err
			}
			mode = "scenario"
		}
		srv, err := sim.Start(scn, sim.Options{Logger: e.log})
		if err != nil {
			return nil, fmt.Errorf("start the in-process AWS endpoint: %w", err)
		}
		defer srv.Close()
		akid, secret := srv.Credentials()
		opts = awsclient.Options{
			Region:      srv.Region(),
			EndpointURL: srv.URL(),
			Credentials: awsclient.StaticCredentials{AccessKeyID: akid, SecretAccessKey: secret},
		}
		if scn.Organization != nil && len(o.Accounts) == 0 {
			o.Org = true
		}
		domains = scn.OrgDomains
	}
	cfg, err := awsclient.Load(ctx, opts)
	if err != nil {
		return nil, err
	}
	progress := func(int, int) {}
	if isTerminal(e.stderr) {
		start := time.Now()
		progress = func(done, total int) {
			fmt.Fprintf(e.stderr, "\rcollecting: %d/%d accounts (%s)", done, total, time.Since(start).Round(time.Second))
			if done == total {
				fmt.Fprintln(e.stderr)
			}
		}
	}
	s, err := inventory.Collect(ctx, cfg, inventory.CollectOptions{
		Org:         o.Org,
		Accounts:    o.Accounts,
		Concurrency: o.Concurrency,
		Role:        o.Role,
		Regions:     o.Regions,
		Progress:    progress,
		Logger:      e.log,
	})
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	return &source{snapshot: s, mode: mode, orgDomains: domains}, nil
}
