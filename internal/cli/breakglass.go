package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/guardrail/awsexec"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
	"github.com/rootguard/rootguard/internal/trail"
)

// BreakglassOptions are the flags every breakglass command shares.
type BreakglassOptions struct {
	// AuditLog is the audit log's path; "" means the default.
	AuditLog string
	// MaxDuration bounds the window a request may ask for.
	MaxDuration time.Duration
	// PendingTTL is how long a request waits for approval.
	PendingTTL time.Duration
	// ExecutorRole is the role rootguard assumes to call sts:AssumeRoot
	// for an approved task; "" means RootguardBreakGlassExecutor in the
	// caller's account.
	ExecutorRole string
	Format       string
	// Source says who the caller is: live AWS, or --demo/--scenario with
	// --demo-identity.
	Source sourceOptions
}

// DefaultExecutorRole is the executor role's name in the caller's account.
const DefaultExecutorRole = "RootguardBreakGlassExecutor"

// DefaultBreakglassOptions returns the defaults.
func DefaultBreakglassOptions() BreakglassOptions {
	p := breakglass.DefaultPolicy()
	return BreakglassOptions{MaxDuration: p.MaxDuration, PendingTTL: p.PendingTTL, Format: "table",
		Source: sourceOptions{Concurrency: collect.DefaultConcurrency}}
}

// Validate checks the options.
func (o *BreakglassOptions) Validate() error {
	if o.MaxDuration <= 0 || o.PendingTTL <= 0 {
		return usageError("--max-duration and --pending-ttl: want more than zero")
	}
	if o.Format != "table" && o.Format != "json" {
		return usageError("--format %q: want table or json", o.Format)
	}
	if o.ExecutorRole != "" && !strings.HasPrefix(o.ExecutorRole, "arn:") {
		return usageError("--executor-role %q: want a role ARN", o.ExecutorRole)
	}
	return o.Source.validate()
}

func newBreakglassCmd(e *env) *cobra.Command {
	o := DefaultBreakglassOptions()
	cmd := &cobra.Command{
		Use:   "breakglass",
		Short: "Two-person break-glass windows for the root user: request, approve, run a root task, report",
		Long: "A person requests a time-boxed window on one account; a different person approves it. In a\n" +
			"member account, `breakglass run` then performs the approved root task through sts:AssumeRoot\n" +
			"(nobody holds root credentials); in a management or standalone account the window authorises a\n" +
			"root sign-in. `breakglass report` lists every root event of the window, and `trail scan\n" +
			"--windows` raises root-activity-unapproved for root activity outside every approved window.\n" +
			"Who the caller is comes from sts:GetCallerIdentity, mapped to a person (`breakglass person\n" +
			"add`); every change is in the audit log before it is made. See docs/breakglass.md.",
	}
	f := cmd.PersistentFlags()
	f.StringVar(&o.AuditLog, "audit-log", "", "audit log `FILE` (default $ROOTGUARD_AUDIT_LOG or $XDG_STATE_HOME/rootguard/audit.log)")
	daysDurationVar(f, &o.MaxDuration, "max-duration", o.MaxDuration, "the longest window a request may ask for")
	daysDurationVar(f, &o.PendingTTL, "pending-ttl", o.PendingTTL, "how long a request waits for approval before it expires")
	f.StringVar(&o.ExecutorRole, "executor-role", "", "`ARN` of the role that calls sts:AssumeRoot for an approved task (default: "+DefaultExecutorRole+" in the caller's account)")
	f.StringVar(&o.Format, "format", o.Format, "output format: table or json")
	o.Source.addIdentityFlags(f)
	cmd.AddCommand(
		newBreakglassRequestCmd(e, &o),
		newBreakglassDecideCmd(e, &o, "approve", "Approve a pending request (the approver must be a different person from the requester)"),
		newBreakglassDecideCmd(e, &o, "deny", "Deny a pending request"),
		newBreakglassDecideCmd(e, &o, "close", "Close a request: end its window now (and report it, given the trail), or withdraw it while pending"),
		newBreakglassListCmd(e, &o),
		newBreakglassShowCmd(e, &o),
		newBreakglassReportCmd(e, &o),
		newBreakglassRunCmd(e, &o),
		newBreakglassPersonCmd(e, &o),
	)
	return cmd
}

// addIdentityFlags adds the flags that say who the caller is: live AWS
// (profile, region, endpoint) or the in-process endpoint.
func (o *sourceOptions) addIdentityFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.Demo, "demo", false, "act in the built-in demo organization (an in-process AWS endpoint; no AWS needed)")
	f.StringVar(&o.Scenario, "scenario", "", "act in a scenario `FILE` served by the in-process AWS endpoint (like --demo)")
	f.StringVar(&o.Identity, "demo-identity", "", "with --demo or --scenario: act as the scenario's caller `NAME` (the demo has requester and approver) (default: $ROOTGUARD_DEMO_IDENTITY)")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile")
	f.StringVar(&o.Region, "region", "", "AWS Region for the API calls (default: from the profile or environment)")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "send every AWS call to this `URL` (an emulator or a rootguard sim endpoint)")
}

// aws is the connection the identity flags name, for reading CloudTrail.
func (o *sourceOptions) aws() awsclient.Options {
	return awsclient.Options{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL}
}

// bgSession is what a breakglass command works with: the store, the
// caller's ARN and AWS config, and the audit log (opened on first use).
type bgSession struct {
	e     *env
	o     *BreakglassOptions
	st    *store.Store
	conn  *conn
	arn   string
	audit *audit.Log
}

// openBreakglass opens the store and, unless noCaller, asks AWS who the
// caller is. The caller's identity is read before anything is written.
func openBreakglass(ctx context.Context, e *env, o *BreakglassOptions, needCaller bool) (*bgSession, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	s := &bgSession{e: e, o: o}
	var err error
	if o.Source.Demo {
		// The demo endpoint records what it serves, for breakglass report.
		if o.Source.trailDir, err = demoTrailDir(); err != nil {
			return nil, withCode(ExitError, err)
		}
	}
	if s.st, err = e.storeFor(ctx, o.Source.Demo); err != nil {
		return nil, withCode(ExitError, err)
	}
	if !needCaller {
		return s, nil
	}
	if s.conn, err = o.Source.open(ctx, e); err != nil {
		s.close()
		return nil, err
	}
	out, err := sts.NewFromConfig(s.conn.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		s.close()
		return nil, withCode(ExitError, fmt.Errorf("who is calling (sts:GetCallerIdentity): %w", err))
	}
	s.arn = aws.ToString(out.Arn)
	return s, nil
}

func (s *bgSession) close() error {
	var errs []error
	if s.audit != nil {
		errs = append(errs, s.audit.Close())
	}
	if s.conn != nil {
		errs = append(errs, s.conn.close())
	}
	if s.st != nil {
		errs = append(errs, s.st.Close())
	}
	return errors.Join(errs...)
}

// auditLog opens the audit log: no log, no change.
func (s *bgSession) auditLog() (*audit.Log, error) {
	if s.audit != nil {
		return s.audit, nil
	}
	path, err := auditLogPath(s.o.AuditLog)
	if err != nil {
		return nil, withCode(ExitError, err)
	}
	l, err := audit.Open(path, audit.Options{})
	if err != nil {
		return nil, withCode(ExitError, fmt.Errorf("no audit log, no change: %w", err))
	}
	s.audit = l
	return l, nil
}

func (s *bgSession) service() (breakglass.Service, error) {
	l, err := s.auditLog()
	if err != nil {
		return breakglass.Service{}, err
	}
	return breakglass.Service{
		Repo: s.st.Breakglass(), Audit: l, Now: time.Now, NewID: newRequestID,
		Policy: breakglass.Policy{MaxDuration: s.o.MaxDuration, PendingTTL: s.o.PendingTTL},
	}, nil
}

// newRequestID returns bg- and 12 random hex digits.
func newRequestID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "bg-" + hex.EncodeToString(b)
}

// refused maps the workflow's refusals to ExitRefused, anything else to
// ExitError.
func refused(err error) error {
	for _, target := range []error{breakglass.ErrUnknownIdentity, breakglass.ErrSelfApproval, breakglass.ErrState,
		breakglass.ErrTask, breakglass.ErrConflict, breakglass.ErrNotFound} {
		if errors.Is(err, target) {
			return withCode(ExitRefused, err)
		}
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return withCode(ExitError, err)
}

// withBreakglass runs fn with an open session and closes it after.
func withBreakglass(ctx context.Context, e *env, o *BreakglassOptions, needCaller bool, fn func(*bgSession) error) (err error) {
	s, err := openBreakglass(ctx, e, o, needCaller)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.close(); err == nil && cerr != nil {
			err = withCode(ExitError, cerr)
		}
	}()
	return fn(s)
}

func newBreakglassRequestCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var account, reason, task, bucket, queueURL string
	var d time.Duration
	cmd := &cobra.Command{
		Use:   "request --account ID --reason TEXT --duration 30m [--task TASK]",
		Short: "Request a break-glass window on one account (a root task in a member account, else a root sign-in)",
		Long: "request records a pending request by the caller, who must be a registered person. With --task\n" +
			"(" + strings.Join(breakglass.TaskNames(), ", ") + ")\n" +
			"the window allows `breakglass run` to perform that one root task through sts:AssumeRoot; without it,\n" +
			"the window authorises a root sign-in (management and standalone accounts).",
		Example: `  rootguard breakglass request --account 222222222222 --reason "unlock the logs bucket" --duration 30m --task unlock-bucket-policy --bucket acme-logs`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if d == 0 {
				return usageError("--duration: give the window's length, such as 30m")
			}
			param := bucket + queueURL
			if bucket != "" && queueURL != "" {
				return usageError("--bucket and --queue-url exclude each other")
			}
			return withBreakglass(cmd.Context(), e, o, true, func(s *bgSession) error {
				svc, err := s.service()
				if err != nil {
					return err
				}
				r, err := svc.Open(cmd.Context(), s.arn, account, reason, d, task, param)
				if err != nil {
					return refused(err)
				}
				return s.write(r)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&account, "account", "", "the 12-digit account `ID` the window is for")
	f.StringVar(&reason, "reason", "", "why root is needed")
	daysDurationVar(f, &d, "duration", 0, "the window's length (at most --max-duration)")
	f.StringVar(&task, "task", "", "the root `TASK` to perform in a member account: "+strings.Join(breakglass.TaskNames(), ", "))
	f.StringVar(&bucket, "bucket", "", "the bucket of unlock-bucket-policy")
	f.StringVar(&queueURL, "queue-url", "", "the queue URL of unlock-queue-policy")
	return cmd
}

func newBreakglassDecideCmd(e *env, o *BreakglassOptions, action, short string) *cobra.Command {
	use, nargs := action+" ID", cobra.ExactArgs(1)
	if action == "close" {
		// close also writes the window report, from the given trail (or the demo's).
		use, nargs = "close ID [PATH|s3://bucket/prefix|- ... | --athena|--lake ...]", cobra.MinimumNArgs(1)
	}
	var src windowSource
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  nargs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if action == "close" {
				src.AWS, src.athenaFlags = o.Source.aws(), changedAthenaFlags(cmd.Flags())
				if err := src.validate("close", args[1:]); err != nil {
					return err
				}
			}
			return withBreakglass(cmd.Context(), e, o, true, func(s *bgSession) error {
				svc, err := s.service()
				if err != nil {
					return err
				}
				step := map[string]func(context.Context, string, string) (breakglass.Request, error){
					"approve": svc.Approve, "deny": svc.Deny, "close": svc.Close,
				}[action]
				r, err := step(cmd.Context(), s.arn, args[0])
				if err != nil {
					return refused(err)
				}
				if action == "approve" {
					s.warnExecutors(cmd.Context(), r)
				}
				if err := s.write(r); err != nil || action != "close" || r.Window().Start.IsZero() || (len(args) == 1 && !o.Source.Demo && !src.Query.set()) {
					return err
				}
				fmt.Fprintln(e.stdout)
				rep, err := windowReport(cmd.Context(), e, r, src, args[1:], o.Source.Demo)
				if err != nil {
					return err
				}
				return s.write(rep)
			})
		},
	}
	if action == "close" {
		src.Query.addFlags(cmd.Flags())
	}
	return cmd
}

func newBreakglassListCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "list [--account ID]",
		Short: "List break-glass requests, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withBreakglass(cmd.Context(), e, o, false, func(s *bgSession) error {
				rs, err := s.st.Breakglass().List(cmd.Context(), account)
				if err != nil {
					return withCode(ExitError, err)
				}
				return s.write(rs)
			})
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "only this account's requests")
	return cmd
}

func newBreakglassShowCmd(e *env, o *BreakglassOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one break-glass request and its window",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withBreakglass(cmd.Context(), e, o, false, func(s *bgSession) error {
				r, err := s.st.Breakglass().Get(cmd.Context(), args[0])
				if err != nil {
					return refused(err)
				}
				return s.write(r)
			})
		},
	}
}

func newBreakglassReportCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var src windowSource
	cmd := &cobra.Command{
		Use:   "report ID [PATH|s3://bucket/prefix|- ... | --athena|--lake ...]",
		Short: "Every root event of a request's window, each classified as a task that requires root or one that should have used a role",
		Long: "report reads CloudTrail records like `trail scan` (files, folders, S3 prefixes, stdin), or queries\n" +
			"them like `trail query` (--athena or --lake), through the one detection driver, limited to the\n" +
			"request's window, and lists the root events of its account and the sts:AssumeRoot calls that\n" +
			"targeted it. With --demo and no PATH it reads the demo's trail.",
		Example: `  rootguard breakglass report bg-1a2b3c4d5e6f s3://org-trail/AWSLogs/o-abc123/111111111111/CloudTrail/
  rootguard breakglass report bg-1a2b3c4d5e6f --lake --event-data-store EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src.AWS, src.athenaFlags = o.Source.aws(), changedAthenaFlags(cmd.Flags())
			if err := src.validate("report", args[1:]); err != nil {
				return err
			}
			return withBreakglass(cmd.Context(), e, o, false, func(s *bgSession) error {
				r, err := s.st.Breakglass().Get(cmd.Context(), args[0])
				if err != nil {
					return refused(err)
				}
				rep, err := windowReport(cmd.Context(), e, r, src, args[1:], o.Source.Demo)
				if err != nil {
					return err
				}
				return s.write(rep)
			})
		},
	}
	src.Query.addFlags(cmd.Flags())
	return cmd
}

// windowReport reads the source, limited to the request's window, into
// its report; with demo and neither PATH nor query, the demo's trail.
func windowReport(ctx context.Context, e *env, r breakglass.Request, src windowSource, paths []string, demo bool) (breakglass.Report, error) {
	w, stdin := r.Window(), e.stdin
	var err error
	if w.Start.IsZero() {
		return breakglass.Report{}, withCode(ExitRefused, fmt.Errorf("report request %s: it is %s and never had a window: %w", r.ID, r.State, breakglass.ErrState))
	}
	if len(paths) == 0 && demo && !src.Query.set() {
		if paths, stdin, err = demoTrailInputs(); err != nil {
			return breakglass.Report{}, withCode(ExitError, err)
		}
	}
	alerts, sum, err := readWindow(ctx, "report", src, paths, stdin, trail.Window{Since: w.Start, Until: w.End})
	if err != nil {
		return breakglass.Report{}, err
	}
	for _, f := range sum.Failed {
		fmt.Fprintf(e.stderr, "report: %s could not be read: %s\n", termsafe.Escape(f.Input, false), termsafe.Escape(f.Reason, false))
	}
	if sum.Read == 0 {
		return breakglass.Report{}, withCode(ExitPartial, errors.New("report: no input was read: the window's root activity is unknown"))
	}
	return breakglass.NewReport(r, alerts), nil
}

func newBreakglassRunCmd(e *env, o *BreakglassOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "run ID",
		Short: "Perform a request's approved root task in its member account through sts:AssumeRoot",
		Long: "run checks that the caller is the request's requester and that its window is open, assumes the\n" +
			"executor role (--executor-role), calls sts:AssumeRoot on a Regional endpoint for at most 900 s with\n" +
			"the approved task policy, and makes exactly the task's calls, each recorded in the audit log before\n" +
			"it is made. Nobody holds root credentials.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Source.writable = true // the demo endpoint allows the task's writes and keeps them
			return withBreakglass(cmd.Context(), e, o, true, func(s *bgSession) error {
				return s.run(cmd.Context(), args[0])
			})
		},
	}
}

// run performs request id's approved task.
func (s *bgSession) run(ctx context.Context, id string) error {
	repo := s.st.Breakglass()
	reg, err := repo.Registry(ctx)
	if err != nil {
		return withCode(ExitError, err)
	}
	p, err := reg.Resolve(s.arn)
	if err != nil {
		return refused(fmt.Errorf("run request %s: %w", id, err))
	}
	r, err := repo.Get(ctx, id)
	if err != nil {
		return refused(err)
	}
	if p.ID != r.Requester {
		return refused(fmt.Errorf("run request %s: %s is not its requester (%s): %w", id, p.ID, r.Requester, breakglass.ErrState))
	}
	if err := r.Authorize(r.Task, r.TaskParam, time.Now()); err != nil {
		return refused(err)
	}
	task, err := breakglass.LookupTask(r.Task)
	if err != nil {
		return refused(err)
	}
	if err := task.CheckParam(r.TaskParam); err != nil {
		return refused(err)
	}
	s.warnExecutors(ctx, r)
	log, err := s.auditLog()
	if err != nil {
		return err
	}
	role := s.executorRole()
	cfg := s.conn.cfg.Copy()
	cfg.Credentials = awsclient.AssumeRole(sts.NewFromConfig(s.conn.cfg), role)
	calls, err := s.taskCalls(ctx, cfg, task, r)
	if err != nil {
		return withCode(ExitError, fmt.Errorf("run request %s: %w", r.ID, err))
	}
	x := awsexec.New(cfg)
	for _, tc := range calls {
		c := tc.Call
		c.Session, c.TaskPolicy = guardrail.SessionAssumeRoot, task.PolicyARN()
		entry := audit.Entry{Actor: s.arn, PlanID: r.ID, ChangeID: "run-" + task.Name + tc.changeSuffix, AccountID: r.AccountID,
			Operation: c.Operation, Params: c.Params}
		if tc.lastUsed != nil {
			entry.Params = maps.Clone(c.Params)
			entry.Params[guardrail.KeyLastUsedParam] = tc.lastUsed.UTC().Format(time.RFC3339)
		}
		err := log.Do(ctx, entry, func(ctx context.Context) error {
			_, err := x.Call(ctx, r.AccountID, c)
			return err
		})
		if err != nil {
			return withCode(ExitError, fmt.Errorf("run request %s: %s in %s: %w", r.ID, c.Operation, r.AccountID, err))
		}
		fmt.Fprintf(s.e.stdout, "%s %s in %s: done (task policy %s, through %s)\n", c.Operation, paramText(c.Params), r.AccountID, task.Policy, role)
	}
	return nil
}

// taskCall is one write of a task, with what only the audit log gets.
type taskCall struct {
	guardrail.Call
	// changeSuffix ends the audit record's change ID; lastUsed is a
	// deleted root access key's last use, kept in the audit log so that
	// root-recent-use still sees it once the key is gone (as apply does).
	changeSuffix string
	lastUsed     *time.Time
}

// taskCalls are the write calls run makes for a task. The credential
// tasks first read the member's root credentials in a root session opened
// with the task's own policy (through the executor, cfg), and print them:
// auditing them is the whole of audit-root-credentials, and
// delete-root-credentials deletes exactly what it read.
func (s *bgSession) taskCalls(ctx context.Context, cfg aws.Config, t breakglass.Task, r breakglass.Request) ([]taskCall, error) {
	one := func(op string, params map[string]string) ([]taskCall, error) {
		return []taskCall{{Call: guardrail.Call{Operation: op, Params: params}}}, nil
	}
	switch t.Name {
	case breakglass.TaskUnlockBucketPolicy:
		return one("s3:DeleteBucketPolicy", map[string]string{"Bucket": r.TaskParam})
	case breakglass.TaskUnlockQueuePolicy:
		return one("sqs:SetQueueAttributes", map[string]string{"QueueUrl": r.TaskParam, "Policy": ""})
	case breakglass.TaskCreateRootPassword:
		return one("iam:CreateLoginProfile", map[string]string{})
	}
	root := cfg.Copy()
	root.Credentials = aws.NewCredentialsCache(awsclient.AssumeRoot(sts.NewFromConfig(cfg), r.AccountID, t.PolicyARN()))
	creds, err := readRootCredentials(ctx, iam.NewFromConfig(root))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the root credentials of %s: %w", t.Name, r.AccountID, err)
	}
	fmt.Fprintf(s.e.stdout, "root credentials of %s (task policy %s): password %s; access keys %s; signing certificates %s; MFA devices %s\n",
		r.AccountID, t.Policy, yesNo(creds.password), list(keyList(creds.keys)), list(creds.certs), list(creds.mfa))
	if t.Name == breakglass.TaskAuditRootCredentials {
		return nil, nil
	}
	var calls []taskCall
	add := func(op string, params map[string]string) {
		calls = append(calls, taskCall{Call: guardrail.Call{Operation: op, Params: params}})
	}
	for _, m := range creds.mfa {
		add("iam:DeactivateMFADevice", map[string]string{"SerialNumber": m})
	}
	for _, k := range creds.keys {
		calls = append(calls, taskCall{Call: guardrail.Call{Operation: "iam:DeleteAccessKey", Params: map[string]string{"AccessKeyId": k.id}},
			changeSuffix: guardrail.KeyChangeSuffix(k.id), lastUsed: k.lastUsed})
	}
	for _, c := range creds.certs {
		add("iam:DeleteSigningCertificate", map[string]string{"CertificateId": c})
	}
	if creds.password {
		add("iam:DeleteLoginProfile", map[string]string{})
	}
	if len(calls) == 0 {
		fmt.Fprintf(s.e.stdout, "%s has no root credential to delete\n", r.AccountID)
	}
	return calls, nil
}

// rootCredentials are what a root session lists of its own credentials.
type rootCredentials struct {
	password   bool
	keys       []rootKey
	certs, mfa []string
}

// rootKey is a root access key and its last use (nil when never used).
type rootKey struct {
	id       string
	lastUsed *time.Time
}

func (k rootKey) String() string {
	if k.lastUsed == nil {
		return k.id + " (never used)"
	}
	return k.id + " (last used " + k.lastUsed.UTC().Format(time.DateOnly) + ")"
}

func readRootCredentials(ctx context.Context, c *iam.Client) (rootCredentials, error) {
	var out rootCredentials
	if _, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{}); err == nil {
		out.password = true
	} else if !awsclient.IsNotFound(err) {
		return out, fmt.Errorf("iam:GetLoginProfile: %w", err)
	}
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil {
		return out, fmt.Errorf("iam:ListAccessKeys: %w", err)
	}
	for _, k := range keys.AccessKeyMetadata {
		id := aws.ToString(k.AccessKeyId)
		used, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		if err != nil {
			// Deleting a key whose last use is unknown would erase it for good.
			return out, fmt.Errorf("iam:GetAccessKeyLastUsed %s: %w", id, err)
		}
		key := rootKey{id: id}
		if used.AccessKeyLastUsed != nil {
			key.lastUsed = used.AccessKeyLastUsed.LastUsedDate
		}
		out.keys = append(out.keys, key)
	}
	certs, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{})
	if err != nil {
		return out, fmt.Errorf("iam:ListSigningCertificates: %w", err)
	}
	for _, k := range certs.Certificates {
		out.certs = append(out.certs, aws.ToString(k.CertificateId))
	}
	mfa, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	if err != nil {
		return out, fmt.Errorf("iam:ListMFADevices: %w", err)
	}
	for _, d := range mfa.MFADevices {
		out.mfa = append(out.mfa, aws.ToString(d.SerialNumber))
	}
	return out, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func keyList(keys []rootKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.String()
	}
	return out
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return termsafe.Escape(strings.Join(xs, ", "), false)
}

func paramText(p map[string]string) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+termsafe.Escape(v, false))
	}
	return strings.Join(parts, " ")
}

// accountOf is the account ID in an ARN, "" when there is none.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func newBreakglassPersonCmd(e *env, o *BreakglassOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "person",
		Short: "The persons who may request or approve, and the identities they sign in with",
	}
	var name string
	var identities []string
	add := &cobra.Command{
		Use:   "add ID --identity ARN [--identity ARN]... [--name NAME]",
		Short: "Register a person, or add identities to one",
		Long: "An identity is a principal ARN (a role stands for every session of it) or one assumed-role\n" +
			"session ARN (that session only), or a dashboard sign-in through an OpenID Connect provider:\n" +
			"oidc:ISSUER#SUBJECT. An identity belongs to one person.",
		Example: `  rootguard breakglass person add alice --name "Alice Example" --identity arn:aws:iam::111111111111:role/BreakGlassRequester`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !breakglass.ValidPersonID(args[0]) {
				return usageError("person %q: want 1-64 lower-case letters, digits or ._@-", args[0])
			}
			if len(identities) == 0 {
				return usageError("person add: give at least one --identity ARN")
			}
			return withBreakglass(cmd.Context(), e, o, true, func(s *bgSession) error {
				l, err := s.auditLog()
				if err != nil {
					return err
				}
				entry := audit.Entry{Actor: s.arn, PlanID: "person-" + args[0], ChangeID: "add",
					AccountID: accountOf(s.arn), Operation: "breakglass:AddPerson",
					Params: map[string]string{"person": args[0], "identities": strings.Join(identities, " ")}}
				err = l.Do(cmd.Context(), entry, func(ctx context.Context) error {
					return s.st.Breakglass().AddPerson(ctx, breakglass.Person{ID: args[0], Name: name}, identities, time.Now())
				})
				if err != nil {
					return withCode(ExitError, err)
				}
				return s.writeRegistry(cmd.Context())
			})
		},
	}
	add.Flags().StringVar(&name, "name", "", "the person's name")
	add.Flags().StringArrayVar(&identities, "identity", nil, "an `ARN` (or oidc:ISSUER#SUBJECT) the person signs in with (repeatable)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List persons and their identities",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withBreakglass(cmd.Context(), e, o, false, func(s *bgSession) error {
				return s.writeRegistry(cmd.Context())
			})
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}

// writeRegistry prints the persons and their identities.
func (s *bgSession) writeRegistry(ctx context.Context) error {
	reg, err := s.st.Breakglass().Registry(ctx)
	if err != nil {
		return withCode(ExitError, err)
	}
	return s.write(reg)
}

// write prints v as --format asks: JSON, or a table for people.
func (s *bgSession) write(v any) error {
	if s.o.Format == "json" {
		return writeJSONDoc(s.e.stdout, v)
	}
	tw := tabwriter.NewWriter(s.e.stdout, 0, 4, 2, ' ', 0)
	now := time.Now()
	esc := func(v string) string { return termsafe.Escape(v, false) }
	switch v := v.(type) {
	case breakglass.Request:
		w := v.Window()
		fmt.Fprintf(tw, "request\t%s\naccount\t%s\nstate\t%s\nreason\t%s\nduration\t%s\n", v.ID, v.AccountID, v.StateAt(now), esc(v.Reason), formatDuration(v.Duration))
		fmt.Fprintf(tw, "task\t%s\nrequester\t%s (%s)\ncreated\t%s\n", taskText(v), v.Requester, esc(v.RequesterARN), v.CreatedAt.Format(time.RFC3339))
		if v.Decider != "" {
			fmt.Fprintf(tw, "decided by\t%s (%s) at %s\n", v.Decider, esc(v.DeciderARN), v.DecidedAt.Format(time.RFC3339))
		}
		if !w.Start.IsZero() {
			fmt.Fprintf(tw, "window\t%s to %s\n", w.Start.Format(time.RFC3339), w.End.Format(time.RFC3339))
		}
		if v.ClosedBy != "" {
			fmt.Fprintf(tw, "closed by\t%s at %s\n", v.ClosedBy, v.ClosedAt.Format(time.RFC3339))
		}
		if v.Task == "" && v.StateAt(now) == breakglass.Approved {
			fmt.Fprintf(tw, "note\tthe window authorises a root sign-in to %s; tell the custodians of its root password and MFA devices\n", v.AccountID)
		}
	case []breakglass.Request:
		if len(v) == 0 {
			_, err := fmt.Fprintln(s.e.stdout, "No break-glass requests.")
			return err
		}
		fmt.Fprintln(tw, "ID\tACCOUNT\tSTATE\tTASK\tREQUESTER\tDECIDER\tWINDOW\tREASON")
		for _, r := range v {
			w, win := r.Window(), "-"
			if !w.Start.IsZero() {
				win = w.Start.Format(time.RFC3339) + " to " + w.End.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.AccountID, r.StateAt(now), taskText(r), r.Requester,
				dash(r.Decider), win, esc(termsafe.Shorten(r.Reason, 60)))
		}
	case breakglass.Registry:
		fmt.Fprintln(tw, "PERSON\tNAME\tIDENTITY")
		for _, m := range v.Mappings {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Person, esc(dash(v.Persons[m.Person].Name)), esc(m.Identity))
		}
	case breakglass.Report:
		fmt.Fprintf(tw, "Root events of account %s in the window of %s (%s to %s)\n\n", v.Request.AccountID, v.Request.ID,
			v.Start.Format(time.RFC3339), v.End.Format(time.RFC3339))
		if len(v.Events) == 0 {
			fmt.Fprintln(tw, "No root event in the window.")
		} else {
			fmt.Fprintln(tw, "TIME\tEVENT\tPRINCIPAL\tCLASS\tTASK")
		}
		for _, ev := range v.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.Time, esc(ev.Source+" "+ev.Name), esc(ev.Principal), ev.Class, esc(dash(ev.Task)))
		}
	}
	return tw.Flush()
}

func taskText(r breakglass.Request) string {
	switch {
	case r.Drill != "":
		return "root sign-in, drill " + r.Drill
	case r.Task == "":
		return "root sign-in"
	case r.TaskParam != "":
		return r.Task + " " + termsafe.Escape(r.TaskParam, false)
	}
	return r.Task
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// seedDemo writes the demo's break-glass history into an empty demo
// database: its persons, their identities and its requests.
func seedDemo(ctx context.Context, repo store.Breakglass, now time.Time) error {
	reg, err := repo.Registry(ctx)
	if err != nil || len(reg.Persons) > 0 {
		return err
	}
	d := breakglass.DemoHistory()
	for _, p := range d.Persons {
		var ids []string
		for _, m := range d.Mappings {
			if m.Person == p.ID {
				ids = append(ids, m.Identity)
			}
		}
		if err := repo.AddPerson(ctx, p, ids, now); err != nil {
			return err
		}
	}
	for _, r := range d.Requests {
		if err := repo.Create(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// approvals are the approved windows of the store's requests, for the
// detection driver.
func approvals(ctx context.Context, repo store.Breakglass) ([]detect.Approval, error) {
	rs, err := repo.Windows(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]detect.Approval, 0, len(rs))
	for _, r := range rs {
		w := r.Window()
		out = append(out, detect.Approval{AccountID: r.AccountID, RequestID: r.ID, Start: w.Start, End: w.End, Drill: r.Drill})
	}
	return out, nil
}

// demoTrailDir is where the demo endpoint records the calls it serves
// for break-glass commands, created if need be.
func demoTrailDir() (string, error) { return madeStateDir("demo-trail") }

// demoTrailInputs are the demo's CloudTrail records: its history (read as
// stdin) and what the demo endpoint recorded of break-glass commands.
func demoTrailInputs() ([]string, io.Reader, error) {
	paths := []string{"-"}
	dir, err := demoTrailDir()
	if err != nil {
		return nil, nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		paths = append(paths, dir)
	}
	return paths, bytes.NewReader(breakglass.DemoTrail), nil
}
