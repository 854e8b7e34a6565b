package notify

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/severity"
	"github.com/rootguard/rootguard/internal/suggest"
	"github.com/rootguard/rootguard/internal/yamlx"
)

// Schema is the routing file's schema.
const Schema = "rootguard.notify/v1"

// Config is the routing file: where alerts go and how.
type Config struct {
	Schema string `yaml:"schema"`
	// RunbookURL is the runbook link of an alert that carries none, with
	// {account} replaced by its account ID (as trail scan --runbook-url).
	RunbookURL   string        `yaml:"runbook_url,omitempty"`
	Destinations []Destination `yaml:"destinations"`
	Routes       []Route       `yaml:"routes,omitempty"`
	// Default names the destinations of an alert that matches no route;
	// without it such an alert is counted as unrouted.
	Default []string `yaml:"default,omitempty"`
	Dedup   Dedup    `yaml:"dedup"`
	Retry   Retry    `yaml:"retry"`
	// Lease is how long a dispatcher holds a delivery it is sending;
	// another takes it over, as a possible repeat, once it runs out.
	Lease Duration `yaml:"lease"`
}

// Destination is one place alerts are sent: exactly one of Slack, SNS,
// Email and Webhook.
type Destination struct {
	Name    string   `yaml:"name"`
	Slack   *Slack   `yaml:"slack,omitempty"`
	SNS     *SNS     `yaml:"sns,omitempty"`
	Email   *Email   `yaml:"email,omitempty"`
	Webhook *Webhook `yaml:"webhook,omitempty"`
	// RateLimit is how many messages a minute the destination receives at
	// most (0: no limit); the rest wait in the outbox.
	RateLimit int `yaml:"rate_limit_per_minute,omitempty"`
}

// Slack is a Slack incoming webhook. Its URL is a secret: it is read from
// the environment variable URLEnv and never logged.
type Slack struct {
	URLEnv string `yaml:"webhook_url_env"`
}

// SNS is an Amazon SNS topic.
type SNS struct {
	TopicARN string `yaml:"topic_arn"`
}

// Email is mail submitted to an SMTP server, over STARTTLS unless
// Plaintext allows a server without it (a local relay).
type Email struct {
	Host      string   `yaml:"host"`
	Port      int      `yaml:"port,omitempty"`
	From      string   `yaml:"from"`
	To        []string `yaml:"to"`
	Username  string   `yaml:"username,omitempty"`
	Plaintext bool     `yaml:"plaintext,omitempty"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"password_env,omitempty"`
}

// Webhook is a generic HTTPS endpoint that receives each notification as
// JSON. With SecretEnv, each body is signed with HMAC-SHA256 under the
// secret that variable holds.
type Webhook struct {
	URL       string `yaml:"url"`
	SecretEnv string `yaml:"secret_env,omitempty"`
}

// Route sends the alerts it matches to destinations: alerts of one of
// Rules (any rule when empty) at MinSeverity or above (any when empty).
type Route struct {
	Rules       []string       `yaml:"rules,omitempty"`
	MinSeverity severity.Level `yaml:"min_severity,omitempty"`
	To          []string       `yaml:"to"`
}

// Dedup folds the alerts of one rule and account into the first for
// Window: the first is sent at once, one update follows the window's end.
// A zero window sends every alert.
type Dedup struct {
	Window Duration `yaml:"window"`
}

// Retry is how a failed delivery is tried again: after InitialBackoff,
// doubling up to MaxBackoff (each wait drawn between half and all of it),
// until MaxAttempts attempts, then given up.
type Retry struct {
	MaxAttempts    int      `yaml:"max_attempts"`
	InitialBackoff Duration `yaml:"initial_backoff"`
	MaxBackoff     Duration `yaml:"max_backoff"`
}

// Duration is a time.Duration written as Go writes one (10m, 1h30m).
type Duration time.Duration

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want a number with a unit, such as 30s, 10m or 1h", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as Go does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// DefaultConfig is what a routing file starts from: a ten-minute
// de-duplication window, eight attempts from 30 s backoff up to an hour,
// two-minute leases.
func DefaultConfig() Config {
	return Config{
		Schema: Schema,
		Dedup:  Dedup{Window: Duration(10 * time.Minute)},
		Retry:  Retry{MaxAttempts: 8, InitialBackoff: Duration(30 * time.Second), MaxBackoff: Duration(time.Hour)},
		Lease:  Duration(2 * time.Minute),
	}
}

// configKeys are the keys a routing file may hold, for "did you mean".
var configKeys = yamlx.Keys(reflect.TypeFor[Config]())

// maxAliasNodes bounds what YAML aliases may add to a routing file.
const maxAliasNodes = 10_000

// Load reads a routing file (at most filelimit.Config bytes).
func Load(path string) (Config, error) {
	data, err := filelimit.ReadFile(path, filelimit.Config)
	if err != nil {
		return Config{}, fmt.Errorf("notify %s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse decodes a routing file strictly over DefaultConfig and validates
// it. name is used in error messages (a file path); every error is one
// line that begins "notify NAME: ".
func Parse(data []byte, name string) (Config, error) {
	doc, err := yamlx.ParseBounded(data, maxAliasNodes)
	if err != nil {
		return Config{}, fmt.Errorf("notify %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
	}
	cfg := DefaultConfig()
	cfg.Schema = ""
	if !yamlx.Empty(doc) {
		if err := yamlx.Decode(doc, &cfg, yaml.Strict()); err != nil {
			return Config{}, fmt.Errorf("notify %s: %s%s", name, oneLine(yaml.FormatError(err, false, false)), yamlx.DidYouMean(err, configKeys))
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("notify %s: %w", name, err)
	}
	return cfg, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	envRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
)

// Validate checks the whole configuration and returns every problem,
// joined, each naming its place in the file.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Schema != Schema {
		bad("schema %q: want %q", c.Schema, Schema)
	}
	if c.RunbookURL != "" && !strings.Contains(c.RunbookURL, "{account}") {
		bad("runbook_url %q: want {account} where the account ID goes", c.RunbookURL)
	}
	if len(c.Destinations) == 0 {
		bad("destinations: none given")
	}
	var names []string
	for i, d := range c.Destinations {
		at := fmt.Sprintf("destinations[%d]", i)
		switch {
		case !nameRE.MatchString(d.Name):
			bad("%s.name %q: want 1 to 64 lower-case letters, digits, '.', '_' or '-'", at, d.Name)
		case slices.Contains(names, d.Name):
			bad("%s.name %q: given twice", at, d.Name)
		}
		names = append(names, d.Name)
		if d.RateLimit < 0 {
			bad("%s.rate_limit_per_minute %d: want 0 (no limit) or more", at, d.RateLimit)
		}
		kinds := 0
		if d.Slack != nil {
			kinds++
			checkEnv(bad, at+".slack.webhook_url_env", d.Slack.URLEnv, true)
		}
		if d.SNS != nil {
			kinds++
			if a, ok := delivery.ParseARN(d.SNS.TopicARN); !ok || a.Service != "sns" || a.Region == "" || a.Account == "" || a.Resource == "" {
				bad("%s.sns.topic_arn %q: want an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", at, d.SNS.TopicARN)
			}
		}
		if d.Email != nil {
			kinds++
			checkEmail(bad, at+".email", d.Email)
		}
		if d.Webhook != nil {
			kinds++
			if err := checkURL(d.Webhook.URL); err != nil {
				bad("%s.webhook.url: %v", at, err)
			}
			checkEnv(bad, at+".webhook.secret_env", d.Webhook.SecretEnv, false)
		}
		if kinds != 1 {
			bad("%s (%s): want exactly one of slack, sns, email and webhook, not %d", at, d.Name, kinds)
		}
	}
	checkTo := func(at string, to []string, required bool) {
		if required && len(to) == 0 {
			bad("%s: no destination named", at)
		}
		for j, n := range to {
			if !slices.Contains(names, n) {
				bad("%s[%d] %q: no such destination%s", at, j, n, suggest.DidYouMean(n, names))
			}
		}
	}
	ruleIDs := []string{detect.RuleRootActivityUnapproved}
	for _, r := range detect.Rules() {
		ruleIDs = append(ruleIDs, r.ID)
	}
	for i, r := range c.Routes {
		at := fmt.Sprintf("routes[%d]", i)
		for j, id := range r.Rules {
			if !slices.Contains(ruleIDs, id) {
				bad("%s.rules[%d] %q: no such rule (rootguard rules lists them)%s", at, j, id, suggest.DidYouMean(id, ruleIDs))
			}
		}
		if r.MinSeverity != "" && r.MinSeverity.Rank() < 0 {
			bad("%s.min_severity %q: want info, low, medium, high or critical", at, r.MinSeverity)
		}
		checkTo(at+".to", r.To, true)
	}
	checkTo("default", c.Default, false)
	if c.Dedup.Window < 0 {
		bad("dedup.window %s: want 0 (no de-duplication) or more", time.Duration(c.Dedup.Window))
	}
	if c.Retry.MaxAttempts < 1 {
		bad("retry.max_attempts %d: want 1 or more", c.Retry.MaxAttempts)
	}
	if c.Retry.InitialBackoff <= 0 || c.Retry.MaxBackoff < c.Retry.InitialBackoff {
		bad("retry: want 0 < initial_backoff (%s) <= max_backoff (%s)", time.Duration(c.Retry.InitialBackoff), time.Duration(c.Retry.MaxBackoff))
	}
	if c.Lease < Duration(time.Second) {
		bad("lease %s: want 1s or more (longer than a send takes)", time.Duration(c.Lease))
	}
	return errors.Join(errs...)
}

func checkEnv(bad func(string, ...any), at, name string, required bool) {
	if (name != "" || required) && !envRE.MatchString(name) {
		bad("%s %q: want the name of an environment variable", at, name)
	}
}

func checkEmail(bad func(string, ...any), at string, e *Email) {
	if e.Host == "" || strings.ContainsAny(e.Host, " /:@") {
		bad("%s.host %q: want a host name", at, e.Host)
	}
	if e.Port < 0 || e.Port > 65535 {
		bad("%s.port %d: want 1 to 65535 (587 when not given)", at, e.Port)
	}
	for i, a := range append([]string{e.From}, e.To...) {
		field := at + ".from"
		if i > 0 {
			field = fmt.Sprintf("%s.to[%d]", at, i-1)
		}
		if _, err := mail.ParseAddress(a); err != nil || strings.ContainsAny(a, "\r\n") {
			bad("%s %q: not a mail address", field, a)
		}
	}
	if len(e.To) == 0 {
		bad("%s.to: no recipient", at)
	}
	checkEnv(bad, at+".password_env", e.PasswordEnv, false)
	if e.PasswordEnv != "" && e.Username == "" {
		bad("%s: password_env without a username", at)
	}
	if e.Username != "" && e.Plaintext {
		bad("%s: a username with plaintext: credentials never cross a network in clear", at)
	}
}

// checkURL accepts an https URL, or http to a loopback address (a local
// relay, a test).
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("want an https URL without credentials")
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("scheme %q: want https (http only to a loopback address)", u.Scheme)
}
