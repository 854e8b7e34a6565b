package detect_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestRegistry: the registry passes the validation NewEngine makes, every rule is found by its
// ID, and each rule's testdata folder holds exactly the samples it lists.
func TestRegistry(t *testing.T) {
	if _, err := detect.NewEngine(detect.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	for _, r := range detect.Rules() {
		t.Run(r.ID, func(t *testing.T) {
			if detect.RuleByID(r.ID) != r {
				t.Errorf("RuleByID(%q) does not return the rule", r.ID)
			}
			listed := slices.Sorted(slices.Values(slices.Concat(r.TruePositives, r.FalsePositives)))
			entries, err := os.ReadDir(filepath.Join("testdata", "rules", r.ID))
			if err != nil {
				t.Fatal(err)
			}
			var onDisk []string
			for _, e := range entries {
				onDisk = append(onDisk, e.Name())
			}
			if diff := cmp.Diff(onDisk, listed); diff != "" {
				t.Errorf("samples on disk vs listed in the registry (-disk +listed):\n%s", diff)
			}
		})
	}
}

// TestRuleSamples runs every sample through a fresh engine: a tp- file must raise its folder's
// rule, an fp- file must not. The full alerts are compared with testdata/alerts.golden.json
// byte for byte (refresh with -update) so a change in severity, detail, root_required or
// the fields of an alert shows in review.
func TestRuleSamples(t *testing.T) {
	got := map[string][]detect.Alert{}
	for _, path := range sampleFiles(t) {
		rule := filepath.Base(filepath.Dir(path))
		name := rule + "/" + filepath.Base(path)
		alerts := run(t, detect.DefaultConfig(), name, loadRecords(t, path))
		got[name] = alerts
		t.Run(name, func(t *testing.T) {
			fired := ruleIDs(alerts)[rule]
			switch {
			case strings.HasPrefix(filepath.Base(path), "tp-") && fired == 0:
				t.Errorf("%s did not fire; fired: %v", rule, ruleIDs(alerts))
			case strings.HasPrefix(filepath.Base(path), "fp-") && fired > 0:
				t.Errorf("%s fired %d times on a false-positive sample", rule, fired)
			}
		})
	}
	golden := filepath.Join("testdata", "alerts.golden.json")
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	// -update writes the bytes compared below, so a rerun on an unchanged
	// tree leaves the file as it is.
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(b), "\n")); diff != "" {
		t.Errorf("alerts differ from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
	}
}

// TestRootRequired checks the classification against AWS's list of tasks that need root.
func TestRootRequired(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		rule     string
		want     bool
		wantTask string
	}{
		{"root access key is root's own credential", "root-access-key-created/tp-self-requestparameters-null.json", detect.RuleAccessKeyCreated, true, "manage the root user's own credentials"},
		{"root MFA enable", "root-mfa-changed/tp-enable-doc-example.json", detect.RuleMFAChanged, true, "manage the root user's own credentials"},
		{"password change", "root-password-changed/tp-password-updated.json", detect.RulePasswordChanged, true, "change or recover the root user password"},
		{"password recovery with a minimal identity", "root-password-recovery/tp-requested-minimal-identity.json", detect.RulePasswordRecovery, true, "change or recover the root user password"},
		{"listing buckets needs no root", "root-api-activity/tp-console-list-buckets-v104.json", detect.RuleAPIActivity, false, ""},
		{"creating an IAM user needs no root", "root-api-activity/tp-create-user-for-persistence.json", detect.RuleAPIActivity, false, ""},
		{"deleting a bucket policy is the deny-all unlock", "root-api-activity/tp-session-credential-from-console.json", detect.RuleAPIActivity, true, "edit or delete an S3 bucket policy that denies all principals"},
		{"AssumeRoot names its task", "assume-root-called/tp-s3-unlock.json", detect.RuleAssumeRootCalled, true, "edit or delete an S3 bucket policy that denies all principals"},
		{"centralized session on a root task", "assume-root-session/tp-delete-bucket-policy.json", detect.RuleAssumeRootSession, true, "edit or delete an S3 bucket policy that denies all principals"},
		{"centralized audit read is not a task", "assume-root-session/tp-audit-list-mfa-devices.json", detect.RuleAssumeRootSession, false, ""},
		{"root security questions are not on the list", "account-contact-changed/tp-root-set-security-questions.json", detect.RuleAccountContactChanged, false, ""},
		{"contact change by a role is never root-required", "account-contact-changed/tp-put-alternate-contact-org-admin.json", detect.RuleAccountContactChanged, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", "rules", tc.file)
			var found bool
			for _, a := range run(t, detect.DefaultConfig(), tc.file, loadRecords(t, path)) {
				if a.RuleID != tc.rule {
					continue
				}
				found = true
				if a.RootRequired != tc.want || a.RootTask != tc.wantTask {
					t.Errorf("root_required, root_task = %v, %q; want %v, %q", a.RootRequired, a.RootTask, tc.want, tc.wantTask)
				}
			}
			if !found {
				t.Fatalf("%s did not fire", tc.rule)
			}
		})
	}
}

// TestRootTaskTable runs the classifier on single synthetic actions.
func TestRootTaskTable(t *testing.T) {
	tests := []struct {
		name   string
		record string
		want   string
	}{
		{"close account", `{"eventSource":"billingconsole.amazonaws.com","eventName":"CloseAccount"}`, "close the account"},
		{"IAM access to billing", `{"eventSource":"billingconsole.amazonaws.com","eventName":"SetIAMAccessPreference"}`, "activate IAM access to the Billing and Cost Management console"},
		{"tax invoice", `{"eventSource":"billingconsole.amazonaws.com","eventName":"DownloadTaxInvoice"}`, "view tax invoices"},
		{"root email or password via account settings", `{"eventSource":"billingconsole.amazonaws.com","eventName":"SetAccountPreferences"}`, "change account settings (root email, password, name)"},
		{"MFA Delete", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"VersioningConfiguration":{"Status":"Enabled","MfaDelete":"Enabled"}}}`, "configure MFA Delete on an S3 bucket"},
		{"versioning without MFA Delete", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"VersioningConfiguration":{"Status":"Enabled"}}}`, ""},
		{"SQS policy", `{"eventSource":"sqs.amazonaws.com","eventName":"SetQueueAttributes","requestParameters":{"attributes":{"Policy":"{}"}}}`, "edit or delete an SQS queue policy that denies all principals"},
		{"SQS other attribute", `{"eventSource":"sqs.amazonaws.com","eventName":"SetQueueAttributes","requestParameters":{"attributes":{"VisibilityTimeout":"30"}}}`, ""},
		{"key for an IAM user", `{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":{"userName":"ci"}}`, ""},
		{"ordinary call", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := detect.DecodeRecord([]byte(tc.record))
			if err != nil {
				t.Fatal(err)
			}
			task, ok := detect.RootTask(r)
			if task != tc.want || ok != (tc.want != "") {
				t.Errorf("RootTask = %q, %v; want %q", task, ok, tc.want)
			}
		})
	}
}

// TestSampleRuleSets pins which rules fire on a few samples whose point is what does NOT fire
// alongside the rule under test.
func TestSampleRuleSets(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		// one event, one root alert: the catch-all stays quiet when a specific rule fired
		{"root-access-key-created/tp-console-invoked-by-signin.json", []string{detect.RuleAccessKeyCreated}},
		{"root-api-activity/fp-root-console-login.json", []string{detect.RuleConsoleLogin}},
		{"root-console-login-without-mfa/tp-mfa-no.json", []string{detect.RuleConsoleLogin, detect.RuleConsoleLoginWithoutMFA}},
		// a failed password change is still root use
		{"root-password-changed/fp-password-update-failed.json", []string{detect.RuleAPIActivity}},
		// root enabling MFA for an IAM user is root use, not a root MFA change
		{"root-mfa-changed/fp-root-enables-for-iam-user.json", []string{detect.RuleAPIActivity}},
		// centralized root sessions are their own class
		{"root-api-activity/fp-assumed-root-session.json", []string{detect.RuleAssumeRootSession}},
		{"root-login-profile-created/fp-assumed-root-session.json", []string{detect.RuleAssumeRootSession}},
		// root changing recovery paths: both the contact change and the root use
		{"account-contact-changed/tp-root-set-security-questions.json", []string{detect.RuleAccountContactChanged, detect.RuleAPIActivity}},
		// the AssumeRoot call itself, even with assumedRoot in its own session context
		{"assume-root-session/fp-assume-root-call-itself.json", []string{detect.RuleAssumeRootCalled}},
		// decoys
		{"root-console-login/fp-iam-user-named-root.json", nil},
		{"root-api-activity/fp-aws-service-event.json", nil},
		{"root-api-activity/fp-invoked-by-service.json", nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := ruleIDs(run(t, detect.DefaultConfig(), tc.file, loadRecords(t, filepath.Join("testdata", "rules", tc.file))))
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("rules fired (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScopeHasNeedles ties the byte prefilter to the rules' scopes: a record in a rule's scope
// must contain one of the rule's own Needles, or the archive scan would skip it undecoded. A
// clause about root (userIdentity.type or sessionIssuer.type Root, or the assumedRoot key) must
// have a needle in "Root"/"assumedRoot"; any other clause must name only events that hold one.
func TestScopeHasNeedles(t *testing.T) {
	for _, r := range detect.Rules() {
		has := func(s string) bool {
			return slices.ContainsFunc(r.Needles, func(n string) bool { return strings.Contains(s, n) })
		}
		for i, c := range r.Scope {
			if has(c.IdentityType) || has(c.IssuerType) || (c.AssumedRoot && has("assumedRoot")) {
				continue
			}
			if len(c.EventNames) == 0 {
				t.Errorf("%s clause %d: no root test and no event names: the prefilter cannot see it", r.ID, i)
			}
			for _, n := range c.EventNames {
				if !has(n) {
					t.Errorf("%s clause %d: event %s holds none of the rule's needles %q", r.ID, i, n, r.Needles)
				}
			}
		}
	}
}

// TestTruePositivesHaveNeedles: every true-positive sample of a rule holds one of the rule's own
// needles, as raw bytes, so the prefilter cannot hide it.
func TestTruePositivesHaveNeedles(t *testing.T) {
	for _, r := range detect.Rules() {
		for _, f := range r.TruePositives {
			raw, err := os.ReadFile(filepath.Join("testdata", "rules", r.ID, f))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(r.Needles, func(n string) bool { return strings.Contains(string(raw), n) }) {
				t.Errorf("%s/%s holds none of the rule's needles %q", r.ID, f, r.Needles)
			}
		}
	}
}

const (
	detectionDoc = "../../docs/detection.md"
	tableBegin   = "<!-- rule table: generated from the registry by go test ./internal/detect -run TestCatalogue -update; do not edit -->\n"
	tableEnd     = "<!-- end of rule table -->\n"
)

// ruleTable renders the rule table of docs/detection.md from the registry.
func ruleTable() string {
	var b strings.Builder
	b.WriteString("| rule | severity | what it matches | samples (tp/fp) |\n|---|---|---|---|\n")
	for _, r := range detect.Rules() {
		sev := string(r.Severity)
		if r.SeverityNote != "" {
			sev += " (" + r.SeverityNote + ")"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d / %d |\n", r.ID, sev, r.Summary, len(r.TruePositives), len(r.FalsePositives))
	}
	return b.String()
}

// TestCatalogue keeps the rule table of docs/detection.md, between its markers, in step with the
// registry; -update rewrites it there and leaves the prose around it alone.
func TestCatalogue(t *testing.T) {
	doc, err := os.ReadFile(detectionDoc)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(doc), tableBegin)
	_, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok || !ok2 {
		t.Fatalf("%s: no rule table markers %q ... %q", detectionDoc, tableBegin, tableEnd)
	}
	want := before + tableBegin + ruleTable() + tableEnd + after
	if *update {
		if err := os.WriteFile(detectionDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc) != want {
		t.Errorf("the rule table of %s is out of date with the registry; run go test ./internal/detect -run TestCatalogue -update", detectionDoc)
	}
}
