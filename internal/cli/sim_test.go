package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

// runSim runs `rootguard sim ARGS` in process (the command is not yet on
// the root command) and returns its exit code.
func runSim(ctx context.Context, stdout, stderr io.Writer, args ...string) int {
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, log: slog.New(slog.DiscardHandler)}
	cmd := newSimCmd(e)
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		io.WriteString(stderr, err.Error()+"\n")
	}
	return exitCode(err, true)
}

// exports reads the `export NAME=value` lines.
func exports(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
	}
	return m
}

func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

func TestSimServeUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"serve"}, "give --demo, --scenario FILE, or a --state FILE that exists"},
		{"demo and scenario", []string{"serve", "--demo", "--scenario", "x.yaml"}, "--demo and --scenario exclude each other"},
		{"all interfaces", []string{"serve", "--demo", "--addr", "0.0.0.0:4566"}, "not a loopback address"},
		{"no host", []string{"serve", "--demo", "--addr", ":4566"}, "not a loopback address"},
		{"a LAN address", []string{"serve", "--demo", "--addr", "10.0.0.5:4566"}, "not a loopback address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runSim(cancelled(t), &stdout, &stderr, tc.args...); code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, ExitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

// TestSimServePrintsTheRealAddress: port 0 becomes the port listened on,
// and the credentials are shell lines; a cancelled context stops it and the
// state is saved.
func TestSimServePrintsTheRealAddress(t *testing.T) {
	state := filepath.Join(t.TempDir(), "nested", "state.yaml")
	var stdout, stderr bytes.Buffer
	if code := runSim(cancelled(t), &stdout, &stderr, "serve", "--demo", "--addr", "127.0.0.1:0", "--state", state); code != ExitOK {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	ex := exports(stdout.String())
	url := ex["AWS_ENDPOINT_URL"]
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Errorf("AWS_ENDPOINT_URL = %q, want the real loopback port", url)
	}
	delete(ex, "AWS_ENDPOINT_URL")
	want := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIAROOTGUARDSIM0001",
		"AWS_SECRET_ACCESS_KEY": "rootguard-sim-caller-secret-access-key",
		"AWS_DEFAULT_REGION":    "us-east-1",
		"AWS_REGION":            "us-east-1",
	}
	if diff := cmp.Diff(want, ex); diff != "" {
		t.Errorf("exports (-want +got)\n%s", diff)
	}
	if _, err := sim.LoadScenario(state); err != nil {
		t.Errorf("saved state: %v", err)
	}
	if !strings.Contains(stderr.String(), "state saved to "+state) {
		t.Errorf("stderr %q does not say where the state went", stderr.String())
	}
}

// serveSim runs `rootguard sim ARGS` in the background until its exports
// are printed; stop stops it and returns its exit code and stderr.
func serveSim(t *testing.T, args ...string) (ex map[string]string, stop func() (int, string)) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runSim(ctx, pw, &stderr, args...)
		pw.Close()
	}()
	ex = map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		for k, v := range exports(sc.Text()) {
			ex[k] = v
		}
		if _, ok := ex["AWS_REGION"]; ok {
			break
		}
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain until the command ends
	return ex, func() (int, string) { cancel(); return <-done, stderr.String() }
}

// TestSimServeWritableKeepsWrites serves the demo writably, makes a write
// through the SDK with the printed credentials, stops the endpoint and
// serves the saved state again: the write is there.
func TestSimServeWritableKeepsWrites(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.yaml")
	topics := func(ex map[string]string) []string {
		c := sns.NewFromConfig(aws.Config{
			Region: ex["AWS_REGION"], BaseEndpoint: aws.String(ex["AWS_ENDPOINT_URL"]),
			Credentials: credentials.NewStaticCredentialsProvider(ex["AWS_ACCESS_KEY_ID"], ex["AWS_SECRET_ACCESS_KEY"], ""),
		})
		_, err := c.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("rootguard-root-activity")})
		var ae smithy.APIError
		switch {
		case ex["mode"] == "writable" && err != nil:
			t.Errorf("CreateTopic: %v", err)
		case ex["mode"] != "writable" && (!errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied"):
			t.Errorf("CreateTopic on a read-only endpoint: %v, want AccessDenied", err)
		}
		out, err := c.ListTopics(t.Context(), &sns.ListTopicsInput{})
		if err != nil {
			t.Fatalf("ListTopics: %v", err)
		}
		var arns []string
		for _, tp := range out.Topics {
			arns = append(arns, aws.ToString(tp.TopicArn))
		}
		return arns
	}

	ex, stop := serveSim(t, "serve", "--demo", "--writable", "--addr", "127.0.0.1:0", "--state", state)
	if len(ex) != 5 {
		t.Fatalf("exports = %v", ex)
	}
	ex["mode"] = "writable"
	first := topics(ex)
	if code, stderr := stop(); code != ExitOK {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}

	// Read-only this time: the saved topic is served, a new write refused.
	ex, stop = serveSim(t, "serve", "--demo", "--addr", "127.0.0.1:0", "--state", state)
	second := topics(ex)
	if code, stderr := stop(); code != ExitOK {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	want := []string{"arn:aws:sns:us-east-1:111111111111:root-activity-alerts", "arn:aws:sns:us-east-1:111111111111:rootguard-root-activity"}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("topics while writable (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("topics served from the saved state (-want +got)\n%s", diff)
	}
	if _, err := os.Stat(state); err != nil {
		t.Error(err)
	}
}

// TestSimServeKeepsDatesFixed: the demo gives its dates relative to now
// ("enabled 3 years ago"); the endpoint answers the same dates for as long
// as it runs, so a plan made against it is not stale at apply.
func TestSimServeKeepsDatesFixed(t *testing.T) {
	ex, stop := serveSim(t, "serve", "--demo", "--addr", "127.0.0.1:0")
	defer stop()
	c := iam.NewFromConfig(aws.Config{
		Region: ex["AWS_DEFAULT_REGION"], BaseEndpoint: aws.String(ex["AWS_ENDPOINT_URL"]),
		Credentials: credentials.NewStaticCredentialsProvider(ex["AWS_ACCESS_KEY_ID"], ex["AWS_SECRET_ACCESS_KEY"], ""),
	})
	created := func() map[string]string {
		out, err := c.ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{})
		if err != nil {
			t.Fatalf("ListVirtualMFADevices: %v", err)
		}
		m := map[string]string{}
		for _, d := range out.VirtualMFADevices {
			if d.EnableDate != nil {
				m[aws.ToString(d.SerialNumber)] = d.EnableDate.Format(time.RFC3339Nano)
			}
		}
		return m
	}
	first := created()
	if len(first) == 0 {
		t.Fatal("the demo's caller account lists no enabled virtual MFA device")
	}
	time.Sleep(1100 * time.Millisecond) // the wire format has whole seconds
	if diff := cmp.Diff(first, created()); diff != "" {
		t.Errorf("MFA device enable dates a second later (-first +second)\n%s", diff)
	}
}
