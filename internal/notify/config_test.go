package notify_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/notify"
)

func TestLoadExample(t *testing.T) {
	cfg, err := notify.Load("testdata/notify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Destinations) != 4 || len(cfg.Routes) != 2 || cfg.Destinations[0].RateLimit != 20 ||
		time.Duration(cfg.Dedup.Window) != 10*time.Minute || cfg.Retry.MaxAttempts != 8 || cfg.Default[0] != "security-topic" {
		t.Errorf("decoded %+v", cfg)
	}
}

const minimal = `schema: rootguard.notify/v1
destinations:
  - name: hook
    webhook: {url: "https://hooks.example.com/x"}
routes:
  - {min_severity: high, to: [hook]}
`

func TestParseDefaults(t *testing.T) {
	cfg, err := notify.Parse([]byte(minimal), "n.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def := notify.DefaultConfig()
	if cfg.Dedup != def.Dedup || cfg.Retry != def.Retry || cfg.Lease != def.Lease {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	off, err := notify.Parse([]byte(minimal+"dedup: {window: 0s}\n"), "n.yaml")
	if err != nil || off.Dedup.Window != 0 {
		t.Errorf("window 0s: %+v, %v", off.Dedup, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"empty", "", `schema "": want "rootguard.notify/v1"`},
		{"unknown key", minimal + "colour: red\n", `unknown field "colour"`},
		{"did you mean", minimal + "dedupe: {}\n", `unknown field "dedupe" (did you mean dedup?)`},
		{"two documents", minimal + "---\n" + minimal, "more than one YAML document"},
		{"unknown destination", strings.Replace(minimal, "to: [hook]", "to: [hoook]", 1), `routes[0].to[0] "hoook": no such destination (did you mean hook?)`},
		{"unknown rule", minimal + "  - {rules: [root-console-logn], to: [hook]}\n", `no such rule (rootguard rules lists them) (did you mean root-console-login?)`},
		{"bad severity", strings.Replace(minimal, "high", "severe", 1), `min_severity "severe"`},
		{"two kinds", strings.Replace(minimal, "    webhook:", "    slack: {webhook_url_env: X}\n    webhook:", 1), "want exactly one of slack, sns, email and webhook, not 2"},
		{"plain http", strings.Replace(minimal, "https://hooks.example.com", "http://hooks.example.com", 1), `scheme "http": want https`},
		{"credentials in the URL", strings.Replace(minimal, "https://", "https://user:pw@", 1), "without credentials"},
		{"bad duration", minimal + "lease: 2 minutes\n", "want a number with a unit"},
		{"bad topic", strings.Replace(minimal, `webhook: {url: "https://hooks.example.com/x"}`, `sns: {topic_arn: "arn:aws:sqs:us-east-1:111111111111:q"}`, 1), "want an SNS topic ARN"},
		{"mail header injection", strings.Replace(minimal, `webhook: {url: "https://hooks.example.com/x"}`, `email: {host: smtp.example.com, from: "a@example.com\nBcc: x@evil.example", to: [b@example.com]}`, 1), "not a mail address"},
		{"password in clear", strings.Replace(minimal, `webhook: {url: "https://hooks.example.com/x"}`, `email: {host: smtp.example.com, from: a@example.com, to: [b@example.com], username: u, password_env: P, plaintext: true}`, 1), "credentials never cross a network in clear"},
		{"duplicate names", strings.Replace(minimal, "routes:", "  - name: hook\n    webhook: {url: \"https://hooks.example.com/y\"}\nroutes:", 1), `name "hook": given twice`},
		{"runbook without account", minimal + "runbook_url: https://wiki.example.com/rb\n", "want {account}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.Parse([]byte(tc.yaml), "n.yaml")
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "notify n.yaml: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to begin \"notify n.yaml: \" and hold %q", msg, tc.want)
			}
		})
	}
}

// TestDocExample: the example in docs/notify.md parses to the same
// configuration as the test's example file.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/notify.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("docs/notify.md holds no yaml block")
	}
	got, err := notify.Parse([]byte(block), "docs/notify.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := notify.Load("testdata/notify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("docs/notify.md's example differs from testdata/notify.yaml (-testdata +doc):\n%s", d)
	}
}
