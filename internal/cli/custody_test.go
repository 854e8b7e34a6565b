package cli_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

// TestCustodyCommands records, shows, lists, exports and imports a custody
// registry on each store backend; every change is in the audit log, which
// verifies, and the output is the same on both.
func TestCustodyCommands(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, backend := range []string{store.SQLite, store.Postgres} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			db, log := storetest.DSN(t, backend), filepath.Join(dir, "audit.log")
			custody := func(args ...string) (int, string, string) {
				return run(t, "", append(append([]string{"custody"}, args...), "--db", db, "--audit-log", log)...)
			}
			steps := []struct {
				name   string
				args   []string
				code   int
				golden string // stdout's golden file, else want is in stdout
				want   string
			}{
				{"list empty", []string{"list"}, 0, "", "ACCOUNT"},
				{"set", []string{"set", "--account", "111111111111", "--password-holder", "alice", "--storage", "vault:break-glass vault@222222222222",
					"--mfa", "GAHT10000001=bob", "--phone-owner", "organization:SOC on-call line", "--email-owner", "person:Maria",
					"--person", "alice=Alice Example", "--person", "bob=Bob Example", "--generation", "64 random characters", "--attested-by", "alice"}, 0, "custody/set.golden", ""},
				{"set again", []string{"set", "--account", "111111111111", "--password-holder", "alice"}, 0, "", "No change"},
				{"show", []string{"show", "111111111111"}, 0, "custody/show.golden", ""},
				{"set one field", []string{"set", "--account", "111111111111", "--email-owner", "organization:aws-root list"}, 0, "", "updated account 111111111111"},
				{"list", []string{"list"}, 0, "custody/list.golden", ""},
				{"import", []string{"import", "testdata/custody/import.yaml"}, 0, "custody/import.golden", ""},
				{"export", []string{"export"}, 0, "custody/export.golden", ""},
				{"holder not among people", []string{"set", "--account", "111111111111", "--password-holder", "alise"}, 2, "", ""},
				{"bad account", []string{"set", "--account", "1234", "--password-holder", "alice"}, 2, "", ""},
				{"show unrecorded", []string{"show", "333333333333"}, 3, "", ""},
				{"import a bad file", []string{"import", "testdata/denied-org.yaml"}, 3, "", ""},
			}
			for _, s := range steps {
				code, out, stderr := custody(s.args...)
				if code != s.code {
					t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", s.name, code, s.code, out, stderr)
				}
				if s.golden != "" {
					checkGolden(t, s.golden, out)
				} else if !strings.Contains(out, s.want) {
					t.Errorf("%s: stdout %q, want it to contain %q", s.name, out, s.want)
				}
				if s.code != 0 && (strings.Count(strings.TrimSpace(stderr), "\n") > 0 || stderr == "") {
					t.Errorf("%s: stderr %q, want one line", s.name, stderr)
				}
			}
			// The refused ones name what is wrong.
			_, _, stderr := custody("set", "--account", "111111111111", "--password-holder", "alise")
			if !strings.Contains(stderr, `"alise" is not in people (did you mean alice?)`) {
				t.Errorf("stderr %q: want the unknown person and a suggestion", stderr)
			}
			_, _, stderr = custody("import", "testdata/denied-org.yaml")
			if !strings.Contains(stderr, "custody testdata/denied-org.yaml: ") {
				t.Errorf("stderr %q: want the file named", stderr)
			}

			out := filepath.Join(dir, "custody.yaml")
			if code, _, stderr := custody("export", out); code != 0 {
				t.Fatalf("export FILE: exit %d: %s", code, stderr)
			}
			if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("exported file: %v, mode %v; want 0600", err, info.Mode().Perm())
			}

			if code, stdout, stderr := run(t, "", "audit", "verify", "--log", log); code != 0 {
				t.Fatalf("audit verify: exit %d\n%s%s", code, stdout, stderr)
			}
			checkCustodyAudit(t, log)
		})
	}
}

// checkCustodyAudit: each change is an intent then an ok result by the
// local user; people appear only as HMACs.
func checkCustodyAudit(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	phases := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec struct {
			Actor, Operation, Phase, Outcome string
			AccountID                        string `json:"account_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(rec.Actor, "local:") || !strings.HasPrefix(rec.Operation, "rootguard:") {
			t.Errorf("record by %q of %q: want the local user changing the custody registry", rec.Actor, rec.Operation)
		}
		phases[rec.Phase+" "+rec.Outcome]++
		if strings.Contains(sc.Text(), "Alice") || strings.Contains(sc.Text(), `"alice"`) {
			t.Errorf("a person is named in plaintext: %s", sc.Text())
		}
	}
	// set: two people and an account; set one field: the account; import:
	// the account changed and 222222222222 added.
	if phases["intent "] != 6 || phases["result ok"] != 6 {
		t.Errorf("audit phases %v, want 6 intents and 6 ok results", phases)
	}
}

// TestScanCustodySources: scan holds the snapshot against --custody FILE,
// else the store's registry, else none (UNKNOWN, never PASS).
func TestScanCustodySources(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("ROOTGUARD_DB", "")
	db := storetest.DSN(t, store.SQLite)
	scan := func(extra ...string) map[string]string {
		t.Helper()
		args := append([]string{"scan", "--scenario", "testdata/denied-org.yaml", "--check", "custody-org-owned", "--format", "json"}, extra...)
		code, out, stderr := run(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, code, stderr)
		}
		var doc struct {
			Findings []struct {
				AccountID string `json:"account_id"`
				Status    string `json:"status"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range doc.Findings {
			got[f.AccountID] = f.Status
		}
		return got
	}
	if got := scan(); got["111111111111"] != "UNKNOWN" {
		t.Errorf("without a registry: %v, want UNKNOWN", got)
	}
	if got := scan("--custody", "testdata/custody/import.yaml"); got["111111111111"] != "PASS" || got["222222222222"] != "FAIL" {
		t.Errorf("--custody: %v, want 111111111111 PASS, 222222222222 FAIL", got)
	}
	if code, _, stderr := run(t, "", "custody", "import", "testdata/custody/import.yaml", "--db", db, "--audit-log", filepath.Join(t.TempDir(), "audit.log")); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if got := scan("--db", db); got["111111111111"] != "PASS" || got["222222222222"] != "FAIL" {
		t.Errorf("--db: %v, want 111111111111 PASS, 222222222222 FAIL", got)
	}
}
