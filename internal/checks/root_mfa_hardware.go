package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootMFAHardware fails when the root user has a virtual MFA device.
var RootMFAHardware = &Check{
	ID:       "root-mfa-hardware",
	Title:    "The root user has no virtual MFA device",
	Severity: High,
	Doc: `Checks that the root user's MFA is hardware (FIDO security key or hardware TOTP
token) and that no virtual (authenticator app) device is registered for it.

A virtual MFA device lives on a phone or laptop that is also used for email,
chat and browsing, is backed up to cloud accounts, and is easy to lose track
of. Any one registered device is enough to sign in, so a virtual device next
to a hardware one still weakens root: the check fails on it (as AWS Config's
root-account-hardware-mfa-enabled does).

Facts, member accounts (sts:AssumeRoot audit): iam:ListMFADevices lists
every root device; the serial tells the type: arn:…:mfa/… is virtual,
arn:…:u2f/… is FIDO (a security key or a passkey: a passkey synced to a
phone or password manager cannot be told apart from a security key),
anything else is a hardware TOTP token's vendor serial.
Management and standalone accounts (ordinary credentials):
iam:ListVirtualMFADevices, matched on the root ARN exactly (not on a serial
name such as root-account-mfa-device, which misses renamed devices), plus
iam:GetAccountSummary's AccountMFAEnabled. With MFA on and no root virtual
device, root's devices are hardware or FIDO.

PASS: root has MFA and none of its devices is virtual.
FAIL: a virtual device is registered for root, or root has a password and
no MFA at all.
UNKNOWN: the device list (or, with no devices, the password) could not be read.
NOT_APPLICABLE: root has no MFA and no password (credentials removed), or
the account is suspended or closing.`,
	Remediation: `Sign in as the root user, open the account menu > Security credentials >
Multi-factor authentication (MFA). Register a FIDO security key or a hardware
TOTP token first, then remove each virtual device listed in the evidence.
Member accounts: sts assume-root with IAMDeleteRootUserCredentials, then
  aws iam deactivate-mfa-device --serial-number SERIAL
(or remove all root credentials: rootguard plan / apply).`,
	References: References{
		SEC01BP02:   stepMFA,
		CIS:         []string{"v1.4:1.6", "v3.0:1.6", "v5.0:1.5", "v6.0:2.5", "v7.0:2.6"},
		SecurityHub: []string{"IAM.6"},
	},
	Run: activeOnly(runRootMFAHardware),
}

func runRootMFAHardware(in Input) Result {
	a := in.Account
	inv := rootMFA(a)
	if !inv.known {
		return unknownFrom(inv.reason, inv.failed, nil)
	}
	ev := map[string]any{"source_api": inv.source, "devices": deviceEvidence(inv.devices), "device_list_complete": inv.complete}
	var virtual []string
	for _, d := range inv.devices {
		if d.Type == inventory.MFAVirtual {
			virtual = append(virtual, d.Serial)
		}
	}
	if len(virtual) > 0 {
		return Result{Status: Fail, Detail: fmt.Sprintf("root has %d virtual MFA device(s): %s",
			len(virtual), strings.Join(virtual, ", ")), Evidence: ev}
	}
	if len(inv.devices) > 0 {
		return Result{Status: Pass, Detail: "root MFA devices: " + describeTypes(inv.devices), Evidence: ev}
	}
	// No device listed: in direct mode only virtual devices are listable.
	mfa := inv.enabled
	switch {
	case mfa.known && mfa.yes:
		ev["source_api"] = sourceList(inv.source, mfa.source)
		ev["mfa_enabled"] = true
		return Result{Status: Pass, Detail: "root MFA is on and no virtual device is registered for root, so its devices are hardware TOTP or FIDO (their type cannot be listed with ordinary credentials)", Evidence: ev}
	case !mfa.known:
		return unknownFrom(mfa.reason, mfa.failed, ev)
	}
	pw := passwordPresent(a)
	switch {
	case !pw.known:
		return unknownFrom("root has no MFA device and "+pw.reason, pw.failed, ev)
	case pw.yes:
		ev["source_api"] = sourceList(inv.source, pw.source)
		ev["password_present"] = true
		return Result{Status: Fail, Detail: "root has a password and no MFA device at all", Evidence: ev}
	default:
		ev["password_present"] = false
		return Result{Status: NotApplicable, Detail: "root has no password and no MFA device: there is nothing to protect with hardware MFA", Evidence: ev}
	}
}

// describeTypes summarizes devices by type, e.g. "1 FIDO, 1 hardware TOTP".
func describeTypes(ds []inventory.MFADevice) string {
	n := countTypes(ds)
	var parts []string
	for _, t := range []struct{ typ, name string }{
		{inventory.MFAFIDO, "FIDO (security key or passkey)"},
		{inventory.MFAHardwareTOTP, "hardware TOTP"},
		{inventory.MFAVirtual, "virtual"},
	} {
		if n[t.typ] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[t.typ], t.name))
		}
	}
	return strings.Join(parts, ", ")
}
