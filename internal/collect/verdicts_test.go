package collect_test

import (
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/sim"
)

// verdict is the status one check must give one account of a scenario.
type verdict struct {
	check, account string
	want           checks.Status
}

// assertVerdicts collects scenario through the real SDK clients pointed at
// the simulator (the whole organization), assesses the snapshot with the default checks and compares
// the statuses of the listed findings.
func assertVerdicts(t *testing.T, name, scenario string, want []verdict) {
	t.Helper()
	scn, err := sim.ParseScenario(name, []byte(scenario))
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := collectSim(t, scn, collect.Options{Org: true})
	got := map[[2]string]checks.Finding{}
	for _, f := range checks.Default().Assess(snap, checks.DefaultConfig(clock)) {
		got[[2]string{f.CheckID, f.AccountID}] = f
	}
	for _, v := range want {
		f, ok := got[[2]string{v.check, v.account}]
		switch {
		case !ok:
			t.Errorf("%s: no %s finding for %s", name, v.check, v.account)
		case f.Status != v.want:
			t.Errorf("%s: %s on %s = %s (%s), want %s", name, v.check, v.account, f.Status, f.Detail, v.want)
		}
	}
}

// orgScenario is an organization managed from 111111111111 with the given
// centralized root access features (a YAML list) and accounts (YAML list
// items).
func orgScenario(features, accounts string) string {
	return `
name: verdicts
caller:
  arn: arn:aws:sts::111111111111:assumed-role/Admin/audit
organization:
  id: o-verdicts01
  management_account: "111111111111"
  feature_set: ALL
  features: ` + features + `
  trusted_services: [iam.amazonaws.com]
accounts:` + accounts
}

// mfaRecoveryAccounts are a management account and a member with neither
// root password nor MFA.
const mfaRecoveryAccounts = `
  - id: "111111111111"
    email: root@mgmt.example
  - id: "222222222222"
    email: root-member@mgmt.example
`

// TestRootMFAWithoutPassword: no password is not enough where the root
// email can recover one; only central management of member root
// credentials blocks that recovery.
func TestRootMFAWithoutPassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		features string
		member   checks.Status
	}{
		{"[RootCredentialsManagement, RootSessions]", checks.NotApplicable},
		// Without RootCredentialsManagement the member's root cannot be
		// audited (sts:AssumeRoot is refused), so its MFA is not known.
		{"[RootSessions]", checks.Unknown},
	} {
		assertVerdicts(t, "mfa-recovery "+tc.features, orgScenario(tc.features, mfaRecoveryAccounts), []verdict{
			{"root-mfa-enabled", "111111111111", checks.Fail},
			{"root-mfa-enabled", "222222222222", tc.member},
		})
	}
}

// mailRoutingAccounts: the management account's SES rules route mail as SES
// does (plus-addressed variants of a recipient address, a domain without
// its subdomains, a rule without recipients for every verified domain);
// two members share one mailbox through plus-addressing.
const mailRoutingAccounts = `
  - id: "111111111111"
    email: aws+mgmt@corp.example
    ses_recipients: [AWS@corp.example, mail.example]
  - id: "222222222222"
    email: root@sub.mail.example
    ses_catch_all: true
    ses_domains: {sub.mail.example: Success}
  - id: "333333333333"
    email: root@pending.example
    ses_catch_all: true
    ses_domains: {pending.example: Pending}
  - id: "444444444444"
    email: Team+dev@corp.example
  - id: "555555555555"
    email: team+prod@corp.example
  - id: "666666666666"
    email: other@corp.example
`

// TestMailRouting: SES recipients match as SES routes mail, and plus or
// case variants of one mailbox are shared root emails.
func TestMailRouting(t *testing.T) {
	t.Parallel()
	assertVerdicts(t, "mail-routing", orgScenario("[RootCredentialsManagement, RootSessions]", mailRoutingAccounts), []verdict{
		{"root-email-circular-dependency", "111111111111", checks.Fail},
		{"root-email-circular-dependency", "222222222222", checks.Fail},
		{"root-email-circular-dependency", "333333333333", checks.Pass},
		{"root-email-unique", "444444444444", checks.Fail},
		{"root-email-unique", "555555555555", checks.Fail},
		{"root-email-unique", "666666666666", checks.Pass},
	})
}
