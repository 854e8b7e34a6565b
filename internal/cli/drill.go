package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// maxDrillWindow bounds a drill's window: a drill is an hour's work, not a
// standing permission.
const maxDrillWindow = 24 * time.Hour

// CloudTrailDelivery is how long after an event rootguard waits before it
// concludes from CloudTrail that the event did not happen (AWS delivers a
// management event within about 5 minutes, typically, and documents no bound).
const CloudTrailDelivery = 30 * time.Minute

func newDrillCmd(e *env) *cobra.Command {
	o := DefaultBreakglassOptions()
	o.MaxDuration = maxDrillWindow
	cmd := &cobra.Command{
		Use:   "drill",
		Short: "Test root access on purpose and prove it from CloudTrail",
		Long: `drill tests that root access works, as SEC01-BP02 asks teams to do
regularly: start requests a break-glass window for one account, marked as
a drill, which another person approves (breakglass approve); someone
reaches root inside it (a console sign-in with MFA, a password recovery, or
an sts:AssumeRoot session for a member without root credentials); verify
then finds that event in CloudTrail with the detection engine and records
the drill as verified, or as failed. record keeps what CloudTrail cannot
show (a call, a safe opened), marked as attested. The check
root-access-drill-recent reads the drills. See docs/drills.md.`,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&o.AuditLog, "audit-log", "", "audit log `FILE` (default $ROOTGUARD_AUDIT_LOG or $XDG_STATE_HOME/rootguard/audit.log)")
	o.Source.addIdentityFlags(f)
	cmd.AddCommand(newDrillStartCmd(e, &o), newDrillVerifyCmd(e, &o), newDrillRecordCmd(e, &o), newDrillListCmd(e, &o))
	return cmd
}

func newDrillStartCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var account, kind string
	duration := 2 * time.Hour
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Request a drill's window for one account: a break-glass window marked as a drill, approved by another person",
		Long: "start records the drill and a break-glass request by the caller (a registered person, as for\n" +
			"breakglass request) for a root sign-in window on the account, marked as the drill's. Another\n" +
			"person approves it with `breakglass approve`; the window opens at approval for --duration.\n" +
			"Root activity in it is approved activity (trail scan --windows names the drill), and the drill\n" +
			"is verified from CloudTrail inside it (drill verify).",
		Example: `  rootguard drill start --account 111111111111 --kind sign-in --duration 1h
  rootguard breakglass approve bg-…     # as another person`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := drill.ParseKind(kind)
			if err != nil {
				return usageError("--kind: %v", err)
			}
			if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
				return usageError("--account %q: want a 12-digit account ID", termsafe.Escape(account, false))
			}
			if duration < 5*time.Minute || duration > maxDrillWindow {
				return usageError("--duration %s: want 5m to %s", duration, maxDrillWindow)
			}
			return withBreakglass(cmd.Context(), e, o, true, func(s *bgSession) error {
				svc, err := s.service()
				if err != nil {
					return err
				}
				d := drill.Drill{ID: "drill-" + store.NewID()[:12], AccountID: account, Kind: k, Result: drill.Open}
				r, err := svc.OpenDrill(cmd.Context(), s.arn, account, d.ID, fmt.Sprintf("root access drill %s (%s)", d.ID, k), duration)
				if err != nil {
					return refused(err)
				}
				// The planned window, until the approval opens the real one.
				d.OpenedBy, d.OpenedAt, d.ClosesAt = r.Requester, r.CreatedAt.Truncate(time.Second), r.CreatedAt.Truncate(time.Second).Add(duration)
				if _, err := s.st.AddDrill(cmd.Context(), d); err != nil {
					return withCode(ExitError, err)
				}
				fmt.Fprintf(e.stdout, "drill %s: %s in account %s, break-glass request %s (pending until %s)\n", d.ID, k, account, r.ID, r.ExpiresAt.Format(time.RFC3339))
				fmt.Fprintf(e.stdout, "then: another person approves it (rootguard breakglass approve %s); the window opens then for %s\n", r.ID, formatDuration(duration))
				fmt.Fprintf(e.stdout, "after the window: rootguard drill verify %s TRAIL_PATH|s3://BUCKET/PREFIX (%s after it closes)\n", d.ID, CloudTrailDelivery)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&account, "account", "", "the account `ID` the drill tests")
	f.StringVar(&kind, "kind", string(drill.SignIn), "what the drill exercises: sign-in, recovery or assume-root")
	f.DurationVar(&duration, "duration", duration, "how long the window stays open (5m to 24h)")
	return cmd
}

func newDrillVerifyCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var src windowSource
	cmd := &cobra.Command{
		Use:   "verify DRILL_ID [PATH|s3://BUCKET/PREFIX|- ... | --athena|--lake ...]",
		Short: "Find a drill's event in CloudTrail and record the drill as verified or failed",
		Long: `verify reads CloudTrail for the drill's window (files, folders, s3://
prefixes or stdin, as trail scan does; or, with --athena or --lake, an
Athena table or CloudTrail Lake event data store, as trail query does) and
looks for the event that proves it with the detection engine: a successful
root console sign-in with MFA, a completed password recovery, or an
sts:AssumeRoot session (never one with the audit task policy rootguard's
own collection uses). Found: the drill is verified and the event named.
Not found: the drill is recorded as failed, but only once CloudTrail has
had time to deliver (30 minutes after the window closes) and every input
was read; nothing read is never a result.`,
		Example: `  rootguard drill verify drill-1a2b3c s3://org-trail/AWSLogs/o-abc123/111111111111/CloudTrail/
  rootguard drill verify drill-1a2b3c --athena --table cloudtrail_logs --output-location s3://athena-results/rootguard/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src.athenaFlags = changedAthenaFlags(cmd.Flags())
			if err := src.validate("drill verify", args[1:]); err != nil {
				return err
			}
			return runDrillVerify(cmd.Context(), e, o.Source.Demo, src, args[0], args[1:])
		},
	}
	f := cmd.Flags()
	f.StringVar(&src.AWS.Profile, "profile", "", "AWS shared config profile for s3:// inputs and the query")
	f.StringVar(&src.AWS.Region, "region", "", "AWS Region for s3:// inputs and the query")
	f.StringVar(&src.AWS.EndpointURL, "endpoint-url", "", "send the S3, Athena or CloudTrail calls to this `URL`")
	src.Query.addFlags(f)
	return cmd
}

func runDrillVerify(ctx context.Context, e *env, demo bool, src windowSource, id string, paths []string) error {
	db, err := e.storeFor(ctx, demo)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := db.Drill(ctx, id)
	if err != nil {
		return withCode(ExitError, err)
	}
	if d.Result != drill.Open {
		return withCode(ExitError, fmt.Errorf("drill %s is already %s", id, d.Result))
	}
	if d, err = drillRequestWindow(ctx, db, d); err != nil {
		return err
	}
	alerts, sum, err := readWindow(ctx, "drill verify", src, paths, e.stdin, drillWindow(d))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	v := drill.Verify(d, alerts, now)
	switch {
	case v.Result == drill.Verified:
	case sum.Read == 0:
		return withCode(ExitPartial, fmt.Errorf("drill verify: no CloudTrail input was read, so the drill is neither verified nor failed"))
	case len(sum.Failed) > 0:
		return withCode(ExitPartial, fmt.Errorf("drill verify: %d inputs could not be read and the drill's event was not in the rest; not recorded", len(sum.Failed)))
	case now.Before(d.ClosesAt.Add(CloudTrailDelivery)):
		return withCode(ExitError, fmt.Errorf("drill verify: no proof yet; CloudTrail may still deliver it: run again after %s", d.ClosesAt.Add(CloudTrailDelivery).Format(time.RFC3339)))
	}
	if err := db.DecideDrill(ctx, v); err != nil {
		return withCode(ExitError, err)
	}
	fmt.Fprintf(e.stdout, "drill %s: %s (%s)\n", v.ID, v.Result, termsafe.Escape(v.Note, false))
	if v.Result == drill.Failed {
		return withCode(ExitFindings, nil)
	}
	return nil
}

func newDrillRecordCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var by, note string
	cmd := &cobra.Command{
		Use:   "record DRILL_ID",
		Short: "Record what CloudTrail cannot show, as attested",
		Long: `record closes an open drill as attested by --by, with --note saying what
was done (a call that got through, a safe opened with two custodians).
root-access-drill-recent shows an attested drill but does not pass on it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(by) == "" || strings.TrimSpace(note) == "" {
				return usageError("--by NAME and --note TEXT are required: who attests what")
			}
			ctx := cmd.Context()
			db, err := e.storeFor(ctx, o.Source.Demo)
			if err != nil {
				return err
			}
			defer db.Close()
			d, err := db.Drill(ctx, args[0])
			if err != nil {
				return withCode(ExitError, err)
			}
			d.Result, d.CheckedAt, d.Note = drill.Attested, time.Now().UTC(), by+": "+note
			if err := db.DecideDrill(ctx, d); err != nil {
				return withCode(ExitError, err)
			}
			fmt.Fprintf(e.stdout, "drill %s: attested by %s\n", d.ID, termsafe.Escape(by, false))
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who attests (`NAME`)")
	cmd.Flags().StringVar(&note, "note", "", "what was done (`TEXT`)")
	return cmd
}

func newDrillListCmd(e *env, o *BreakglassOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "The drills in the store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usageError("--format %q: want table or json", format)
			}
			ctx := cmd.Context()
			db, err := e.storeFor(ctx, o.Source.Demo)
			if err != nil {
				return err
			}
			defer db.Close()
			ds, err := db.Drills(ctx)
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Schema string        `json:"schema"`
					Drills []drill.Drill `json:"drills"`
				}{"rootguard.drills/v1", ds})
			}
			if len(ds) == 0 {
				_, err := fmt.Fprintln(e.stdout, "No drill recorded.")
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tACCOUNT\tKIND\tOPENED\tRESULT\tEVIDENCE")
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.AccountID, d.Kind, d.OpenedAt.Format(time.RFC3339), d.Result, termsafe.Escape(d.Note, false))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output `FORMAT`: table or json")
	return cmd
}

// drillRequestWindow sets the drill's window to the one its break-glass
// request was approved for; a drill started before drills were break-glass
// windows keeps its own. A request not approved has no window to verify.
func drillRequestWindow(ctx context.Context, db *store.Store, d drill.Drill) (drill.Drill, error) {
	rs, err := db.Breakglass().List(ctx, d.AccountID)
	if err != nil {
		return d, withCode(ExitError, err)
	}
	i := slices.IndexFunc(rs, func(r breakglass.Request) bool { return r.Drill == d.ID })
	if i < 0 {
		return d, nil
	}
	w := rs[i].Window()
	if w.Start.IsZero() {
		return d, withCode(ExitRefused, fmt.Errorf("drill %s: its break-glass request %s is %s, never approved: no window to verify: %w",
			d.ID, rs[i].ID, rs[i].StateAt(time.Now()), breakglass.ErrState))
	}
	// drill.Drill's ClosesAt is the window's last second.
	d.OpenedAt, d.ClosesAt = w.Start, w.End.Add(-time.Second)
	return d, nil
}
