package checks

import "fmt"

// RootMFAMultipleDevices fails when the root user has fewer than two MFA
// devices.
var RootMFAMultipleDevices = &Check{
	ID:       "root-mfa-multiple-devices",
	Title:    "The root user has at least two MFA devices",
	Severity: Medium,
	Doc: `Checks that the root user has at least two MFA devices registered (AWS allows
up to eight of any type).

With a single device, losing or breaking it locks the account's root user
out until AWS's recovery process completes, which tempts teams to keep the
device somewhere convenient rather than safe. A second device, kept apart by
a different custodian, makes the two-person rule and break-glass drills
practical.

Facts: member accounts (sts:AssumeRoot audit): iam:ListMFADevices counts
every device. Management and standalone accounts: with ordinary credentials
only root's virtual devices (iam:ListVirtualMFADevices, matched on the root
ARN) are listable, and iam:GetAccountSummary's AccountMFAEnabled only says
"at least one". There the total is not countable: the check passes only when
two virtual devices prove it, fails when root has no MFA at all, and is
otherwise UNKNOWN with that reason. Record the devices in rootguard's
custody registry to settle it.

PASS: two or more devices.
FAIL: one device, or none while root has a password.
UNKNOWN: the devices could not be listed or counted.
NOT_APPLICABLE: root has no password and no device (credentials removed),
or the account is suspended or closing.`,
	Remediation: `Sign in as the root user, open the account menu > Security credentials >
Multi-factor authentication (MFA) > Assign MFA device, and register a second
FIDO security key or hardware TOTP token. Give it to a different custodian
and store it apart from the first; record both in the custody registry.`,
	References: References{SEC01BP02: stepMFA},
	Run:        activeOnly(runRootMFAMultipleDevices),
}

func runRootMFAMultipleDevices(in Input) Result {
	a := in.Account
	inv := rootMFA(a)
	if !inv.known {
		return unknownFrom(inv.reason, inv.failed, nil)
	}
	n := len(inv.devices)
	ev := map[string]any{"source_api": inv.source, "devices": deviceEvidence(inv.devices), "device_list_complete": inv.complete}
	if n >= 2 {
		ev["device_count"] = n
		return Result{Status: Pass, Detail: fmt.Sprintf("root has %d MFA devices: %s", n, describeTypes(inv.devices)), Evidence: ev}
	}
	if !inv.complete {
		return unknown(fmt.Sprintf("root has %d virtual MFA device(s) and the total is not countable: %s", n, inv.reason), ev)
	}
	ev["device_count"] = n
	if n == 1 {
		return Result{Status: Fail, Detail: "root has only one MFA device: " + describeTypes(inv.devices), Evidence: ev}
	}
	pw := passwordPresent(a)
	switch {
	case !pw.known:
		return unknownFrom("root has no MFA device and "+pw.reason, pw.failed, ev)
	case pw.yes:
		ev["source_api"] = sourceList(inv.source, pw.source)
		return Result{Status: Fail, Detail: "root has a password and no MFA device", Evidence: ev}
	default:
		return Result{Status: NotApplicable, Detail: "root has no password and no MFA device: no device is needed", Evidence: ev}
	}
}
