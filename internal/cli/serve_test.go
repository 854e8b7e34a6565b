package cli

import (
	"context"
	"io"
	"net/http"
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
		{[]string{"--notify", "routes.yaml"}, ExitUsage, "--notify"},
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
	cancel()
	r := <-done
	if r.code != ExitOK || !strings.Contains(r.stdout, "rootguard serve: listening on "+url) {
		t.Errorf("serve --demo: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
