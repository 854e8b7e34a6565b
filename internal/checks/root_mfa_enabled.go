package checks

// RootMFAEnabled fails when the root user has a password but no MFA.
var RootMFAEnabled = &Check{
	ID:       "root-mfa-enabled",
	Title:    "The root user's password is protected by MFA",
	Severity: Critical,
	Doc: `Checks that the root user has MFA, or has no password at all.

A root password without MFA is one phishing email or password reuse away
from a full account takeover. Following CIS (v7.0 2.5), an account is
compliant when root MFA is on OR the root user has no password: a member
account whose root credentials were removed through centralized root access
cannot be signed in to, and there MFA is neither possible nor needed.

Facts: iam:GetAccountSummary (AccountMFAEnabled, AccountPasswordPresent),
iam:GetLoginProfile and iam:ListMFADevices in an sts:AssumeRoot audit
session (member accounts), iam:ListVirtualMFADevices and the credential
report's mfa_active / password_enabled columns (management and standalone
accounts). A password_enabled value of "not_supported" is not taken as
"has a password": it decides nothing.

PASS: root MFA is on, or the root user has no password.
FAIL: the root user has a password and no MFA device.
UNKNOWN: MFA is off or unreadable and whether a password exists could not
be read (or the reverse).
NOT_APPLICABLE: the account is suspended or closing.`,
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
		ev["source_api"] = pw.source
		return Result{Status: Pass, Detail: "the root user has no password, so console sign-in is impossible and MFA is not needed", Evidence: ev}
	case mfa.known && pw.known:
		ev["source_api"] = sourceList(mfa.source, pw.source)
		return Result{Status: Fail, Detail: "the root user has a password and no MFA device", Evidence: ev}
	case !mfa.known:
		return unknownFrom(mfa.reason, mfa.failed, ev)
	default:
		return unknownFrom("root MFA is off but "+pw.reason, pw.failed, ev)
	}
}
