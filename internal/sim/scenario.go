package sim

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/rootguard/rootguard/internal/yamlx"
)

// Scenario describes the AWS estate the server answers for: an optional
// organization, its accounts with their root users and contacts, the caller
// whose credentials the server hands out, and faults to inject.
//
// A scenario is written in YAML (JSON is accepted too) and decoded strictly:
// an unknown key is an error that names the file and line. Top-level keys
// starting with "x-" are ignored, so they can hold YAML anchors.
type Scenario struct {
	// Schema is the scenario format's version, ScenarioSchema. Saved
	// scenarios carry it; a file without it is read as this version, and a
	// file of another version is refused.
	Schema      string `yaml:"schema,omitempty" json:"schema,omitempty"`
	Name        string `yaml:"name,omitempty" json:"name,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Region is the region the server reports (default us-east-1).
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Latency is added to every call.
	Latency Duration `yaml:"latency,omitempty" json:"latency,omitempty"`
	// OrgDomains are the email domains the organization owns (a hint for
	// the demo's configuration; the server does not use them).
	OrgDomains []string `yaml:"org_domains,omitempty" json:"org_domains,omitempty"`
	Caller     Caller   `yaml:"caller" json:"caller"`
	// Callers are further caller principals, each with its own long-term
	// credentials (Server.IdentityCredentials), such as the requester and
	// the approver of a break-glass request.
	Callers      []Identity    `yaml:"callers,omitempty" json:"callers,omitempty"`
	Organization *Organization `yaml:"organization,omitempty" json:"organization,omitempty"`
	Accounts     []Account     `yaml:"accounts" json:"accounts"`
	Faults       []Fault       `yaml:"faults,omitempty" json:"faults,omitempty"`
	// TrailEvents are the CloudTrail records Athena and CloudTrail Lake
	// queries answer from (lake.go).
	TrailEvents TrailEvents `yaml:"trail_events,omitempty" json:"trail_events,omitempty"`
}

// ScenarioSchema is the version of the scenario format this package reads
// and writes.
const ScenarioSchema = "rootguard.scenario/v1"

// Caller is the identity whose fixed credentials Server.Credentials returns.
type Caller struct {
	// ARN is what sts:GetCallerIdentity answers, for example
	// arn:aws:sts::111111111111:assumed-role/Admin/alice. Its account field
	// is the account the caller acts in.
	ARN string `yaml:"arn" json:"arn"`
}

// Identity is a caller principal besides Caller. sts:GetCallerIdentity
// answers ARN for its access key.
type Identity struct {
	// Name picks the identity (rootguard --demo-identity NAME).
	Name string `yaml:"name" json:"name"`
	ARN  string `yaml:"arn" json:"arn"`
	// AccessKeyID and SecretAccessKey are derived from Name when empty.
	AccessKeyID     string `yaml:"access_key_id,omitempty" json:"access_key_id,omitempty"`
	SecretAccessKey string `yaml:"secret_access_key,omitempty" json:"secret_access_key,omitempty"`
}

// credentials are the identity's access key ID and secret key, derived
// from its name where the scenario gives none.
func (id Identity) credentials() (akid, secret string) {
	akid, secret = id.AccessKeyID, id.SecretAccessKey
	if akid == "" {
		akid = "AKIASIM" + strings.ToUpper(hexID("identity/"+id.Name, 13))
	}
	if secret == "" {
		secret = "rootguard-sim-" + id.Name + "-secret-access-key"
	}
	return akid, secret
}

// Organization is the AWS Organization, absent for a standalone account.
type Organization struct {
	ID                string `yaml:"id" json:"id"`
	ManagementAccount string `yaml:"management_account" json:"management_account"`
	// FeatureSet is ALL (default) or CONSOLIDATED_BILLING.
	FeatureSet string `yaml:"feature_set,omitempty" json:"feature_set,omitempty"`
	// RootID is the organization root's ID (default derived from ID).
	RootID string `yaml:"root_id,omitempty" json:"root_id,omitempty"`
	// Features are the IAM centralized root access features:
	// RootCredentialsManagement and RootSessions.
	Features []string `yaml:"features,omitempty" json:"features,omitempty"`
	// TrustedServices are the service principals with trusted access, such
	// as iam.amazonaws.com and account.amazonaws.com.
	TrustedServices []string `yaml:"trusted_services,omitempty" json:"trusted_services,omitempty"`
	// DelegatedAdministrators maps a service principal to the member
	// accounts registered as its delegated administrator.
	DelegatedAdministrators map[string][]string `yaml:"delegated_administrators,omitempty" json:"delegated_administrators,omitempty"`
	// OUs is the OU tree under the root. An OU is placed under its
	// enclosing OU, or under Parent (an OU ID or name) when it is given.
	OUs []OU `yaml:"ous,omitempty" json:"ous,omitempty"`
	// AccessRole is the role the management account assumes in members
	// to read their resources (default OrganizationAccountAccessRole).
	AccessRole string `yaml:"access_role,omitempty" json:"access_role,omitempty"`
	// SCPsDisabled leaves the SERVICE_CONTROL_POLICY type disabled on the
	// root: ListRoots shows no SCP type and no policy has targets.
	SCPsDisabled bool `yaml:"scps_disabled,omitempty" json:"scps_disabled,omitempty"`
	// Policies are the service control policies (see Policy).
	Policies []Policy `yaml:"policies,omitempty" json:"policies,omitempty"`
}

// OU is an organizational unit.
type OU struct {
	// ID is generated from the name when empty.
	ID   string `yaml:"id,omitempty" json:"id,omitempty"`
	Name string `yaml:"name" json:"name"`
	// Parent names the parent OU (ID, name or slash path) for an OU listed
	// at the top level; empty means the root.
	Parent   string `yaml:"parent,omitempty" json:"parent,omitempty"`
	Children []OU   `yaml:"children,omitempty" json:"children,omitempty"`
}

// Account is one AWS account.
type Account struct {
	ID    string `yaml:"id" json:"id"`
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	// State is ACTIVE (default), SUSPENDED, PENDING_ACTIVATION,
	// PENDING_CLOSURE or CLOSED.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
	// OU is the parent OU (ID, name or slash path such as Workloads/Prod);
	// empty means the organization root.
	OU string `yaml:"ou,omitempty" json:"ou,omitempty"`
	// Joined is CREATED (default) or INVITED.
	Joined   string `yaml:"joined,omitempty" json:"joined,omitempty"`
	JoinedAt Date   `yaml:"joined_at,omitempty" json:"joined_at,omitempty"`
	// Roles are the IAM roles the management account may assume in this
	// account. Nil means the organization's access role
	// (OrganizationAccountAccessRole unless organization.access_role says
	// otherwise) for a member and none for the management account.
	// An empty list (roles: []) means none, and survives a round trip.
	Roles RoleNames `yaml:"roles,omitempty" json:"roles,omitzero"`
	Root  Root      `yaml:"root,omitempty" json:"root,omitempty"`
	// Users are IAM users (credential report rows, MFA decoys).
	Users []User `yaml:"users,omitempty" json:"users,omitempty"`
	// UnassignedVirtualMFA are names of virtual MFA devices assigned to
	// nobody.
	UnassignedVirtualMFA []string `yaml:"unassigned_virtual_mfa,omitempty" json:"unassigned_virtual_mfa,omitempty"`
	// Principals are IAM users, groups and roles with identity policies
	// (see iam_principals.go).
	Principals []Principal `yaml:"principals,omitempty" json:"principals,omitempty"`
	Contact    *Contact    `yaml:"contact,omitempty" json:"contact,omitempty"`
	// AlternateContacts is keyed by BILLING, OPERATIONS or SECURITY.
	AlternateContacts map[string]AlternateContact `yaml:"alternate_contacts,omitempty" json:"alternate_contacts,omitempty"`

	// Regions are the Regions enabled in the account (account:ListRegions);
	// empty means us-east-1 and the scenario's region.
	Regions []string `yaml:"regions,omitempty" json:"regions,omitempty"`

	// AccessRoleDenied makes sts:AssumeRole into the account's roles fail
	// with AccessDenied, so its own resources cannot be read.
	AccessRoleDenied bool `yaml:"access_role_denied,omitempty" json:"access_role_denied,omitempty"`

	// Detective controls (see scenario_guardrails.go).
	Trails        []Trail        `yaml:"trails,omitempty" json:"trails,omitempty"`
	MetricFilters []MetricFilter `yaml:"metric_filters,omitempty" json:"metric_filters,omitempty"`
	Alarms        []Alarm        `yaml:"alarms,omitempty" json:"alarms,omitempty"`
	Topics        []Topic        `yaml:"topics,omitempty" json:"topics,omitempty"`
	EventRules    []EventRule    `yaml:"event_rules,omitempty" json:"event_rules,omitempty"`
	// EventBuses are event buses with a resource policy (the default bus
	// of a Region has none unless listed here).
	EventBuses []EventBus `yaml:"event_buses,omitempty" json:"event_buses,omitempty"`
	// GuardDuty maps a region to its detector's status, ENABLED or
	// DISABLED; a region not listed has no detector.
	GuardDuty map[string]string `yaml:"guardduty,omitempty" json:"guardduty,omitempty"`

	// Mail facts a root email address may depend on.
	HostedZones []HostedZone `yaml:"hosted_zones,omitempty" json:"hosted_zones,omitempty"`
	// RegisteredDomains are Route 53 Domains registrations.
	RegisteredDomains []string `yaml:"registered_domains,omitempty" json:"registered_domains,omitempty"`
	// DomainSettings override a registration's defaults (auto-renew and
	// transfer lock on, expiry 200 days ahead), by domain name.
	DomainSettings map[string]DomainSetting `yaml:"domain_settings,omitempty" json:"domain_settings,omitempty"`
	// SESRecipients are the recipients (addresses or domains) of the active
	// SES receipt rule set, in the scenario's region.
	SESRecipients []string `yaml:"ses_recipients,omitempty" json:"ses_recipients,omitempty"`
	// SESCatchAll adds an enabled receipt rule without recipients, which
	// SES applies to every verified domain of the account.
	SESCatchAll bool `yaml:"ses_catch_all,omitempty" json:"ses_catch_all,omitempty"`
	// SESDomains are the account's SES domain identities with their
	// verification status (Success, Pending, Failed…), in the scenario's
	// region.
	SESDomains map[string]string `yaml:"ses_domains,omitempty" json:"ses_domains,omitempty"`
	// WorkMailDomains are the mail domains of a WorkMail organization in
	// the scenario's region.
	WorkMailDomains []string `yaml:"workmail_domains,omitempty" json:"workmail_domains,omitempty"`

	// Resources with a resource policy (see scenario_resources.go).
	Buckets []Bucket `yaml:"buckets,omitempty" json:"buckets,omitempty"`
	Queues  []Queue  `yaml:"queues,omitempty" json:"queues,omitempty"`
	// Keys are KMS keys with their key policy and aliases (kms.go).
	Keys []Key `yaml:"keys,omitempty" json:"keys,omitempty"`
}

// DomainSetting is how a Route 53 Domains registration is kept. A nil
// flag is on; Hidden leaves the flags and expiry out of ListDomains, as
// when Route 53 Domains does not know them.
type DomainSetting struct {
	AutoRenew    *bool `yaml:"auto_renew,omitempty" json:"auto_renew,omitempty"`
	TransferLock *bool `yaml:"transfer_lock,omitempty" json:"transfer_lock,omitempty"`
	Expires      Date  `yaml:"expires,omitempty" json:"expires,omitzero"`
	Hidden       bool  `yaml:"hidden,omitempty" json:"hidden,omitempty"`
}

// RoleNames are IAM role names. Nil and empty differ (see Account.Roles),
// so only nil is left out when a scenario is written.
type RoleNames []string

// IsZero reports whether the list is nil (for omitempty and omitzero).
func (r RoleNames) IsZero() bool { return r == nil }

// Root is the account root user's credentials.
type Root struct {
	Created             Date          `yaml:"created,omitempty" json:"created,omitempty"`
	Password            *Password     `yaml:"password,omitempty" json:"password,omitempty"`
	AccessKeys          []AccessKey   `yaml:"access_keys,omitempty" json:"access_keys,omitempty"`
	SigningCertificates []Certificate `yaml:"signing_certificates,omitempty" json:"signing_certificates,omitempty"`
	MFADevices          []MFADevice   `yaml:"mfa_devices,omitempty" json:"mfa_devices,omitempty"`
	// PasswordLastUsed is when a root password since deleted was last
	// used: IAM keeps User.PasswordLastUsed after DeleteLoginProfile (a
	// current password's last use is Password.LastUsed).
	PasswordLastUsed Date `yaml:"password_last_used,omitempty" json:"password_last_used,omitempty"`
}

// Password is a console password (a login profile).
type Password struct {
	Created     Date `yaml:"created,omitempty" json:"created,omitempty"`
	LastUsed    Date `yaml:"last_used,omitempty" json:"last_used,omitempty"`
	LastChanged Date `yaml:"last_changed,omitempty" json:"last_changed,omitempty"`
}

// AccessKey is an access key. ID is generated when empty.
type AccessKey struct {
	ID string `yaml:"id,omitempty" json:"id,omitempty"`
	// Status is Active (default) or Inactive.
	Status   string   `yaml:"status,omitempty" json:"status,omitempty"`
	Created  Date     `yaml:"created,omitempty" json:"created,omitempty"`
	LastUsed *KeyUsed `yaml:"last_used,omitempty" json:"last_used,omitempty"`
}

// KeyUsed is when, where and by which service an access key was last used.
type KeyUsed struct {
	Date    Date   `yaml:"date" json:"date"`
	Service string `yaml:"service,omitempty" json:"service,omitempty"`
	Region  string `yaml:"region,omitempty" json:"region,omitempty"`
}

// Certificate is an X.509 signing certificate. ID is generated when empty.
type Certificate struct {
	ID       string `yaml:"id,omitempty" json:"id,omitempty"`
	Status   string `yaml:"status,omitempty" json:"status,omitempty"`
	Uploaded Date   `yaml:"uploaded,omitempty" json:"uploaded,omitempty"`
}

// MFADevice is an MFA device. Serial is derived from Name and Type when
// empty: arn:aws:iam::<id>:mfa/<name> (virtual),
// arn:aws:iam::<id>:u2f/root/<name>-<suffix> (fido), or Name itself
// (hardware-totp, a vendor serial).
type MFADevice struct {
	Name   string `yaml:"name,omitempty" json:"name,omitempty"`
	Serial string `yaml:"serial,omitempty" json:"serial,omitempty"`
	// Type is virtual, hardware-totp or fido.
	Type    string `yaml:"type" json:"type"`
	Enabled Date   `yaml:"enabled,omitempty" json:"enabled,omitempty"`
}

// User is an IAM user.
type User struct {
	Name       string      `yaml:"name" json:"name"`
	Created    Date        `yaml:"created,omitempty" json:"created,omitempty"`
	Password   *Password   `yaml:"password,omitempty" json:"password,omitempty"`
	AccessKeys []AccessKey `yaml:"access_keys,omitempty" json:"access_keys,omitempty"`
	MFADevices []MFADevice `yaml:"mfa_devices,omitempty" json:"mfa_devices,omitempty"`
}

// Contact is the account's primary contact (account:GetContactInformation).
type Contact struct {
	FullName         string `yaml:"full_name,omitempty" json:"full_name,omitempty"`
	CompanyName      string `yaml:"company_name,omitempty" json:"company_name,omitempty"`
	AddressLine1     string `yaml:"address_line1,omitempty" json:"address_line1,omitempty"`
	AddressLine2     string `yaml:"address_line2,omitempty" json:"address_line2,omitempty"`
	AddressLine3     string `yaml:"address_line3,omitempty" json:"address_line3,omitempty"`
	City             string `yaml:"city,omitempty" json:"city,omitempty"`
	StateOrRegion    string `yaml:"state_or_region,omitempty" json:"state_or_region,omitempty"`
	DistrictOrCounty string `yaml:"district_or_county,omitempty" json:"district_or_county,omitempty"`
	PostalCode       string `yaml:"postal_code,omitempty" json:"postal_code,omitempty"`
	CountryCode      string `yaml:"country_code,omitempty" json:"country_code,omitempty"`
	PhoneNumber      string `yaml:"phone_number,omitempty" json:"phone_number,omitempty"`
	WebsiteURL       string `yaml:"website_url,omitempty" json:"website_url,omitempty"`
}

// AlternateContact is one alternate contact (account:GetAlternateContact).
type AlternateContact struct {
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	Phone string `yaml:"phone,omitempty" json:"phone,omitempty"`
}

// Fault makes matching calls fail.
type Fault struct {
	// Operation is service:Operation, for example iam:GetCredentialReport,
	// or service:* for every operation of a service. The service is its
	// SigV4 signing name; cloudwatch is accepted for monitoring.
	Operation string `yaml:"operation" json:"operation"`
	// Account is the account acted on, or "*" (default) for any.
	Account string `yaml:"account,omitempty" json:"account,omitempty"`
	// Region is the Region of the call (its SigV4 scope), or "*"
	// (default) for any.
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Code is the AWS error code, for example Throttling or AccessDenied.
	// Empty means the fault only adds latency.
	Code    string `yaml:"code,omitempty" json:"code,omitempty"`
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
	// Status is the HTTP status (default: the code's usual status).
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// Times makes only the first Times matching calls fail (0: all).
	Times   int      `yaml:"times,omitempty" json:"times,omitempty"`
	Latency Duration `yaml:"latency,omitempty" json:"latency,omitempty"`
	// Item, for a batch operation (securityhub:BatchImportFindings), fails
	// only the item with this ID, reported in the answer, instead of the
	// whole call. Times then counts that item's attempts.
	Item string `yaml:"item,omitempty" json:"item,omitempty"`
}

// Date is a point in time written either absolutely (2024-03-01 or
// RFC 3339) or relative to the server's clock: -3d, -36h, -2y, +1w, now.
// Units are s, m, h, d (24h), w (7d) and y (365d). The zero Date is unset.
type Date struct {
	abs time.Time
	rel time.Duration
	set bool
	isR bool
}

// At resolves the date against now. ok is false for an unset Date.
func (d Date) At(now time.Time) (t time.Time, ok bool) {
	if !d.set {
		return time.Time{}, false
	}
	if d.isR {
		return now.Add(d.rel).UTC().Truncate(time.Second), true
	}
	return d.abs, true
}

// Equal reports whether two dates are written the same way.
func (d Date) Equal(o Date) bool {
	return d.set == o.set && d.isR == o.isR && d.rel == o.rel && d.abs.Equal(o.abs)
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return !d.set }

// Ago returns the date d before the server's clock.
func Ago(d time.Duration) Date { return Date{rel: -d, set: true, isR: true} }

// At returns an absolute date.
func At(t time.Time) Date { return Date{abs: t.UTC(), set: true} }

var relDate = regexp.MustCompile(`^([+-])(\d{1,6})([smhdwy])$`)

var dateUnit = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour,
}

// ParseDate parses the Date syntax.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Date{}, nil
	case s == "now":
		return Date{set: true, isR: true}, nil
	}
	if m := relDate.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if int64(n) > math.MaxInt64/int64(dateUnit[m[3]]) {
			return Date{}, &valueError{text: s, err: fmt.Errorf("date %q is out of range (at most 292 years from now)", s)}
		}
		d := time.Duration(n) * dateUnit[m[3]]
		if m[1] == "-" {
			d = -d
		}
		return Date{rel: d, set: true, isR: true}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date{abs: t.UTC(), set: true}, nil
		}
	}
	return Date{}, &valueError{text: s, err: fmt.Errorf("date %q: want -3d, +12h, now, 2006-01-02 or RFC 3339", s)}
}

// valueError is a scalar the decoder could not convert; ParseScenario finds
// its line in the document.
type valueError struct {
	text string
	err  error
}

func (e *valueError) Error() string { return e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

// String formats the date in the syntax ParseDate reads.
func (d Date) String() string {
	switch {
	case !d.set:
		return ""
	case !d.isR:
		return d.abs.Format(time.RFC3339Nano)
	case d.rel == 0:
		return "now"
	}
	sign, r := "+", d.rel
	if r < 0 {
		sign, r = "-", -r
	}
	for _, u := range []string{"y", "w", "d", "h", "m"} {
		if r%dateUnit[u] == 0 {
			return sign + strconv.FormatInt(int64(r/dateUnit[u]), 10) + u
		}
	}
	return sign + strconv.FormatInt(int64(r/time.Second), 10) + "s"
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Duration is a time.Duration written as Go duration text ("250ms").
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return &valueError{text: string(b), err: fmt.Errorf("duration %q: want Go duration text such as 250ms", b)}
	}
	if v < 0 {
		return &valueError{text: string(b), err: fmt.Errorf("duration %q: must not be negative", b)}
	}
	*d = Duration(v)
	return nil
}

// ParseScenario decodes and validates a scenario. name is used in error
// messages (a file path).
func ParseScenario(name string, data []byte) (*Scenario, error) {
	doc, err := yamlx.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
	}
	var s Scenario
	if doc != nil {
		if err := yamlx.Decode(doc, &s, yaml.DisallowUnknownField(), yaml.AllowFieldPrefixes("x-")); err != nil {
			var ve *valueError
			if errors.As(err, &ve) {
				return nil, fmt.Errorf("scenario %s: %s%w", name, locate(data, ve.text), ve)
			}
			return nil, fmt.Errorf("scenario %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
		}
	}
	if s.Schema != "" && s.Schema != ScenarioSchema {
		return nil, fmt.Errorf("scenario %s: schema %q is not one this rootguard reads (%s)", name, s.Schema, ScenarioSchema)
	}
	if err := s.TrailEvents.load(filepath.Dir(name)); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	return &s, nil
}

// locate returns "[line:column] " of the first scalar whose value is text,
// in the decoder's own error format, or "" when it cannot be found.
func locate(data []byte, text string) string {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return ""
	}
	var pos string
	for _, doc := range f.Docs {
		if doc.Body == nil {
			continue
		}
		ast.Walk(visitor(func(n ast.Node) bool {
			if pos != "" {
				return false
			}
			if _, ok := n.(ast.ScalarNode); ok && n.GetToken() != nil && n.GetToken().Value == text {
				p := n.GetToken().Position
				pos = fmt.Sprintf("[%d:%d] ", p.Line, p.Column)
				return false
			}
			return true
		}), doc.Body)
	}
	return pos
}

type visitor func(ast.Node) bool

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if v(n) {
		return v
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// LoadScenario reads and decodes a scenario file (at most yamlx.MaxSize
// bytes).
func LoadScenario(path string) (*Scenario, error) {
	data, err := yamlx.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return ParseScenario(path, data)
}

var (
	accountID = regexp.MustCompile(`^\d{12}$`)
	orgID     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	rootID    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouID      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
)

var (
	accountStates = set("ACTIVE", "SUSPENDED", "PENDING_ACTIVATION", "PENDING_CLOSURE", "CLOSED")
	joinedMethods = set("CREATED", "INVITED")
	keyStatuses   = set("Active", "Inactive")
	mfaTypes      = set("virtual", "hardware-totp", "fido")
	altTypes      = set("BILLING", "OPERATIONS", "SECURITY")
	orgFeatures   = set("RootCredentialsManagement", "RootSessions")
	featureSets   = set("ALL", "CONSOLIDATED_BILLING")
)

func set(v ...string) map[string]bool {
	m := make(map[string]bool, len(v))
	for _, s := range v {
		m[s] = true
	}
	return m
}

// validate checks references and value sets, and returns every problem.
func (s *Scenario) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	var orgTree *tree
	callerAcct := arnAccount(s.Caller.ARN)
	if callerAcct == "" {
		bad("caller.arn %q: not an IAM or STS ARN with an account ID", s.Caller.ARN)
	}
	s.validateCallers(bad)
	s.validateResources(bad)
	ids := map[string]bool{}
	for i, a := range s.Accounts {
		if !accountID.MatchString(a.ID) {
			bad("accounts[%d].id %q: want 12 digits", i, a.ID)
		}
		if ids[a.ID] {
			bad("accounts[%d].id %q: duplicate account", i, a.ID)
		}
		ids[a.ID] = true
		if a.State != "" && !accountStates[a.State] {
			bad("accounts[%d].state %q: unknown state", i, a.State)
		}
		if a.Joined != "" && !joinedMethods[a.Joined] {
			bad("accounts[%d].joined %q: want CREATED or INVITED", i, a.Joined)
		}
		for t := range a.AlternateContacts {
			if !altTypes[t] {
				bad("accounts[%d].alternate_contacts.%s: want BILLING, OPERATIONS or SECURITY", i, t)
			}
		}
		checkCreds := func(where string, keys []AccessKey, mfa []MFADevice) {
			if len(keys) > 2 {
				bad("%s.access_keys: at most 2 keys", where)
			}
			for j, k := range keys {
				if k.Status != "" && !keyStatuses[k.Status] {
					bad("%s.access_keys[%d].status %q: want Active or Inactive", where, j, k.Status)
				}
			}
			if len(mfa) > 8 {
				bad("%s.mfa_devices: at most 8 devices", where)
			}
			for j, d := range mfa {
				if !mfaTypes[d.Type] {
					bad("%s.mfa_devices[%d].type %q: want virtual, hardware-totp or fido", where, j, d.Type)
				}
				if d.Name == "" && d.Serial == "" {
					bad("%s.mfa_devices[%d]: needs a name or a serial", where, j)
				}
			}
		}
		checkCreds(fmt.Sprintf("accounts[%d].root", i), a.Root.AccessKeys, a.Root.MFADevices)
		for j, c := range a.Root.SigningCertificates {
			if c.Status != "" && !keyStatuses[c.Status] {
				bad("accounts[%d].root.signing_certificates[%d].status %q: want Active or Inactive", i, j, c.Status)
			}
		}
		for j, u := range a.Users {
			if u.Name == "" {
				bad("accounts[%d].users[%d]: needs a name", i, j)
			}
			checkCreds(fmt.Sprintf("accounts[%d].users[%d]", i, j), u.AccessKeys, u.MFADevices)
		}
		for j, p := range a.Principals {
			if err := p.validate(); err != nil {
				bad("accounts[%d].principals[%d]: %v", i, j, err)
			}
		}
	}
	if callerAcct != "" && !ids[callerAcct] {
		bad("caller.arn %q: account %s is not among the accounts", s.Caller.ARN, callerAcct)
	}
	if o := s.Organization; o != nil {
		if !orgID.MatchString(o.ID) {
			bad("organization.id %q: want o- and 10 to 32 lower-case letters or digits", o.ID)
		}
		if !ids[o.ManagementAccount] {
			bad("organization.management_account %q: not among the accounts", o.ManagementAccount)
		}
		if o.FeatureSet != "" && !featureSets[o.FeatureSet] {
			bad("organization.feature_set %q: want ALL or CONSOLIDATED_BILLING", o.FeatureSet)
		}
		if o.RootID != "" && !rootID.MatchString(o.RootID) {
			bad("organization.root_id %q: want r- and 4 to 32 letters or digits", o.RootID)
		}
		for _, f := range o.Features {
			if !orgFeatures[f] {
				bad("organization.features %q: want RootCredentialsManagement or RootSessions", f)
			}
		}
		for svc, accts := range o.DelegatedAdministrators {
			for _, id := range accts {
				if !ids[id] {
					bad("organization.delegated_administrators.%s %q: not among the accounts", svc, id)
				}
			}
		}
		if t, err := buildTree(o); err != nil {
			errs = append(errs, err)
		} else {
			orgTree = t
			for i, a := range s.Accounts {
				if _, err := t.resolve(a.OU); err != nil {
					bad("accounts[%d].ou: %w", i, err)
				}
			}
		}
	} else {
		if len(s.Accounts) != 1 {
			bad("a scenario without organization must have exactly one account, not %d", len(s.Accounts))
		}
		for i, a := range s.Accounts {
			if a.OU != "" {
				bad("accounts[%d].ou %q: no organization", i, a.OU)
			}
		}
	}
	s.validateGuardrails(bad, ids, orgTree)
	for i, f := range s.Faults {
		svc, op, ok := strings.Cut(f.Operation, ":")
		svc = serviceName(svc)
		if !ok || svc == "" || op == "" {
			bad("faults[%d].operation %q: want service:Operation", i, f.Operation)
		} else if _, known := services[svc]; !known {
			bad("faults[%d].operation %q: unknown service %s", i, f.Operation, svc)
		} else if op != "*" && services[svc].ops[op] == nil {
			bad("faults[%d].operation %q: unknown operation", i, f.Operation)
		}
		if f.Account != "" && f.Account != "*" && !ids[f.Account] {
			bad("faults[%d].account %q: not among the accounts", i, f.Account)
		}
		if f.Times < 0 {
			bad("faults[%d].times %d: must not be negative", i, f.Times)
		}
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			bad("faults[%d].status %d: want 400 to 599", i, f.Status)
		}
		if f.Code == "" && f.Latency == 0 {
			bad("faults[%d]: needs a code or a latency", i)
		}
		if f.Item != "" && (f.Code == "" || f.Operation != "securityhub:BatchImportFindings") {
			bad("faults[%d].item %q: applies to securityhub:BatchImportFindings with a code", i, f.Item)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// arnAccount returns the account ID field of an IAM or STS ARN.
func arnAccount(arn string) string {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || !strings.HasPrefix(p[1], "aws") || (p[2] != "iam" && p[2] != "sts") || !accountID.MatchString(p[4]) || p[5] == "" {
		return ""
	}
	return p[4]
}

var (
	identityName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	accessKeyID  = regexp.MustCompile(`^AKIA[A-Z0-9]{12,124}$`)
)

// validateCallers checks the further callers: names and access keys are
// unique (the default caller's key included) and ARNs name an account.
func (s *Scenario) validateCallers(bad func(string, ...any)) {
	names := map[string]bool{}
	keys := map[string]bool{callerAccessKeyID: true}
	for i, id := range s.Callers {
		where := fmt.Sprintf("callers[%d]", i)
		if !identityName.MatchString(id.Name) {
			bad("%s.name %q: want lower-case letters, digits, - or _ (at most 64)", where, id.Name)
		}
		if names[id.Name] {
			bad("%s.name %q: duplicate caller", where, id.Name)
		}
		names[id.Name] = true
		if arnAccount(id.ARN) == "" {
			bad("%s.arn %q: not an IAM or STS ARN with an account ID", where, id.ARN)
		}
		if id.AccessKeyID != "" && !accessKeyID.MatchString(id.AccessKeyID) {
			bad("%s.access_key_id %q: want AKIA and 12 or more upper-case letters or digits", where, id.AccessKeyID)
		}
		if akid, _ := id.credentials(); keys[akid] {
			bad("%s.access_key_id %q: used by another caller", where, akid)
		} else {
			keys[akid] = true
		}
	}
}
