package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/sim"
)

// promptWriter is a stderr that closes prompted when the confirmation
// question is written, so a test can act while apply waits for the answer.
type promptWriter struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	prompted chan struct{}
	once     sync.Once
}

func newPromptWriter() *promptWriter { return &promptWriter{prompted: make(chan struct{})} }

func (w *promptWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(b)
	if strings.Contains(w.buf.String(), "Only 'yes' is accepted") {
		w.once.Do(func() { close(w.prompted) })
	}
	return n, err
}

func (w *promptWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// applyResult is what a command run in the background ended with.
type applyResult struct {
	code        int
	out, stderr string
}

// startCommand runs a command in the background with the given stdin,
// stderr and context; the result arrives on the channel.
func startCommand(ctx context.Context, stdin io.Reader, stderr *promptWriter, newCmd func(*env) *cobra.Command, args ...string) <-chan applyResult {
	done := make(chan applyResult, 1)
	go func() {
		var stdout bytes.Buffer
		e := &env{stdin: stdin, stdout: &stdout, stderr: stderr, tty: stderr, log: slog.New(slog.DiscardHandler)}
		cmd := newCmd(e)
		cmd.SetArgs(args)
		cmd.SetOut(&stdout)
		cmd.SetErr(stderr)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.ExecuteContext(ctx)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		done <- applyResult{exitCode(err, true), stdout.String(), stderr.String() + msg}
	}()
	return done
}

// waitFor returns the command's result, failing the test if it does not
// end within five minutes (a bound for a hang, not a speed: the machine
// may be loaded).
func waitFor(t *testing.T, done <-chan applyResult, what string) applyResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(5 * time.Minute):
		t.Fatalf("%s did not end", what)
		return applyResult{}
	}
}

// demoPlan makes a plan of the demo organization in dir and returns its
// path and the demo source flags.
func demoPlanFile(t *testing.T, dir string) (string, []string) {
	t.Helper()
	planPath := filepath.Join(dir, "plan.json")
	src := []string{"--demo", "--state", filepath.Join(dir, "state.yaml")}
	if code, _, stderr := runCommand(t, newPlanCmd, append([]string{"--config", planConfig, "--out", planPath}, src...)...); code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	return planPath, src
}

func terminalStdin(t *testing.T) {
	old := stdinTerminal
	stdinTerminal = func(io.Reader) bool { return true }
	t.Cleanup(func() { stdinTerminal = old })
}

// TestApplyCancelAtPrompt: a cancelled context (Ctrl-C, SIGTERM) ends an
// apply waiting at the confirmation prompt at once, with nothing changed.
func TestApplyCancelAtPrompt(t *testing.T) {
	srv := captureServers(t)
	terminalStdin(t)
	dir := t.TempDir()
	planPath, src := demoPlanFile(t, dir)
	srv.take()

	pr, pw := io.Pipe() // stdin that never answers
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := newPromptWriter()
	auditLog := filepath.Join(dir, "audit.log")
	done := startCommand(ctx, pr, stderr, newApplyCmd, append([]string{planPath, "--allow-recent-key-deletion", "--audit-log", auditLog}, src...)...)
	select {
	case <-stderr.prompted:
	case r := <-done:
		t.Fatalf("apply ended before asking: exit %d: %s", r.code, r.stderr)
	}
	cancel()
	r := waitFor(t, done, "apply cancelled at the prompt")
	if r.code != ExitError || !strings.Contains(r.stderr, "cancelled") {
		t.Errorf("exit %d, stderr %q; want exit %d and a cancellation", r.code, r.stderr, ExitError)
	}
	if w := writes(srv.take()); len(w) != 0 {
		t.Errorf("%d writes after a cancellation", len(w))
	}
	if _, err := os.Stat(auditLog); err == nil {
		t.Error("a cancelled apply created the audit log")
	}
}

// TestApplyOtherOrganization: a plan made for another organization is
// refused before anything is shown, asked or created.
func TestApplyOtherOrganization(t *testing.T) {
	captureServers(t)
	terminalStdin(t)
	dir := t.TempDir()
	planPath, _ := demoPlanFile(t, dir)

	scn := sim.Demo()
	scn.Organization.ID = "o-other00demo"
	b, err := scn.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "other.yaml")
	if err := os.WriteFile(scenario, b, 0o600); err != nil {
		t.Fatal(err)
	}
	stdin := &readCounter{}
	auditLog := filepath.Join(dir, "audit.log")
	stderr := newPromptWriter()
	r := waitFor(t, startCommand(t.Context(), stdin, stderr, newApplyCmd, planPath, "--allow-recent-key-deletion",
		"--audit-log", auditLog, "--scenario", scenario, "--state", filepath.Join(dir, "other-state.yaml")), "apply")
	if r.code != ExitError || !strings.Contains(r.stderr, `made for organization "o-acme0demo1", the credentials reach "o-other00demo"`) {
		t.Fatalf("exit %d, stderr %q; want exit %d naming both organizations", r.code, r.stderr, ExitError)
	}
	if r.out != "" {
		t.Errorf("a plan for another organization was shown:\n%s", r.out)
	}
	if strings.Contains(r.stderr, "Only 'yes'") || stdin.n > 0 {
		t.Errorf("apply asked (%d reads of stdin): %s", stdin.n, r.stderr)
	}
	for _, p := range []string{auditLog, auditLog + ".key"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created", p)
		}
	}
}

type readCounter struct{ n int }

func (r *readCounter) Read([]byte) (int, error) { r.n++; return 0, io.EOF }

// TestApplyConcurrent: two applies of the same plan, each with its own
// audit log, while the first waits at the prompt: the organization's lock
// refuses the second before it reads anything, and only the first writes.
func TestApplyConcurrent(t *testing.T) {
	srv := captureServers(t)
	terminalStdin(t)
	dir := t.TempDir()
	planPath, src := demoPlanFile(t, dir)
	srv.take()

	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	logA, logB := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	stderrA := newPromptWriter()
	doneA := startCommand(t.Context(), pr, stderrA, newApplyCmd, append([]string{planPath, "--allow-recent-key-deletion", "--audit-log", logA}, src...)...)
	select {
	case <-stderrA.prompted:
	case r := <-doneA:
		t.Fatalf("first apply ended before asking: exit %d: %s", r.code, r.stderr)
	}
	rB := waitFor(t, startCommand(t.Context(), strings.NewReader(""), newPromptWriter(), newApplyCmd,
		append([]string{planPath, "--yes", "--allow-recent-key-deletion", "--audit-log", logB}, src...)...), "second apply")
	if rB.code != ExitError || !strings.Contains(rB.stderr, "another apply of organization o-acme0demo1 is running") {
		t.Errorf("second apply: exit %d, stderr %q; want a refusal naming the lock", rB.code, rB.stderr)
	}
	if _, err := io.WriteString(pw, "yes\n"); err != nil {
		t.Fatal(err)
	}
	rA := waitFor(t, doneA, "first apply")
	if rA.code != ExitOK {
		t.Fatalf("first apply: exit %d: %s\n%s", rA.code, rA.stderr, rA.out)
	}
	// Each apply serves the demo from its own endpoint: one may write.
	srv.mu.Lock()
	writers := 0
	for _, s := range srv.list {
		if len(writes(s.Calls())) > 0 {
			writers++
		}
	}
	srv.mu.Unlock()
	if writers != 1 {
		t.Errorf("%d applies wrote, want exactly 1", writers)
	}
	if st, err := os.Stat(logA); err != nil || st.Size() == 0 {
		t.Errorf("the first apply's audit log: %v", err)
	}
	if _, err := os.Stat(logB); err == nil {
		t.Error("the refused apply created its audit log")
	}
}
