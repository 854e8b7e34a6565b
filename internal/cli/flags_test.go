package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/sim"
)

// assertOneLineUsage checks a usage error: exit 2 and one stderr line that
// contains every want.
func assertOneLineUsage(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	if code != ExitUsage {
		t.Errorf("exit %d; want %d (stderr %q)", code, ExitUsage, stderr)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "rootguard: ") {
		t.Errorf("stderr is not one rootguard: line: %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not contain %q", stderr, w)
		}
	}
}

// TestTrailGenerateBounds refuses, before allocating anything, values that
// would exhaust memory or disk, naming the flag.
func TestTrailGenerateBounds(t *testing.T) {
	out := filepath.Join(t.TempDir(), "corpus")
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--size-mb", "1e12"}, "--size-mb"},
		{[]string{"--size-mb", "NaN"}, "--size-mb"},
		{[]string{"--size-mb", "0"}, "--size-mb"},
		{[]string{"--accounts", "100000000"}, "--accounts"},
		{[]string{"--accounts", "0"}, "--accounts"},
		{[]string{"--days", "1000000"}, "--days"},
		{[]string{"--file-min-mb", "0"}, "--file-min-mb"},
		{[]string{"--file-max-mb", "1e9"}, "--file-max-mb"},
		{[]string{"--file-min-mb", "4", "--file-max-mb", "2"}, "--file-max-mb"},
		{[]string{"--size-mb", "100000", "--file-min-mb", "0.01", "--file-max-mb", "0.02"}, "--file-min-mb"},
		{[]string{"--preset", "tiny"}, "--preset"},
		{[]string{"--preset", "small", "--large-share", "2"}, "--large-share"},
		{[]string{"--noise", "-1"}, "--noise"},
		{[]string{"--noise", "1000000000"}, "--noise"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"trail", "generate", "--out", out}, tc.args...)...)
			assertOneLineUsage(t, code, stderr, tc.flag)
		})
	}
}

func TestVersionFlag(t *testing.T) {
	code, want, _ := run(t, "version")
	if code != ExitOK || !strings.HasPrefix(want, "rootguard ") {
		t.Fatalf("version: exit %d, %q", code, want)
	}
	code, got, stderr := run(t, "--version")
	if code != ExitOK || got != want {
		t.Errorf("--version: exit %d, %q (stderr %q); want what version prints, %q", code, got, stderr, want)
	}
}

func TestDurationsInDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30d", 30 * 24 * time.Hour, false},
		{"0d", 0, false},
		{"90m", 90 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"-5m", -5 * time.Minute, false},
		{"d", 0, true},
		{"1.5d", 0, true},
		{"-3d", 0, true},
		{"106752d", 0, true}, // past time.Duration's range
		{"thirty", 0, true},
	} {
		got, err := parseDuration(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	for d, want := range map[time.Duration]string{90 * 24 * time.Hour: "90d", 36 * time.Hour: "36h0m0s", 0: "0s", 10 * time.Minute: "10m0s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q; want %q", d, got, want)
		}
	}
	// On the command line: days accepted, a bad value names its flag.
	code, out, stderr := run(t, "scan", "--demo", "--format", "json", "--password-max-age", "3650d", "--timeout", "1d")
	if code != ExitOK || !strings.Contains(out, `"check_id"`) {
		t.Errorf("scan with days: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "scan", "--demo", "--recent-use-window", "soon")
	assertOneLineUsage(t, code, stderr, "--recent-use-window", "30d")
	// Help shows defaults in days.
	_, help, _ := run(t, "scan", "--help")
	if !strings.Contains(help, "(default 90d)") {
		t.Errorf("scan --help shows no default in days:\n%s", help)
	}
}

func TestLogLevelErrorHasNoSlogPrefix(t *testing.T) {
	code, _, stderr := run(t, "--log-level", "loud", "version")
	assertOneLineUsage(t, code, stderr, "--log-level", `"loud"`)
	if strings.Contains(stderr, "slog:") {
		t.Errorf("stderr leaks the slog: prefix: %q", stderr)
	}
}

func TestExplainDidYouMean(t *testing.T) {
	code, _, stderr := run(t, "explain", "root-mfa-hardwre")
	assertOneLineUsage(t, code, stderr, `no check "root-mfa-hardwre"`, "did you mean root-mfa-hardware?")
	code, _, stderr = run(t, "explain", "NOPE")
	assertOneLineUsage(t, code, stderr, `no check "NOPE"`)
	if strings.Contains(stderr, "did you mean") {
		t.Errorf("a suggestion for NOPE: %q", stderr)
	}
}

// TestAuditVerifyEmptyLog: docs/exit-codes.md says an empty --log is a
// usage error (2), not a request for the default log.
func TestAuditVerifyEmptyLog(t *testing.T) {
	t.Setenv("ROOTGUARD_AUDIT_LOG", filepath.Join(t.TempDir(), "audit.log"))
	code, _, stderr := run(t, "audit", "verify", "--log", "")
	assertOneLineUsage(t, code, stderr, "--log")
}

// TestNoCredentialsOneLine points a command at the simulator with no
// credentials anywhere: one line saying so, not the SDK's IMDS text.
func TestNoCredentialsOneLine(t *testing.T) {
	srv, err := sim.Start(sim.Demo(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	none := filepath.Join(t.TempDir(), "none")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "us-east-1")
	code, _, stderr := run(t, "scan", "--endpoint-url", srv.URL())
	if code != ExitError {
		t.Errorf("exit %d; want %d", code, ExitError)
	}
	if want := "rootguard: " + awsclient.ErrNoCredentials.Error() + "\n"; stderr != want {
		t.Errorf("stderr %q; want %q", stderr, want)
	}
}
