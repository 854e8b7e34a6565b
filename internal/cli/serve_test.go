package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestServeFlagErrors(t *testing.T) {
	t.Setenv("ROOTGUARD_TEST_EMPTY", "")
	t.Setenv("ROOTGUARD_TEST_SHORT", "short")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--snapshot", "s.json"}, ExitUsage, "unknown flag: --snapshot"},
		{[]string{"--interval", "500ms"}, ExitUsage, "--interval 500ms"},
		{[]string{"--demo", "--sqs-url", "https://sqs.example/q"}, ExitUsage, "--sqs-url does not apply with --demo"},
		{[]string{"--workers", "0"}, ExitUsage, "--workers 0"},
		{[]string{"--wait", "30s"}, ExitUsage, "--wait 30s"},
		{[]string{"--webhook-secret-env", "A", "--webhook-secret-file", "f"}, ExitUsage, "exclude each other"},
		{[]string{"--webhook-header", "X Key"}, ExitUsage, "--webhook-header"},
		{[]string{"--body-limit", "10"}, ExitUsage, "--body-limit 10"},
		{[]string{"--oidc-issuer", "https://id.example.com"}, ExitUsage, "--oidc-client-id"},
		{[]string{"--public-url", "ftp://x"}, ExitUsage, "--public-url"},
		{[]string{"--brute-force-threshold", "0"}, ExitUsage, "--brute-force-threshold"},
		{[]string{"--webhook-secret-env", "ROOTGUARD_TEST_EMPTY"}, ExitError, "$ROOTGUARD_TEST_EMPTY is empty"},
		{[]string{"--webhook-secret-env", "ROOTGUARD_TEST_SHORT"}, ExitError, "shorter than 16"},
		{[]string{"--webhook-secret-file", "/nonexistent/secret"}, ExitError, "--webhook-secret-file"},
	} {
		code, _, stderr := run(t, append([]string{"serve"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("serve %s: exit %d %q, want %d with %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
}

// TestServeDemo: serve --demo prints its URL, scans the demo organization,
// stores the alerts of its demo events and stops on --timeout with 0.
func TestServeDemo(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // a demo database of its own, whose scan lease is free
	urls := make(chan string, 1)
	serveListening = func(u string) { urls <- u }
	t.Cleanup(func() { serveListening = nil })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var stdout, stderr strings.Builder
		code := Run(ctx, []string{"serve", "--demo", "--listen", "127.0.0.1:0", "--wait", "1s"}, strings.NewReader(""), &stdout, &stderr)
		done <- result{code, stdout.String(), stderr.String()}
	}()
	var url string
	select {
	case url = <-urls:
	case r := <-done:
		t.Fatalf("serve --demo ended: exit %d\n%s", r.code, r.stderr)
	}
	metrics := ""
	for deadline := time.Now().Add(time.Minute); !strings.Contains(metrics, `rootguard_scans_total{result="ok"} 1`) ||
		!strings.Contains(metrics, `rootguard_alerts_total{result="new"}`); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute, no scan and no alert:\n%s", metrics)
		}
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(b)
	}
	// The dashboard: the admin signs in with the password serve --demo
	// wrote 0600 into the state directory and sees the organization.
	pwFile := filepath.Join(os.Getenv("XDG_STATE_HOME"), "rootguard", "demo-admin-password")
	if fi, err := os.Stat(pwFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo admin password file: %v %v", fi, err)
	}
	pw, _ := os.ReadFile(pwFile)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("%s: %s, CSP %q\n%s", resp.Request.URL, resp.Status, resp.Header.Get("Content-Security-Policy"), b)
		}
		return string(b)
	}
	login := page(client.Get(url + "/"))
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(login)
	if m == nil {
		t.Fatalf("/ did not lead to a sign-in form:\n%s", login)
	}
	overview := page(client.PostForm(url+"/login", neturl.Values{"csrf": {m[1]}, "username": {"admin"}, "password": {strings.TrimSpace(string(pw))}}))
	if !strings.Contains(overview, "acme-management") || !strings.Contains(overview, "SEC01-BP02") {
		t.Errorf("signed in, the overview does not show the demo organization:\n%s", overview)
	}
	cancel()
	r := <-done
	if r.code != ExitOK || !strings.Contains(r.stdout, "rootguard serve: listening on "+url) || !strings.Contains(r.stdout, pwFile) {
		t.Errorf("serve --demo: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
