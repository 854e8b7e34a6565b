package guardrail

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
)

// Schema is the version of the State JSON.
const Schema = "rootguard.guardrails/v1"

// State is the organization's (or standalone account's) target guardrails,
// expressed against one snapshot: the input to plan's diff. It is pure data:
// sorted, JSON-serializable, and the same for the same config and snapshot.
//
// Organization-wide items (SCPs, features, trusted access, the alerting
// stack) describe the whole target; plan compares them with the snapshot.
// Per-account items (credential removals, contacts) are already the
// difference: what exists and must go, what is missing and must be set.
// What rootguard cannot decide or do is a Gap, never a silent omission.
type State struct {
	Schema string `json:"schema"`
	// Mode is the snapshot's mode: organization or standalone.
	Mode                string `json:"mode"`
	OrganizationID      string `json:"organization_id,omitempty"`
	ManagementAccountID string `json:"management_account_id,omitempty"`
	// RootID is the organization root (r-…); empty when it is not known.
	RootID string `json:"root_id,omitempty"`
	// CollectedAt is the snapshot's time: "3 days ago" in risk texts is
	// counted from it, not from the clock.
	CollectedAt time.Time `json:"collected_at"`

	// PolicyTypes must be enabled on the root (organizations:EnablePolicyType)
	// before the SCPs can be attached.
	PolicyTypes []string `json:"policy_types,omitempty"`
	SCPs        []SCP    `json:"scps"`
	// TrustedAccess are the service principals that need trusted access in
	// Organizations (organizations:EnableAWSServiceAccess).
	TrustedAccess []string `json:"trusted_access"`
	// Features are the centralized root access features to enable
	// (iam:EnableOrganizationsRootCredentialsManagement, …RootSessions).
	Features []string `json:"features"`

	CredentialRemovals []CredentialRemoval `json:"credential_removals"`
	Contacts           []ContactChange     `json:"contacts"`
	Alerting           *AlertStack         `json:"alerting,omitempty"`

	Gaps []Gap `json:"gaps"`
}

// SCP is one generated service control policy and where to attach it.
type SCP struct {
	// Key is stable across runs: deny-root-actions, deny-root-access-keys,
	// protect-account-contacts.
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Content is the minified policy document.
	Content string   `json:"content"`
	Targets []Target `json:"targets"`
	// Fixes are the check IDs this policy makes pass.
	Fixes []string `json:"fixes,omitempty"`
}

// Target is a root, OU or account a policy is attached to.
type Target struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // root, ou or account
	Name string `json:"name,omitempty"`
}

// Target kinds.
const (
	TargetRoot    = "root"
	TargetOU      = "ou"
	TargetAccount = "account"
)

// CredentialRemoval is one member root credential to remove, in an
// sts:AssumeRoot session with the IAMDeleteRootUserCredentials task policy.
type CredentialRemoval struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	// Kind is password, access-key, signing-certificate or mfa-device.
	Kind string `json:"kind"`
	// ID is the access key ID, certificate ID or MFA serial; empty for the
	// password.
	ID string `json:"id,omitempty"`
	// API is the call that removes it, made with no UserName.
	API string `json:"api"`
	// LastUsed is the credential's last use (password, access key).
	LastUsed *time.Time `json:"last_used,omitempty"`
	// RecentUse is true for an access key used within
	// max_key_last_used_days of the snapshot, or whose last use is
	// unknown: apply deletes it only with its explicit flag.
	RecentUse bool `json:"recent_use,omitempty"`
	// Risk says in one line what removing it may break.
	Risk  string   `json:"risk"`
	Fixes []string `json:"fixes"`
}

// Credential kinds, in the order they are removed (MFA last).
const (
	KindPassword           = "password"
	KindAccessKey          = "access-key"
	KindSigningCertificate = "signing-certificate"
	KindMFADevice          = "mfa-device"
)

// TaskPolicyDeleteRootCredentials is the sts:AssumeRoot task policy for
// credential removals.
const TaskPolicyDeleteRootCredentials = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"

// ContactChange is one alternate contact to set where the account has none
// of that type.
type ContactChange struct {
	AccountID   string  `json:"account_id"`
	AccountName string  `json:"account_name,omitempty"`
	Type        string  `json:"type"` // SECURITY, BILLING or OPERATIONS
	Contact     Contact `json:"contact"`
	// PassAccountID says whether account:PutAlternateContact takes
	// AccountId: true for members (called from the management account),
	// false for the management or standalone account itself (standalone
	// context).
	PassAccountID bool     `json:"pass_account_id"`
	Fixes         []string `json:"fixes"`
}

// RuleState is the state of every EventBridge rule rootguard deploys (the
// stack's rule, the forwarding rules, the regional rules): the only state
// in which a rule also receives read-only management events, so root Get,
// List and Describe calls alert too. A rule in plain ENABLED misses them
// (root-activity-alerting names that partial coverage).
const RuleState = delivery.RuleEnabledAll

// AlertStack is the root-activity alerting stack.
type AlertStack struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	RuleName  string `json:"rule_name"`
	RuleARN   string `json:"rule_arn"`
	// EventPattern is the rule's pattern (RootActivityPattern).
	EventPattern string `json:"event_pattern"`
	TopicName    string `json:"topic_name"`
	TopicARN     string `json:"topic_arn"`
	// TopicPolicy lets EventBridge publish from this rule only, and the
	// queue's account subscribe its queue (see QueueAccountID).
	TopicPolicy string `json:"topic_policy"`
	// Subscription is nil when none is configured (see Gaps).
	Subscription *Subscription `json:"subscription,omitempty"`
	// AssumeRoleARN is set when the stack is not in the management (or
	// standalone) account: the role to reach it.
	AssumeRoleARN string `json:"assume_role_arn,omitempty"`
	// QueueAccountID is set when Subscription is an SQS queue in another
	// account than the stack's: SNS confirms such a subscription at once
	// only when the queue's owner makes it, so that account subscribes
	// (through QueueRoleARN, "" for the caller's own account) and
	// TopicPolicy lets it (statement QueueSubscribeSid). Made from the
	// topic's account it would stay pending confirmation.
	QueueAccountID string `json:"queue_account_id,omitempty"`
	QueueRoleARN   string `json:"queue_role_arn,omitempty"`
	// BusARN is the account's default event bus in Region, where forwarded
	// root activity arrives and the rule matches it (the pattern names no
	// account).
	BusARN string `json:"bus_arn"`
	// Forwarding is the spoke side: a rule in every other active account
	// sending its root activity to BusARN. Nil when alerting.forward_accounts
	// is off or the snapshot is not an organization's.
	Forwarding *Forwarding `json:"forwarding,omitempty"`
	// Regional is the rule of every other collected Region of the stack's
	// account and of the forwarding accounts: root API calls reach
	// EventBridge only in the Region of the call, so each Region forwards
	// them to BusARN. Nil when no account has such a Region.
	Regional *Regional `json:"regional,omitempty"`
	// Covers are the accounts whose root activity this stack sees: its own
	// account and the accounts that forward to it (EventBridge delivers an
	// account's events to that account's buses only).
	Covers []string `json:"covers"`
	Fixes  []string `json:"fixes"`
	// TopicGrants are the covered accounts' own topics that their own
	// root activity rules target but may not publish to: plan adds the
	// statement where that makes root-activity-alerting pass without
	// forwarding; an export cannot add one statement to a policy it does
	// not own, so it names them as gaps.
	TopicGrants []TopicGrant `json:"topic_grants,omitempty"`
}

// Forwarding is the rule each spoke account gets, in Region: the root
// activity pattern, targeting the central bus. The central bus lets each
// spoke put events on it by account (a statement per account): an
// organization-wide grant (aws:PrincipalOrgID) would also need an IAM role
// on every spoke's target, which rootguard does not create.
type Forwarding struct {
	RuleName     string `json:"rule_name"`
	EventPattern string `json:"event_pattern"`
	// TargetARN is the central bus (AlertStack.BusARN).
	TargetARN string `json:"target_arn"`
	// OrganizationID is what an infrastructure-as-code export grants
	// (aws:PrincipalOrgID), with an IAM role per spoke.
	OrganizationID string           `json:"organization_id,omitempty"`
	Accounts       []ForwardAccount `json:"accounts"`
}

// ForwardAccount is one spoke.
type ForwardAccount struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	// RoleARN is the role apply assumes to put the rule; empty for the
	// management account (the caller's own).
	RoleARN string `json:"role_arn,omitempty"`
	// StatementID names the account's grant in the central bus policy.
	StatementID string `json:"statement_id"`
	// Regions are the account's collected Regions other than the stack's
	// (AlertStack.Regional forwards them).
	Regions []string `json:"regions,omitempty"`
}

// Regional is the rule each collected Region other than the stack's gets,
// in the stack's account and in each forwarding account: the root
// activity pattern, targeting the central bus (BusARN) through the
// account's role RoleName, which EventBridge needs to put events on
// another Region's bus.
type Regional struct {
	RuleName string `json:"rule_name"`
	// Regions are the stack account's collected Regions other than the
	// stack's (ForwardAccount.Regions are the forwarding accounts').
	Regions  []string `json:"regions,omitempty"`
	RoleName string   `json:"role_name"`
	// TrustPolicy lets events.amazonaws.com assume the role; RolePolicy
	// lets it events:PutEvents on the central bus only.
	TrustPolicy    string `json:"trust_policy"`
	RolePolicyName string `json:"role_policy_name"`
	RolePolicy     string `json:"role_policy"`
}

// RoleARN is the forwarding role's ARN in account.
func (rg *Regional) RoleARN(account string) string {
	return "arn:aws:iam::" + account + ":role/" + rg.RoleName
}

// SpokeRegions are the Regions other than the stack's that some
// forwarding account collected, sorted.
func (al *AlertStack) SpokeRegions() []string {
	var out []string
	if al.Forwarding != nil {
		for _, fa := range al.Forwarding.Accounts {
			out = append(out, fa.Regions...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ForwardStatementID is the bus policy statement that lets account put
// events on the central bus.
func ForwardStatementID(account string) string { return "rootguard-forward-" + account }

// Gap is something the desired state needs but rootguard cannot decide or do
// from this config and snapshot: a value the config lacks, a fact that was not
// collected, a credential without an API path.
type Gap struct {
	// Area is scp, centralized-root, member-root-credentials,
	// alternate-contacts or alerting.
	Area      string `json:"area"`
	AccountID string `json:"account_id,omitempty"`
	Detail    string `json:"detail"`
}

// Gap areas.
const (
	AreaSCP               = "scp"
	AreaCentralizedRoot   = "centralized-root"
	AreaMemberCredentials = "member-root-credentials"
	AreaContacts          = "alternate-contacts"
	AreaAlerting          = "alerting"
)

// ServiceIAM is IAM's service principal for trusted access.
const ServiceIAM = "iam.amazonaws.com"

// RootActivityPattern is the EventBridge pattern of the alerting rule: root
// API calls and root console sign-ins (successful or not), including
// centralized root sessions (which act as root and should be seen), but not
// calls an AWS service makes on root's behalf (invokedBy), which CIS also
// leaves out: the call that started them already alerted.
const RootActivityPattern = `{"detail":{"userIdentity":{"invokedBy":[{"exists":false}],"type":["Root"]}},"detail-type":["AWS API Call via CloudTrail","AWS Console Sign In via CloudTrail"]}`

// Desired computes the target guardrails of the snapshot's organization (or
// standalone account) from cfg. It makes no AWS call. An invalid config or a
// nil snapshot is an error; facts the snapshot lacks become Gaps.
func Desired(cfg Config, s *inventory.Snapshot) (*State, error) {
	if s == nil {
		return nil, errors.New("desired guardrails: no snapshot")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("desired guardrails: %w", err)
	}
	specs, err := policySpecs(cfg)
	if err != nil {
		return nil, fmt.Errorf("desired guardrails: %w", err)
	}
	st := &State{
		Schema:             Schema,
		Mode:               s.Mode,
		CollectedAt:        s.CollectedAt,
		SCPs:               []SCP{},
		TrustedAccess:      []string{},
		Features:           []string{},
		CredentialRemovals: []CredentialRemoval{},
		Contacts:           []ContactChange{},
		Gaps:               []Gap{},
	}
	org := s.Organization
	if s.Mode == inventory.ModeOrganization && org != nil {
		st.OrganizationID = org.ID
		st.ManagementAccountID = org.ManagementAccountID
		t := newTree(s)
		st.RootID = t.rootID
		if len(specs) > 0 {
			st.PolicyTypes = []string{"SERVICE_CONTROL_POLICY"}
			if st.RootID == "" {
				st.gap(AreaSCP, "", "the organization root ID is not known ("+org.Units.Reason()+"): the service control policy type cannot be enabled")
			}
		}
		for _, p := range specs {
			st.SCPs = append(st.SCPs, SCP{
				Key:         p.key,
				Name:        p.opts.Name,
				Description: p.description,
				Content:     p.content,
				Targets:     t.resolve(st, p.opts, cfg.SCPs),
				Fixes:       p.fixes,
			})
		}
		if cfg.CentralizedRoot.Enabled {
			st.TrustedAccess = []string{ServiceIAM}
			st.Features = slices.Sorted(slices.Values(dedupe(cfg.CentralizedRoot.Features)))
		}
		if cfg.MemberRootCredentials.Remove {
			st.credentialRemovals(cfg.MemberRootCredentials, s)
		}
	} else {
		var what []string
		if len(specs) > 0 {
			what = append(what, "service control policies")
		}
		if cfg.CentralizedRoot.Enabled {
			what = append(what, "centralized root access")
		}
		if len(what) > 0 {
			st.gap(AreaSCP, "", "not an organization snapshot (mode "+cmp.Or(s.Mode, "unset")+"): "+strings.Join(what, " and ")+" need AWS Organizations; collect with --org from the management account")
		}
	}
	st.contacts(cfg.AlternateContacts, s)
	if cfg.Alerting.Enabled {
		st.alerting(cfg.Alerting, s)
	}
	st.sort()
	return st, nil
}

func (st *State) gap(area, account, detail string) {
	st.Gaps = append(st.Gaps, Gap{Area: area, AccountID: account, Detail: detail})
}

func (st *State) sort() {
	kindOrder := map[string]int{KindPassword: 0, KindAccessKey: 1, KindSigningCertificate: 2, KindMFADevice: 3}
	slices.SortStableFunc(st.CredentialRemovals, func(a, b CredentialRemoval) int {
		return cmp.Or(strings.Compare(a.AccountID, b.AccountID), cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), strings.Compare(a.ID, b.ID))
	})
	typeOrder := map[string]int{"SECURITY": 0, "BILLING": 1, "OPERATIONS": 2}
	slices.SortStableFunc(st.Contacts, func(a, b ContactChange) int {
		return cmp.Or(strings.Compare(a.AccountID, b.AccountID), cmp.Compare(typeOrder[a.Type], typeOrder[b.Type]))
	})
	slices.SortStableFunc(st.Gaps, func(a, b Gap) int {
		return cmp.Or(strings.Compare(a.Area, b.Area), strings.Compare(a.AccountID, b.AccountID), strings.Compare(a.Detail, b.Detail))
	})
}

// active reports whether rootguard should act on the account.
func active(a *inventory.Account) bool {
	return a.Skipped == "" && (a.State == "" || a.State == "ACTIVE")
}

// tree is the organization's OU tree as the snapshot knows it.
type tree struct {
	rootID   string
	known    bool // Units was collected
	units    map[string]inventory.OrgUnit
	children map[string][]string // parent → child OU IDs, sorted
	accounts map[string][]string // parent → active account IDs, sorted
	names    map[string]string
	mgmt     string
}

func newTree(s *inventory.Snapshot) *tree {
	org := s.Organization
	t := &tree{
		units:    map[string]inventory.OrgUnit{},
		children: map[string][]string{},
		accounts: map[string][]string{},
		names:    map[string]string{},
		mgmt:     org.ManagementAccountID,
		known:    org.Units.Known(),
	}
	if t.known {
		for _, u := range org.Units.Value {
			t.units[u.ID] = u
			t.names[u.ID] = u.Name
			if u.ParentID == "" {
				if t.rootID == "" || u.ID < t.rootID {
					t.rootID = u.ID
				}
				continue
			}
			t.children[u.ParentID] = append(t.children[u.ParentID], u.ID)
		}
	}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		t.names[a.ID] = a.Name
		if a.ParentID == "" {
			continue
		}
		if !t.known && t.rootID == "" && strings.HasPrefix(a.ParentID, "r-") {
			t.rootID = a.ParentID // an account directly under the root names it
		}
		if active(a) {
			t.accounts[a.ParentID] = append(t.accounts[a.ParentID], a.ID)
		}
	}
	for _, m := range []map[string][]string{t.children, t.accounts} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	return t
}

func kindOf(id string) string {
	switch {
	case strings.HasPrefix(id, "r-"):
		return TargetRoot
	case strings.HasPrefix(id, "ou-"):
		return TargetOU
	}
	return TargetAccount
}

// resolve turns a policy's configured targets and exemptions into
// attachment targets. SCPs are inherited, so an exempt OU or account below a
// target is honoured by attaching to every sibling subtree that holds no
// exemption instead of to the target itself. The management account is
// never a target (SCPs do not restrict it) and never forces a split.
func (t *tree) resolve(st *State, o SCPOptions, all SCPs) []Target {
	exempt := map[string]bool{}
	for _, id := range slices.Concat(o.ExemptOUs, o.ExemptAccounts, all.ExemptOUs, all.ExemptAccounts) {
		exempt[id] = true
		if t.known && kindOf(id) == TargetOU {
			if _, ok := t.units[id]; !ok {
				st.gap(AreaSCP, "", fmt.Sprintf("policy %s: exempt OU %s is not in the organization", o.Name, id))
			}
		}
	}
	seen := map[string]bool{}
	var out []Target
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, Target{ID: id, Kind: kindOf(id), Name: t.names[id]})
		}
	}
	for _, want := range o.Targets {
		id := want
		if want == "root" {
			id = t.rootID
		}
		switch {
		case id == "":
			st.gap(AreaSCP, "", fmt.Sprintf("policy %s: the organization root ID is not known (%s): cannot attach it to the root", o.Name, "organizations:ListRoots not collected"))
			continue
		case id == t.mgmt:
			st.gap(AreaSCP, id, fmt.Sprintf("policy %s: target %s is the management account, which SCPs never restrict; its root user is protected by its own password and MFA", o.Name, id))
			continue
		case exempt[id]:
			continue
		}
		kind := kindOf(id)
		if kind != TargetAccount && !t.known {
			if len(exempt) > 0 {
				st.gap(AreaSCP, "", fmt.Sprintf("policy %s: the OU tree was not collected, so exemptions under %s cannot be honoured: not attached", o.Name, id))
				continue
			}
			add(id)
			continue
		}
		if kind != TargetAccount {
			if _, ok := t.units[id]; !ok {
				st.gap(AreaSCP, "", fmt.Sprintf("policy %s: target %s is not in the organization", o.Name, id))
				continue
			}
		}
		for _, c := range t.cover(id, exempt) {
			add(c)
		}
	}
	slices.SortFunc(out, func(a, b Target) int {
		order := map[string]int{TargetRoot: 0, TargetOU: 1, TargetAccount: 2}
		return cmp.Or(cmp.Compare(order[a.Kind], order[b.Kind]), strings.Compare(a.ID, b.ID))
	})
	if out == nil {
		out = []Target{}
	}
	return out
}

// cover returns the largest nodes under id (id itself when possible) that
// together reach every non-exempt node below id.
func (t *tree) cover(id string, exempt map[string]bool) []string {
	if exempt[id] {
		return nil
	}
	if kindOf(id) == TargetAccount || !t.hasExempt(id, exempt) {
		return []string{id}
	}
	var out []string
	for _, c := range t.children[id] {
		out = append(out, t.cover(c, exempt)...)
	}
	for _, a := range t.accounts[id] {
		if a != t.mgmt && !exempt[a] {
			out = append(out, a)
		}
	}
	return out
}

func (t *tree) hasExempt(id string, exempt map[string]bool) bool {
	for _, a := range t.accounts[id] {
		if exempt[a] {
			return true
		}
	}
	for _, c := range t.children[id] {
		if exempt[c] || t.hasExempt(c, exempt) {
			return true
		}
	}
	return false
}

// credentialRemovals lists every root credential of every active member
// account that is not exempt, with its last use and risk.
func (st *State) credentialRemovals(o MemberRootCredentials, s *inventory.Snapshot) {
	exempt := set(o.ExemptAccounts)
	now := s.CollectedAt
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if a.Role == inventory.RoleManagement && active(a) {
			st.managementKeys(a)
		}
		if a.Role != inventory.RoleMember || !active(a) || exempt[a.ID] {
			continue
		}
		r := &a.Root
		if r.Session.Collected() && !r.Session.Known() {
			st.gap(AreaMemberCredentials, a.ID, "root credentials not known: "+r.Session.Reason())
			continue
		}
		add := func(c CredentialRemoval) {
			c.AccountID, c.AccountName = a.ID, a.Name
			st.CredentialRemovals = append(st.CredentialRemovals, c)
		}
		unknown := func(what string, reason string) {
			st.gap(AreaMemberCredentials, a.ID, fmt.Sprintf("root %s not known (%s): not planned for removal", what, reason))
		}

		switch lp := r.LoginProfile; {
		case lp.Known() && lp.Value.Exists:
			var last *time.Time
			if r.User.Known() {
				last = r.User.Value.PasswordLastUsed
			}
			add(CredentialRemoval{Kind: KindPassword, API: "iam:DeleteLoginProfile", LastUsed: last,
				Risk:  "deletes the root password, " + usedText(last, now, r.User.Known()) + "; recovery then needs centralized root (IAMCreateRootUserPassword)",
				Fixes: []string{"member-root-credentials-absent"}})
		case !lp.Known():
			unknown("password", lp.Reason())
		}

		switch ks := r.AccessKeys; {
		case ks.Known():
			for _, k := range ks.Value {
				if k.ID == "" {
					st.gap(AreaMemberCredentials, a.ID, fmt.Sprintf("root access key in slot %d has no key ID in the snapshot: not planned for removal", k.Slot))
					continue
				}
				c := CredentialRemoval{Kind: KindAccessKey, ID: k.ID, API: "iam:DeleteAccessKey",
					Fixes: []string{"member-root-credentials-absent", "root-access-keys-absent"}}
				c.LastUsed, c.RecentUse, c.Risk = keyRisk(k, now, o.MaxKeyLastUsedDays)
				add(c)
			}
		default:
			unknown("access keys", ks.Reason())
		}

		switch cs := r.SigningCertificates; {
		case cs.Known():
			for _, c := range cs.Value {
				if c.ID == "" {
					st.gap(AreaMemberCredentials, a.ID, fmt.Sprintf("root signing certificate in slot %d has no certificate ID in the snapshot: not planned for removal", c.Slot))
					continue
				}
				risk := fmt.Sprintf("deletes root signing certificate %s (%s", c.ID, cmp.Or(c.Status, "status unknown"))
				if c.UploadDate != nil {
					risk += ", uploaded " + c.UploadDate.UTC().Format(time.DateOnly)
				}
				add(CredentialRemoval{Kind: KindSigningCertificate, ID: c.ID, API: "iam:DeleteSigningCertificate",
					Risk: risk + ")", Fixes: []string{"member-root-credentials-absent", "root-signing-certificates-absent"}})
			}
		default:
			unknown("signing certificates", cs.Reason())
		}

		switch ms := r.MFADevices; {
		case ms.Known():
			for _, m := range ms.Value {
				risk := fmt.Sprintf("deactivates root MFA device %s (%s", m.Serial, cmp.Or(m.Type, "type unknown"))
				if m.EnableDate != nil {
					risk += ", enabled " + m.EnableDate.UTC().Format(time.DateOnly)
				}
				risk += ")"
				if m.Type == inventory.MFAVirtual {
					risk += "; the virtual device stays in the account, unassigned"
				}
				add(CredentialRemoval{Kind: KindMFADevice, ID: m.Serial, API: "iam:DeactivateMFADevice",
					Risk: risk, Fixes: []string{"member-root-credentials-absent"}})
			}
		default:
			unknown("MFA devices", ms.Reason())
		}
	}
}

// managementKeys reports root access keys of the management account as a
// gap: sts:AssumeRoot cannot target the management account, so only its
// root user can delete them.
func (st *State) managementKeys(a *inventory.Account) {
	ks := a.Root.AccessKeys
	if !ks.Known() || len(ks.Value) == 0 {
		return
	}
	st.gap(AreaMemberCredentials, a.ID, fmt.Sprintf("the management account's root user has %d access key(s); sts:AssumeRoot cannot target the management account: sign in as root and delete them (IAM > Security credentials)", len(ks.Value)))
}

// keyRisk describes deleting an access key and whether it needs apply's
// explicit flag: used within maxDays of now, or last use unknown.
func keyRisk(k inventory.AccessKey, now time.Time, maxDays int) (*time.Time, bool, string) {
	head := fmt.Sprintf("deletes root access key %s (%s) ", k.ID, cmp.Or(k.Status, "status unknown"))
	lu := k.LastUsed
	switch {
	case lu == nil:
		return nil, true, head + "whose last use was not collected"
	case lu.Error != nil:
		return nil, true, head + "whose last use is unknown (iam:GetAccessKeyLastUsed failed: " + lu.Error.Error() + ")"
	case lu.Date == nil:
		return nil, false, head + "never used"
	}
	text := head + "last used " + ago(*lu.Date, now)
	if lu.Service != "" {
		text += " by " + lu.Service
	}
	if lu.Region != "" {
		text += " in " + lu.Region
	}
	// Compared in whole days, since maxDays × 24h can overflow a Duration
	// (and wrap to a window that would switch the flag off).
	age := now.Sub(*lu.Date)
	recent := age < 0 || int64(age/(24*time.Hour)) < int64(maxDays)
	return lu.Date, recent, text
}

func usedText(last *time.Time, now time.Time, known bool) string {
	switch {
	case !known:
		return "last use unknown"
	case last == nil:
		return "never used"
	}
	return "last used " + ago(*last, now)
}

// ago renders a date relative to now: "3 days ago (2026-05-28)".
func ago(t, now time.Time) string {
	d := int(now.Sub(t).Hours() / 24)
	date := t.UTC().Format(time.DateOnly)
	switch {
	case d < 0:
		return date
	case d == 0:
		return "today (" + date + ")"
	case d == 1:
		return "1 day ago (" + date + ")"
	}
	return fmt.Sprintf("%d days ago (%s)", d, date)
}

// contacts lists the alternate contacts to set where an account has none.
func (st *State) contacts(o AlternateContacts, s *inventory.Snapshot) {
	exempt := set(o.ExemptAccounts)
	configured := map[string]*Contact{"SECURITY": o.Security, "BILLING": o.Billing, "OPERATIONS": o.Operations}
	mgmt := ""
	if s.Organization != nil {
		mgmt = s.Organization.ManagementAccountID
	}
	missingUnconfigured := map[string][]string{}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if !active(a) || exempt[a.ID] {
			continue
		}
		for _, typ := range inventory.AlternateTypes {
			f, ok := a.Contacts.Alternates[typ]
			switch {
			case !ok || !f.Known():
				reason := "not collected"
				if ok {
					reason = f.Reason()
				}
				st.gap(AreaContacts, a.ID, fmt.Sprintf("%s alternate contact not known (%s): cannot tell whether to set it", typ, reason))
				continue
			case f.Value != nil:
				continue // set: rootguard never overwrites a contact
			}
			c := configured[typ]
			if c == nil {
				missingUnconfigured[typ] = append(missingUnconfigured[typ], a.ID)
				continue
			}
			st.Contacts = append(st.Contacts, ContactChange{
				AccountID: a.ID, AccountName: a.Name, Type: typ, Contact: *c,
				PassAccountID: a.Role == inventory.RoleMember && a.ID != mgmt,
				Fixes:         []string{"contact-alternate-" + strings.ToLower(typ)},
			})
		}
	}
	for _, typ := range inventory.AlternateTypes {
		if ids := missingUnconfigured[typ]; len(ids) > 0 {
			slices.Sort(ids)
			st.gap(AreaContacts, "", fmt.Sprintf("%d account(s) have no %s alternate contact and alternate_contacts.%s is not configured: nothing to set (%s)",
				len(ids), typ, strings.ToLower(typ), strings.Join(ids, ", ")))
		}
	}
}

// alerting places the alerting stack.
func (st *State) alerting(o Alerting, s *inventory.Snapshot) {
	home := ""
	switch {
	case s.Organization != nil && s.Mode == inventory.ModeOrganization:
		home = s.Organization.ManagementAccountID
	case len(s.Accounts) == 1:
		home = s.Accounts[0].ID
	default:
		home = s.Caller.Value.AccountID
	}
	acct := cmp.Or(o.Account, home)
	if acct == "" {
		st.gap(AreaAlerting, "", "no account to deploy root-activity alerting in: set alerting.account")
		return
	}
	stack := &AlertStack{
		AccountID:    acct,
		Region:       AlertRegion,
		RuleName:     o.RuleName,
		RuleARN:      "arn:aws:events:" + AlertRegion + ":" + acct + ":rule/" + o.RuleName,
		EventPattern: RootActivityPattern,
		TopicName:    o.TopicName,
		TopicARN:     "arn:aws:sns:" + AlertRegion + ":" + acct + ":" + o.TopicName,
		Subscription: o.Subscription,
		Covers:       []string{acct},
		Fixes:        []string{"root-activity-alerting"},
	}
	if acct != home && home != "" {
		stack.AssumeRoleARN = "arn:aws:iam::" + acct + ":role/" + o.AssumeRoleName
	}
	if sub := o.Subscription; sub != nil && sub.Protocol == "sqs" {
		switch q, ok := delivery.ParseARN(sub.Endpoint); {
		case !ok || q.Account == "" || q.Account == acct:
		case s.Account(q.Account) == nil:
			st.gap(AreaAlerting, acct, fmt.Sprintf("alerting.subscription is an SQS queue in account %s, which is not in the snapshot: rootguard cannot subscribe from there, so the subscription it makes from %s stays pending until confirmed in %s (the confirmation arrives in the queue)",
				q.Account, acct, q.Account))
		default:
			stack.QueueAccountID = q.Account
			if q.Account != home && home != "" {
				stack.QueueRoleARN = "arn:aws:iam::" + q.Account + ":role/" + o.AssumeRoleName
			}
		}
	}
	stack.TopicPolicy = topicPolicy(stack.TopicARN, stack.RuleARN, stack.QueueAccountID, o.Subscription)
	if s.Account(acct) == nil {
		st.gap(AreaAlerting, acct, "alerting account "+acct+" is not in the snapshot")
	}
	if o.Subscription == nil {
		st.gap(AreaAlerting, acct, "alerting.subscription is not configured: the topic would have no subscriber; set its protocol and endpoint")
	} else if o.Subscription.Protocol == "sqs" {
		if why := queueGap(s, o.Subscription.Endpoint, stack.TopicARN, acct); why != "" {
			st.gap(AreaAlerting, acct, why)
		}
	}
	stack.BusARN = "arn:aws:events:" + AlertRegion + ":" + acct + ":event-bus/default"
	var hubRegions []string
	if a := s.Account(acct); a != nil {
		hubRegions = otherRegions(s, a)
	}
	if s.Mode == inventory.ModeOrganization {
		var others []ForwardAccount
		for i := range s.Accounts {
			a := &s.Accounts[i]
			if a.ID == acct || !active(a) {
				continue
			}
			fa := ForwardAccount{AccountID: a.ID, AccountName: a.Name, StatementID: ForwardStatementID(a.ID), Regions: otherRegions(s, a)}
			if a.ID != home {
				fa.RoleARN = "arn:aws:iam::" + a.ID + ":role/" + o.AssumeRoleName
			}
			others = append(others, fa)
		}
		switch {
		case len(others) == 0:
		case o.ForwardAccounts:
			slices.SortFunc(others, func(x, y ForwardAccount) int { return strings.Compare(x.AccountID, y.AccountID) })
			stack.Forwarding = &Forwarding{RuleName: o.ForwardRuleName, EventPattern: RootActivityPattern,
				TargetARN: stack.BusARN, OrganizationID: st.OrganizationID, Accounts: others}
			for _, fa := range others {
				stack.Covers = append(stack.Covers, fa.AccountID)
			}
		default:
			st.gap(AreaAlerting, acct, fmt.Sprintf("the stack sees root activity of account %s only; EventBridge delivers each account's events to that account, so the %d other active account(s) need their own rule or forwarding to this account's event bus (alerting.forward_accounts is off)", acct, len(others)))
		}
	}
	for _, id := range stack.Covers {
		if a := s.Account(id); a != nil {
			stack.TopicGrants = append(stack.TopicGrants, topicGrants(a)...)
		}
	}
	if len(hubRegions) > 0 || len(stack.SpokeRegions()) > 0 {
		stack.Regional = &Regional{RuleName: o.ForwardRuleName, Regions: hubRegions, RoleName: o.ForwardRuleName,
			TrustPolicy: eventsTrustPolicy, RolePolicyName: inventory.ForwardRolePolicyName, RolePolicy: putEventsPolicy(stack.BusARN)}
	}
	st.Alerting = stack
}

// otherRegions are the Regions root-activity-alerting judges for account
// a other than the stack's (nil for none).
func otherRegions(s *inventory.Snapshot, a *inventory.Account) []string {
	rs := slices.DeleteFunc(checks.AlertingRegions(checks.Input{Snapshot: s, Account: a}), func(r string) bool { return r == AlertRegion })
	if len(rs) == 0 {
		return nil
	}
	return rs
}

// QueueSubscribeSid is the topic policy statement that lets an SQS
// queue's account subscribe that queue to the alert topic.
const QueueSubscribeSid = "AllowQueueAccountSubscribe"

// topicPolicy lets EventBridge publish to the topic, from the rule only
// (aws:SourceArn guards against another account's rule using it), and,
// when queueAccount is set, that account subscribe sub's queue, by SQS
// only.
func topicPolicy(topicARN, ruleARN, queueAccount string, sub *Subscription) string {
	doc := document{"2012-10-17", []statement{{
		Sid:       "AllowRootActivityRule",
		Effect:    "Allow",
		Principal: map[string]string{"Service": "events.amazonaws.com"},
		Action:    "sns:Publish",
		Resource:  topicARN,
		Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": ruleARN}},
	}}}
	if queueAccount != "" && sub != nil {
		doc.Statement = append(doc.Statement, statement{
			Sid:       QueueSubscribeSid,
			Effect:    "Allow",
			Principal: map[string]string{"AWS": "arn:aws:iam::" + queueAccount + ":root"},
			Action:    "sns:Subscribe",
			Resource:  topicARN,
			Condition: map[string]map[string]any{"StringEquals": {"sns:Endpoint": sub.Endpoint, "sns:Protocol": sub.Protocol}},
		})
	}
	return mustJSON(doc)
}

// eventsTrustPolicy lets EventBridge assume a role.
const eventsTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// putEventsPolicy lets its role put events on bus only.
func putEventsPolicy(bus string) string {
	return mustJSON(map[string]any{"Version": "2012-10-17", "Statement": []map[string]string{
		{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus}}})
}

func set(v []string) map[string]bool {
	m := make(map[string]bool, len(v))
	for _, s := range v {
		m[s] = true
	}
	return m
}

func dedupe(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// queueGap says what, beyond the subscription rootguard plans, SNS needs
// to deliver the alert topic's messages to an SQS queue: a queue policy
// letting sns.amazonaws.com sqs:SendMessage from the topic (rootguard does
// not change queue policies). "" when the snapshot shows the queue already
// lets SNS in. A queue in another account needs no gap for its
// confirmation: plan subscribes it from that account (QueueAccountID).
func queueGap(s *inventory.Snapshot, queueARN, topicARN, topicAccount string) string {
	why := "whose policy is not in the snapshot"
	p, ok := delivery.ParseARN(queueARN)
	if a := s.Account(p.Account); ok && a != nil && a.Detective.Queues.Known() {
		if i := slices.IndexFunc(a.Detective.Queues.Value, func(q inventory.Queue) bool { return q.ARN == queueARN }); i >= 0 {
			acc := delivery.QueueSend(a.Detective.Queues.Value[i].Policy, queueARN, topicARN, topicAccount)
			why = cmp.Or(acc.Why, acc.Unknown)
		}
	}
	if why == "" {
		return ""
	}
	return fmt.Sprintf("alerting.subscription is an SQS queue, which SNS delivers to only when the queue allows it: queue %s %s: add a statement letting %s sqs:SendMessage with aws:SourceArn %s (rootguard does not change queue policies)",
		queueARN, why, delivery.SNS, topicARN)
}
