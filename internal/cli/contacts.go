package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/contactmail"
	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// EnvSMTPPassword holds the SMTP password: never a flag, which any user
// of the machine could read in the process list.
const EnvSMTPPassword = "ROOTGUARD_SMTP_PASSWORD"

// ContactsStatusSchema names the JSON document contacts status writes.
const ContactsStatusSchema = "rootguard.contacts/v1"

func newContactsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contacts",
		Short: "Verify that the root email, contact emails and phone reach a person",
		Long: `contacts proves that each account's contacts reach a person, as SEC01-BP02
asks: verify mails each address a one-time token after checking that its
domain receives mail (MX records) and naming mail hosts outside the
organization; confirm records the token a person read; attest records a
phone call that got through. The store keeps every verification, and the
check contacts-verified-recent reads it. See docs/contacts.md.`,
	}
	cmd.AddCommand(newContactsVerifyCmd(e), newContactsConfirmCmd(e), newContactsAttestCmd(e), newContactsStatusCmd(e))
	return cmd
}

// ContactsVerifyOptions are the flags of contacts verify.
type ContactsVerifyOptions struct {
	src       sourceOptions
	Kinds     []string
	SMTP      string
	From      string
	SMTPUser  string
	Plaintext bool
	DNSServer string
	Providers []string
	ValidFor  time.Duration
	MXOnly    bool
	// SES sends through Amazon SES (sesv2:SendEmail) instead of SMTP,
	// from SESFrom (default From), each send in the audit log (the
	// source's --audit-log) first.
	SES     bool
	SESFrom string
}

// from is the sender address of the verification mail.
func (o *ContactsVerifyOptions) from() string {
	if o.SES && o.SESFrom != "" {
		return o.SESFrom
	}
	return o.From
}

func newContactsVerifyCmd(e *env) *cobra.Command {
	o := ContactsVerifyOptions{Kinds: []string{string(contacts.RootEmail), string(contacts.SecurityEmail)}, ValidFor: contacts.DefaultPolicy.ConfirmWithin}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check each contact address's mail exchangers and mail it a one-time token",
		Long: `verify reads the accounts' contacts (root email, alternate contact emails),
looks up the MX records of each address's domain, names the mail hosts that
are in no account of the organization and on no --mail-provider pattern,
and mails each distinct address a one-time token through --smtp, or through
Amazon SES with --ses (sesv2:SendEmail from the caller's account and
--region: a write to AWS, so each message is recorded in the audit log
before it is sent; the sender address must be an identity verified in
SES there). Whoever
reads it runs 'rootguard contacts confirm TOKEN'; a token not confirmed
within --valid-for fails contacts-verified-recent: nobody watches that
inbox. The store keeps only the token's hash. An address several accounts
share gets one mail whose token confirms them all. --mx-only checks the
mail exchangers and sends nothing. The SMTP password comes from
$` + EnvSMTPPassword + `, never a flag.`,
		Example: `  rootguard contacts verify --org --smtp smtp.example.com:587 --from rootguard@example.com --smtp-user rootguard
  rootguard contacts verify --org --ses --ses-from rootguard@example.com --region eu-west-1
  rootguard contacts verify --accounts 111111111111 --kind root-email --mx-only --mail-provider '*.google.com'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			return runContactsVerify(cmd.Context(), e, &o)
		},
	}
	o.src.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringSliceVar(&o.Kinds, "kind", o.Kinds, "contact `KINDS` to verify: root-email, security-email, operations-email, billing-email")
	f.StringVar(&o.SMTP, "smtp", "", "SMTP submission server `HOST:PORT` the verification mail goes through")
	f.StringVar(&o.From, "from", "", "sender `ADDRESS` of the verification mail")
	f.StringVar(&o.SMTPUser, "smtp-user", "", "SMTP user `NAME` (password from $"+EnvSMTPPassword+"); authentication only over TLS")
	f.BoolVar(&o.Plaintext, "smtp-plaintext", false, "allow a server that offers no STARTTLS (a relay on this machine)")
	f.StringVar(&o.DNSServer, "dns-server", "", "ask this DNS server `HOST:PORT` for MX records (default: the system's resolver)")
	f.StringSliceVar(&o.Providers, "mail-provider", nil, "mail host `PATTERNS` of trusted providers outside AWS (path.Match, e.g. '*.google.com')")
	f.DurationVar(&o.ValidFor, "valid-for", o.ValidFor, "how long a token may wait for confirmation before the inbox counts as not watched")
	f.BoolVar(&o.MXOnly, "mx-only", false, "check the mail exchangers only; send no mail and record nothing")
	f.BoolVar(&o.SES, "ses", false, "send the verification mail through Amazon SES (sesv2:SendEmail, audited) instead of --smtp")
	f.StringVar(&o.SESFrom, "ses-from", "", "with --ses: the SES-verified sender `ADDRESS` (default --from)")
	return cmd
}

func (o *ContactsVerifyOptions) validate() error {
	if err := o.src.validate(); err != nil {
		return err
	}
	if _, err := parseKinds(o.Kinds, true); err != nil {
		return err
	}
	for _, p := range o.Providers {
		if _, err := path.Match(p, ""); err != nil {
			return usageError("--mail-provider %q: %v", termsafe.Escape(p, false), err)
		}
	}
	if o.DNSServer != "" {
		if _, _, err := net.SplitHostPort(o.DNSServer); err != nil {
			return usageError("--dns-server %q: want HOST:PORT", termsafe.Escape(o.DNSServer, false))
		}
	}
	if o.ValidFor < time.Hour || o.ValidFor > 30*24*time.Hour {
		return usageError("--valid-for %s: want 1h to 720h", o.ValidFor)
	}
	switch {
	case o.SES && (o.MXOnly || o.SMTP != ""):
		return usageError("--ses sends the mail; it excludes --smtp and --mx-only")
	case !o.SES && o.SESFrom != "":
		return usageError("--ses-from applies with --ses only")
	case o.MXOnly:
		return nil
	case o.SES:
	case o.SMTP == "":
		return usageError("--smtp HOST:PORT is required to send the verification mail (or --ses, or --mx-only)")
	default:
		if _, _, err := net.SplitHostPort(o.SMTP); err != nil {
			return usageError("--smtp %q: want HOST:PORT", termsafe.Escape(o.SMTP, false))
		}
	}
	if _, err := mail.ParseAddress(o.from()); err != nil {
		return usageError("--from %q: not an email address", termsafe.Escape(o.from(), false))
	}
	return nil
}

// existingStore opens the store --db or ROOTGUARD_DB names, else the
// demo's own for --demo, else the default SQLite file when it exists; nil
// when there is none. A command that only reads the store never creates one.
func (e *env) existingStore(ctx context.Context, demo bool) (*store.Store, error) {
	if demo || e.dsn() != "" {
		return e.storeFor(ctx, demo)
	}
	dir, err := store.StateDir()
	if err != nil {
		return nil, nil //nolint:nilerr // no state directory: no store to read.
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
		return nil, nil //nolint:nilerr // no store file: nothing recorded.
	}
	return e.openStore(ctx)
}

// storeAndSource opens the store (the demo's own for --demo) before
// anything is read from AWS, so that an unreachable or locked database stops
// the command first, then loads the source. The caller closes the store.
func (e *env) storeAndSource(ctx context.Context, src *sourceOptions) (*store.Store, *source, error) {
	db, err := e.storeFor(ctx, src.Demo)
	if err != nil {
		return nil, nil, err
	}
	s, err := src.load(ctx, e)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, s, nil
}

func parseKinds(names []string, emailOnly bool) ([]contacts.Kind, error) {
	var out []contacts.Kind
	for _, n := range names {
		k, err := contacts.ParseKind(n)
		if err != nil {
			return nil, usageError("--kind: %v", err)
		}
		if emailOnly && !k.IsEmail() {
			return nil, usageError("--kind phone: a phone line is verified by a call; record it with 'rootguard contacts attest --kind phone'")
		}
		out = append(out, k)
	}
	return out, nil
}

// mailing is one distinct address and the contacts that use it.
type mailing struct {
	address string
	targets []contacts.Target
	mx      []contacts.MXHost
	result  string
	failed  bool
}

func runContactsVerify(ctx context.Context, e *env, o *ContactsVerifyOptions) error {
	var db *store.Store
	if !o.MXOnly {
		var err error
		if db, err = e.storeFor(ctx, o.src.Demo); err != nil {
			return err
		}
		defer db.Close()
	}
	src, err := o.src.load(ctx, e)
	if err != nil {
		return err
	}
	kinds, _ := parseKinds(o.Kinds, true) //nolint:errcheck // validated.
	targets := contacts.Targets(src.snapshot, nil, kinds)
	if len(targets) == 0 {
		return withCode(ExitError, errors.New("contacts verify: no account was read, so no contact was verified"))
	}
	var skipped []contacts.Target
	var order []string
	byAddr := map[string]*mailing{}
	for _, t := range targets {
		if t.Address == "" {
			skipped = append(skipped, t)
			continue
		}
		key := strings.ToLower(t.Address)
		if byAddr[key] == nil {
			byAddr[key] = &mailing{address: t.Address}
			order = append(order, key)
		}
		byAddr[key].targets = append(byAddr[key].targets, t)
	}
	resolver := contactmail.NewResolver(o.DNSServer)
	var sender mailSender = contactmail.SMTP{Addr: o.SMTP, Username: o.SMTPUser, Password: os.Getenv(EnvSMTPPassword), Plaintext: o.Plaintext}
	if o.SES {
		ses, err := openSES(ctx, e, o)
		if err != nil {
			return err
		}
		defer ses.close()
		sender = ses
	}
	lookups := map[string][]contacts.MXHost{}
	lookupErr := map[string]error{}
	failed := 0
	for i, key := range order {
		m := byAddr[key]
		e.log.Info("verifying contact", "address", m.address, "n", i+1, "of", len(order))
		m.mx, err = lookup(ctx, resolver, m.address, src.snapshot, o.Providers, lookups, lookupErr)
		switch {
		case err != nil:
			m.result, m.failed = "not sent: "+err.Error(), true
		case o.MXOnly:
			m.result = "mail exchangers checked"
		default:
			err := sendVerification(ctx, db, sender, o, m)
			m.result, m.failed = "token sent", err != nil
			if err != nil {
				m.result = "not sent: " + err.Error()
			}
		}
		if m.failed {
			failed++
		}
	}
	printMailings(e, order, byAddr, skipped)
	if failed > 0 {
		return withCode(ExitError, fmt.Errorf("contacts verify: %d of %d addresses not verified (see the table)", failed, len(order)))
	}
	if len(order) == 0 {
		return withCode(ExitError, fmt.Errorf("contacts verify: none of the %d contacts has an address that could be read", len(targets)))
	}
	return nil
}

// lookup finds and classifies the mail exchangers of address's domain,
// once per domain.
func lookup(ctx context.Context, r *contactmail.Resolver, address string, snap *inventory.Snapshot, providers []string,
	cache map[string][]contacts.MXHost, cacheErr map[string]error) ([]contacts.MXHost, error) {
	domain, err := contacts.Domain(address)
	if err != nil {
		return nil, err
	}
	if err, ok := cacheErr[domain]; ok {
		return nil, err
	}
	if _, ok := cache[domain]; !ok {
		hosts, _, err := r.MX(ctx, domain)
		if err != nil {
			cacheErr[domain] = err
			return nil, err
		}
		cache[domain] = contacts.ClassifyMX(address, hosts, snap, providers)
	}
	// The classification depends on the address for SES receipt rules.
	hosts := make([]string, len(cache[domain]))
	for i, h := range cache[domain] {
		hosts[i] = h.Host
	}
	return contacts.ClassifyMX(address, hosts, snap, providers), nil
}

// sendVerification records the waiting verifications of one address, then
// mails its token; a mail that cannot be sent removes them again, so that
// they never read as waiting.
func sendVerification(ctx context.Context, db *store.Store, sender mailSender, o *ContactsVerifyOptions, m *mailing) error {
	token, hash, err := contacts.NewToken(nil)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	msg, err := contacts.Message(o.from(), m.targets, token, o.ValidFor, now)
	if err != nil {
		return err
	}
	var ids []string
	for _, t := range m.targets {
		id, err := db.AddContactVerification(ctx, contacts.Verification{AccountID: t.AccountID, Kind: t.Kind, Address: t.Address,
			Method: contacts.ByToken, TokenHash: hash, SentAt: now, MX: m.mx})
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	from, _ := mail.ParseAddress(o.from()) //nolint:errcheck // validated.
	if err := sender.Send(ctx, from.Address, m.address, msg); err != nil {
		for _, id := range ids {
			if derr := db.DeleteContactVerification(ctx, id); derr != nil {
				return errors.Join(err, derr)
			}
		}
		return err
	}
	return nil
}

// mailSender hands one verification message to a mail service.
type mailSender interface {
	Send(ctx context.Context, from, to string, msg []byte) error
}

// sesSender sends through Amazon SES (sesv2:SendEmail) from the caller's
// account: a write to AWS, so each message is in the audit log before it
// is sent, and the send fails when the log cannot be written.
type sesSender struct {
	conn   *conn
	client *sesv2.Client
	log    *audit.Log
	actor  string
	run    string // the audit plan ID of this run
	n      int
}

// openSES connects to SES as the caller (a writable endpoint for --demo
// and --scenario) and opens the audit log: no log, no mail.
func openSES(ctx context.Context, e *env, o *ContactsVerifyOptions) (*sesSender, error) {
	path, err := o.src.auditLogPath()
	if err != nil {
		return nil, withCode(ExitError, err)
	}
	src := o.src
	src.writable = true
	c, err := src.open(ctx, e)
	if err != nil {
		return nil, err
	}
	s := &sesSender{conn: c, client: sesv2.NewFromConfig(c.cfg), run: "contacts-verify-" + store.NewID()[:12]}
	out, err := sts.NewFromConfig(c.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		s.close()
		return nil, withCode(ExitError, fmt.Errorf("who is sending (sts:GetCallerIdentity): %w", err))
	}
	s.actor = aws.ToString(out.Arn)
	if s.log, err = audit.Open(path, audit.Options{}); err != nil {
		s.close()
		return nil, withCode(ExitError, fmt.Errorf("no audit log, no mail through SES: %w", err))
	}
	return s, nil
}

func (s *sesSender) Send(ctx context.Context, from, to string, msg []byte) error {
	s.n++
	entry := audit.Entry{Actor: s.actor, PlanID: s.run, ChangeID: fmt.Sprintf("send-%d", s.n), AccountID: accountOf(s.actor),
		Operation: "ses:SendEmail", Params: map[string]string{"from": from, "to": to}}
	return s.log.Do(ctx, entry, func(ctx context.Context) error {
		_, err := s.client.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String(from),
			Destination: &sesv2types.Destination{ToAddresses: []string{to}},
			Content:     &sesv2types.EmailContent{Raw: &sesv2types.RawMessage{Data: msg}}})
		return err
	})
}

func (s *sesSender) close() error {
	var errs []error
	if s.log != nil {
		errs = append(errs, s.log.Close())
	}
	return errors.Join(append(errs, s.conn.close())...)
}

func printMailings(e *env, order []string, byAddr map[string]*mailing, skipped []contacts.Target) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tCONTACTS\tMAIL HOSTS\tRESULT")
	var outside []string
	for _, key := range order {
		m := byAddr[key]
		var who, hosts []string
		for _, t := range m.targets {
			who = append(who, t.AccountID+" "+string(t.Kind))
		}
		for _, h := range m.mx {
			where := h.Where
			if h.Outside() {
				where = "OUTSIDE"
				outside = append(outside, h.Host+" ("+m.address+")")
			}
			hosts = append(hosts, h.Host+" ["+where+"]")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", termsafe.Escape(m.address, false), strings.Join(who, ", "),
			termsafe.Escape(strings.Join(hosts, ", "), false), termsafe.Escape(m.result, false))
	}
	for _, t := range skipped {
		fmt.Fprintf(tw, "-\t%s %s\t-\tskipped: %s\n", t.AccountID, t.Kind, termsafe.Escape(t.Missing, false))
	}
	tw.Flush() //nolint:errcheck // stdout errors show at exit.
	if len(outside) > 0 {
		fmt.Fprintf(e.stdout, "\nMail hosts in no account of the organization and on no --mail-provider pattern (recovery mail depends on them):\n")
		for _, o := range outside {
			fmt.Fprintf(e.stdout, "  %s\n", termsafe.Escape(o, false))
		}
	}
}

func newContactsConfirmCmd(e *env) *cobra.Command {
	var by string
	var demo bool
	validFor := contacts.DefaultPolicy.ConfirmWithin
	cmd := &cobra.Command{
		Use:   "confirm TOKEN",
		Short: "Record that a person read a verification mail",
		Long: `confirm records that the mail carrying TOKEN reached a person. A token
confirms once, and only within --valid-for of its sending.`,
		Example: `  rootguard contacts confirm RG-7N3QK2M4XWJ5P6R8T9V2Y4Z6AB`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := e.storeFor(ctx, demo)
			if err != nil {
				return err
			}
			defer db.Close()
			if by == "" {
				by = localUser()
			}
			vs, err := db.ConfirmContactToken(ctx, args[0], by, time.Now().UTC(), validFor)
			if err != nil {
				return withCode(ExitError, err)
			}
			for _, v := range vs {
				fmt.Fprintf(e.stdout, "confirmed: %s (%s of account %s)\n", termsafe.Escape(v.Address, false), v.Kind, v.AccountID)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who confirms (default: the local user name)")
	cmd.Flags().BoolVar(&demo, "demo", false, "confirm a token of the demo organization (its own database)")
	cmd.Flags().DurationVar(&validFor, "valid-for", validFor, "how long after its sending a token may be confirmed")
	return cmd
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func newContactsAttestCmd(e *env) *cobra.Command {
	var src sourceOptions
	var kind, by string
	cmd := &cobra.Command{
		Use:   "attest",
		Short: "Record a verification a person made (a phone call that got through)",
		Long: `attest records that a person reached a contact by other means than a
token, such as a call to the contact phone line that someone answered. It is
recorded as attested by --by, not as proven. The contact's current number or
address is read from the source, so that a later change needs a new
attestation.`,
		Example: `  rootguard contacts attest --accounts 111111111111 --kind phone --by "Dana Lee (on call)"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := src.validate(); err != nil {
				return err
			}
			k, err := contacts.ParseKind(kind)
			if err != nil {
				return usageError("--kind: %v", err)
			}
			if strings.TrimSpace(by) == "" {
				return usageError("--by NAME is required: who reached the contact")
			}
			if len(src.Accounts) != 1 {
				return usageError("--accounts: give exactly one account ID")
			}
			ctx := cmd.Context()
			db, s, err := e.storeAndSource(ctx, &src)
			if err != nil {
				return err
			}
			defer db.Close()
			ts := contacts.Targets(s.snapshot, src.Accounts, []contacts.Kind{k})
			if len(ts) == 0 {
				return withCode(ExitError, fmt.Errorf("account %s was not read", src.Accounts[0]))
			}
			t := ts[0]
			if t.Address == "" {
				return withCode(ExitError, fmt.Errorf("account %s %s: %s", t.AccountID, t.Kind, t.Missing))
			}
			now := time.Now().UTC()
			if _, err := db.AddContactVerification(ctx, contacts.Verification{AccountID: t.AccountID, Kind: t.Kind, Address: t.Address,
				Method: contacts.Attested, SentAt: now, ConfirmedAt: now, By: by}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "attested: %s %s %s by %s\n", t.AccountID, t.Kind, termsafe.Escape(t.Address, false), termsafe.Escape(by, false))
			return nil
		},
	}
	src.addFlags(cmd, true)
	cmd.Flags().StringVar(&kind, "kind", string(contacts.Phone), "contact `KIND`: phone, root-email, security-email, operations-email, billing-email")
	cmd.Flags().StringVar(&by, "by", "", "who reached the contact (`NAME`)")
	return cmd
}

func newContactsStatusCmd(e *env) *cobra.Command {
	var src sourceOptions
	var format string
	policy := contacts.DefaultPolicy
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Each contact's verification state",
		Long: `status reads the accounts' contacts and the store's verifications and
prints, per contact, its state: verified, pending (a token waits), overdue
(a token went unconfirmed past its deadline), stale (verified too long
ago), changed (verified at another address), never, no-address or unknown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := src.validate(); err != nil {
				return err
			}
			if format != "table" && format != "json" {
				return usageError("--format %q: want table or json", format)
			}
			ctx := cmd.Context()
			db, s, err := e.storeAndSource(ctx, &src)
			if err != nil {
				return err
			}
			defer db.Close()
			history, err := db.ContactVerifications(ctx)
			if err != nil {
				return err
			}
			ts := contacts.Targets(s.snapshot, nil, nil)
			if len(ts) == 0 {
				return withCode(ExitError, errors.New("contacts status: no account was read"))
			}
			now := time.Now().UTC()
			type row struct {
				AccountID   string         `json:"account_id"`
				Kind        contacts.Kind  `json:"kind"`
				Address     string         `json:"address,omitempty"`
				State       contacts.State `json:"state"`
				VerifiedAt  *time.Time     `json:"verified_at,omitempty"`
				TokenSentAt *time.Time     `json:"token_sent_at,omitempty"`
				Note        string         `json:"note,omitempty"`
			}
			var rows []row
			for _, t := range ts {
				st := contacts.Assess(t, history, now, policy)
				r := row{AccountID: t.AccountID, Kind: t.Kind, Address: t.Address, State: st.State, Note: t.Missing}
				if st.Last != nil {
					r.VerifiedAt = &st.Last.ConfirmedAt
				}
				if st.Waiting != nil {
					r.TokenSentAt = &st.Waiting.SentAt
				}
				rows = append(rows, r)
			}
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Schema   string `json:"schema"`
					Contacts []row  `json:"contacts"`
				}{ContactsStatusSchema, rows})
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCOUNT\tKIND\tADDRESS\tSTATE\tVERIFIED\tNOTE")
			for _, r := range rows {
				verified := "-"
				if r.VerifiedAt != nil {
					verified = r.VerifiedAt.Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.AccountID, r.Kind, termsafe.Escape(r.Address, false), r.State, verified, termsafe.Escape(r.Note, false))
			}
			return tw.Flush()
		},
	}
	src.addFlags(cmd, true)
	cmd.Flags().StringVar(&format, "format", "table", "output `FORMAT`: table or json ("+ContactsStatusSchema+")")
	cmd.Flags().DurationVar(&policy.MaxAge, "max-age", policy.MaxAge, "a verification older than this is stale")
	return cmd
}
