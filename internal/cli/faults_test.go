package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/inventory"
)

// TestScanFaults runs scenarios whose endpoint refuses chosen calls with
// AccessDenied and checks, finding by finding, that a check whose fact was
// refused is UNKNOWN naming the call and the error, that a fact read from a
// second source still decides, and that the other accounts are assessed.
func TestScanFaults(t *testing.T) {
	type want struct {
		account, check string
		status         string
		detail         []string // substrings of the detail
		source         string   // evidence source_api, when it matters
	}
	tests := []struct {
		name     string
		scenario string
		accounts int
		want     []want
	}{
		{
			name:     "member reads refused",
			scenario: "testdata/denied-member.yaml",
			accounts: 9,
			want: []want{
				// iam:ListAccessKeys refused, the account summary still counts keys.
				{"222222222222", "root-access-keys-absent", "PASS", nil, "iam:GetAccountSummary"},
				// Both refused: no source of the keys is left.
				{"777777777777", "root-access-keys-absent", "UNKNOWN", []string{"iam:ListAccessKeys failed: AccessDenied", "iam:GetAccountSummary failed: AccessDenied"}, ""},
				{"777777777777", "member-root-credentials-absent", "UNKNOWN", []string{"iam:ListAccessKeys failed: AccessDenied"}, ""},
				{"777777777777", "root-recent-use", "UNKNOWN", []string{"iam:ListAccessKeys failed: AccessDenied"}, ""},
				// MFA devices refused both ways, the password is known.
				{"888888888888", "root-mfa-enabled", "UNKNOWN", []string{"iam:ListMFADevices failed: AccessDenied"}, ""},
				{"888888888888", "root-mfa-hardware", "UNKNOWN", []string{"iam:ListMFADevices failed: AccessDenied"}, ""},
				{"888888888888", "root-mfa-multiple-devices", "UNKNOWN", []string{"iam:ListMFADevices failed: AccessDenied"}, ""},
				{"888888888888", "root-mfa-hardware-age", "UNKNOWN", []string{"iam:ListMFADevices failed: AccessDenied"}, ""},
				{"888888888888", "member-root-credentials-absent", "FAIL", []string{"password"}, ""},
				// Contacts refused.
				{"444444444444", "contact-primary-complete", "UNKNOWN", []string{"account:GetContactInformation failed: AccessDenied"}, ""},
				{"444444444444", "contact-alternate-security", "UNKNOWN", []string{"account:GetAlternateContact failed: AccessDenied"}, ""},
				{"444444444444", "contact-alternate-billing", "UNKNOWN", []string{"account:GetAlternateContact failed: AccessDenied"}, ""},
				{"444444444444", "contact-phone-valid", "UNKNOWN", []string{"account:GetContactInformation failed: AccessDenied"}, ""},
				// Detective controls and mail facts refused.
				{"555555555555", "guardduty-enabled", "UNKNOWN", []string{"guardduty:ListDetectors failed: AccessDenied"}, ""},
				{"555555555555", "root-activity-alerting", "UNKNOWN", []string{"events:ListRules failed: AccessDenied"}, ""},
				{"555555555555", "root-email-circular-dependency", "UNKNOWN", []string{"route53:ListHostedZones failed: AccessDenied"}, ""},
				// The organization trail is read in the management account.
				{"555555555555", "trail-multi-region-logging", "PASS", []string{"read in the management account 111111111111"}, ""},
				// Every IAM, Account Management and STS call refused.
				{"999999999999", "root-access-keys-absent", "UNKNOWN", []string{"sts:AssumeRoot failed: AccessDenied"}, ""},
				{"999999999999", "contact-alternate-operations", "UNKNOWN", []string{"account:GetAlternateContact failed: AccessDenied"}, ""},
				{"999999999999", "guardduty-enabled", "UNKNOWN", []string{"sts:AssumeRole failed: AccessDenied"}, ""},
				// The clean account is assessed as usual.
				{"666666666666", "root-activity-alerting", "PASS", []string{"root-activity"}, ""},
				{"666666666666", "guardduty-enabled", "PASS", nil, ""},
				{"666666666666", "member-root-credentials-absent", "PASS", nil, ""},
			},
		},
		{
			name:     "organization reads refused",
			scenario: "testdata/denied-org.yaml",
			accounts: 2,
			want: []want{
				{"111111111111", "centralized-root-access-enabled", "UNKNOWN", []string{"iam:ListOrganizationsFeatures failed: AccessDenied"}, ""},
				{"111111111111", "root-access-keys-absent", "UNKNOWN", []string{"iam:GenerateCredentialReport failed: AccessDenied", "iam:GetAccountSummary failed: AccessDenied"}, ""},
				{"111111111111", "root-mfa-enabled", "UNKNOWN", []string{"iam:GetAccountSummary failed: AccessDenied"}, ""},
				{"111111111111", "root-mfa-hardware", "UNKNOWN", []string{"iam:ListVirtualMFADevices failed: AccessDenied"}, ""},
				{"111111111111", "root-recent-use", "UNKNOWN", []string{"iam:GenerateCredentialReport failed: AccessDenied"}, ""},
				// A missing control is known even though MFA is not: FAIL.
				{"111111111111", "scp-management-account-uncovered", "FAIL", []string{"missing: root activity alerting", "root MFA: not known"}, ""},
				{"222222222222", "scp-deny-root-actions", "UNKNOWN", []string{"organizations:ListTargetsForPolicy failed: AccessDenied"}, ""},
				{"222222222222", "scp-deny-root-access-keys", "UNKNOWN", []string{"organizations:ListTargetsForPolicy failed: AccessDenied"}, ""},
				{"222222222222", "scp-assumed-root-exempt", "UNKNOWN", []string{"organizations:ListTargetsForPolicy failed: AccessDenied"}, ""},
				{"222222222222", "member-root-credentials-absent", "PASS", nil, ""},
			},
		},
		{
			name:     "one Region refused",
			scenario: "testdata/denied-region.yaml",
			accounts: 2,
			want: []want{
				// eu-west-1 was read and lacks a detector: FAIL despite the refused Region.
				{"111111111111", "guardduty-enabled", "FAIL", []string{"eu-west-1: no detector", "not read in ap-south-1"}, ""},
				// Only the refused Region is left open.
				{"222222222222", "guardduty-enabled", "UNKNOWN", []string{"detectors of ap-south-1 were not read", "guardduty:ListDetectors failed: AccessDenied"}, ""},
				// A rule in us-east-1 does not see root API calls made elsewhere.
				{"111111111111", "root-activity-alerting", "FAIL", []string{"root API calls made in ap-south-1, eu-west-1 reach nobody"}, ""},
				// eu-west-1 has its own rule; ap-south-1's rules were refused.
				{"222222222222", "root-activity-alerting", "UNKNOWN", []string{"root API calls in ap-south-1", "events:ListRules failed: AccessDenied"}, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := run(t, "scan", "--scenario", tt.scenario, "--format", "json")
			if code != ExitOK {
				t.Fatalf("exit %d, want %d (UNKNOWN findings do not change the exit code); stderr:\n%s", code, ExitOK, stderr)
			}
			doc := decodeFindings(t, out)
			type found struct {
				status, detail, source string
			}
			got := map[[2]string]found{}
			perAccount := map[string]int{}
			for _, f := range doc.Findings {
				src, _ := f.Evidence["source_api"].(string)
				got[[2]string{f.AccountID, f.CheckID}] = found{f.Status, f.Detail, src}
				perAccount[f.AccountID]++
				assertUnknownHasReason(t, f.AccountID, f.CheckID, f.Status, f.Detail, f.Evidence)
			}
			// One unreadable account never aborts the run: every account
			// gets every check.
			n := len(checks.Default().Checks())
			if len(perAccount) != tt.accounts {
				t.Errorf("findings for %d accounts, want %d", len(perAccount), tt.accounts)
			}
			for id, c := range perAccount {
				if c != n {
					t.Errorf("account %s has %d findings, want %d", id, c, n)
				}
			}
			for _, w := range tt.want {
				f, ok := got[[2]string{w.account, w.check}]
				if !ok {
					t.Errorf("%s %s: no finding", w.account, w.check)
					continue
				}
				if f.status != w.status {
					t.Errorf("%s %s = %s, want %s; detail: %s", w.account, w.check, f.status, w.status, f.detail)
				}
				for _, s := range w.detail {
					if !strings.Contains(f.detail, s) {
						t.Errorf("%s %s detail %q does not mention %q", w.account, w.check, f.detail, s)
					}
				}
				if w.source != "" && f.source != w.source {
					t.Errorf("%s %s decided from %q, want %q", w.account, w.check, f.source, w.source)
				}
			}
		})
	}
}

// assertUnknownHasReason fails an UNKNOWN finding that does not say why and
// from which call.
func assertUnknownHasReason(t *testing.T, account, check, status, detail string, ev map[string]any) {
	t.Helper()
	if status != "UNKNOWN" {
		return
	}
	src, _ := ev["source_api"].(string)
	if !strings.HasPrefix(detail, "could not assess: ") || len(detail) <= len("could not assess: ") || src == "" {
		t.Errorf("UNKNOWN %s/%s without a reason and its source: detail %q, source_api %q", account, check, detail, src)
	}
}

// TestScanOrganizationUnlisted: without the account list nothing can be
// assessed, so the run stops with one line naming the call.
func TestScanOrganizationUnlisted(t *testing.T) {
	code, out, stderr := run(t, "scan", "--scenario", "testdata/denied-list-accounts.yaml")
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	if out != "" {
		t.Errorf("stdout not empty: %q", out)
	}
	line := strings.TrimSpace(stderr)
	if strings.Contains(line, "\n") || !strings.Contains(line, "organizations:ListAccounts") || !strings.Contains(line, "AccessDenied") {
		t.Errorf("stderr %q: want one line naming organizations:ListAccounts and AccessDenied", stderr)
	}
	if strings.Contains(line, "collect: collect:") {
		t.Errorf("stderr %q repeats its prefix", line)
	}
}

// TestStreamsNeverMixed: results go to stdout, logs to stderr, whatever the
// log level; without a terminal there is no progress line either.
func TestStreamsNeverMixed(t *testing.T) {
	slogLine := regexp.MustCompile(`^time=\S+ level=(DEBUG|INFO|WARN|ERROR) msg=`)
	tests := []struct {
		name       string
		args       []string
		wantStderr bool // debug logs expected
		stdout     func(t *testing.T, out string)
	}{
		{"json, default log level", []string{"scan", "--demo", "--format", "json"}, false, func(t *testing.T, out string) {
			decodeFindings(t, out)
		}},
		{"json, debug logs", []string{"scan", "--demo", "--format", "json", "--log-level", "debug"}, true, func(t *testing.T, out string) {
			decodeFindings(t, out)
		}},
		{"table, debug logs", []string{"scan", "--demo", "--log-level", "debug"}, true, func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "rootguard findings report\n") || !strings.Contains(out, "FINDINGS BY ACCOUNT") {
				t.Errorf("stdout is not the findings table:\n%.300s", out)
			}
		}},
		{"snapshot to stdout, debug logs", []string{"collect", "--demo", "--out", "-", "--log-level", "debug"}, true, func(t *testing.T, out string) {
			var snap struct {
				Schema string `json:"schema"`
			}
			dec := json.NewDecoder(strings.NewReader(out))
			if err := dec.Decode(&snap); err != nil || snap.Schema != inventory.Schema || dec.More() {
				t.Errorf("stdout is not one snapshot document (schema %q, err %v)", snap.Schema, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%.2000s", code, stderr)
			}
			tt.stdout(t, out)
			if !tt.wantStderr {
				if stderr != "" {
					t.Errorf("stderr not empty at the default log level (no terminal, so no progress either):\n%.500s", stderr)
				}
				return
			}
			if stderr == "" {
				t.Fatal("no debug log on stderr")
			}
			for i, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if !slogLine.MatchString(l) {
					t.Errorf("stderr line %d is not a log record: %q", i+1, l)
					break
				}
			}
			if strings.Contains(out, "level=DEBUG") {
				t.Error("a log record reached stdout")
			}
		})
	}
}

// TestTableExplainsSCPDecisions: the human report says, per account, which
// policy at which level and which statement decided the SCP outcome; FAIL
// findings always, PASS findings with --verbose.
func TestTableExplainsSCPDecisions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		account string
		want    []string
	}{
		{"NotAction hole", []string{"scan", "--demo"}, "prod-payments (666666666666)", []string{
			`FAIL high scp-deny-root-actions`,
			`iam:CreateAccessKey, iam:CreateLoginProfile, iam:CreateUser, iam:EnableMFADevice: exempted by NotAction "iam:*" (statement "DenyRootMostActions" of policy DenyRootNotAction (p-denyrootnotact) attached to OU Workloads/Prod`,
		}},
		{"no root-deny SCP", []string{"scan", "--demo"}, "marketing-site (131313131313)", []string{
			`FAIL high scp-deny-root-access-keys`,
			`no Deny statement at any level covers it`,
		}},
		{"deny without the AssumedRoot exemption", []string{"scan", "--demo"}, "dev-platform (101010101010)", []string{
			`FAIL medium scp-assumed-root-exempt`,
			`statement "GRRESTRICTROOTUSER" of policy aws-guardrails-RestrictRootUser (p-ctrestrictroot) attached to OU Workloads/Dev`,
		}},
		{"full coverage, verbose", []string{"scan", "--demo", "--verbose"}, "security-tooling (222222222222)", []string{
			`PASS high scp-deny-root-actions`,
			`denied by statement "DenyRootUser" of policy DenyRootUserExceptAssumedRoot (p-denyrootexcept) attached to OU Security`,
			`PASS medium scp-assumed-root-exempt`,
		}},
		{"management account, verbose", []string{"scan", "--demo", "--verbose"}, "acme-management (111111111111)", []string{
			`PASS high scp-management-account-uncovered`,
			`service control policies never apply to the management account`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			block := accountBlock(out, tt.account)
			if block == "" {
				t.Fatalf("no block for %s in:\n%s", tt.account, out)
			}
			flat := strings.Join(strings.Fields(block), " ")
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("%s block lacks %q:\n%s", tt.account, w, block)
				}
			}
		})
	}
}

// accountBlock returns the lines of the table from the account's header to
// the next blank-line-separated account header.
func accountBlock(table, label string) string {
	lines := strings.Split(table, "\n")
	var b bytes.Buffer
	in := false
	for i, l := range lines {
		if strings.HasPrefix(l, label) && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "───") {
			in = true
		} else if in && l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "───") {
			break
		}
		if in {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestExplainEveryCheck: explain prints, for every check, what it checks,
// the facts it reads, what each status means, the references and the fix.
func TestExplainEveryCheck(t *testing.T) {
	for _, c := range checks.Default().Checks() {
		t.Run(c.ID, func(t *testing.T) {
			code, out, stderr := run(t, "explain", c.ID)
			if code != ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			for _, w := range []string{c.ID + " — " + c.Title, "Severity: " + string(c.Severity), "SEC01-BP02: " + c.References.SEC01BP02,
				"\nFacts", "\nPASS: ", "\nFAIL: ", "\nUNKNOWN: ", "\nRemediation:\n"} {
				if !strings.Contains(out, w) {
					t.Errorf("explain %s lacks %q", c.ID, w)
				}
			}
			for _, cis := range c.References.CIS {
				if !strings.Contains(out, cis) {
					t.Errorf("explain %s lacks CIS %s", c.ID, cis)
				}
			}
		})
	}
}

// TestSCPProbes runs the SCP probes end to end through the simulator: the
// probe carries the organization keys and runs in every collected Region,
// scp-assumed-root-exempt fails on a deny for every principal that blocks a
// root task, and a policy that cannot be parsed makes UNKNOWN only the
// accounts whose path has it.
func TestSCPProbes(t *testing.T) {
	code, out, stderr := run(t, "scan", "--scenario", "testdata/scp-probes.yaml", "--regions", "eu-west-1", "--format", "json")
	if code == ExitError {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := decodeFindings(t, out)
	got := map[[2]string][2]string{} // account, check → status, detail
	for _, f := range doc.Findings {
		got[[2]string{f.AccountID, f.CheckID}] = [2]string{f.Status, f.Detail}
	}
	tests := []struct {
		account, check, status string
		detail                 []string
	}{
		// aws:PrincipalOrgID is set for the member's root user.
		{"222222222222", "scp-deny-root-actions", "PASS", []string{`every collected Region (eu-west-1, us-east-1)`, `"DenyRootInOrg"`}},
		// aws:RequestedRegion us-east-1 leaves eu-west-1 open.
		{"333333333333", "scp-deny-root-actions", "FAIL", []string{"partial coverage", "not in eu-west-1, the Regions left open", "s3:GetObject, ec2:RunInstances, kms:ScheduleKeyDeletion"}},
		{"444444444444", "scp-assumed-root-exempt", "FAIL", []string{`"NoBucketPolicyChanges"`, "a deny that applies to every principal", "S3UnlockBucketPolicy: s3:PutBucketPolicy, s3:DeleteBucketPolicy"}},
		{"222222222222", "scp-assumed-root-exempt", "PASS", []string{"19 actions of the 5 root-task policies"}},
		{"555555555555", "scp-deny-root-actions", "UNKNOWN", []string{"OU Broken", "on this account's path", "StringLikeX"}},
	}
	for _, tt := range tests {
		f, ok := got[[2]string{tt.account, tt.check}]
		if !ok {
			t.Errorf("%s %s: no finding", tt.account, tt.check)
			continue
		}
		if f[0] != tt.status {
			t.Errorf("%s %s: status %s, want %s: %s", tt.account, tt.check, f[0], tt.status, f[1])
		}
		for _, d := range tt.detail {
			if !strings.Contains(f[1], d) {
				t.Errorf("%s %s: detail lacks %q:\n%s", tt.account, tt.check, d, f[1])
			}
		}
	}
}
