package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootMFAHardwareAge fails when a hardware TOTP token is old enough that its
// battery is due for replacement.
var RootMFAHardwareAge = &Check{
	ID:       "root-mfa-hardware-age",
	Title:    "The root user's hardware TOTP tokens are not due for battery replacement",
	Severity: Low,
	Doc: `Checks the age of each hardware TOTP token registered for the root user against
the configured maximum (default three years).

Hardware TOTP tokens have sealed batteries that last a few years; a token
that dies silently in a drawer is discovered on the day root is needed.
SEC01-BP02 asks for battery replacement to be planned. The age is measured
from the device's EnableDate (when it was registered), which is the best
available stand-in for the battery's age. FIDO keys have no battery and
virtual devices are out of scope.

Facts: iam:ListMFADevices in an sts:AssumeRoot audit session (member
accounts). With ordinary credentials (management and standalone accounts)
hardware tokens cannot be listed, so the check is UNKNOWN unless root has
no MFA at all.

PASS: every hardware TOTP token is younger than the maximum age.
FAIL: a token is older (the evidence gives each token's serial and enable date).
UNKNOWN: the devices could not be listed, or a token has no enable date.
NOT_APPLICABLE: root has no hardware TOTP token, or the account is
suspended or closing.`,
	Remediation: `Order a replacement token, sign in as root, register the new token in the
account menu > Security credentials > Multi-factor authentication (MFA),
test it, then remove the old one. Update the custody registry. Consider a
FIDO security key, which has no battery.`,
	References: References{SEC01BP02: stepMFA},
	Run:        activeOnly(runRootMFAHardwareAge),
}

func runRootMFAHardwareAge(in Input) Result {
	inv := rootMFA(in.Account)
	if !inv.known {
		return unknownFrom(inv.reason, inv.failed, nil)
	}
	var hw []inventory.MFADevice
	for _, d := range inv.devices {
		if d.Type == inventory.MFAHardwareTOTP {
			hw = append(hw, d)
		}
	}
	ev := map[string]any{"source_api": inv.source, "devices": deviceEvidence(hw),
		"max_age_days": days(in.Config.MFAHardwareMaxAge)}
	if len(hw) == 0 {
		if !inv.complete {
			return unknown("hardware TOTP tokens cannot be listed: "+inv.reason, ev)
		}
		return Result{Status: NotApplicable, Detail: "root has no hardware TOTP token", Evidence: ev}
	}
	var old, undated []string
	for _, d := range hw {
		switch {
		case d.EnableDate == nil:
			undated = append(undated, d.Serial)
		case in.Config.Now.Sub(*d.EnableDate) > in.Config.MFAHardwareMaxAge:
			old = append(old, fmt.Sprintf("%s (enabled %s, %d days ago)", d.Serial,
				d.EnableDate.UTC().Format("2006-01-02"), days(in.Config.Now.Sub(*d.EnableDate))))
		}
	}
	switch {
	case len(old) > 0:
		return Result{Status: Fail, Detail: fmt.Sprintf("hardware TOTP token(s) older than %d days, battery replacement due: %s",
			days(in.Config.MFAHardwareMaxAge), strings.Join(old, ", ")), Evidence: ev}
	case len(undated) > 0:
		return unknown("no enable date for hardware TOTP token(s) "+strings.Join(undated, ", "), ev)
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("%d hardware TOTP token(s), all younger than %d days",
		len(hw), days(in.Config.MFAHardwareMaxAge)), Evidence: ev}
}
