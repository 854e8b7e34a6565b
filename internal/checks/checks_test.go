package checks

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/inventory"
)

// testCase is one testdata/<check-id>/<case>.json file: a small snapshot,
// the account to assess, optional configuration and the wanted result.
type testCase struct {
	Description string          `json:"description"`
	Account     string          `json:"account"`
	Config      caseConfig      `json:"config"`
	Want        caseWant        `json:"want"`
	Snapshot    json.RawMessage `json:"snapshot"`
	// Custody is the custody registry (rootguard.custody/v1, as JSON), if
	// any.
	Custody json.RawMessage `json:"custody"`
}

type caseConfig struct {
	Now                   *time.Time `json:"now"`
	OrgDomains            []string   `json:"org_domains"`
	SharedMailboxPatterns []string   `json:"shared_mailbox_patterns"`
	RecentUseWindowDays   int        `json:"recent_use_window_days"`
	PasswordMaxAgeDays    int        `json:"password_max_age_days"`
	MFAHardwareMaxAgeDays int        `json:"mfa_hardware_max_age_days"`
	// ContactVerifications is the store's verification history; absent
	// means no store was read.
	ContactVerifications *[]contacts.Verification `json:"contact_verifications"`
	// Drills is the store's drill history; absent means no store was read.
	Drills           *[]drill.Drill `json:"drills"`
	DomainExpiryDays int            `json:"domain_expiry_window_days"`
}

type caseWant struct {
	Status Status `json:"status"`
	// Detail is a substring the finding's detail must contain.
	Detail string `json:"detail"`
	// Evidence holds keys the finding's evidence must contain, with these
	// values (as JSON); other keys are not compared.
	Evidence map[string]any `json:"evidence"`
}

// testNow is the assessment time of every case that does not set one.
var testNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func (c caseConfig) config() Config {
	cfg := Config{
		Now:                   testNow,
		OrgDomains:            c.OrgDomains,
		SharedMailboxPatterns: c.SharedMailboxPatterns,
		RecentUseWindow:       time.Duration(c.RecentUseWindowDays) * day,
		PasswordMaxAge:        time.Duration(c.PasswordMaxAgeDays) * day,
		MFAHardwareMaxAge:     time.Duration(c.MFAHardwareMaxAgeDays) * day,
		DomainExpiryWindow:    time.Duration(c.DomainExpiryDays) * day,
	}
	if c.Now != nil {
		cfg.Now = *c.Now
	}
	if c.Drills != nil {
		cfg.Drills = &drill.History{Drills: *c.Drills}
	}
	if c.ContactVerifications != nil {
		cfg.Contacts = &contacts.History{Verifications: *c.ContactVerifications}
	}
	return cfg.withDefaults()
}

func loadCase(t *testing.T, path string) (testCase, *inventory.Snapshot) {
	t.Helper()
	return loadCaseTB(t, path)
}

func loadCaseTB(t testing.TB, path string) (testCase, *inventory.Snapshot) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tc testCase
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	snap, err := inventory.Decode(path, tc.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	return tc, snap
}

// jsonValue round-trips v through JSON so evidence compares as it renders.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("evidence is not JSON: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var evidenceKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestChecks runs every case under testdata/ and requires each registered
// check to have cases for PASS, FAIL and UNKNOWN.
func TestChecks(t *testing.T) {
	reg := Default()
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := reg.Lookup(d.Name()); d.IsDir() && !ok {
			t.Errorf("testdata/%s: no registered check has this ID", d.Name())
		}
	}
	for _, c := range reg.Checks() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			files, _ := filepath.Glob(filepath.Join("testdata", c.ID, "*.json"))
			if len(files) == 0 {
				t.Fatalf("no testdata/%s/*.json cases", c.ID)
			}
			seen := map[Status]bool{}
			for _, file := range files {
				name := strings.TrimSuffix(filepath.Base(file), ".json")
				tc, snap := loadCase(t, file)
				seen[tc.Want.Status] = true
				t.Run(name, func(t *testing.T) {
					acct := snap.Account(tc.Account)
					if acct == nil {
						t.Fatalf("account %q is not in the snapshot", tc.Account)
					}
					cfg := tc.Config.config()
					if tc.Custody != nil {
						r, err := custody.Parse(file, tc.Custody)
						if err != nil {
							t.Fatal(err)
						}
						cfg.Custody = r
					}
					f := c.assess(Input{Snapshot: snap, Account: acct, Config: cfg})
					if f.Status != tc.Want.Status {
						t.Errorf("status = %s, want %s (%s)\ndetail: %s\nevidence: %v", f.Status, tc.Want.Status, tc.Description, f.Detail, f.Evidence)
					}
					if !strings.Contains(f.Detail, tc.Want.Detail) {
						t.Errorf("detail = %q, want it to contain %q", f.Detail, tc.Want.Detail)
					}
					got := jsonValue(t, f.Evidence).(map[string]any)
					for k, want := range tc.Want.Evidence {
						if diff := cmp.Diff(jsonValue(t, want), got[k]); diff != "" {
							t.Errorf("evidence %q (-want +got):\n%s", k, diff)
						}
					}
					for k := range got {
						if !evidenceKey.MatchString(k) {
							t.Errorf("evidence key %q is not snake_case", k)
						}
					}
					s, _ := got["source_api"].(string)
					switch {
					case (f.Status == Pass || f.Status == Fail) && s == "":
						t.Errorf("%s finding names no source_api: %v", f.Status, got)
					case f.Status == Unknown && strings.Contains(f.Detail, " failed: ") && s == "":
						t.Errorf("UNKNOWN after a failed call names no source_api: %q %v", f.Detail, got)
					}
				})
			}
			for _, s := range []Status{Pass, Fail, Unknown} {
				if !seen[s] {
					t.Errorf("testdata/%s has no %s case", c.ID, s)
				}
			}
		})
	}
}

// requiredIDs are the built-in checks the design promises.
var requiredIDs = []string{
	"root-access-keys-absent", "root-signing-certificates-absent", "root-mfa-enabled", "root-mfa-hardware",
	"root-mfa-multiple-devices", "root-mfa-hardware-age", "root-recent-use", "root-password-age",
	"member-root-credentials-absent", "centralized-root-access-enabled", "contact-primary-complete",
	"contact-alternate-security", "contact-alternate-operations", "contact-alternate-billing", "contact-phone-valid", "contacts-verified-recent", "root-access-drill-recent",
	"root-email-org-domain", "root-email-shared-mailbox", "root-email-unique",
	"scp-deny-root-actions", "scp-deny-root-access-keys", "scp-assumed-root-exempt",
	"scp-management-account-uncovered", "trail-multi-region-logging", "root-activity-alerting",
	"guardduty-enabled", "guardduty-root-findings-routed", "root-email-circular-dependency", "recovery-path-cycle", "recovery-single-point",
	"root-email-domain-registration",
	"custody-two-person", "custody-complete", "custody-storage-independent", "custody-org-owned",
	"root-virtual-mfa-orphaned", "assume-root-restricted",
}

var cisRef = regexp.MustCompile(`^v[0-9]+\.[0-9]+(\.[0-9]+)?:[0-9]+(\.[0-9]+)+$`)

func TestDefault(t *testing.T) {
	reg := Default()
	if _, err := NewRegistry(reg.Checks()...); err != nil {
		t.Fatalf("default registry does not validate: %v", err)
	}
	var ids []string
	for _, c := range reg.Checks() {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	want := slices.Clone(requiredIDs)
	slices.Sort(want)
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("registered IDs (-want +got):\n%s", diff)
	}
	for _, c := range reg.Checks() {
		t.Run(c.ID, func(t *testing.T) {
			for _, s := range []string{"PASS:", "FAIL:", "UNKNOWN:", "NOT_APPLICABLE:"} {
				if !strings.Contains(c.Doc, "\n"+s) {
					t.Errorf("Doc does not say what %s means", strings.TrimSuffix(s, ":"))
				}
			}
			if first, _, _ := strings.Cut(c.Doc, "\n"); !strings.HasPrefix(first, "Checks ") {
				t.Errorf("Doc starts %q, want \"Checks …\"", first)
			}
			if len(strings.TrimSpace(c.Remediation)) < 40 {
				t.Errorf("Remediation is too thin: %q", c.Remediation)
			}
			for _, r := range c.References.CIS {
				if !cisRef.MatchString(r) {
					t.Errorf("CIS reference %q is not version:section", r)
				}
			}
			for _, line := range strings.Split(c.Doc+"\n"+c.Remediation, "\n") {
				if len(line) > 110 {
					t.Errorf("line longer than 110 characters (explain output wraps badly): %q", line)
				}
			}
		})
	}
}

// TestInactiveAccount runs every check on a suspended account: none may
// assess it.
func TestInactiveAccount(t *testing.T) {
	for _, state := range []string{"SUSPENDED", "PENDING_CLOSURE", "CLOSED"} {
		snap := &inventory.Snapshot{Schema: inventory.Schema, Accounts: []inventory.Account{{ID: "555555555555", State: state, Role: inventory.RoleMember}}}
		for _, f := range Default().Assess(snap, Config{Now: testNow}) {
			if f.Status != NotApplicable || !strings.Contains(f.Detail, state) {
				t.Errorf("%s on a %s account: %s %q, want NOT_APPLICABLE naming the state", f.CheckID, state, f.Status, f.Detail)
			}
		}
	}
}

// TestNothingCollected: an account with no facts at all is never PASS.
func TestNothingCollected(t *testing.T) {
	for _, role := range []string{inventory.RoleManagement, inventory.RoleMember, inventory.RoleStandalone} {
		snap := &inventory.Snapshot{Schema: inventory.Schema, Accounts: []inventory.Account{{ID: "555555555555", State: "ACTIVE", Role: role}}}
		for _, f := range Default().Assess(snap, Config{Now: testNow}) {
			if f.Status == Pass || f.Status == Fail {
				t.Errorf("%s (%s) with nothing collected: %s %q, want UNKNOWN or NOT_APPLICABLE", f.CheckID, role, f.Status, f.Detail)
			}
		}
	}
}

// TestPure: checks never read the clock (Config.Now is the time) and never
// import anything that talks to AWS.
func TestPure(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if strings.Contains(imp.Path.Value, "aws-sdk-go") || strings.Contains(imp.Path.Value, "net/http") {
				t.Errorf("%s imports %s: checks read only the snapshot", file, imp.Path.Value)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "Now" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && file != "check.go" {
					t.Errorf("%s: calls time.Now; use Config.Now", fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
}
