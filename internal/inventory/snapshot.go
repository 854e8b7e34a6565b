package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/jsonstrict"
)

// Schema is the version string of the snapshot format rootguard writes.
// Loading a snapshot with a schema not in Schemas is an error: fields
// change meaning between versions.
const Schema = "rootguard.snapshot/v4"

// Schemas are the snapshot schemas Decode loads. A v1 snapshot lacks the
// facts v2 added (a topic's attributes), and an older v2 snapshot the
// optional facts added since (an alarm's condition, a trail's selector
// filters): they load as not collected, so what depends on them is
// UNKNOWN, never FAIL. v3 adds an account's IAM facts (unassigned virtual
// MFA devices, principals and their identity policies), the root access
// keys rootguard deleted (from its audit log) and the organization's
// delegated administrators; older snapshots load without
// them, which makes the checks reading them UNKNOWN. v4 adds the key that
// encrypts a topic (kms:DescribeKey, kms:GetKeyPolicy); without it a
// topic under a customer managed key is UNKNOWN.
var Schemas = []string{"rootguard.snapshot/v1", "rootguard.snapshot/v2", "rootguard.snapshot/v3", Schema}

// Snapshot is everything collected in one run.
type Snapshot struct {
	Schema      string    `json:"schema"`
	CollectedAt time.Time `json:"collected_at"`
	// Mode is "organization" (collected from the management or delegated
	// administrator account) or "standalone" (one account).
	Mode string `json:"mode"`
	// Caller is the identity that collected (sts:GetCallerIdentity).
	Caller       Fact[Caller]  `json:"caller"`
	Organization *Organization `json:"organization,omitempty"`
	Accounts     []Account     `json:"accounts"`
	// Regions are the Regions whose regional facts (trails, alarms, topics,
	// rules, detectors) were read, sorted. Nil means not recorded: a
	// snapshot written before the field existed.
	Regions []string `json:"regions,omitempty"`
}

// Mode values.
const (
	ModeOrganization = "organization"
	ModeStandalone   = "standalone"
)

// Caller is the result of sts:GetCallerIdentity.
type Caller struct {
	AccountID string `json:"account_id"`
	ARN       string `json:"arn"`
}

// Source says where a fact came from: the API call, when it was made, and
// the error if it failed. A Source with an empty API means the fact was not
// collected at all (not applicable to this account, or not attempted).
type Source struct {
	API   string     `json:"api,omitempty"`
	At    time.Time  `json:"at,omitzero"`
	Error *CallError `json:"error,omitempty"`
	// FailedRegions are, for a regional fact, the Regions whose calls
	// failed (Error is the first of them); the values of every other
	// collected Region are complete. Nil for a fact that is not regional,
	// or read before the field existed: then Error makes the whole fact
	// not known.
	FailedRegions []string `json:"failed_regions,omitempty"`
}

// CallError is a failed AWS call, classified by its API error code.
type CallError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

func (e *CallError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Fact is one collected value and its source.
type Fact[T any] struct {
	Value  T      `json:"value"`
	Source Source `json:"source"`
}

// Known reports whether the fact was collected without error.
func (f Fact[T]) Known() bool { return f.Source.API != "" && f.Source.Error == nil }

// Collected reports whether collection of the fact was attempted.
func (f Fact[T]) Collected() bool { return f.Source.API != "" }

// Reason explains why a fact is not known, for UNKNOWN findings.
func (f Fact[T]) Reason() string {
	switch {
	case f.Source.API == "":
		return "not collected"
	case f.Source.Error != nil:
		return fmt.Sprintf("%s failed: %s", f.Source.API, f.Source.Error)
	default:
		return ""
	}
}

// Organization is the AWS Organization the snapshot was collected from.
type Organization struct {
	ID                  string `json:"id"`
	ARN                 string `json:"arn,omitempty"`
	FeatureSet          string `json:"feature_set,omitempty"`
	ManagementAccountID string `json:"management_account_id"`
	// Units holds the root(s) and every OU, parents before children.
	Units Fact[[]OrgUnit] `json:"units"`
	// Features is iam:ListOrganizationsFeatures: "RootCredentialsManagement"
	// and "RootSessions" when centralized root access is on.
	Features Fact[[]string] `json:"features"`
	// TrustedServices is organizations:ListAWSServiceAccessForOrganization.
	TrustedServices Fact[[]string] `json:"trusted_services"`
	// Policies are the service control policies with their content and
	// targets (organizations:ListPolicies, DescribePolicy,
	// ListTargetsForPolicy). Whether SCPs are enabled at all is in the
	// root's OrgUnit.PolicyTypes.
	Policies Fact[[]OrgPolicy] `json:"policies"`
	// DelegatedAdministrators are the accounts registered as delegated
	// administrator of centralized root access (iam.amazonaws.com,
	// organizations:ListDelegatedAdministrators): besides the management
	// account, they may call sts:AssumeRoot.
	DelegatedAdministrators Fact[[]string] `json:"delegated_administrators,omitzero"`
}

// OrgPolicy is one service control policy.
type OrgPolicy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ARN         string `json:"arn,omitempty"`
	Description string `json:"description,omitempty"`
	AWSManaged  bool   `json:"aws_managed,omitempty"`
	// Content is the policy document as AWS returned it.
	Content string `json:"content"`
	// Targets are the root, OU and account IDs the policy is attached to.
	Targets []string `json:"targets"`
}

// OrgUnit is an organization root ("r-…") or an organizational unit ("ou-…").
type OrgUnit struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id,omitempty"` // empty for a root
	// PolicyTypes are the policy types enabled on a root
	// (SERVICE_CONTROL_POLICY…); empty for OUs.
	PolicyTypes []string `json:"policy_types,omitempty"`
}

// Account is one AWS account and every fact collected about it.
type Account struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	ARN    string `json:"arn,omitempty"`
	State  string `json:"state,omitempty"` // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED
	Joined string `json:"joined_method,omitempty"`
	// Role is "management", "member" or "standalone".
	Role string `json:"role"`
	// ParentID is the account's direct parent (root or OU) in the organization.
	ParentID string `json:"parent_id,omitempty"`
	// RootEmail is the root user's email address (organizations:ListAccounts).
	RootEmail Fact[string] `json:"root_email"`

	// Skipped says why no call was made for this account (a suspended or
	// closed account); its facts are then not collected.
	Skipped string `json:"skipped,omitempty"`

	Root     RootCredentials `json:"root"`
	Contacts Contacts        `json:"contacts"`
	// Session is the role session used to read the account's own
	// resources (sts:AssumeRole into the member's access role); unset for
	// the caller's own account.
	Session Fact[string] `json:"role_session"`
	// Regions are the Regions enabled in the account (account:ListRegions,
	// ENABLED or ENABLED_BY_DEFAULT), whose regional facts were read. Not
	// collected when the run named its Regions (--regions), or in a
	// snapshot written before the field existed.
	Regions   Fact[[]string] `json:"enabled_regions,omitzero"`
	Detective Detective      `json:"detective"`
	Mail      MailFacts      `json:"mail"`
	IAM       IAM            `json:"iam,omitzero"`
}

// Detective are the account's detective controls for root activity.
// Regional facts cover the regions collected (us-east-1, where root console
// sign-in events land, and the collection region).
type Detective struct {
	// Trails is cloudtrail:DescribeTrails (shadow trails included, so an
	// organization trail shows in members) with each trail's status and
	// event selectors.
	Trails Fact[[]Trail] `json:"trails"`
	// MetricFilters is logs:DescribeMetricFilters on the log groups trails
	// deliver to.
	MetricFilters Fact[[]MetricFilter] `json:"metric_filters"`
	// Alarms is cloudwatch:DescribeAlarms.
	Alarms Fact[[]Alarm] `json:"alarms"`
	// Topics is sns:ListTopics with sns:ListSubscriptionsByTopic and
	// sns:GetTopicAttributes.
	Topics Fact[[]Topic] `json:"topics"`
	// EventRules is events:ListRules with events:ListTargetsByRule.
	EventRules Fact[[]EventRule] `json:"event_rules"`
	// EventBuses is events:DescribeEventBus of each Region's default bus:
	// its resource policy says which other accounts may forward events
	// (root activity, say) to it.
	EventBuses Fact[[]EventBus] `json:"event_buses,omitzero"`
	// GuardDuty is guardduty:ListDetectors with guardduty:GetDetector.
	GuardDuty Fact[[]Detector] `json:"guardduty"`
	// Queues is sqs:ListQueues with sqs:GetQueueAttributes (QueueArn,
	// Policy): whether SNS may send a topic's alerts to a subscribed
	// queue. Not collected in a snapshot from an older rootguard.
	Queues Fact[[]Queue] `json:"queues,omitzero"`
}

// Queue is one SQS queue and its access policy.
type Queue struct {
	ARN string `json:"arn"`
	// Policy is the queue's access policy; empty when it has none (then
	// no service, SNS included, may send to it).
	Policy string `json:"policy,omitempty"`
}

// Trail is one CloudTrail trail.
type Trail struct {
	Name                string `json:"name"`
	ARN                 string `json:"arn"`
	HomeRegion          string `json:"home_region"`
	IsMultiRegion       bool   `json:"is_multi_region"`
	IsOrganizationTrail bool   `json:"is_organization_trail"`
	S3BucketName        string `json:"s3_bucket_name,omitempty"`
	// LogGroupARN is the CloudWatch Logs group the trail delivers to.
	LogGroupARN string                 `json:"log_group_arn,omitempty"`
	Logging     Fact[bool]             `json:"logging"`   // cloudtrail:GetTrailStatus IsLogging
	Selectors   Fact[ManagementEvents] `json:"selectors"` // cloudtrail:GetEventSelectors
}

// ManagementEvents summarizes a trail's event selectors for management
// events, basic or advanced.
type ManagementEvents struct {
	Included bool `json:"included"`
	// ReadWriteType is All, ReadOnly or WriteOnly.
	ReadWriteType string `json:"read_write_type,omitempty"`
	// Filters are the conditions of advanced event selectors on
	// management events besides eventCategory and readOnly (eventSource,
	// eventName…), one "field operator values" text each: events outside
	// them are not recorded. Empty for basic selectors; nil when not
	// collected (a snapshot from an older rootguard).
	Filters []string `json:"filters"`
	// RootKept are such conditions that do not limit root coverage: they
	// provably record every root event (a userIdentity.arn condition no
	// root ARN fails, say), or another selector records every root event
	// of the same kind (read or write) anyway.
	RootKept []string `json:"root_kept,omitempty"`
}

// MetricFilter is one CloudWatch Logs metric filter.
type MetricFilter struct {
	Name         string         `json:"name"`
	LogGroupName string         `json:"log_group_name"`
	Pattern      string         `json:"pattern"`
	Metrics      []MetricTarget `json:"metrics"`
}

// MetricTarget is a metric a filter publishes to.
type MetricTarget struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Alarm is one CloudWatch metric alarm.
type Alarm struct {
	Name           string   `json:"name"`
	Region         string   `json:"region,omitempty"`
	Namespace      string   `json:"namespace"`
	MetricName     string   `json:"metric_name"`
	ActionsEnabled bool     `json:"actions_enabled"`
	AlarmActions   []string `json:"alarm_actions"`
	// Condition is when the alarm fires; nil when not collected (a
	// snapshot from an older rootguard).
	Condition *AlarmCondition `json:"condition,omitempty"`
}

// AlarmCondition is what makes a metric alarm fire
// (cloudwatch:DescribeAlarms).
type AlarmCondition struct {
	// Statistic is Sum, SampleCount, Average, Minimum, Maximum, or an
	// extended statistic (p99…).
	Statistic          string  `json:"statistic"`
	Period             int32   `json:"period"`
	Threshold          float64 `json:"threshold"`
	ComparisonOperator string  `json:"comparison_operator"`
	EvaluationPeriods  int32   `json:"evaluation_periods"`
	// DatapointsToAlarm is 0 when not set: then EvaluationPeriods.
	DatapointsToAlarm int32  `json:"datapoints_to_alarm,omitempty"`
	TreatMissingData  string `json:"treat_missing_data,omitempty"`
}

// Topic is one SNS topic and its subscriptions.
type Topic struct {
	ARN           string         `json:"arn"`
	Subscriptions []Subscription `json:"subscriptions"`
	// Attributes is sns:GetTopicAttributes; nil when not collected (a v1
	// snapshot).
	Attributes *Fact[TopicAttributes] `json:"attributes,omitempty"`
	// Key is the key that encrypts the topic, read with kms:DescribeKey
	// and kms:GetKeyPolicy in the topic's account and Region (its Source
	// names the call that failed, or the last one made). Nil when the
	// topic is not encrypted, is encrypted with alias/aws/sns, or in a
	// snapshot from an older rootguard (v3 or before).
	Key *Fact[TopicKey] `json:"key,omitempty"`
}

// TopicKey is the KMS key that encrypts a topic: whether EventBridge or a
// CloudWatch alarm may publish to the topic depends on its key policy.
type TopicKey struct {
	// ARN is the key's ARN, as kms:DescribeKey resolves the topic's
	// KmsMasterKeyId (a key ID, key ARN, alias name or alias ARN).
	ARN string `json:"arn"`
	// Manager is CUSTOMER or AWS (an AWS managed key, whose policy no
	// service principal may use; its policy is not read).
	Manager string `json:"manager"`
	// Policy is the key policy named default (kms:GetKeyPolicy).
	Policy string `json:"policy,omitempty"`
}

// TopicAttributes are the attributes of a topic that decide who may
// publish to it.
type TopicAttributes struct {
	// Policy is the topic's access policy (SNS reports its default
	// policy when none was set).
	Policy string `json:"policy"`
	// KMSMasterKeyID is the server-side encryption key, "" when none.
	KMSMasterKeyID string `json:"kms_master_key_id,omitempty"`
}

// Subscription is one SNS subscription. Confirmed is false while its ARN is
// "PendingConfirmation".
type Subscription struct {
	ARN       string `json:"arn,omitempty"`
	Protocol  string `json:"protocol"`
	Endpoint  string `json:"endpoint"`
	Confirmed bool   `json:"confirmed"`
}

// EventRule is one EventBridge rule with its targets.
type EventRule struct {
	Name         string   `json:"name"`
	ARN          string   `json:"arn,omitempty"`
	Region       string   `json:"region"`
	EventBusName string   `json:"event_bus_name,omitempty"`
	State        string   `json:"state"` // ENABLED, DISABLED…
	EventPattern string   `json:"event_pattern,omitempty"`
	Targets      []string `json:"targets"` // target ARNs
	// TargetRoles is each target's IAM role (RoleArn), by target ARN, ""
	// for a target without one. EventBridge delivers to another account's
	// bus that lets the sender in through its organization
	// (aws:PrincipalOrgID) only with a role on the sender's target. A
	// target missing here (a snapshot collected before roles were read)
	// has a role not known.
	TargetRoles map[string]string `json:"target_roles,omitempty"`
}

// EventBus is one Region's default event bus and its resource policy.
type EventBus struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	ARN    string `json:"arn,omitempty"`
	// Policy is the bus's resource policy; empty when it has none (only
	// the owner account may put events on it).
	Policy string `json:"policy,omitempty"`
}

// Detector is one GuardDuty detector.
type Detector struct {
	Region string `json:"region"`
	ID     string `json:"id"`
	Status string `json:"status"` // ENABLED or DISABLED
}

// MailFacts are what the account hosts that a root email address could
// depend on: DNS zones, registered domains and inbound mail.
type MailFacts struct {
	// HostedZones is route53:ListHostedZones.
	HostedZones Fact[[]HostedZone] `json:"hosted_zones"`
	// Domains is route53domains:ListDomains (registered domain names).
	Domains Fact[[]string] `json:"registered_domains"`
	// Registrations are the same call's registrations with how each is
	// kept; not collected in a snapshot written before the field existed.
	Registrations Fact[[]Registration] `json:"registrations,omitzero"`
	// SESRecipients are the recipients (addresses or domains) of the active
	// SES receipt rule set (ses:DescribeActiveReceiptRuleSet); an enabled
	// rule without recipients adds every verified domain of the account
	// (ses:ListIdentities, ses:GetIdentityVerificationAttributes).
	SESRecipients Fact[[]string] `json:"ses_recipients"`
	// WorkMailDomains are the mail domains of the account's WorkMail
	// organizations (workmail:ListOrganizations, ListMailDomains).
	WorkMailDomains Fact[[]string] `json:"workmail_domains"`
}

// Registration is one Route 53 Domains registration (ListDomains'
// DomainSummary). A nil field was not returned: not known.
type Registration struct {
	Domain    string `json:"domain"`
	AutoRenew *bool  `json:"auto_renew,omitempty"`
	// TransferLock is set when the domain is locked against transfer
	// (status clientTransferProhibited).
	TransferLock *bool      `json:"transfer_lock,omitempty"`
	Expiry       *time.Time `json:"expiry,omitempty"`
}

// HostedZone is one Route 53 hosted zone.
type HostedZone struct {
	ID      string `json:"id"`
	Name    string `json:"name"` // with the trailing dot, as Route 53 returns it
	Private bool   `json:"private"`
}

// Account roles.
const (
	RoleManagement = "management"
	RoleMember     = "member"
	RoleStandalone = "standalone"
)

// RootCredentials are the facts about the root user's credentials.
//
// Member accounts of an organization are read through an sts:AssumeRoot
// session with the IAMAuditRootUserCredentials task policy (Method
// "assume-root"): Summary, LoginProfile, User, AccessKeys,
// SigningCertificates and MFADevices come from the root user itself.
// The management account and standalone accounts are read with ordinary
// credentials (Method "direct"): Summary, CredentialReport and
// VirtualMFADevices; AccessKeys and SigningCertificates are then derived from
// the credential report's root row and carry its source.
type RootCredentials struct {
	Method string `json:"method,omitempty"`
	// Session is the sts:AssumeRoot call that opened the audit session.
	Session             Fact[bool]                 `json:"session"`
	Summary             Fact[AccountSummary]       `json:"summary"`
	CredentialReport    Fact[*CredentialReportRow] `json:"credential_report"`
	LoginProfile        Fact[LoginProfile]         `json:"login_profile"`
	User                Fact[RootUser]             `json:"user"`
	AccessKeys          Fact[[]AccessKey]          `json:"access_keys"`
	SigningCertificates Fact[[]SigningCertificate] `json:"signing_certificates"`
	MFADevices          Fact[[]MFADevice]          `json:"mfa_devices"`
	// VirtualMFADevices are the account's virtual MFA devices assigned to
	// the root user (User.Arn equal to arn:aws:iam::<id>:root exactly).
	VirtualMFADevices Fact[[]MFADevice] `json:"virtual_mfa_devices"`
	// DeletedKeys are the root access keys rootguard apply deleted, with
	// the last use each had, read from its audit log when the snapshot was
	// collected: IAM forgets a deleted key's last use, the audit log keeps
	// it. Not collected where the audit log records no such deletion.
	DeletedKeys Fact[[]DeletedKey] `json:"deleted_access_keys,omitzero"`
}

// AuditLogSource is the Source API of facts read from rootguard's own
// audit log.
const AuditLogSource = "rootguard:audit-log"

// DeletedKey is a root access key apply deleted.
type DeletedKey struct {
	// LastUsed is the key's last use as the plan read it.
	LastUsed  time.Time `json:"last_used"`
	DeletedAt time.Time `json:"deleted_at"`
}

// Root credential collection methods.
const (
	MethodAssumeRoot = "assume-root"
	MethodDirect     = "direct"
)

// AccountSummary holds the root-related keys of iam:GetAccountSummary.
type AccountSummary struct {
	AccountMFAEnabled                 int `json:"account_mfa_enabled"`
	AccountAccessKeysPresent          int `json:"account_access_keys_present"`
	AccountPasswordPresent            int `json:"account_password_present"`
	AccountSigningCertificatesPresent int `json:"account_signing_certificates_present"`
	MFADevices                        int `json:"mfa_devices"`
	MFADevicesInUse                   int `json:"mfa_devices_in_use"`
}

// LoginProfile is iam:GetLoginProfile for the root user. Exists is false when
// the call answered NoSuchEntity: the root user has no password.
type LoginProfile struct {
	Exists     bool       `json:"exists"`
	CreateDate *time.Time `json:"create_date,omitempty"`
}

// RootUser is iam:GetUser called with no user name in a root session.
type RootUser struct {
	ARN              string     `json:"arn,omitempty"`
	CreateDate       *time.Time `json:"create_date,omitempty"`
	PasswordLastUsed *time.Time `json:"password_last_used,omitempty"`
}

// AccessKey is one root access key. ID is empty when the key is known only
// from the credential report (Slot 1 or 2).
type AccessKey struct {
	ID         string       `json:"id,omitempty"`
	Slot       int          `json:"slot,omitempty"`
	Status     string       `json:"status"` // Active or Inactive
	CreateDate *time.Time   `json:"create_date,omitempty"`
	LastUsed   *KeyLastUsed `json:"last_used,omitempty"`
}

// KeyLastUsed is iam:GetAccessKeyLastUsed (or the report's last_used columns).
// Error is set when iam:GetAccessKeyLastUsed failed: the key's last use is
// then unknown, not "never".
type KeyLastUsed struct {
	Date    *time.Time `json:"date,omitempty"`
	Service string     `json:"service,omitempty"`
	Region  string     `json:"region,omitempty"`
	Error   *CallError `json:"error,omitempty"`
}

// SigningCertificate is one root X.509 signing certificate.
type SigningCertificate struct {
	ID         string     `json:"id,omitempty"`
	Slot       int        `json:"slot,omitempty"`
	Status     string     `json:"status"`
	UploadDate *time.Time `json:"upload_date,omitempty"`
}

// MFADevice is one MFA device of the root user.
type MFADevice struct {
	Serial     string     `json:"serial"`
	Type       string     `json:"type"` // see MFA* constants
	EnableDate *time.Time `json:"enable_date,omitempty"`
}

// MFA device types, classified from the serial and the API that listed it.
const (
	MFAVirtual      = "virtual"       // listed by ListVirtualMFADevices, or arn:…:mfa/…
	MFAFIDO         = "fido"          // arn:…:u2f/… security key or passkey
	MFAHardwareTOTP = "hardware-totp" // any other serial (a vendor serial number)
)

// CredentialReportRow is the <root_account> row of the IAM credential report,
// as its raw column values plus when the report was generated.
type CredentialReportRow struct {
	GeneratedTime *time.Time        `json:"generated_time,omitempty"`
	Columns       map[string]string `json:"columns"`
}

// Contacts are the account's contact facts (AWS Account Management API).
type Contacts struct {
	Primary Fact[*ContactInformation] `json:"primary"`
	// Alternates is keyed by SECURITY, BILLING and OPERATIONS. A known fact
	// with a nil value means the contact is not set (ResourceNotFound).
	Alternates map[string]Fact[*AlternateContact] `json:"alternates"`
}

// Alternate contact types.
var AlternateTypes = []string{"SECURITY", "BILLING", "OPERATIONS"}

// ContactInformation is account:GetContactInformation.
type ContactInformation struct {
	FullName         string `json:"full_name,omitempty"`
	CompanyName      string `json:"company_name,omitempty"`
	AddressLine1     string `json:"address_line1,omitempty"`
	AddressLine2     string `json:"address_line2,omitempty"`
	AddressLine3     string `json:"address_line3,omitempty"`
	City             string `json:"city,omitempty"`
	StateOrRegion    string `json:"state_or_region,omitempty"`
	DistrictOrCounty string `json:"district_or_county,omitempty"`
	PostalCode       string `json:"postal_code,omitempty"`
	CountryCode      string `json:"country_code,omitempty"`
	PhoneNumber      string `json:"phone_number,omitempty"`
	WebsiteURL       string `json:"website_url,omitempty"`
}

// AlternateContact is account:GetAlternateContact.
type AlternateContact struct {
	Name         string `json:"name,omitempty"`
	Title        string `json:"title,omitempty"`
	EmailAddress string `json:"email_address,omitempty"`
	PhoneNumber  string `json:"phone_number,omitempty"`
}

// RootARN is the root user's ARN in an account.
func RootARN(accountID string) string { return "arn:aws:iam::" + accountID + ":root" }

// Account returns the account with the given ID, or nil.
func (s *Snapshot) Account(id string) *Account {
	for i := range s.Accounts {
		if s.Accounts[i].ID == id {
			return &s.Accounts[i]
		}
	}
	return nil
}

// Sort orders accounts by ID so output stays stable.
func (s *Snapshot) Sort() {
	sort.Slice(s.Accounts, func(i, j int) bool { return s.Accounts[i].ID < s.Accounts[j].ID })
}

// Decode parses a snapshot and checks its schema version. It is strict: a
// duplicate key, an unknown field (the model grows by bumping Schema), a
// snapshot with no accounts, or an account whose ID is not 12 digits or
// repeats another is an error, since a broken pipeline must never assess to
// an all-clear. name is used in error messages (a file path, or "-").
func Decode(name string, data []byte) (*Snapshot, error) {
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("snapshot %s: not valid JSON: %w", name, err)
	}
	if head.Schema == nil {
		return nil, fmt.Errorf("snapshot %s: no \"schema\" field: not a rootguard snapshot", name)
	}
	if !slices.Contains(Schemas, *head.Schema) {
		return nil, fmt.Errorf("snapshot %s: schema %q is not supported (want one of %s)", name, *head.Schema, strings.Join(Schemas, ", "))
	}
	var s Snapshot
	if err := jsonstrict.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	return &s, nil
}

var accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)

// validate refuses a snapshot that would assess nothing, or some account
// under an ID that is not one.
func (s *Snapshot) validate() error {
	if len(s.Accounts) == 0 {
		return errors.New("no accounts: nothing was collected")
	}
	seen := make(map[string]bool, len(s.Accounts))
	for i, a := range s.Accounts {
		switch {
		case !accountIDRe.MatchString(a.ID):
			return fmt.Errorf("accounts[%d]: ID %q is not a 12-digit account ID", i, a.ID)
		case seen[a.ID]:
			return fmt.Errorf("accounts[%d]: account %s appears twice", i, a.ID)
		}
		seen[a.ID] = true
	}
	return nil
}

// Load reads and decodes a snapshot file of at most filelimit.Document
// bytes.
func Load(path string) (*Snapshot, error) {
	data, err := filelimit.ReadFile(path, filelimit.Document)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return Decode(path, data)
}

// Encode writes the snapshot as indented JSON.
func (s *Snapshot) Encode() ([]byte, error) {
	return json.MarshalIndent(s, "", "  ")
}
