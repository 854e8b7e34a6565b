package cli

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// CustodyOptions are the flags shared by the `rootguard custody` commands.
type CustodyOptions struct {
	// AuditLog is the audit log's path; "" means ROOTGUARD_AUDIT_LOG, then
	// the state directory's audit.log.
	AuditLog string
}

// DefaultCustodyOptions returns the defaults (resolved from the
// environment when a command runs).
func DefaultCustodyOptions() CustodyOptions { return CustodyOptions{} }

func newCustodyCmd(e *env) *cobra.Command {
	o := DefaultCustodyOptions()
	cmd := &cobra.Command{
		Use:   "custody",
		Short: "Record who holds each root secret (the custody registry)",
		Long: `The custody registry records, per account, who holds the root password and
each root MFA device, where the password is stored and how it was generated,
and who owns the contact phone line and the root email list. The
custody-* checks of scan hold it against what AWS shows (docs/custody.md).

The registry lives in the store (--db). Every change is appended to the
audit log, with the local user as its actor, before it is written; import
and export move the whole registry as YAML (rootguard.custody/v1) for
review in Git.`,
		Args: cobra.NoArgs,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&o.AuditLog, "audit-log", "", "audit log `FILE` (default $ROOTGUARD_AUDIT_LOG or $XDG_STATE_HOME/rootguard/audit.log)")
	cmd.AddCommand(newCustodySetCmd(e, &o), newCustodyShowCmd(e, &o), newCustodyListCmd(e, &o), newCustodyImportCmd(e, &o), newCustodyExportCmd(e, &o))
	return cmd
}

// withCustody opens the store and reads the registry for fn.
func (o *CustodyOptions) withCustody(ctx context.Context, e *env, fn func(s *store.Store, r *custody.Registry) error) error {
	s, err := e.openStore(ctx)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer s.Close()
	r, err := s.Custody(ctx)
	if err != nil {
		return withCode(ExitError, err)
	}
	return fn(s, r)
}

// change writes the registry next in place of r: each changed record is
// appended to the audit log before the store is written, and the outcome
// after. It prints what changed.
func (o *CustodyOptions) change(ctx context.Context, e *env, s *store.Store, r, next *custody.Registry) (err error) {
	changes := custody.Diff(r, next)
	if len(changes) == 0 {
		_, err := fmt.Fprintln(e.stdout, "No change: the custody registry already says so.")
		return err
	}
	actor, err := localActor()
	if err != nil {
		return withCode(ExitError, err)
	}
	path, err := auditLogPath(o.AuditLog)
	if err != nil {
		return withCode(ExitError, err)
	}
	// With a named store, apply anchors the log's head there: every writer
	// of the log must, or the anchor falls behind the log.
	var opts audit.Options
	if e.dsn() != "" {
		if opts.Anchor, err = auditAnchor(s, path); err != nil {
			return withCode(ExitError, err)
		}
	}
	log, err := openChangeLog(path, opts)
	if err != nil {
		return err
	}
	defer closeChangeLog(log, &err)
	entries := make([]audit.Entry, len(changes))
	for i, c := range changes {
		entries[i] = custodyEntry(actor, c)
		if err := log.Append(ctx, entries[i]); err != nil {
			return withCode(ExitError, fmt.Errorf("no audit log, no change: %w", err))
		}
	}
	werr := s.WriteCustody(ctx, changes, time.Now())
	for _, en := range entries {
		en.Phase, en.Outcome = audit.PhaseResult, audit.OutcomeOK
		if werr != nil {
			en.Outcome, en.ErrorCode = audit.OutcomeError, "StoreError"
			if errors.Is(werr, store.ErrCustodyConflict) {
				en.ErrorCode = "Conflict"
			}
		}
		if err := log.Append(ctx, en); err != nil && werr == nil {
			werr = err
		}
	}
	if werr != nil {
		return withCode(ExitError, werr)
	}
	for _, c := range changes {
		verb := "updated"
		switch {
		case c.Before == "":
			verb = "added"
		case c.After == "":
			verb = "removed"
		}
		if _, err := fmt.Fprintf(e.stdout, "%s %s %s\n", verb, c.Kind, safe(c.Key)); err != nil {
			return err
		}
	}
	return nil
}

// custodyEntry is the audit entry of one change: which record, the
// SHA-256 of its new body (of its old one when removed), and the people
// it names as HMACs.
func custodyEntry(actor string, c custody.Change) audit.Entry {
	body, op := c.After, "rootguard:PutCustody"
	if c.After == "" {
		body, op = c.Before, "rootguard:DeleteCustody"
	}
	sum := sha256.Sum256([]byte(body))
	e := audit.Entry{
		Actor: actor, PlanID: "custody", ChangeID: c.Kind, Operation: op, Phase: audit.PhaseIntent,
		Params: map[string]string{"kind": c.Kind, "record_sha256": hex.EncodeToString(sum[:])},
	}
	if c.Kind == custody.KindAccount {
		e.AccountID, e.ChangeID = c.Key, c.Kind+"-"+c.Key
	} else {
		e.Sensitive = map[string]string{"person": c.Key}
	}
	return e
}

// localActor names the local user for the audit log: custody commands
// call no AWS API, so there is no caller identity to record.
func localActor() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", fmt.Errorf("who is making this change: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	clean := func(s string) string { return strings.ReplaceAll(strings.Join(strings.Fields(s), "_"), "@", "_") }
	return "local:" + clean(u.Username) + "@" + clean(host), nil
}

// SetCustodyOptions are the flags of `rootguard custody set`.
type SetCustodyOptions struct {
	Account        string
	PasswordHolder string
	Storage        string
	Generation     string
	AttestedBy     string
	MFA            []string
	PhoneOwner     string
	EmailOwner     string
	People         []string
}

func newCustodySetCmd(e *env, o *CustodyOptions) *cobra.Command {
	var so SetCustodyOptions
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Record the custody of one account (the flags given; the rest is kept)",
		Example: `  rootguard custody set --account 111111111111 --password-holder alice \
    --storage vault:break-glass-vault@222222222222 --mfa GAHT10000001=bob \
    --phone-owner organization:"SOC on-call line" --email-owner organization:aws-root-list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withCustody(cmd.Context(), e, func(s *store.Store, r *custody.Registry) error {
				next := r.Clone()
				if err := so.apply(next, cmd.Flags().Changed); err != nil {
					return err
				}
				return o.change(cmd.Context(), e, s, r, next)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&so.Account, "account", "", "the 12-digit account `ID` (required)")
	f.StringVar(&so.PasswordHolder, "password-holder", "", "`PERSON` ID of who holds the root password")
	f.StringVar(&so.Storage, "storage", "", "where the password is kept: `KIND:NAME[@ACCOUNT]` (vault, password-manager, physical-safe, other; @ACCOUNT: the AWS account hosting it)")
	f.StringVar(&so.Generation, "generation", "", "how the password was generated (`TEXT`, an attestation)")
	f.StringVar(&so.AttestedBy, "attested-by", "", "`PERSON` ID who attests --generation")
	f.StringArrayVar(&so.MFA, "mfa", nil, "`SERIAL=PERSON`: who holds the root MFA device SERIAL (repeatable; replaces the recorded devices)")
	f.StringVar(&so.PhoneOwner, "phone-owner", "", "who owns the contact phone line: `KIND:NAME` (organization or person)")
	f.StringVar(&so.EmailOwner, "email-owner", "", "who owns the root email list: `KIND:NAME` (organization or person)")
	f.StringArrayVar(&so.People, "person", nil, "`ID=NAME`: add or rename a person in the registry's people list (repeatable)")
	return cmd
}

// apply changes the account's record in r as the flags say; changed tells
// which flags were given.
func (so *SetCustodyOptions) apply(r *custody.Registry, changed func(string) bool) error {
	if so.Account == "" {
		return usageError("--account: name the 12-digit account ID")
	}
	for _, p := range so.People {
		id, name, ok := strings.Cut(p, "=")
		if !ok {
			return usageError("--person %q: want ID=NAME", p)
		}
		if i := slices.IndexFunc(r.People, func(p custody.Person) bool { return p.ID == id }); i >= 0 {
			r.People[i].Name = name
		} else {
			r.People = append(r.People, custody.Person{ID: id, Name: name})
		}
	}
	var a custody.Account
	if rec := r.Lookup(so.Account); rec != nil {
		a = rec.Clone()
	} else {
		a.Account = so.Account
	}
	password := func() *custody.Password {
		if a.Password == nil {
			a.Password = &custody.Password{}
		}
		return a.Password
	}
	if changed("password-holder") {
		password().Holder = so.PasswordHolder
	}
	if changed("storage") {
		kind, rest, _ := strings.Cut(so.Storage, ":")
		st := &custody.Storage{Kind: kind, Name: rest}
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			st.Name, st.AWSAccount = rest[:i], rest[i+1:]
		}
		password().Storage = st
	}
	if changed("generation") || changed("attested-by") {
		g := custody.Attestation{Method: so.Generation, AttestedBy: so.AttestedBy}
		if old := password().Generation; old != nil && !changed("generation") {
			g.Method = old.Method
		}
		password().Generation = &g
	}
	if changed("mfa") {
		a.MFA = nil
		for _, m := range so.MFA {
			i := strings.LastIndex(m, "=")
			if i < 0 {
				return usageError("--mfa %q: want SERIAL=PERSON", m)
			}
			a.MFA = append(a.MFA, custody.Device{Serial: m[:i], Holder: m[i+1:]})
		}
	}
	for _, ow := range []struct {
		flag, value string
		to          **custody.Owner
	}{{"phone-owner", so.PhoneOwner, &a.PhoneLine}, {"email-owner", so.EmailOwner, &a.EmailList}} {
		if changed(ow.flag) {
			kind, name, _ := strings.Cut(ow.value, ":")
			*ow.to = &custody.Owner{Kind: kind, Name: name}
		}
	}
	if err := r.Set(a); err != nil {
		return usageError("custody set: %v", err)
	}
	return nil
}

func newCustodyShowCmd(e *env, o *CustodyOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show ACCOUNT",
		Short: "Print one account's custody as YAML",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withCustody(cmd.Context(), e, func(_ *store.Store, r *custody.Registry) error {
				a := r.Lookup(args[0])
				if a == nil {
					return withCode(ExitError, fmt.Errorf("account %s is not in the custody registry", safe(args[0])))
				}
				one := &custody.Registry{Schema: custody.Schema, Accounts: []custody.Account{*a}}
				for _, p := range r.People {
					if named(a, p.ID) {
						one.People = append(one.People, p)
					}
				}
				return writeRegistry(e.stdout, one)
			})
		},
	}
}

// named reports whether the account's record names the person.
func named(a *custody.Account, id string) bool {
	if p := a.Password; p != nil && (p.Holder == id || p.Generation != nil && p.Generation.AttestedBy == id) {
		return true
	}
	for _, d := range a.MFA {
		if d.Holder == id {
			return true
		}
	}
	return false
}

// safe escapes a value from the registry for the terminal.
func safe(s string) string { return termsafe.Escape(s, false) }

func writeRegistry(w io.Writer, r *custody.Registry) error {
	b, err := r.Marshal()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func newCustodyListCmd(e *env, o *CustodyOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the recorded accounts: password holder, storage, devices and owners",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withCustody(cmd.Context(), e, func(_ *store.Store, r *custody.Registry) error {
				r.Normalize()
				tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ACCOUNT\tPASSWORD HOLDER\tSTORAGE\tMFA DEVICES\tPHONE LINE\tEMAIL LIST")
				for _, a := range r.Accounts {
					holder, storage := "-", "-"
					if p := a.Password; p != nil {
						holder = cmp.Or(p.Holder, "-")
						if s := p.Storage; s != nil {
							storage = s.Kind + ":" + s.Name
							if s.AWSAccount != "" {
								storage += "@" + s.AWSAccount
							}
						}
					}
					devices := make([]string, 0, len(a.MFA))
					for _, d := range a.MFA {
						devices = append(devices, d.Serial+"="+d.Holder)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Account, safe(holder), safe(storage),
						safe(cmp.Or(strings.Join(devices, " "), "-")), owner(a.PhoneLine), owner(a.EmailList))
				}
				return tw.Flush()
			})
		},
	}
}

func owner(o *custody.Owner) string {
	if o == nil {
		return "-"
	}
	return safe(o.Kind + ":" + o.Name)
}

func newCustodyImportCmd(e *env, o *CustodyOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Replace the custody registry with a YAML file's (rootguard.custody/v1)",
		Long: `Replace the custody registry with the one in FILE: accounts and people the
file does not hold are removed. Each changed record is appended to the
audit log before the store is written.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			next, err := loadCustody(args[0])
			if err != nil {
				return err
			}
			return o.withCustody(cmd.Context(), e, func(s *store.Store, r *custody.Registry) error {
				return o.change(cmd.Context(), e, s, r, next)
			})
		},
	}
}

// loadCustody reads a registry file of at most custody.MaxSize bytes.
func loadCustody(path string) (*custody.Registry, error) {
	data, err := filelimit.ReadFile(path, custody.MaxSize)
	if err != nil {
		return nil, withCode(ExitError, fmt.Errorf("custody %s: %w", safe(path), err))
	}
	r, err := custody.Parse(safe(path), data)
	if err != nil {
		return nil, withCode(ExitError, err)
	}
	return r, nil
}

func newCustodyExportCmd(e *env, o *CustodyOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "export [FILE]",
		Short: "Write the custody registry as YAML to FILE (created 0600) or stdout",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			return o.withCustody(cmd.Context(), e, func(_ *store.Store, r *custody.Registry) error {
				b, err := r.Marshal()
				if err != nil {
					return err
				}
				if path == "" {
					_, err = e.stdout.Write(b)
					return err
				}
				if err := writePrivate(path, b); err != nil {
					return withCode(ExitError, fmt.Errorf("export: %w", err))
				}
				return nil
			})
		},
	}
}

// scanCustody is the registry scan holds against the snapshot: --custody
// FILE; else the demo's with --demo; else the store's (db, the store scan
// read, when there is one). nil (the custody checks are UNKNOWN) when
// there is none or it records nothing.
func scanCustody(ctx context.Context, db *store.Store, file string, src *source) (*custody.Registry, error) {
	switch {
	case file != "":
		return loadCustody(file)
	case src.custody != nil:
		return src.custody, nil
	case db == nil:
		return nil, nil
	}
	r, err := db.Custody(ctx)
	if err != nil {
		return nil, withCode(ExitError, err)
	}
	if len(r.Accounts) == 0 {
		return nil, nil
	}
	return r, nil
}
