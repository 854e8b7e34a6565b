package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/guardrail/awsexec"
	"github.com/rootguard/rootguard/internal/store"
)

// ApplyOptions are the flags and argument of `rootguard apply`.
type ApplyOptions struct {
	Source sourceOptions
	// Plan is the plan file made by `rootguard plan --out`.
	Plan string
	// Yes applies without asking (automation).
	Yes bool
	// AllowRecentKeyDeletion lets apply delete root access keys used
	// within the plan's max_key_last_used_days.
	AllowRecentKeyDeletion bool
	// AuditLog is the audit log's path; "" means ROOTGUARD_AUDIT_LOG, then
	// the XDG state directory (as `rootguard audit verify`).
	AuditLog string
}

// DefaultApplyOptions returns the defaults: ask before applying.
func DefaultApplyOptions() ApplyOptions { return ApplyOptions{} }

// Validate checks the options.
func (o *ApplyOptions) Validate() error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if strings.TrimSpace(o.Plan) == "" {
		return usageError("apply takes the plan file made by 'rootguard plan --out FILE'")
	}
	return nil
}

func newApplyCmd(e *env) *cobra.Command {
	o := DefaultApplyOptions()
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Carry out a reviewed plan (writes to AWS)",
		Long: `Carry out a plan made by 'rootguard plan --out PLAN'. This is the only command
that changes AWS.

apply reads the organization again and compares each change with what it
finds: a change already in place is skipped, a change whose observed facts
still hold is applied, and if any change's facts changed since the plan was
made (a key used since, a policy attached by someone else) the plan is stale
and refused before anything is changed: make a new plan. A plan of another
schema version, or edited after it was made, is refused too.

A plan for another organization is refused before anything is shown. Two
applies to one organization never run at once: a lock in the state directory
(in the database with --db or ROOTGUARD_DB, shared by every host on a
PostgreSQL server) refuses the second. With --db the audit log's head is
anchored in the database too. apply shows the changes and asks for confirmation on a
terminal (Ctrl-C cancels at once); --yes applies without asking (without a
terminal, --yes is required). After the answer, the organization is read
again right before the first write. Changes are made one by one in a safe order: trusted access and
features, policy creation, alternate contacts, attachments from the narrowest
target to the root, alerting, and member root credential removal last. Each
API call is written to the audit log before it is made and its result after;
if the log cannot be written, or its chain does not verify, nothing is
changed. The first failure stops the apply, which then lists what was applied,
what failed (with the AWS error) and what was not attempted. Running apply
again with the same plan and audit log finishes the rest without repeating any
call that succeeded. Deleting a root access key used within the plan's
max_key_last_used_days (or whose last use is unknown) needs
--allow-recent-key-deletion.

--demo applies to the built-in demo organization and saves its new state (see
--state), so that 'scan --demo' and 'plan --demo' see the changes;
--reset-demo starts afresh.

Exit codes: 0 applied (or nothing left to do), 2 usage error or no
confirmation possible, 3 refused (stale plan, other version, missing flag, no
audit log, an answer other than yes) or a change failed.`,
		Example: `  rootguard plan --demo --out plan.json && rootguard apply plan.json --demo
  rootguard apply plan.json --org --yes --audit-log /var/lib/rootguard/audit.log`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("apply takes one argument, the plan file made by 'rootguard plan --out FILE'")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Plan = args[0]
			o.AuditLog = o.Source.AuditLog
			if err := o.Validate(); err != nil {
				return err
			}
			return runApply(cmd, e, &o)
		},
	}
	o.Source.addFlags(cmd, false)
	f := cmd.Flags()
	f.BoolVarP(&o.Yes, "yes", "y", false, "apply without asking for confirmation")
	f.BoolVar(&o.AllowRecentKeyDeletion, "allow-recent-key-deletion", false, "also delete root access keys used recently (within the plan's max_key_last_used_days) or whose last use is unknown")
	return cmd
}

func runApply(cmd *cobra.Command, e *env, o *ApplyOptions) (err error) {
	ctx := cmd.Context()
	p, err := guardrail.LoadPlan(o.Plan)
	if err != nil {
		return withCode(ExitError, err)
	}
	logPath, err := auditLogPath(o.AuditLog)
	if err != nil {
		return withCode(ExitError, err)
	}
	db, err := e.namedStore(ctx)
	if err != nil {
		return withCode(ExitError, err)
	}
	var auditOpts audit.Options
	if db != nil {
		defer db.Close()
		if auditOpts.Anchor, err = auditAnchor(db, logPath); err != nil {
			return withCode(ExitError, err)
		}
	}
	unlock, err := lockTarget(ctx, p, db)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer unlock()

	o.Source.writable, o.Source.materialize = true, true
	c, err := o.Source.open(ctx, e)
	if err != nil {
		return err
	}
	defer func() {
		cerr := c.close()
		if c.saved {
			e.log.Info("demo state saved", "path", c.state)
		}
		if err == nil && cerr != nil {
			err = cerr
		}
	}()
	fresh, err := o.Source.collect(ctx, e, c)
	if err != nil {
		return err
	}
	if err := p.CheckSource(fresh); err != nil {
		return withCode(ExitError, err)
	}
	rv := p.Review(fresh)
	if err := rv.WriteText(e.stdout); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := rv.Refusal(o.AllowRecentKeyDeletion); err != nil {
		return withCode(ExitError, err)
	}
	if rv.Count(guardrail.StatePending) == 0 {
		_, err := fmt.Fprintf(e.stdout, "Nothing to do: every change of %s is in place.\n", p.ID)
		return err
	}
	if !o.Yes {
		if err := confirm(ctx, e, p, rv.Count(guardrail.StatePending)); err != nil {
			return err
		}
	}

	log, err := openChangeLog(logPath, auditOpts)
	if err != nil {
		return err
	}
	defer closeChangeLog(log, &err)
	if !o.Yes {
		// The organization may have moved while the question was open:
		// read it again right before the first write; Apply refuses a
		// stale plan. (With --yes nothing waited since the first read.)
		if fresh, err = o.Source.collect(ctx, e, c); err != nil {
			return err
		}
		if err := unconfirmed(rv, p.Review(fresh)); err != nil {
			return withCode(ExitError, err)
		}
	}
	actor := fresh.Caller.Value.ARN
	if !fresh.Caller.Known() || actor == "" {
		return withCode(ExitError, fmt.Errorf("the caller's identity is not known (%s): apply records who made each change", fresh.Caller.Reason()))
	}
	fmt.Fprintln(e.stdout)
	res, applyErr := guardrail.Apply(ctx, p, fresh, log, guardrail.ApplyOptions{
		AllowRecentKeyDeletion: o.AllowRecentKeyDeletion,
		Actor:                  actor,
		Logger:                 e.log,
		Executor:               awsexec.New(c.cfg),
	})
	if len(res.Outcomes) > 0 {
		if err := res.WriteText(e.stdout); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if applyErr != nil {
		return withCode(ExitError, applyErr)
	}
	head, hash := log.Head()
	e.log.Info("audit log head", "path", logPath, "seq", head, "hash", hash)
	return nil
}

// targetIDRe is what an organization or account ID may be in a lock name.
var targetIDRe = regexp.MustCompile(`^(o-[a-z0-9]{10,32}|[0-9]{12})$`)

// lockTarget takes the lock of the organization (or standalone account)
// the plan changes, so that two applies to it never both write, whatever
// their audit logs: in db when --db names a store (a PostgreSQL advisory
// lock is shared by every host on the server), else in the state
// directory. It returns the release.
func lockTarget(ctx context.Context, p *guardrail.Plan, db *store.Store) (func(), error) {
	id := cmp.Or(p.Snapshot.OrganizationID, p.Snapshot.ManagementAccountID)
	if !targetIDRe.MatchString(id) {
		return nil, fmt.Errorf("plan %s: %q is not an organization or account ID", p.ID, id)
	}
	var locks audit.Locker = db
	if db == nil {
		dir, err := stateDir(os.Getenv)
		if err != nil {
			return nil, err
		}
		locks = audit.FileLocks(filepath.Join(dir, "locks"))
	}
	release, err := locks.TryLock(ctx, "apply-"+id)
	if errors.Is(err, audit.ErrLocked) {
		return nil, fmt.Errorf("another apply of organization %s is running: %w", id, err)
	}
	return release, err
}

// unconfirmed refuses to go on when a change that was shown as already in
// place needs making again: the answer did not cover it.
func unconfirmed(shown, now *guardrail.Review) error {
	var ids []string
	for i, cr := range now.Changes {
		if cr.State == guardrail.StatePending && shown.Changes[i].State != guardrail.StatePending {
			ids = append(ids, cr.Change.ID)
		}
	}
	if len(ids) > 0 {
		return fmt.Errorf("the organization changed while apply waited: %s no longer in place; run apply again to review it", strings.Join(ids, ", "))
	}
	return nil
}

// errNoConfirmation: apply has no terminal to ask on and no --yes.
var errNoConfirmation = errors.New("apply needs confirmation and there is no terminal to ask on: review the plan, then rerun with --yes")

// stdinTerminal reports whether apply may ask on r: a terminal. Tests
// replace it to answer the question without one.
var stdinTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks on the terminal; only "yes" goes ahead. A cancelled ctx
// (Ctrl-C, SIGTERM) ends the wait at once.
func confirm(ctx context.Context, e *env, p *guardrail.Plan, n int) error {
	if !stdinTerminal(e.stdin) {
		return withCode(ExitUsage, errNoConfirmation)
	}
	where := "this account"
	if p.Snapshot.OrganizationID != "" {
		where = "organization " + p.Snapshot.OrganizationID
	}
	fmt.Fprintf(e.tty, "\nApply %d change(s) to %s? Only 'yes' is accepted: ", n, where)
	type reply struct {
		answer string
		err    error
	}
	// The read cannot be interrupted; it is left behind on cancellation
	// (the process is about to exit).
	replies := make(chan reply, 1)
	go func() {
		answer, err := bufio.NewReader(io.LimitReader(e.stdin, 64)).ReadString('\n')
		replies <- reply{answer, err}
	}()
	var r reply
	select {
	case <-ctx.Done():
		fmt.Fprintln(e.tty)
		return withCode(ExitError, fmt.Errorf("apply cancelled at the prompt (%w): nothing was changed", context.Cause(ctx)))
	case r = <-replies:
	}
	if r.err != nil && !errors.Is(r.err, io.EOF) {
		return withCode(ExitError, fmt.Errorf("read the confirmation: %w", r.err))
	}
	if strings.TrimSpace(r.answer) != "yes" {
		return withCode(ExitError, errors.New("apply cancelled: nothing was changed"))
	}
	return nil
}
