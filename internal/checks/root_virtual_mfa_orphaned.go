package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootVirtualMFAOrphaned fails when a member account keeps a virtual MFA
// device of its root user that is assigned to nobody.
var RootVirtualMFAOrphaned = &Check{
	ID:       "root-virtual-mfa-orphaned",
	Title:    "No virtual MFA device of a removed root is left assigned to nobody",
	Severity: Medium,
	Doc: `Checks that a member account keeps no virtual MFA device made for its root
user and assigned to nobody.

Centralized root access removes a member's root credentials through
sts:AssumeRoot with the IAMDeleteRootUserCredentials task policy, which
deactivates the root's MFA devices but may no longer delete a virtual one:
the device stays in the account, assigned to nobody, with its TOTP seed
still in someone's authenticator app. Whoever recovers the root password
later finds a device ready to be re-enabled, and the device list no longer
says whose it was. Delete it (iam:DeleteVirtualMFADevice) once the root's
credentials are gone.

A device is taken for root's when its name (the serial's last element)
contains "root" in any case, as root-account-mfa-device, the name the
console gives the root's virtual MFA: the root's devices carry no other
mark once unassigned.

Facts: iam:ListVirtualMFADevices with AssignmentStatus Unassigned, in the
member's own account (through the access role).

PASS: no unassigned virtual MFA device is named for root.
FAIL: one or more are (evidence: their serial numbers, ten at most, and the
count).
UNKNOWN: the list could not be read (the access role refused, the call
denied), or the snapshot is from a rootguard that did not collect it.
NOT_APPLICABLE: the management or a standalone account, whose root keeps
its credentials (its devices are judged by the root-mfa-* checks); or the
account is suspended or closing.`,
	Remediation: `Make sure nobody still uses the device, then delete it in the member account:
  aws iam delete-virtual-mfa-device \
    --serial-number arn:aws:iam::ACCOUNT_ID:mfa/root-account-mfa-device
(with the access role's credentials; the root task policy cannot delete it).
Ask whoever held it to remove the entry from their authenticator app.`,
	References: References{SEC01BP02: stepCredentials},
	Run:        activeOnly(runRootVirtualMFAOrphaned),
}

// listedMax bounds the items a finding lists; the evidence counts the rest.
const listedMax = 10

func runRootVirtualMFAOrphaned(in Input) Result {
	a := in.Account
	if a.Role != inventory.RoleMember {
		return Result{Status: NotApplicable, Detail: a.Role + " account: the root user keeps its credentials here",
			Evidence: map[string]any{"account_role": a.Role}}
	}
	f := a.IAM.UnassignedVirtualMFA
	if !f.Known() {
		reason := f.Reason()
		if !f.Collected() {
			reason = "unassigned virtual MFA devices were not collected (a snapshot from an older rootguard)"
		}
		return unknownFrom("could not list unassigned virtual MFA devices: "+reason, failedOf(f), nil)
	}
	var orphans []string
	for _, serial := range f.Value {
		if rootDeviceName(serial) {
			orphans = append(orphans, serial)
		}
	}
	ev := map[string]any{"source_api": f.Source.API, "unassigned": len(f.Value), "orphaned": len(orphans)}
	if len(orphans) == 0 {
		return Result{Status: Pass, Detail: fmt.Sprintf("no unassigned virtual MFA device is named for root (%d unassigned in all)", len(f.Value)), Evidence: ev}
	}
	shown := orphans[:min(len(orphans), listedMax)]
	ev["devices"] = shown
	d := fmt.Sprintf("%d virtual MFA device(s) named for root are assigned to nobody: %s", len(orphans), strings.Join(shown, ", "))
	if len(shown) < len(orphans) {
		d += fmt.Sprintf(" and %d more", len(orphans)-len(shown))
	}
	return Result{Status: Fail, Detail: d, Evidence: ev}
}

// rootDeviceName reports whether a virtual MFA serial
// (arn:aws:iam::ACCOUNT:mfa/PATH/NAME) names a device made for root.
func rootDeviceName(serial string) bool {
	return strings.Contains(strings.ToLower(serial[strings.LastIndex(serial, "/")+1:]), "root")
}
