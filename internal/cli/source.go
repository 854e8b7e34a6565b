package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/guardrail"
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
	// State is the file the demo organization's state is kept in between
	// commands (--demo: default $XDG_STATE_HOME/rootguard/demo-state.yaml;
	// --scenario: none unless given). The endpoint starts from it when it
	// exists; apply saves the changed organization back to it.
	State string
	// ResetDemo removes the state file first, so the demo starts afresh.
	ResetDemo bool
	// AuditLog is rootguard's audit log: collection reads from it the last
	// use of the root access keys apply deleted (apply also writes to
	// it). "" means ROOTGUARD_AUDIT_LOG, then the state directory's.
	AuditLog string
	// Identity names the scenario caller (sim.Scenario.Callers) whose
	// credentials the command uses with --demo or --scenario; empty is the
	// default caller. $ROOTGUARD_DEMO_IDENTITY stands in when it is empty.
	Identity string

	// writable starts the in-process endpoint with writes allowed (apply
	// only); it then saves its state when the command is done.
	writable bool
	// trailDir, when set, is where the in-process endpoint records every
	// call it serves as CloudTrail records (breakglass with --demo).
	trailDir string
	// materialize writes the state file from the starting scenario when
	// there is none (plan and apply), so that the dates a scenario gives
	// relative to now ("3 days ago") stay the same between plan and apply.
	materialize bool
	// adjust, when set, changes the scenario before the endpoint serves
	// it (serve --demo adds its demo queue).
	adjust func(*sim.Scenario)
}

// simStarted, when set (by tests), is told about every in-process endpoint
// a command starts, so a test can read its call log.
var simStarted func(*sim.Server)

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
	f.IntVar(&o.Concurrency, "concurrency", collect.DefaultConcurrency, "accounts collected at once")
	f.StringVar(&o.Role, "role", collect.DefaultRole, "`NAME` of the role assumed in member accounts to read their trails, alarms, rules and mail facts")
	f.StringSliceVar(&o.Regions, "regions", nil, "Regions read for regional facts (default: every Region enabled in each account, account:ListRegions); us-east-1 is always read")
	f.StringVar(&o.State, "state", "", "keep the --demo or --scenario organization's state in `FILE` between commands (default for --demo: $XDG_STATE_HOME/rootguard/demo-state.yaml)")
	f.StringVar(&o.Identity, "demo-identity", "", "with --demo or --scenario: act as the scenario's caller `NAME` (its callers list; the demo has requester and approver) instead of the default caller (default: $ROOTGUARD_DEMO_IDENTITY)")
	f.StringVar(&o.AuditLog, "audit-log", "", "rootguard's audit log `FILE`, whose records keep the last use of the root access keys apply deleted; apply records its changes there (default $ROOTGUARD_AUDIT_LOG or $XDG_STATE_HOME/rootguard/audit.log)")
	f.BoolVar(&o.ResetDemo, "reset-demo", false, "with --demo: forget the changes apply made to the demo organization (remove the state file) and start afresh")
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
		return usageError("--concurrency %d: want 1 or more", o.Concurrency)
	}
	if o.ResetDemo && !o.Demo {
		return usageError("--reset-demo applies to --demo only")
	}
	if o.Identity != "" && !o.Demo && o.Scenario == "" {
		return usageError("--demo-identity applies to --demo and --scenario only")
	}
	if o.State != "" && !o.Demo && o.Scenario == "" {
		return usageError("--state applies to --demo and --scenario only")
	}
	return nil
}

// conn is an open source: the AWS config to call with, and for --demo and
// --scenario the in-process endpoint behind it.
type conn struct {
	cfg     aws.Config
	mode    string
	domains []string
	srv     *sim.Server
	state   sim.StateFile // where to save the endpoint's state, "" for nowhere
	saved   bool
}

// close saves the endpoint's state when it was writable, then stops it.
func (c *conn) close() error {
	if c.srv == nil {
		return nil
	}
	var err error
	if c.state != "" {
		if err = c.state.Save(c.srv.Scenario()); err != nil {
			err = fmt.Errorf("save the demo state: %w", err)
		} else {
			c.saved = true
		}
	}
	return errors.Join(err, c.srv.Close())
}

// open resolves the options to an AWS config, starting the in-process
// endpoint for --demo and --scenario. The caller must call close.
func (o *sourceOptions) open(ctx context.Context, e *env) (*conn, error) {
	opts := awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL}
	c := &conn{mode: "account"}
	if o.Org {
		c.mode = "org"
	}
	if o.Demo || o.Scenario != "" {
		scn, state, err := o.scenario()
		if err != nil {
			return nil, err
		}
		if o.adjust != nil {
			o.adjust(scn)
		}
		c.mode = "demo"
		if o.Scenario != "" {
			c.mode = "scenario"
		}
		srv, err := sim.Start(scn, sim.Options{Logger: e.log, Writable: o.writable, TrailDir: o.trailDir})
		if err != nil {
			return nil, fmt.Errorf("start the in-process AWS endpoint: %w", err)
		}
		if simStarted != nil {
			simStarted(srv)
		}
		c.srv = srv
		if o.writable {
			c.state = state
		}
		identity := o.Identity
		if identity == "" {
			identity = os.Getenv("ROOTGUARD_DEMO_IDENTITY")
		}
		akid, secret, err := srv.IdentityCredentials(identity)
		if err != nil {
			c.close()
			return nil, usageError("--demo-identity: %v", err)
		}
		opts = awsclient.Options{
			Region:      srv.Region(),
			EndpointURL: srv.URL(),
			Credentials: awsclient.StaticCredentials{AccessKeyID: akid, SecretAccessKey: secret},
		}
		if scn.Organization != nil && len(o.Accounts) == 0 {
			o.Org = true
		}
		c.domains = scn.OrgDomains
	}
	cfg, err := awsclient.Load(ctx, opts)
	if err != nil {
		c.close()
		return nil, err
	}
	c.cfg = cfg
	return c, nil
}

// scenario returns the scenario to serve and the state file: the saved
// state when it exists, else the embedded demo or the --scenario file.
func (o *sourceOptions) scenario() (*sim.Scenario, sim.StateFile, error) {
	state := sim.StateFile(o.State)
	if state == "" && o.Demo {
		p, err := sim.DemoStatePath(os.Getenv)
		if err != nil {
			return nil, "", err
		}
		state = sim.StateFile(p)
	}
	if o.ResetDemo {
		if err := state.Reset(); err != nil {
			return nil, "", fmt.Errorf("--reset-demo: %w", err)
		}
	}
	scn, err := state.Load()
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("demo state (remove it or use --reset-demo to start afresh): %w", err)
	case scn != nil:
		return scn, state, nil
	}
	scn = sim.Demo()
	if o.Scenario != "" {
		if scn, err = sim.LoadScenario(o.Scenario); err != nil {
			return nil, "", err
		}
	}
	if state != "" && o.materialize {
		if scn, err = state.Materialize(scn); err != nil {
			return nil, "", fmt.Errorf("demo state: %w", err)
		}
	}
	return scn, state, nil
}

// collect reads the snapshot through an open source.
func (o *sourceOptions) collect(ctx context.Context, e *env, c *conn) (*inventory.Snapshot, error) {
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
	s, err := collect.Run(ctx, c.cfg, collect.Options{
		Org:         o.Org,
		Accounts:    o.Accounts,
		Concurrency: o.Concurrency,
		Role:        o.Role,
		Regions:     o.Regions,
		Progress:    progress,
		Logger:      e.log,
	})
	if err != nil {
		return nil, err // inventory errors already begin "collect: "
	}
	if path, err := o.auditLogPath(); err == nil {
		guardrail.ReadDeletedKeys(s, path, audit.Options{}, s.CollectedAt)
	}
	return s, nil
}

// auditLogPath is --audit-log, or the default audit log.
func (o *sourceOptions) auditLogPath() (string, error) { return auditLogPath(o.AuditLog) }

// source is the result of resolving sourceOptions.
type source struct {
	snapshot   *inventory.Snapshot
	mode       string // report.Meta.Mode
	orgDomains []string
	custody    *custody.Registry // the demo's custody registry, with --demo
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
	c, err := o.open(ctx, e)
	if err != nil {
		return nil, err
	}
	src, err := o.read(ctx, e, c)
	if cerr := c.close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return src, nil
}

// read collects the snapshot through an open source, which stays open
// (serve collects through one at every scheduled scan).
func (o *sourceOptions) read(ctx context.Context, e *env, c *conn) (*source, error) {
	s, err := o.collect(ctx, e, c)
	if err != nil {
		return nil, err
	}
	src := &source{snapshot: s, mode: c.mode, orgDomains: c.domains}
	if o.Demo {
		src.custody = custody.Demo()
	}
	return src, nil
}
