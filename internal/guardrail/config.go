package guardrail

import (
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/yamlx"
)

// Config says which guardrails the organization should have. It is read from
// a YAML file (LoadConfig) over DefaultConfig, so a file names only what it
// changes. Every field has a YAML key in snake_case; unknown keys are errors.
type Config struct {
	SCPs                  SCPs                  `yaml:"scps" json:"scps"`
	CentralizedRoot       CentralizedRoot       `yaml:"centralized_root" json:"centralized_root"`
	MemberRootCredentials MemberRootCredentials `yaml:"member_root_credentials" json:"member_root_credentials"`
	AlternateContacts     AlternateContacts     `yaml:"alternate_contacts" json:"alternate_contacts"`
	Alerting              Alerting              `yaml:"alerting" json:"alerting"`
}

// SCPs are the service control policies to create and attach. SCPs never
// restrict the management account; they protect member accounts.
type SCPs struct {
	// DenyRootActions denies every action to a member account's root user
	// signed in with its own credentials, exempting centralized root
	// sessions (aws:AssumedRoot), which are how the management account
	// performs the few root-only tasks.
	DenyRootActions SCPOptions `yaml:"deny_root_actions" json:"deny_root_actions"`
	// DenyRootAccessKeys denies iam:CreateAccessKey to the root user, even
	// where DenyRootActions is not attached (an exempt OU, say).
	DenyRootAccessKeys SCPOptions `yaml:"deny_root_access_keys" json:"deny_root_access_keys"`
	// ProtectContacts denies changes to the account's contact information,
	// alternate contacts and primary (root) email to every principal of a
	// member account except the admin roles.
	ProtectContacts ContactsSCPOptions `yaml:"protect_account_contacts" json:"protect_account_contacts"`
	// ExemptOUs and ExemptAccounts apply to every SCP above, in addition to
	// each policy's own exemptions.
	ExemptOUs      []string `yaml:"exempt_ous" json:"exempt_ous,omitempty"`
	ExemptAccounts []string `yaml:"exempt_accounts" json:"exempt_accounts,omitempty"`
}

// SCPOptions configure one generated SCP.
type SCPOptions struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Name is the policy's name in AWS Organizations; plan finds an
	// existing policy by this name.
	Name string `yaml:"name" json:"name"`
	// Targets are where the policy should take effect: "root" (the
	// organization root), a root ID (r-…), an OU ID (ou-…) or an account ID.
	Targets []string `yaml:"targets" json:"targets"`
	// ExemptOUs and ExemptAccounts are left outside the policy. As SCPs are
	// inherited, an exemption below a target turns the attachment into
	// attachments to every sibling subtree that holds no exemption.
	ExemptOUs      []string `yaml:"exempt_ous" json:"exempt_ous,omitempty"`
	ExemptAccounts []string `yaml:"exempt_accounts" json:"exempt_accounts,omitempty"`
}

// ContactsSCPOptions configure the contact-protection SCP.
type ContactsSCPOptions struct {
	SCPOptions `yaml:",inline"`
	// AdminRoleARNs are ARN patterns (ArnLike wildcards) of the roles that
	// may still change contacts inside a member account.
	AdminRoleARNs []string `yaml:"admin_role_arns" json:"admin_role_arns"`
}

// CentralizedRoot is centralized root access for member accounts: trusted
// access for IAM in Organizations, then the IAM features.
type CentralizedRoot struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Features are RootCredentialsManagement (remove and audit member root
	// credentials) and RootSessions (privileged root tasks such as
	// unlocking a bucket policy).
	Features []string `yaml:"features" json:"features"`
}

// MemberRootCredentials is the removal of member accounts' root
// credentials (password, access keys, signing certificates, MFA devices)
// through sts:AssumeRoot with the IAMDeleteRootUserCredentials task policy.
type MemberRootCredentials struct {
	Remove bool `yaml:"remove" json:"remove"`
	// MaxKeyLastUsedDays: deleting a root access key used within this many
	// days (or whose last use is unknown) needs apply's explicit flag.
	MaxKeyLastUsedDays int      `yaml:"max_key_last_used_days" json:"max_key_last_used_days"`
	ExemptAccounts     []string `yaml:"exempt_accounts" json:"exempt_accounts,omitempty"`
}

// AlternateContacts are set where an account has none of that type. There
// are no defaults: a type left unconfigured is reported as a gap.
type AlternateContacts struct {
	Security       *Contact `yaml:"security" json:"security,omitempty"`
	Billing        *Contact `yaml:"billing" json:"billing,omitempty"`
	Operations     *Contact `yaml:"operations" json:"operations,omitempty"`
	ExemptAccounts []string `yaml:"exempt_accounts" json:"exempt_accounts,omitempty"`
}

// Contact is one alternate contact (account:PutAlternateContact).
type Contact struct {
	Name  string `yaml:"name" json:"name"`
	Title string `yaml:"title" json:"title"`
	Email string `yaml:"email" json:"email"`
	Phone string `yaml:"phone" json:"phone"`
}

// Alerting is the root-activity alerting stack: an EventBridge rule in
// us-east-1 (where root console sign-ins are recorded) sending root API calls
// and root console sign-ins to an SNS topic with one subscription.
type Alerting struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Account is where the stack lives; empty means the management account
	// (or the standalone account).
	Account   string `yaml:"account" json:"account,omitempty"`
	RuleName  string `yaml:"rule_name" json:"rule_name"`
	TopicName string `yaml:"topic_name" json:"topic_name"`
	// Subscription has no default: without one the topic has no reader,
	// and the plan reports the gap.
	Subscription *Subscription `yaml:"subscription" json:"subscription,omitempty"`
	// AssumeRoleName is the role assumed in another account: by apply, to
	// deploy the stack in Account when it is not the management account
	// and a forwarding rule in a member account; by the exported Terraform,
	// to reach Account.
	AssumeRoleName string `yaml:"assume_role_name" json:"assume_role_name"`
	// ForwardAccounts deploys, in every other active account of the
	// organization where root-activity-alerting fails, a rule in us-east-1
	// that forwards root activity to Account's default event bus, and lets
	// each such account put events on that bus (hub and spoke: EventBridge
	// delivers an account's events to that account only).
	ForwardAccounts bool `yaml:"forward_accounts" json:"forward_accounts"`
	// ForwardRuleName names the forwarding rule in those accounts.
	ForwardRuleName string `yaml:"forward_rule_name" json:"forward_rule_name"`
}

// Subscription is an SNS subscription.
type Subscription struct {
	Protocol string `yaml:"protocol" json:"protocol"`
	Endpoint string `yaml:"endpoint" json:"endpoint"`
}

// Feature names of centralized root access (iam:ListOrganizationsFeatures).
const (
	FeatureRootCredentialsManagement = "RootCredentialsManagement"
	FeatureRootSessions              = "RootSessions"
)

// AlertRegion is where the alerting stack lives: root console sign-in
// events are delivered to EventBridge in us-east-1 only.
const AlertRegion = "us-east-1"

// DefaultConfig returns the defaults, which follow SEC01-BP02: all three SCPs
// at the organization root, centralized root access with both features,
// member root credentials removed (keys used in the last 90 days only with
// apply's explicit flag), alerting in the management account with every
// other account forwarding its root activity there. Contacts and the alert
// subscription have no defaults.
func DefaultConfig() Config {
	return Config{
		SCPs: SCPs{
			DenyRootActions:    SCPOptions{Enabled: true, Name: "rootguard-deny-root-actions", Targets: []string{"root"}},
			DenyRootAccessKeys: SCPOptions{Enabled: true, Name: "rootguard-deny-root-access-keys", Targets: []string{"root"}},
			ProtectContacts: ContactsSCPOptions{
				SCPOptions:    SCPOptions{Enabled: true, Name: "rootguard-protect-account-contacts", Targets: []string{"root"}},
				AdminRoleARNs: []string{"arn:aws:iam::*:role/OrganizationAccountAccessRole"},
			},
		},
		CentralizedRoot: CentralizedRoot{
			Enabled:  true,
			Features: []string{FeatureRootCredentialsManagement, FeatureRootSessions},
		},
		MemberRootCredentials: MemberRootCredentials{Remove: true, MaxKeyLastUsedDays: 90},
		Alerting: Alerting{
			Enabled:         true,
			RuleName:        "rootguard-root-activity",
			TopicName:       "rootguard-root-activity",
			AssumeRoleName:  "OrganizationAccountAccessRole",
			ForwardAccounts: true,
			ForwardRuleName: "rootguard-root-activity-forward",
		},
	}
}

// LoadConfig reads a YAML config file of at most filelimit.Config bytes
// over DefaultConfig and validates it.
func LoadConfig(path string) (Config, error) {
	data, err := filelimit.ReadFile(path, filelimit.Config)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return ParseConfig(path, data)
}

// ParseConfig decodes YAML over DefaultConfig, strictly (an unknown key is an
// error naming its line), and validates the result. The YAML is read
// through yamlx (a leading byte-order mark ignored; a second document, or
// aliases that expand past maxAliasNodes, are errors). name is used in
// error messages (a file path).
func ParseConfig(name string, data []byte) (Config, error) {
	doc, err := yamlx.ParseBounded(data, maxAliasNodes)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
	}
	cfg := DefaultConfig()
	if !yamlx.Empty(doc) {
		if err := yamlx.Decode(doc, &cfg, yaml.Strict()); err != nil {
			return Config{}, fmt.Errorf("config %s: %s%s", name, oneLine(yaml.FormatError(err, false, false)), yamlx.DidYouMean(err, configKeys))
		}
	}
	if err := cfg.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) && doc != nil {
			for i := range ve.Problems {
				if line := lineOf(doc, ve.Problems[i].Path); line > 0 {
					ve.Problems[i].Line = line
				}
			}
		}
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	return cfg, nil
}

// configKeys are the YAML keys of Config and of its sections, nested ones
// too.
var configKeys = yamlx.Keys(reflect.TypeFor[Config]())

// maxAliasNodes bounds the YAML nodes that aliases may add to a config, far
// below yamlx.MaxAliasNodes: reusing a list of a few hundred accounts in a
// handful of places stays well within it.
const maxAliasNodes = 10_000

// ValidationError lists every problem of a Config.
type ValidationError struct {
	Problems []Problem
}

// Problem is one invalid value, by its YAML path (scps.deny_root_actions.targets[1]).
type Problem struct {
	Path    string
	Line    int // 0 when not decoded from a file
	Message string
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		if p.Line > 0 {
			parts = append(parts, fmt.Sprintf("line %d: %s: %s", p.Line, p.Path, p.Message))
		} else {
			parts = append(parts, p.Path+": "+p.Message)
		}
	}
	return strings.Join(parts, "; ")
}

var (
	accountIDRe = regexp.MustCompile(`^\d{12}$`)
	rootIDRe    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouIDRe      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	// policyNameRe: Organizations policy names are 1-128 ASCII characters;
	// we also keep them usable as file and resource names.
	policyNameRe = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,128}$`)
	// ruleNameRe and topicNameRe are the EventBridge and SNS name rules.
	ruleNameRe  = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)
	topicNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	roleNameRe  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// phoneRe is account:PutAlternateContact's PhoneNumber pattern.
	phoneRe     = regexp.MustCompile(`^[\s0-9()+-]{1,25}$`)
	roleARNLike = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}|\*):role/\S+$`)
)

// maxKeyLastUsedDays bounds member_root_credentials.max_key_last_used_days:
// a century is longer than any key has existed.
const maxKeyLastUsedDays = 36500

// snsProtocols are the protocols sns:Subscribe accepts.
var snsProtocols = []string{"application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs"}

// Validate checks every value and returns a *ValidationError listing all
// problems, or nil.
func (c *Config) Validate() error {
	var ps []Problem
	bad := func(path, format string, a ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, a...)})
	}
	ids := func(path string, v []string, ok func(string) bool, want string) {
		for i, id := range v {
			if !ok(id) {
				bad(fmt.Sprintf("%s[%d]", path, i), "%q is not %s", id, want)
			}
		}
	}
	isAccount := accountIDRe.MatchString
	isOU := ouIDRe.MatchString
	isTarget := func(s string) bool {
		return s == "root" || rootIDRe.MatchString(s) || ouIDRe.MatchString(s) || accountIDRe.MatchString(s)
	}
	names := map[string]string{} // an enabled policy's name → its path
	scp := func(path string, o SCPOptions) {
		if !o.Enabled {
			return
		}
		if !policyNameRe.MatchString(o.Name) {
			bad(path+".name", "%q is not a policy name (1-128 of A-Z a-z 0-9 +=,.@_-)", o.Name)
		}
		if other, dup := names[o.Name]; dup {
			bad(path+".name", "%q is also the name of %s: each policy needs its own name", o.Name, other)
		}
		names[o.Name] = path
		if len(o.Targets) == 0 {
			bad(path+".targets", "no target: name \"root\", a root, OU or account ID, or set enabled: false")
		}
		ids(path+".targets", o.Targets, isTarget, `"root", a root ID (r-…), an OU ID (ou-…) or a 12-digit account ID`)
		ids(path+".exempt_ous", o.ExemptOUs, isOU, "an OU ID (ou-…)")
		ids(path+".exempt_accounts", o.ExemptAccounts, isAccount, "a 12-digit account ID")
	}
	scp("scps.deny_root_actions", c.SCPs.DenyRootActions)
	scp("scps.deny_root_access_keys", c.SCPs.DenyRootAccessKeys)
	scp("scps.protect_account_contacts", c.SCPs.ProtectContacts.SCPOptions)
	ids("scps.exempt_ous", c.SCPs.ExemptOUs, isOU, "an OU ID (ou-…)")
	ids("scps.exempt_accounts", c.SCPs.ExemptAccounts, isAccount, "a 12-digit account ID")
	if c.SCPs.ProtectContacts.Enabled {
		if len(c.SCPs.ProtectContacts.AdminRoleARNs) == 0 {
			bad("scps.protect_account_contacts.admin_role_arns", "no admin role: nobody in a member account could change its contacts; name one or set enabled: false")
		}
		ids("scps.protect_account_contacts.admin_role_arns", c.SCPs.ProtectContacts.AdminRoleARNs, roleARNLike.MatchString,
			"an IAM role ARN pattern (arn:aws:iam::ACCOUNT|*:role/NAME, wildcards allowed in the name)")
	}

	if c.CentralizedRoot.Enabled {
		if len(c.CentralizedRoot.Features) == 0 {
			bad("centralized_root.features", "no feature: name RootCredentialsManagement and/or RootSessions, or set enabled: false")
		}
		ids("centralized_root.features", c.CentralizedRoot.Features, func(s string) bool {
			return s == FeatureRootCredentialsManagement || s == FeatureRootSessions
		}, "a feature (RootCredentialsManagement or RootSessions)")
	}
	if days := c.MemberRootCredentials.MaxKeyLastUsedDays; c.MemberRootCredentials.Remove {
		switch {
		case days < 0:
			bad("member_root_credentials.max_key_last_used_days", "%d is negative", days)
		case days > maxKeyLastUsedDays:
			bad("member_root_credentials.max_key_last_used_days", "%d is more than %d days (a century)", days, maxKeyLastUsedDays)
		}
	}
	ids("member_root_credentials.exempt_accounts", c.MemberRootCredentials.ExemptAccounts, isAccount, "a 12-digit account ID")

	for _, t := range []struct {
		key string
		c   *Contact
	}{{"security", c.AlternateContacts.Security}, {"billing", c.AlternateContacts.Billing}, {"operations", c.AlternateContacts.Operations}} {
		if t.c == nil {
			continue
		}
		path := "alternate_contacts." + t.key
		checkLen := func(field, v string, n int) {
			switch {
			case strings.TrimSpace(v) == "":
				bad(path+"."+field, "required")
			case len(v) > n:
				bad(path+"."+field, "longer than %d characters", n)
			}
		}
		checkLen("name", t.c.Name, 64)
		checkLen("title", t.c.Title, 50)
		checkLen("email", t.c.Email, 254)
		checkLen("phone", t.c.Phone, 25)
		if t.c.Email != "" {
			if a, err := mail.ParseAddress(t.c.Email); err != nil || a.Address != t.c.Email {
				bad(path+".email", "%q is not a plain email address", t.c.Email)
			}
		}
		if t.c.Phone != "" && !phoneRe.MatchString(t.c.Phone) {
			bad(path+".phone", "%q: only digits, spaces and ( ) + - are allowed", t.c.Phone)
		}
	}
	ids("alternate_contacts.exempt_accounts", c.AlternateContacts.ExemptAccounts, isAccount, "a 12-digit account ID")

	if a := c.Alerting; a.Enabled {
		if a.Account != "" && !isAccount(a.Account) {
			bad("alerting.account", "%q is not a 12-digit account ID", a.Account)
		}
		if !ruleNameRe.MatchString(a.RuleName) {
			bad("alerting.rule_name", "%q is not an EventBridge rule name (1-64 of A-Z a-z 0-9 . - _)", a.RuleName)
		}
		if !topicNameRe.MatchString(a.TopicName) {
			bad("alerting.topic_name", "%q is not an SNS topic name (1-256 of A-Z a-z 0-9 - _)", a.TopicName)
		}
		if a.ForwardAccounts && !ruleNameRe.MatchString(a.ForwardRuleName) {
			bad("alerting.forward_rule_name", "%q is not an EventBridge rule name (1-64 of A-Z a-z 0-9 . - _)", a.ForwardRuleName)
		}
		if !roleNameRe.MatchString(a.AssumeRoleName) {
			bad("alerting.assume_role_name", "%q is not an IAM role name", a.AssumeRoleName)
		}
		if s := a.Subscription; s != nil {
			if !slices.Contains(snsProtocols, s.Protocol) {
				bad("alerting.subscription.protocol", "%q: want one of %s", s.Protocol, strings.Join(snsProtocols, ", "))
			}
			if strings.TrimSpace(s.Endpoint) == "" {
				bad("alerting.subscription.endpoint", "required")
			} else if (s.Protocol == "email" || s.Protocol == "email-json") && !strings.Contains(s.Endpoint, "@") {
				bad("alerting.subscription.endpoint", "%q is not an email address", s.Endpoint)
			}
		}
	}
	if len(ps) == 0 {
		return nil
	}
	slices.SortStableFunc(ps, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return &ValidationError{Problems: ps}
}

// lineOf returns the line of the YAML node at path (a Problem path), or 0
// when the file does not spell it out (a default value).
func lineOf(doc *ast.DocumentNode, path string) int {
	p, err := yaml.PathString("$." + path)
	if err != nil {
		return 0
	}
	n, err := p.FilterNode(doc.Body)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
