package guardrail_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/guardrail"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		// edit turns DefaultConfig into the wanted config.
		edit func(*guardrail.Config)
	}{
		{"empty file keeps the defaults", "", func(*guardrail.Config) {}},
		{"comment only keeps the defaults", "# nothing\n", func(*guardrail.Config) {}},
		{"null keeps the defaults", "~\n", func(*guardrail.Config) {}},
		{"a nested key keeps its siblings", "scps:\n  deny_root_actions:\n    enabled: false\n",
			func(c *guardrail.Config) { c.SCPs.DenyRootActions.Enabled = false }},
		{"a list replaces the default", "scps:\n  deny_root_access_keys:\n    targets: [ou-abcd-12345678, \"123456789012\"]\n",
			func(c *guardrail.Config) {
				c.SCPs.DenyRootAccessKeys.Targets = []string{"ou-abcd-12345678", "123456789012"}
			}},
		{"inline SCP options of the contacts policy", "scps:\n  protect_account_contacts:\n    name: contacts\n    admin_role_arns: [\"arn:aws:iam::111111111111:role/Admin*\"]\n",
			func(c *guardrail.Config) {
				c.SCPs.ProtectContacts.Name = "contacts"
				c.SCPs.ProtectContacts.AdminRoleARNs = []string{"arn:aws:iam::111111111111:role/Admin*"}
			}},
		{"a disabled SCP is not validated", "scps:\n  deny_root_actions:\n    enabled: false\n    targets: []\n",
			func(c *guardrail.Config) {
				c.SCPs.DenyRootActions.Enabled, c.SCPs.DenyRootActions.Targets = false, []string{}
			}},
		{"contacts and subscription", "alternate_contacts:\n  billing: {name: F, title: Billing, email: f@example.com, phone: \"+1 (206) 555-0100\"}\nalerting:\n  subscription: {protocol: https, endpoint: https://hooks.example.com/root}\n",
			func(c *guardrail.Config) {
				c.AlternateContacts.Billing = &guardrail.Contact{Name: "F", Title: "Billing", Email: "f@example.com", Phone: "+1 (206) 555-0100"}
				c.Alerting.Subscription = &guardrail.Subscription{Protocol: "https", Endpoint: "https://hooks.example.com/root"}
			}},
		{"key window zero", "member_root_credentials:\n  max_key_last_used_days: 0\n",
			func(c *guardrail.Config) { c.MemberRootCredentials.MaxKeyLastUsedDays = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := guardrail.ParseConfig("g.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			want := guardrail.DefaultConfig()
			tt.edit(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// laughs is a "billion laughs" document of n levels, each a list of ten
// aliases of the level below: a few hundred bytes that expand to 10^n
// values.
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("x-0: &l0 [lol]\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "x-%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	return b.String()
}

// TestParseConfigAliases: aliases a config can reasonably use load; the
// bound refuses the same shape one level deeper.
func TestParseConfigAliases(t *testing.T) {
	ok := "scps:\n  exempt_accounts: &accts [\"111111111111\", \"222222222222\"]\nmember_root_credentials:\n  exempt_accounts: *accts\n"
	cfg, err := guardrail.ParseConfig("g.yaml", []byte(ok))
	if err != nil {
		t.Fatalf("a config with an alias: %v", err)
	}
	if got := cfg.MemberRootCredentials.ExemptAccounts; len(got) != 2 {
		t.Fatalf("the alias decoded to %q", got)
	}
	// 10^3 values is within the bound, 10^5 above it.
	if _, err := guardrail.ParseConfig("g.yaml", []byte(laughs(3))); err != nil && strings.Contains(err.Error(), "aliases expand") {
		t.Errorf("10^3 values refused: %v", err)
	}
	if _, err := guardrail.ParseConfig("g.yaml", []byte(laughs(5))); err == nil || !strings.Contains(err.Error(), "aliases expand") {
		t.Errorf("10^5 values: %v, want the alias bound", err)
	}
}

// TestParseConfigByteOrderMark: a leading UTF-8 byte-order mark (as some
// Windows editors write) is accepted, and lines are still counted.
func TestParseConfigByteOrderMark(t *testing.T) {
	_, err := guardrail.ParseConfig("g.yaml", []byte("\ufeffalerting:\n  enabled: false\n"))
	if err != nil {
		t.Fatalf("config with a byte-order mark: %v", err)
	}
	_, err = guardrail.ParseConfig("g.yaml", []byte("\ufeffscps:\n  exempt_ous: [x]\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2: scps.exempt_ous[0]") {
		t.Fatalf("problem after a byte-order mark: %v, want it on line 2", err)
	}
}

// TestLoadConfigTooLarge: a config over the size limit is refused before it
// is read whole (the file is sparse).
func TestLoadConfigTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	if err := errors.Join(os.WriteFile(path, nil, 0o600), os.Truncate(path, filelimit.Config+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := guardrail.LoadConfig(path); !errors.Is(err, filelimit.ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadConfig of a file over the limit: %v; want a too-large error naming %s", err, path)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown top-level key", "scp:\n  x: 1\n", []string{"config g.yaml:", "[1:1]", `unknown field "scp"`}},
		{"unknown nested key on its line", "scps:\n  deny_root_actions:\n    enabled: true\n    target: [root]\n", []string{"[4:5]", `unknown field "target" (did you mean targets?)`}},
		{"unknown top-level key suggested", "scp:\n  x: 1\n", []string{`unknown field "scp" (did you mean scps?)`}},
		{"unknown key in an inline section suggested", "scps:\n  protect_account_contacts:\n    admin_role_arn: []\n", []string{`(did you mean admin_role_arns?)`}},
		{"unknown key in a pointer section suggested", "alerting:\n  subscription: {protocol: email, endpiont: a@example.com}\n", []string{`(did you mean endpoint?)`}},
		{"unknown key far from every key", "frobnicate: 1\n", []string{`unknown field "frobnicate"`}},
		{"wrong type", "alerting:\n  enabled: yes please\n", []string{"config g.yaml:", "[2:12]"}},
		{"not YAML", "scps: [\n", []string{"config g.yaml:"}},
		{"tag without a value does not panic", "scps:\n  exempt_accounts: !foo\n", []string{"config g.yaml: cannot decode the YAML"}},
		{"bad target names its line", "scps:\n  deny_root_actions:\n    targets:\n      - root\n      - ou-x\n", []string{"config g.yaml:", "line 5: scps.deny_root_actions.targets[1]", `"ou-x" is not`}},
		{"no target", "scps:\n  deny_root_access_keys:\n    targets: []\n", []string{"line 3: scps.deny_root_access_keys.targets: no target"}},
		{"duplicate policy names", "scps:\n  deny_root_access_keys:\n    name: rootguard-deny-root-actions\n", []string{"is also the name of scps.deny_root_actions"}},
		{"bad exempt account", "scps:\n  exempt_accounts: [\"12345\"]\n", []string{`scps.exempt_accounts[0]: "12345" is not a 12-digit account ID`}},
		{"no admin role", "scps:\n  protect_account_contacts:\n    admin_role_arns: []\n", []string{"no admin role"}},
		{"admin role not a role ARN", "scps:\n  protect_account_contacts:\n    admin_role_arns: [\"arn:aws:iam::*:user/bob\"]\n", []string{"admin_role_arns[0]"}},
		{"unknown feature", "centralized_root:\n  features: [RootEverything]\n", []string{`centralized_root.features[0]: "RootEverything"`}},
		{"negative key window", "member_root_credentials:\n  max_key_last_used_days: -1\n", []string{"is negative"}},
		{"key window past a century", "member_root_credentials:\n  max_key_last_used_days: 9223372036854775807\n", []string{"member_root_credentials.max_key_last_used_days", "more than 36500 days"}},
		{"second document", "scps: {}\n---\nalerting: {enabled: false}\n", []string{"config g.yaml:", "holds 2 YAML documents"}},
		{"billion laughs", laughs(9), []string{"config g.yaml:", "aliases expand to more than 10000 nodes"}},
		{"alias inside its own anchor", "a: &a [*a]\n", []string{"config g.yaml:"}},
		{"tag without a value in a mapping", "scps: !foo\n", []string{"config g.yaml:"}},
		{"contact missing a field", "alternate_contacts:\n  security: {name: S, title: T, email: s@example.com}\n", []string{"alternate_contacts.security.phone: required"}},
		{"contact with a display-name email", "alternate_contacts:\n  security: {name: S, title: T, email: \"S <s@example.com>\", phone: \"1\"}\n", []string{"alternate_contacts.security.email"}},
		{"contact phone with letters", "alternate_contacts:\n  security: {name: S, title: T, email: s@example.com, phone: call-me}\n", []string{"alternate_contacts.security.phone"}},
		{"bad alert account", "alerting:\n  account: mgmt\n", []string{`alerting.account: "mgmt"`}},
		{"bad protocol", "alerting:\n  subscription: {protocol: pager, endpoint: x}\n", []string{`alerting.subscription.protocol: "pager"`}},
		{"email endpoint without @", "alerting:\n  subscription: {protocol: email, endpoint: security}\n", []string{"is not an email address"}},
		{"rule name too odd", "alerting:\n  rule_name: \"root activity\"\n", []string{"alerting.rule_name"}},
		{"every problem at once", "scps:\n  exempt_ous: [x]\nalerting:\n  account: y\n", []string{"alerting.account", "scps.exempt_ous[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := guardrail.ParseConfig("g.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestExampleConfig(t *testing.T) {
	got, err := guardrail.LoadConfig(filepath.Join("..", "..", "docs", "guardrails.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := guardrail.DefaultConfig()
	want.AlternateContacts = guardrail.AlternateContacts{
		Security: &guardrail.Contact{Name: "Example Security Operations", Title: "Security", Email: "aws-security@example.com", Phone: "+1 206 555 0100"},
	}
	want.Alerting.Subscription = &guardrail.Subscription{Protocol: "email", Endpoint: "aws-security@example.com"}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the example drifted from the defaults it documents (-want +got):\n%s", diff)
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := guardrail.LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("error %v, want it to name the file", err)
	}
}

// TestDemoConfig: the embedded demo config is valid and sets what the
// defaults leave to the organization, and nothing else.
func TestDemoConfig(t *testing.T) {
	got := guardrail.DemoConfig()
	want := guardrail.DefaultConfig()
	want.AlternateContacts = guardrail.AlternateContacts{
		Security:   &guardrail.Contact{Name: "Acme Security Operations", Title: "Security", Email: "security@acme.example", Phone: "+1 206 555 0100"},
		Billing:    &guardrail.Contact{Name: "Acme Finance", Title: "Billing", Email: "aws-billing@acme.example", Phone: "+1 206 555 0101"},
		Operations: &guardrail.Contact{Name: "Acme Cloud Operations", Title: "Operations", Email: "cloud-ops@acme.example", Phone: "+1 206 555 0102"},
	}
	want.Alerting.Subscription = &guardrail.Subscription{Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:222222222222:root-activity-alerts"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("demo config (-want +got):\n%s", diff)
	}
}
