package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/sim"
)

// SimServeOptions are the flags of `rootguard sim serve`.
type SimServeOptions struct {
	Scenario string
	Demo     bool
	Addr     string
	Writable bool
	State    string
	// RecordTrail is the folder the endpoint writes CloudTrail log files
	// of the calls it serves to.
	RecordTrail string
}

func (o *SimServeOptions) validate() error {
	if o.Demo && o.Scenario != "" {
		return usageError("--demo and --scenario exclude each other")
	}
	if err := sim.CheckLoopback(o.Addr); err != nil {
		return usageError("--addr: %v", err)
	}
	return nil
}

// scenario is what to serve: the saved state when --state names an
// existing file, else --scenario or the demo.
func (o *SimServeOptions) scenario() (*sim.Scenario, string, error) {
	if scn, err := sim.StateFile(o.State).Load(); err != nil || scn != nil {
		return scn, "state " + o.State, err
	}
	switch {
	case o.Scenario != "":
		scn, err := sim.LoadScenario(o.Scenario)
		return scn, "scenario " + o.Scenario, err
	case o.Demo:
		return sim.Demo(), "the demo organization", nil
	}
	return nil, "", usageError("give --demo, --scenario FILE, or a --state FILE that exists")
}

func newSimCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run rootguard's own AWS endpoint (for demos and tests; no AWS needed)",
		Long: `rootguard's AWS endpoint speaks the AWS wire protocols of the services rootguard
calls (IAM, STS, Organizations, Account, CloudTrail, CloudWatch, EventBridge, SNS, S3, SQS…)
and answers from a scenario describing an organization. Point rootguard or any
AWS SDK at it to try scan, plan and apply without an AWS account.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newSimServeCmd(e))
	return cmd
}

func newSimServeCmd(e *env) *cobra.Command {
	var o SimServeOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a scenario (or the demo organization) on a loopback address until interrupted",
		Long: `Serve a scenario on a loopback address until interrupted, printing the endpoint
URL and the credentials to use as shell lines. The endpoint checks no signatures,
so it listens on loopback only.

Writes (SCPs, contacts, root credential removal, alerting) are refused with
AccessDenied unless --writable. With --state FILE, the organization is read from
FILE when it exists (--scenario or --demo is then only the starting point) and
saved back to FILE, writes included, when the endpoint stops. Dates the
scenario gives relative to now ("3 days ago") are fixed when it starts.
With --record-trail DIR, every call served is written to DIR as a CloudTrail
record (gzip log files in CloudTrail's layout, flushed every 100 records and
when the endpoint stops), so "rootguard trail scan DIR" reports what root did.

Exit codes: 0 stopped (interrupt or --timeout), 2 usage error (no scenario,
--demo with --scenario, a non-loopback --addr), 3 the scenario or state could
not be read or saved, or the address is taken.`,
		Example: `  rootguard sim serve --demo --writable --state demo-state.yaml
  # in another shell, paste the export lines it printed, then:
  rootguard scan --org --endpoint-url "$AWS_ENDPOINT_URL"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			scn, from, err := o.scenario()
			if err != nil {
				return err
			}
			// Dates the scenario gives relative to now stay as they were
			// at the start for as long as the endpoint runs, so a plan made
			// against it is not stale when apply reads it a second later.
			if scn, err = sim.FixDates(scn); err != nil {
				return fmt.Errorf("start the endpoint: %w", err)
			}
			srv, err := sim.Start(scn, sim.Options{Writable: o.Writable, Addr: o.Addr, Logger: e.log, TrailDir: o.RecordTrail})
			if err != nil {
				return fmt.Errorf("start the endpoint: %w", err)
			}
			mode := "read-only"
			if o.Writable {
				mode = "writable"
			}
			akid, secret := srv.Credentials()
			fmt.Fprintf(e.stdout, "# rootguard sim: serving %s (%s) at %s until interrupted\n", from, mode, srv.URL())
			fmt.Fprintf(e.stdout, "export AWS_ENDPOINT_URL=%s\n", srv.URL())
			fmt.Fprintf(e.stdout, "export AWS_ACCESS_KEY_ID=%s\n", akid)
			fmt.Fprintf(e.stdout, "export AWS_SECRET_ACCESS_KEY=%s\n", secret)
			fmt.Fprintf(e.stdout, "export AWS_DEFAULT_REGION=%s\n", srv.Region())
			fmt.Fprintf(e.stdout, "export AWS_REGION=%s\n", srv.Region())
			for _, id := range scn.Callers {
				akid, secret, err := srv.IdentityCredentials(id.Name)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "# as %s (%s): export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", id.Name, id.ARN, akid, secret)
			}

			<-cmd.Context().Done()
			closeErr := srv.Close()
			if o.State != "" {
				if err := sim.StateFile(o.State).Save(srv.Scenario()); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "rootguard sim: state saved to %s\n", o.State)
			}
			if closeErr != nil {
				return fmt.Errorf("stop the endpoint: %w", closeErr)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Scenario, "scenario", "", "serve the scenario `FILE` (YAML)")
	f.BoolVar(&o.Demo, "demo", false, "serve the built-in demo organization")
	f.StringVar(&o.Addr, "addr", "127.0.0.1:4566", "loopback `host:port` to listen on (port 0 picks a free port)")
	f.BoolVar(&o.Writable, "writable", false, "allow write operations (otherwise refused with AccessDenied)")
	f.StringVar(&o.State, "state", "", "read the organization from `FILE` when it exists, and save it there when the endpoint stops")
	f.StringVar(&o.RecordTrail, "record-trail", "", "record every call served as CloudTrail log files under `DIR` (AWSLogs/ACCOUNT/CloudTrail/REGION/…, what trail scan reads)")
	return cmd
}
