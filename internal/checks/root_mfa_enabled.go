package checks

import (
	"fmt"
	"slices"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootMFAEnabled fails when the root user has a password but no MFA.
var RootMFAEnabled = &Check{
	ID:       "root-mfa-enabled",
	Title:    "The root user's password is protected by MFA",
	Severity: Critical,
	Doc: `Checks that the root user has MFA, unless its credentials are centrally
managed and it cannot sign in at all.

A root password without MFA is one phishing email or password reuse away
from a full account takeover. Having no password is not enough on its own:
in a management or standalone account (and in a member account whose root
credentials are not centrally managed) anyone who reads the root email can
create a new password through "Forgot password", and without MFA that
password alone signs in as root. Only a member account of an organization
with RootCredentialsManagement on, whose root user has no password, cannot
recover one (password recovery is blocked until a central task creates it):
there MFA is neither possible nor needed. Security Hub IAM.9 (the AWS Config
rule root-account-mfa-enabled) reports NOT_APPLICABLE for every account
without root credentials, so it misses the recoverable case; the evidence
says what IAM.9 reports.

Facts: iam:GetAccountSummary (AccountMFAEnabled, AccountPasswordPresent),
iam:GetLoginProfile and iam:ListMFADevices in an sts:AssumeRoot audit
session (member accounts), iam:ListVirtualMFADevices and the credential
report's mfa_active / password_enabled columns (management and standalone
accounts). A password_enabled value of "not_supported" is not taken as
"has a password": it decides nothing.

PASS: root MFA is on.
FAIL: the root user has a password and no MFA device, or has neither and
can recover a password by email (management, standalone, or a member
account of an organization without RootCredentialsManagement).
UNKNOWN: MFA is off or unreadable and whether a password exists could not
be read (or the reverse), or a member account has neither and the
organization's features (iam:ListOrganizationsFeatures) could not be read.
NOT_APPLICABLE: a member account without password or MFA whose root
credentials are centrally managed; or the account is suspended or closing.`,
	Remediation: `Sign in as the root user, open the account menu > Security credentials >
Multi-factor authentication (MFA) > Assign MFA device, and register a FIDO
security key or a hardware TOTP token (register a second one too).
Member accounts under centralized root access: prefer removing the password
instead (rootguard plan / apply, or sts assume-root with the
IAMDeleteRootUserCredentials task policy, then iam delete-login-profile).`,
	References: References{
		SEC01BP02:   stepMFA,
		CIS:         []string{"v1.4:1.5", "v3.0:1.5", "v5.0:1.4", "v6.0:2.4", "v7.0:2.5"},
		SecurityHub: []string{"IAM.9"},
	},
	Run: activeOnly(runRootMFAEnabled),
}

func runRootMFAEnabled(in Input) Result {
	a := in.Account
	mfa := mfaEnabled(a)
	pw := passwordPresent(a)
	ev := map[string]any{}
	if mfa.known {
		ev["mfa_enabled"] = mfa.yes
	}
	if pw.known {
		ev["password_present"] = pw.yes
	}
	switch {
	case mfa.known && mfa.yes:
		ev["source_api"] = mfa.source
		return Result{Status: Pass, Detail: "root MFA is enabled", Evidence: ev}
	case pw.known && !pw.yes:
		return noPasswordNoMFA(in, mfa, pw, ev)
	case mfa.known && pw.known:
		ev["source_api"] = sourceList(mfa.source, pw.source)
		ev["security_hub_iam9"] = "FAILED"
		return Result{Status: Fail, Detail: "the root user has a password and no MFA device", Evidence: ev}
	case !mfa.known:
		return unknownFrom(mfa.reason, mfa.failed, ev)
	default:
		return unknownFrom("root MFA is off but "+pw.reason, pw.failed, ev)
	}
}

// iam9NoCredentials is what Security Hub IAM.9 reports for an account whose
// root user has no credentials: its Config rule, root-account-mfa-enabled,
// is NOT_APPLICABLE there.
const iam9NoCredentials = "NOT_APPLICABLE (its Config rule root-account-mfa-enabled skips a root user without credentials)"

// noPasswordNoMFA judges a root user without a password, whose MFA is off or
// unread: only central management of member root credentials blocks the
// email recovery of a new password.
func noPasswordNoMFA(in Input, mfa, pw answer, ev map[string]any) Result {
	a := in.Account
	ev["source_api"] = pw.source
	ev["security_hub_iam9"] = iam9NoCredentials
	sources := []string{pw.source}
	where := "a " + a.Role + " account"
	if a.Role == inventory.RoleMember {
		org := in.Snapshot.Organization
		if org == nil {
			return unknown("the root user has no password, but the organization was not collected, so whether it can recover one is not known", ev)
		}
		f := org.Features
		if !f.Known() {
			return unknownFrom("the root user has no password, but whether its credentials are centrally managed is not known: organization features: "+f.Reason(), failedOf(f), ev)
		}
		managed := slices.Contains(f.Value, featureRootCredentials)
		sources = append(sources, f.Source.API)
		ev["source_api"] = sourceList(sources...)
		ev["root_credentials_management"] = managed
		if managed {
			return Result{Status: NotApplicable, Detail: "member account whose root credentials are centrally managed (RootCredentialsManagement) and has no password: root cannot sign in or recover a password, so MFA is not needed", Evidence: ev}
		}
		where = "a member account whose root credentials are not centrally managed"
	}
	if !mfa.known {
		return unknownFrom("the root user has no password but can recover one by email; "+mfa.reason, mfa.failed, ev)
	}
	ev["source_api"] = sourceList(append(sources, mfa.source)...)
	return Result{Status: Fail, Detail: fmt.Sprintf("the root user has no password and no MFA, but in %s a password can be re-created through the root email's password recovery, which then signs in as root without MFA", where), Evidence: ev}
}
