package checks

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/severity"
)

// Status is the outcome of a check for one account.
type Status string

// Statuses.
const (
	Pass          Status = "PASS"
	Fail          Status = "FAIL"
	Unknown       Status = "UNKNOWN"
	NotApplicable Status = "NOT_APPLICABLE"
)

// Severity ranks how much a failing check matters; the scale alerts share.
type Severity = severity.Level

// Severities, lowest first.
const (
	Info     = severity.Info
	Low      = severity.Low
	Medium   = severity.Medium
	High     = severity.High
	Critical = severity.Critical
)

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(s string) (Severity, error) { return severity.Parse(s) }

// References tie a check to the frameworks it implements.
type References struct {
	SEC01BP02   string   `json:"sec01_bp02"`
	CIS         []string `json:"cis"`
	SecurityHub []string `json:"security_hub"`
}

// Check is one posture check.
type Check struct {
	ID          string
	Title       string
	Severity    Severity
	Doc         string // what it checks and why; shown by `rootguard explain`
	Remediation string
	References  References
	// Organization marks a check that reads organization-level facts (the
	// OU tree, SCPs, organization features), collected only with --org.
	Organization bool
	// Run assesses one account. It returns exactly one result.
	Run func(in Input) Result
}

// Input is what a check sees for one account.
type Input struct {
	Snapshot *inventory.Snapshot
	Account  *inventory.Account
	Config   Config

	// run holds what is computed once per Assess call and shared by every
	// account (nil when a check's Run is called directly).
	run *runCache
}

// Result is what Run returns; Assess turns it into a Finding.
type Result struct {
	Status   Status
	Detail   string
	Evidence map[string]any
}

// Finding is one check's result for one account.
type Finding struct {
	CheckID     string         `json:"check_id"`
	AccountID   string         `json:"account_id"`
	AccountName string         `json:"account_name"`
	Status      Status         `json:"status"`
	Severity    Severity       `json:"severity"`
	Title       string         `json:"title"`
	Detail      string         `json:"detail"`
	Evidence    map[string]any `json:"evidence"`
	Remediation string         `json:"remediation"`
	References  References     `json:"references"`
	// Muted is set when a mutelist entry accepts this finding's risk; the
	// status stays as assessed.
	Muted *Mute `json:"muted,omitempty"`
}

// Mute is the accepted risk behind a muted finding.
type Mute struct {
	Reason     string `json:"reason"`
	AcceptedBy string `json:"accepted_by"`
	// Expires is the last day (UTC, YYYY-MM-DD) the mute applies.
	Expires string `json:"expires"`
}

// Config tunes the checks. Zero values are replaced by DefaultConfig's.
type Config struct {
	// Now is the assessment time; ages and windows are measured from it.
	Now time.Time
	// OrgDomains are the organization's own email domains. Empty: the
	// root-email-org-domain check only rejects consumer mail providers.
	OrgDomains []string
	// SharedMailboxPatterns are glob patterns (path.Match syntax, matched
	// against the whole lower-cased address, e.g. "aws-*@example.com") of
	// root email addresses known to be shared mailboxes or lists. A match
	// passes root-email-shared-mailbox before any heuristic runs.
	SharedMailboxPatterns []string
	// RecentUseWindow: root use newer than this fails root-recent-use.
	RecentUseWindow time.Duration
	// PasswordMaxAge: an older root password fails root-password-age.
	PasswordMaxAge time.Duration
	// MFAHardwareMaxAge: a hardware TOTP device older than this is due for
	// battery replacement.
	MFAHardwareMaxAge time.Duration
	// DomainExpiryWindow: a root email domain registered through Route 53
	// Domains that expires sooner than this fails
	// root-email-domain-registration.
	DomainExpiryWindow time.Duration
	// Custody is the custody registry the custody-* checks hold against
	// the snapshot; nil makes them UNKNOWN (never PASS).
	Custody *custody.Registry
	// Contacts is the contact verification history from the store; nil
	// when no store was read (contacts-verified-recent is then UNKNOWN).
	Contacts *contacts.History
	// Drills are the root access drills from the store; nil when no store
	// was read (root-access-drill-recent is then UNKNOWN).
	Drills *drill.History
}

// DefaultConfig returns the defaults, with Now set to now.
func DefaultConfig(now time.Time) Config {
	return Config{
		Now:               now,
		RecentUseWindow:   90 * 24 * time.Hour,
		PasswordMaxAge:    365 * 24 * time.Hour,
		MFAHardwareMaxAge: 3 * 365 * 24 * time.Hour,
		// Registrars send renewal notices from about 45 days ahead.
		DomainExpiryWindow: 60 * 24 * time.Hour,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig(c.Now)
	if c.Now.IsZero() {
		d.Now = time.Now()
	}
	if c.RecentUseWindow == 0 {
		c.RecentUseWindow = d.RecentUseWindow
	}
	if c.PasswordMaxAge == 0 {
		c.PasswordMaxAge = d.PasswordMaxAge
	}
	if c.MFAHardwareMaxAge == 0 {
		c.MFAHardwareMaxAge = d.MFAHardwareMaxAge
	}
	if c.DomainExpiryWindow == 0 {
		c.DomainExpiryWindow = d.DomainExpiryWindow
	}
	c.Now = d.Now
	return c
}

// Registry is an ordered set of checks with unique IDs.
type Registry struct {
	checks []*Check
	byID   map[string]*Check
}

// NewRegistry validates the checks and returns a registry of them.
func NewRegistry(cs ...*Check) (*Registry, error) {
	r := &Registry{byID: map[string]*Check{}}
	for _, c := range cs {
		if err := validate(c); err != nil {
			return nil, err
		}
		if _, dup := r.byID[c.ID]; dup {
			return nil, fmt.Errorf("check %s: registered twice", c.ID)
		}
		r.byID[c.ID] = c
		r.checks = append(r.checks, c)
	}
	return r, nil
}

func validate(c *Check) error {
	switch {
	case c.ID == "" || strings.ToLower(c.ID) != c.ID || strings.ContainsAny(c.ID, " _"):
		return fmt.Errorf("check %q: ID must be non-empty kebab-case", c.ID)
	case c.Title == "":
		return fmt.Errorf("check %s: no title", c.ID)
	case c.Severity.Rank() < 0:
		return fmt.Errorf("check %s: unknown severity %q", c.ID, c.Severity)
	case strings.TrimSpace(c.Doc) == "":
		return fmt.Errorf("check %s: no documentation", c.ID)
	case strings.TrimSpace(c.Remediation) == "":
		return fmt.Errorf("check %s: no remediation", c.ID)
	case c.References.SEC01BP02 == "":
		return fmt.Errorf("check %s: no SEC01-BP02 step", c.ID)
	case c.Run == nil:
		return fmt.Errorf("check %s: no Run function", c.ID)
	}
	return nil
}

// Checks returns the registered checks in registration order.
func (r *Registry) Checks() []*Check { return r.checks }

// Lookup returns the check with the given ID.
func (r *Registry) Lookup(id string) (*Check, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// Assess runs every check over every account of the snapshot. Findings are
// ordered by account ID, then by registration order.
func (r *Registry) Assess(s *inventory.Snapshot, cfg Config) []Finding {
	cfg = cfg.withDefaults()
	accounts := make([]*inventory.Account, len(s.Accounts))
	for i := range s.Accounts {
		accounts[i] = &s.Accounts[i]
	}
	sort.SliceStable(accounts, func(i, j int) bool { return accounts[i].ID < accounts[j].ID })
	out := make([]Finding, 0, len(accounts)*len(r.checks))
	run := &runCache{}
	for _, a := range accounts {
		for _, c := range r.checks {
			out = append(out, c.assess(Input{Snapshot: s, Account: a, Config: cfg, run: run}))
		}
	}
	return out
}

func (c *Check) assess(in Input) (f Finding) {
	res := c.Run(in)
	if res.Evidence == nil {
		res.Evidence = map[string]any{}
	}
	if res.Status == Unknown && c.Organization && in.Snapshot.Mode == inventory.ModeStandalone && in.Account.Role == inventory.RoleManagement {
		// A management account scanned alone: say what would assess it.
		res.Detail = "this is an organization-level check: scan with --org from the management account (or a delegated administrator) to assess it; " + res.Detail
		res.Evidence["needs_org_scan"] = true
	}
	cis := c.References.CIS
	if cis == nil {
		cis = []string{}
	}
	sh := c.References.SecurityHub
	if sh == nil {
		sh = []string{}
	}
	return Finding{
		CheckID:     c.ID,
		AccountID:   in.Account.ID,
		AccountName: in.Account.Name,
		Status:      res.Status,
		Severity:    c.Severity,
		Title:       c.Title,
		Detail:      res.Detail,
		Evidence:    res.Evidence,
		Remediation: c.Remediation,
		References:  References{SEC01BP02: c.References.SEC01BP02, CIS: cis, SecurityHub: sh},
	}
}

// unknown is the Result for a fact that could not be read.
func unknown(reason string, evidence map[string]any) Result {
	return Result{Status: Unknown, Detail: "could not assess: " + reason, Evidence: evidence}
}
