package audit_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
)

// crashLogEnv names the log the helper process appends to until killed.
const crashLogEnv = "ROOTGUARD_AUDIT_CRASH_LOG"

// TestAppendUntilKilled is the helper process of TestKillDuringAppends;
// it does nothing in a normal run.
func TestAppendUntilKilled(t *testing.T) {
	path := os.Getenv(crashLogEnv)
	if path == "" {
		t.Skip("helper process of TestKillDuringAppends")
	}
	l, err := audit.Open(path, audit.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, e := range plan() {
			if err := l.Append(t.Context(), e); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestKillDuringAppends kills (SIGKILL) a process appending to a log at
// several moments: whatever the moment, the log and its head anchor verify
// (the head at most one entry behind), and the next Open continues the
// chain and brings the head up to date.
func TestKillDuringAppends(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	for round, after := range []time.Duration{30 * time.Millisecond, 70 * time.Millisecond, 110 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppendUntilKilled$")
		cmd.Env = append(os.Environ(), crashLogEnv+"="+path)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until it appends (the head moves), then let it run a little.
		before, _ := os.ReadFile(path + ".head")
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if now, err := os.ReadFile(path + ".head"); err == nil && len(now) > 0 && !bytes.Equal(now, before) {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("round %d: the helper never appended:\n%s", round, out.String())
			}
		}
		time.Sleep(after)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil {
			t.Fatalf("round %d: the helper ended by itself:\n%s", round, out.String())
		}
		res, err := audit.Verify(path, audit.Options{Key: testKey})
		if err != nil || !res.OK() || res.Entries == 0 {
			t.Fatalf("round %d: after SIGKILL Verify = %+v, %v", round, res, err)
		}
		l, err := audit.Open(path, audit.Options{Key: testKey})
		if err != nil {
			t.Fatalf("round %d: Open after SIGKILL: %v", round, err)
		}
		seq, _ := l.Head()
		l.Close()
		if seq != uint64(res.Entries) {
			t.Fatalf("round %d: Open continues at seq %d, Verify found %d entries", round, seq, res.Entries)
		}
		t.Logf("round %d: killed after %d entries", round, res.Entries)
	}
}
