package guardrail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/jsonstrict"
)

// PlanSchema is the version of the plan file. Loading a plan of any other
// version is an error: change kinds and conditions change meaning between
// versions.
const PlanSchema = "rootguard.plan/v1"

// Plan is a reviewed list of changes that bring an organization (or a
// standalone account) to its desired guardrails. It is computed from one
// snapshot by NewPlan, saved as JSON, reviewed, and carried out by Apply.
//
// Every change carries the facts it was computed from (its precondition,
// with a fingerprint of them) and the facts it establishes (its
// postcondition). Apply re-reads the state and sorts each change: done (the
// postcondition holds: skipped, so a rerun after a partial failure does
// not repeat it), pending (the precondition still holds: applied), or
// stale (neither: the plan is refused, naming what changed).
type Plan struct {
	Schema string `json:"schema"`
	// ID names the plan in the audit log: plan-<UTC time>-<fingerprint
	// prefix>.
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// CreatedBy is the identity that collected the snapshot (its ARN).
	CreatedBy string `json:"created_by"`
	Tool      string `json:"tool,omitempty"`
	// Fingerprint is the SHA-256 of the whole plan document but its ID and
	// this field: the changes, the observed state they depend on and every
	// text shown for them. ID ends with its first 8 hex digits.
	Fingerprint string `json:"fingerprint"`

	Snapshot PlanSource `json:"snapshot"`
	Config   Config     `json:"config"`

	// Changes are in apply order (see phaseOf for why that order).
	Changes []Change `json:"changes"`
	// Analysis is what the policy engine says about the SCP attachments:
	// which accounts they newly cover, and that centralized root sessions
	// keep working.
	Analysis *SCPAnalysis `json:"scp_analysis,omitempty"`
	// Expected are the findings the plan should change once applied, from
	// the checks run over the snapshot as it will be.
	Expected []ExpectedFinding `json:"expected_findings"`
	// Warnings need a reader's attention before apply.
	Warnings []string `json:"warnings"`
	// Gaps are what the plan could not decide or do.
	Gaps []Gap `json:"gaps"`
}

// PlanSource identifies the snapshot a plan was computed from.
type PlanSource struct {
	CollectedAt         time.Time `json:"collected_at"`
	Mode                string    `json:"mode"`
	OrganizationID      string    `json:"organization_id,omitempty"`
	ManagementAccountID string    `json:"management_account_id,omitempty"`
	Accounts            int       `json:"accounts"`
}

// Change is one step of a plan: one or more API calls that together
// establish one fact.
type Change struct {
	// ID is stable for the same change across plans, and names the change
	// in the audit log. It holds no credential identifier (those are
	// hashed).
	ID          string `json:"id"`
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	Kind        string `json:"kind"`
	// Action is the diff sign: "+" adds a guardrail, "-" removes a
	// credential, "~" sets a value.
	Action string `json:"action"`
	// Summary is the change in one line, as the diff shows it.
	Summary string `json:"summary"`
	// Calls are the exact API calls apply makes, in order.
	Calls []Call `json:"calls"`
	// Fixes are the check IDs this change makes pass.
	Fixes []string `json:"fixes"`
	// Note says when a check of Fixes is expected to stay failing once the
	// change is applied, and until what: "root-activity-alerting stays
	// FAIL until the email subscription of x@example.com is confirmed".
	// The checks run over the projected state decide it (see Expected).
	Note string `json:"note,omitempty"`
	Risk string `json:"risk"`
	// Pre are the observed facts the change depends on; Post the facts once
	// it is applied.
	Pre  []Condition `json:"precondition"`
	Post []Condition `json:"postcondition"`
	// Fingerprint is the SHA-256 of the precondition as observed.
	Fingerprint string `json:"fingerprint"`
	// RequiresFlag names the apply flag without which the change is
	// refused (allow-recent-key-deletion).
	RequiresFlag string `json:"requires_flag,omitempty"`
	// LastUsed is a deleted root access key's last use, which apply
	// records with the deletion (IAM forgets it).
	LastUsed *time.Time `json:"last_used,omitempty"`
	// DependsOn are changes of this plan that must be in place first.
	DependsOn []string `json:"depends_on,omitempty"`
}

// Call is one AWS API call of a change.
type Call struct {
	// Operation is service:Action, as in IAM policies.
	Operation string `json:"operation"`
	// Region is set for regional services (SNS, EventBridge).
	Region string `json:"region,omitempty"`
	// Session is whose credentials make the call: "caller" (the identity
	// running apply), "assume-root" (an sts:AssumeRoot session in the
	// change's account with TaskPolicy) or "assume-role" (RoleARN).
	Session    string `json:"session"`
	TaskPolicy string `json:"task_policy,omitempty"`
	RoleARN    string `json:"role_arn,omitempty"`
	// Params are the call's parameters. A value ${policy:NAME} is the ID
	// of the SCP named NAME, known once it exists.
	Params map[string]string `json:"params"`
}

// Call sessions.
const (
	SessionCaller     = "caller"
	SessionAssumeRoot = "assume-root"
	SessionAssumeRole = "assume-role"
)

// Condition is one observed fact and its value: "the root access key
// AKIA… of 666666666666 is present, Active, last used …".
type Condition struct {
	Fact  Fact   `json:"fact"`
	Value string `json:"value"`
	// Text says it for people.
	Text string `json:"text"`
}

// Fact names one observable fact of a snapshot (see observe).
type Fact struct {
	Kind      string `json:"kind"`
	AccountID string `json:"account_id,omitempty"`
	Region    string `json:"region,omitempty"`
	// Name is what the fact is about: a service principal, a feature, a
	// policy type or name, a contact type, a credential ID, a topic ARN or a
	// rule name.
	Name string `json:"name,omitempty"`
	// Target qualifies Name: the attachment target of a policy, the
	// subscription (protocol:endpoint) of a topic, the target ARN of a rule.
	Target string `json:"target,omitempty"`
}

// SCPAnalysis is the policy engine's verdict on the plan's SCP changes,
// computed over the organization as it will be: the current SCPs plus every
// planned attachment (and FullAWSAccess everywhere when the plan turns SCPs
// on).
type SCPAnalysis struct {
	Policies []PolicyCoverage `json:"policies"`
	// RootSessionsWorking counts the active member accounts where
	// centralized root sessions (sts:AssumeRoot) work after the plan.
	RootSessionsWorking int `json:"root_sessions_working"`
	// RootSessionsBlocked are those where the SCPs deny them, with the
	// statements to fix; ByPlan is never true in a saved plan (NewPlan
	// refuses such a plan).
	RootSessionsBlocked []BlockedSessions `json:"root_sessions_blocked"`
	// Unknown are the accounts whose effective SCPs could not be worked
	// out from the snapshot, with the reason.
	Unknown []string `json:"unknown"`
}

// PolicyCoverage is what one planned SCP adds: the member accounts whose
// root user it newly denies the probed actions to.
type PolicyCoverage struct {
	Policy string `json:"policy"`
	Key    string `json:"key"`
	// Actions are the probed actions, made by the account's root user
	// signed in with its own credentials.
	Actions []string `json:"actions"`
	// NewlyCovered are denied every probed action after the plan and were
	// not before; AlreadyCovered were before too; Uncovered still are not
	// (exempt, the management account, or outside the targets).
	NewlyCovered   []string `json:"newly_covered"`
	AlreadyCovered []string `json:"already_covered"`
	Uncovered      []string `json:"uncovered"`
}

// BlockedSessions says that centralized root sessions are denied in an
// account.
type BlockedSessions struct {
	AccountID string   `json:"account_id"`
	Actions   []string `json:"actions"`
	// ByPlan is true when the plan's attachments cause it.
	ByPlan bool     `json:"by_plan"`
	Fix    []string `json:"fix,omitempty"`
}

// ExpectedFinding is a finding the plan should change.
type ExpectedFinding struct {
	CheckID   string `json:"check_id"`
	AccountID string `json:"account_id"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// Change kinds, in apply order.
const (
	KindEnableTrustedAccess = "enable-trusted-access"
	KindEnableFeature       = "enable-feature"
	KindEnablePolicyType    = "enable-policy-type"
	KindCreatePolicy        = "create-policy"
	KindAttachPolicy        = "attach-policy"
	KindPutAlternateContact = "put-alternate-contact"
	KindCreateTopic         = "create-topic"
	KindSubscribe           = "subscribe"
	KindPutRule             = "put-rule"
	KindPutTargets          = "put-targets"
	KindPutPermission       = "put-permission"
	KindCreateForwardRole   = "create-forward-role"
	KindForwardRootActivity = "forward-root-activity"
	KindGrantTopicPublish   = "grant-topic-publish"
	KindDeleteLoginProfile  = "delete-login-profile"
	KindDeleteAccessKey     = "delete-access-key"
	KindDeleteSigningCert   = "delete-signing-certificate"
	KindDeactivateMFADevice = "deactivate-mfa-device"
)

// FlagAllowRecentKeyDeletion is the apply flag needed to delete a root
// access key used within max_key_last_used_days (or whose last use is
// unknown).
const FlagAllowRecentKeyDeletion = "allow-recent-key-deletion"

// operations are the only calls a plan may hold, with the parameters each
// may carry and the change kinds that make them. A loaded plan naming any
// other operation or parameter is refused: the plan file is input.
var operations = map[string]struct {
	kinds  []string
	params []string
}{
	"organizations:EnableAWSServiceAccess":             {[]string{KindEnableTrustedAccess}, []string{"ServicePrincipal"}},
	"iam:EnableOrganizationsRootCredentialsManagement": {[]string{KindEnableFeature}, nil},
	"iam:EnableOrganizationsRootSessions":              {[]string{KindEnableFeature}, nil},
	"organizations:EnablePolicyType":                   {[]string{KindEnablePolicyType}, []string{"PolicyType", "RootId"}},
	"organizations:CreatePolicy":                       {[]string{KindCreatePolicy}, []string{"Content", "Description", "Name", "Type"}},
	"organizations:AttachPolicy":                       {[]string{KindAttachPolicy}, []string{"PolicyId", "TargetId"}},
	"account:PutAlternateContact":                      {[]string{KindPutAlternateContact}, []string{"AccountId", "AlternateContactType", "EmailAddress", "Name", "PhoneNumber", "Title"}},
	"sns:CreateTopic":                                  {[]string{KindCreateTopic}, []string{"Attributes.Policy", "Name"}},
	"sns:Subscribe":                                    {[]string{KindSubscribe}, []string{"Endpoint", "Protocol", "TopicArn"}},
	"sns:SetTopicAttributes":                           {[]string{KindGrantTopicPublish}, []string{"AttributeName", "AttributeValue", "TopicArn"}},
	"events:PutRule":                                   {[]string{KindPutRule, KindForwardRootActivity}, []string{"Description", "EventPattern", "Name", "State"}},
	"events:PutTargets":                                {[]string{KindPutTargets, KindForwardRootActivity}, []string{"Rule", "Targets.1.Arn", "Targets.1.Id", "Targets.1.RoleArn"}},
	"iam:CreateRole":                                   {[]string{KindCreateForwardRole}, []string{"AssumeRolePolicyDocument", "Description", "RoleName"}},
	"iam:PutRolePolicy":                                {[]string{KindCreateForwardRole}, []string{"PolicyDocument", "PolicyName", "RoleName"}},
	"events:PutPermission":                             {[]string{KindPutPermission}, []string{"Action", "EventBusName", "Principal", "StatementId"}},
	"iam:DeleteLoginProfile":                           {[]string{KindDeleteLoginProfile}, nil},
	"iam:DeleteAccessKey":                              {[]string{KindDeleteAccessKey}, []string{"AccessKeyId"}},
	"iam:DeleteSigningCertificate":                     {[]string{KindDeleteSigningCert}, []string{"CertificateId"}},
	"iam:DeactivateMFADevice":                          {[]string{KindDeactivateMFADevice}, []string{"SerialNumber"}},
}

// queueOwner is the account of the SQS queue an sns:Subscribe call
// subscribes, "" for any other call.
func queueOwner(c Call) string {
	if c.Operation != "sns:Subscribe" || c.Params["Protocol"] != "sqs" {
		return ""
	}
	if q, ok := delivery.ParseARN(c.Params["Endpoint"]); ok {
		return q.Account
	}
	return ""
}

// ErrPlanSchema is returned (wrapped) when a plan file has another schema.
var ErrPlanSchema = errors.New("unsupported plan schema")

var (
	planIDRe   = regexp.MustCompile(`^plan-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$`)
	changeIDRe = regexp.MustCompile(`^[a-z-]+(/[A-Za-z0-9._:@=+-]+){1,3}$`)
	hexHashRe  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// DecodePlan parses a plan file and checks its schema and its integrity:
// every change's fingerprint must match its precondition, the plan's
// fingerprint its changes, and every call must be one a plan may make. name
// is used in error messages (a file path).
func DecodePlan(name string, data []byte) (*Plan, error) {
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("plan %s: not valid JSON: %w", name, err)
	}
	if head.Schema == nil {
		return nil, fmt.Errorf("plan %s: no \"schema\" field: not a rootguard plan", name)
	}
	if *head.Schema != PlanSchema {
		return nil, fmt.Errorf("plan %s: schema %q is not supported (want %q): make a new plan with this version of rootguard: %w", name, *head.Schema, PlanSchema, ErrPlanSchema)
	}
	var p Plan
	if err := jsonstrict.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	return &p, nil
}

// LoadPlan reads and decodes a plan file of at most filelimit.Document
// bytes.
func LoadPlan(path string) (*Plan, error) {
	data, err := filelimit.ReadFile(path, filelimit.Document)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", path, err)
	}
	return DecodePlan(path, data)
}

// Encode writes the plan as indented JSON with a final newline.
func (p *Plan) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return b.Bytes(), nil
}

// Empty reports whether the plan has nothing to change.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Change returns the change with the given ID, or nil.
func (p *Plan) Change(id string) *Change {
	for i := range p.Changes {
		if p.Changes[i].ID == id {
			return &p.Changes[i]
		}
	}
	return nil
}

// validate checks what a hand-edited or corrupt plan file could get wrong.
func (p *Plan) validate() error {
	if !planIDRe.MatchString(p.ID) {
		return fmt.Errorf("id %q is not a plan ID (plan-YYYYMMDDThhmmssZ-xxxxxxxx)", p.ID)
	}
	if err := p.Config.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	seen := map[string]bool{}
	for i := range p.Changes {
		c := &p.Changes[i]
		if err := c.validate(seen); err != nil {
			return fmt.Errorf("change %d (%s): %w", i+1, c.ID, err)
		}
		seen[c.ID] = true
	}
	if got := p.fingerprint(); got != p.Fingerprint {
		return fmt.Errorf("fingerprint %s does not match the plan's content (%s): the file was edited after plan; make a new plan", short(p.Fingerprint), short(got))
	}
	if want := planID(p.CreatedAt, p.Fingerprint); p.ID != want {
		return fmt.Errorf("id %s does not match its fingerprint and time (%s): the file was edited after plan; make a new plan", p.ID, want)
	}
	return nil
}

func (c *Change) validate(earlier map[string]bool) error {
	if !changeIDRe.MatchString(c.ID) || len(c.ID) > 256 {
		return errors.New("not a change ID")
	}
	if earlier[c.ID] {
		return errors.New("duplicate change ID")
	}
	if !accountIDRe.MatchString(c.AccountID) {
		return fmt.Errorf("account %q is not a 12-digit account ID", c.AccountID)
	}
	if _, ok := phaseOf[c.Kind]; !ok {
		return fmt.Errorf("unknown kind %q", c.Kind)
	}
	if len(c.Calls) == 0 {
		return errors.New("no call")
	}
	for j, call := range c.Calls {
		op, ok := operations[call.Operation]
		if !ok {
			return fmt.Errorf("call %d: operation %q is not one a plan may make", j+1, call.Operation)
		}
		if !slices.Contains(op.kinds, c.Kind) {
			return fmt.Errorf("call %d: %s does not belong to a %s change", j+1, call.Operation, c.Kind)
		}
		for k := range call.Params {
			if !slices.Contains(op.params, k) {
				return fmt.Errorf("call %d: %s takes no parameter %q", j+1, call.Operation, k)
			}
		}
		switch call.Session {
		case SessionCaller:
		case SessionAssumeRoot:
			if call.TaskPolicy != TaskPolicyDeleteRootCredentials {
				return fmt.Errorf("call %d: assume-root session with task policy %q (want %s)", j+1, call.TaskPolicy, TaskPolicyDeleteRootCredentials)
			}
		case SessionAssumeRole:
			acct := c.AccountID
			if q := queueOwner(call); q != "" {
				// An SQS queue's owner subscribes it to another
				// account's topic, so that SNS confirms it at once.
				acct = q
			}
			if !strings.HasPrefix(call.RoleARN, "arn:aws") || !strings.Contains(call.RoleARN, ":"+acct+":role/") {
				return fmt.Errorf("call %d: assume-role session into %q, not a role of account %s", j+1, call.RoleARN, acct)
			}
		default:
			return fmt.Errorf("call %d: unknown session %q", j+1, call.Session)
		}
	}
	if len(c.Pre) == 0 || len(c.Post) == 0 {
		return errors.New("a change needs a precondition and a postcondition")
	}
	for _, d := range c.DependsOn {
		if !earlier[d] {
			return fmt.Errorf("depends on %q, which is not an earlier change of the plan", d)
		}
	}
	if c.RequiresFlag != "" && c.RequiresFlag != FlagAllowRecentKeyDeletion {
		return fmt.Errorf("unknown required flag %q", c.RequiresFlag)
	}
	if !hexHashRe.MatchString(c.Fingerprint) || fingerprintConditions(c.Pre) != c.Fingerprint {
		return errors.New("fingerprint does not match the precondition: the file was edited after plan; make a new plan")
	}
	return nil
}

// fingerprintConditions hashes conditions in their order: each fact and
// its observed value.
func fingerprintConditions(cs []Condition) string {
	h := sha256.New()
	for _, c := range cs {
		f := c.Fact
		fmt.Fprintf(h, "%q %q %q %q %q = %q\n", f.Kind, f.AccountID, f.Region, f.Name, f.Target, c.Value)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fingerprint hashes the whole plan document but its id and fingerprint:
// the changes and the state they were computed from, and every text shown
// or recorded (summaries, risks, notes, warnings). The encoding is the
// plan's own JSON, canonical since it is made from the decoded struct.
func (p *Plan) fingerprint() string {
	c := *p
	c.ID, c.Fingerprint = "", ""
	doc, err := json.Marshal(&c)
	if err != nil { // a plan holds strings, numbers and times only
		panic(fmt.Sprintf("encode plan: %v", err))
	}
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// planID names a plan by its time and fingerprint (64 hex digits, as
// computed by fingerprint).
func planID(createdAt time.Time, fingerprint string) string {
	return "plan-" + createdAt.UTC().Format("20060102T150405Z") + "-" + fingerprint[:8]
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
