package cli_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/sim"
)

func TestNotifyTest(t *testing.T) {
	srv, err := sim.Start(sim.Demo(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	key, secret := srv.Credentials()
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	var mu sync.Mutex
	var keys []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) //nolint:errcheck // the test reads the headers only.
		mu.Lock()
		keys = append(keys, r.Header.Get(notify.HeaderIdempotencyKey))
		mu.Unlock()
		if r.URL.Path == "/gone" {
			http.Error(w, "no such hook", http.StatusGone)
		}
	}))
	t.Cleanup(hook.Close)
	t.Setenv("TEST_SLACK_URL", hook.URL+"/slack")
	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(cfg, []byte(`schema: rootguard.notify/v1
destinations:
  - {name: chat, slack: {webhook_url_env: TEST_SLACK_URL}}
  - {name: topic, sns: {topic_arn: "arn:aws:sns:us-east-1:111111111111:root-activity-alerts"}}
  - {name: old-hook, webhook: {url: "`+hook.URL+`/gone"}}
default: [chat]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"notify", "test", "--config", cfg, "--endpoint-url", srv.URL(), "--region", "eu-west-1"}

	code, stdout, stderr := run(t, "", append(base, "--destination", "chat", "--destination", "topic")...)
	if code != cli.ExitOK || !strings.Contains(stdout, "chat                     sent    idempotency key rg-") ||
		!strings.Contains(stdout, "topic                    sent") || strings.Contains(stdout, "old-hook") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if p := srv.Published(); len(p) != 1 || !strings.Contains(p[0].Message, "rootguard notification test") {
		t.Errorf("published %+v", p)
	}
	code, stdout, stderr = run(t, "", base...)
	if code != cli.ExitError || !strings.Contains(stdout, "old-hook                 FAILED  POST answered 410 Gone") ||
		!strings.Contains(stderr, "1 of the destinations refused or could not be reached") {
		t.Errorf("a gone webhook: exit %d\n%s%s", code, stdout, stderr)
	}
	mu.Lock()
	n := len(keys)
	mu.Unlock()
	if n != 3 { // chat, then chat and old-hook
		t.Errorf("%d requests, want 3", n)
	}

	for _, tc := range []struct {
		name string
		args []string
		env  string
		code int
		want string
	}{
		{"no config", []string{"notify", "test"}, "", cli.ExitUsage, "--config is required"},
		{"unknown destination", append(base, "--destination", "pager"), "", cli.ExitError, `--destination "pager"`},
		{"a secret not set", base, "unset", cli.ExitError, "environment variable TEST_SLACK_URL is not set"},
		{"a missing file", []string{"notify", "test", "--config", cfg + ".nope"}, "", cli.ExitError, "notify " + cfg + ".nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == "unset" {
				t.Setenv("TEST_SLACK_URL", "")
			}
			code, stdout, stderr := run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q\n%s%s", code, tc.code, tc.want, stdout, stderr)
			}
		})
	}
}
