package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// MemberRootCredentialsAbsent fails when a member account's root user still
// holds any credential.
var MemberRootCredentialsAbsent = &Check{
	ID:       "member-root-credentials-absent",
	Title:    "Member accounts hold no root credentials",
	Severity: High,
	Doc: `Checks that the root user of a member account has no credentials left: no
password, no access keys, no signing certificates and no MFA devices.

With centralized root access for AWS Organizations, member accounts do not
need root credentials: the management account (or the IAM delegated
administrator) performs the few root-only tasks through short sts:AssumeRoot
sessions. Every credential that remains is one more secret to guard, rotate
and hand over. Enabling the feature does not delete existing credentials,
and accounts that joined by invitation usually still have a password. "No
credentials" is reported as an explicit PASS with its evidence, never as a
silent skip.

Facts (sts:AssumeRoot audit session with IAMAuditRootUserCredentials):
iam:GetLoginProfile, iam:ListAccessKeys, iam:ListSigningCertificates,
iam:ListMFADevices, cross-checked with iam:GetAccountSummary.

PASS: none of the four kinds of credential exists.
FAIL: at least one exists (the detail names which).
UNKNOWN: none was found but at least one kind could not be read (for
example, sts:AssumeRoot was denied because centralized root access is off).
NOT_APPLICABLE: a management or standalone account (its root user keeps a
password and MFA), or a suspended or closing account.`,
	Remediation: `From the management account (or the IAM delegated administrator), with
centralized root access enabled (see centralized-root-access-enabled):
  rootguard plan, then rootguard apply PLAN, which removes the credentials; or by hand:
  aws sts assume-root --target-principal ACCOUNT_ID \
    --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials
  then: aws iam delete-login-profile; aws iam delete-access-key --access-key-id ID;
  aws iam delete-signing-certificate --certificate-id ID; aws iam deactivate-mfa-device --serial-number SERIAL
Console: IAM > Root access management > select the account > Delete root user credentials.`,
	References: References{SEC01BP02: stepCredentials},
	Run:        activeOnly(runMemberRootCredentialsAbsent),
}

func runMemberRootCredentialsAbsent(in Input) Result {
	a := in.Account
	if a.Role != inventory.RoleMember {
		return Result{Status: NotApplicable,
			Detail:   fmt.Sprintf("%s account: its root user is expected to keep a password protected by MFA", roleName(a.Role)),
			Evidence: map[string]any{"account_role": a.Role}}
	}
	if r, failed := sessionFailure(a); failed {
		return unknown("no root credential could be read: "+r, map[string]any{"source_api": a.Root.Session.Source.API})
	}
	mfa := answer{}
	inv := rootMFA(a)
	switch {
	case inv.known && len(inv.devices) > 0:
		mfa = answer{known: true, yes: true, source: inv.source}
	case inv.known && inv.complete:
		mfa = answer{known: true, source: inv.source}
	default:
		mfa = decide("root MFA devices", inv.enabled)
		if !mfa.known && inv.reason != "" {
			mfa.reason, mfa.failed = inv.reason, dedupe(append(inv.failed, mfa.failed...))
		}
	}
	kinds := []struct {
		name, key string
		a         answer
	}{
		{"password", "password_present", passwordPresent(a)},
		{"access keys", "access_keys_present", accessKeys(a).answer},
		{"signing certificates", "signing_certificates_present", signingCertificates(a).answer},
		{"MFA devices", "mfa_devices_present", mfa},
	}
	ev := map[string]any{}
	var present, gaps, sources, failed []string
	for _, k := range kinds {
		switch {
		case k.a.known:
			ev[k.key] = k.a.yes
			sources = append(sources, k.a.source)
			if k.a.yes {
				present = append(present, k.name)
			}
		default:
			gaps = append(gaps, k.a.reason)
			failed = append(failed, k.a.failed...)
		}
	}
	if len(sources) > 0 {
		ev["source_api"] = sourceList(sources...)
	}
	switch {
	case len(present) > 0:
		return Result{Status: Fail, Detail: "the member account's root user still has: " + strings.Join(present, ", "), Evidence: ev}
	case len(gaps) > 0:
		return unknownFrom(strings.Join(gaps, "; "), failed, ev)
	}
	return Result{Status: Pass, Detail: "no root credentials: no password, access keys, signing certificates or MFA devices", Evidence: ev}
}

func roleName(role string) string {
	if role == "" {
		return "unknown-role"
	}
	return role
}
