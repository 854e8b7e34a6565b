package checks

import (
	"fmt"
	"slices"
	"strings"
)

// CustodyTwoPerson fails when one person can sign in as root alone.
var CustodyTwoPerson = &Check{
	ID:       "custody-two-person",
	Title:    "Signing in as root takes two people",
	Severity: High,
	Doc: `Checks that the person who holds the root password holds none of the root
MFA devices, as the custody registry records them, so that a root sign-in
needs the password holder and a device holder together: two people.

SEC01-BP02 asks for the two-person rule because one person holding both
factors can use root alone, unseen and unapproved; a stolen password and a
stolen device then need only one target. The registry (rootguard custody)
says who holds what; AWS cannot.

Facts: the root password's presence and the root MFA devices as the other
root checks read them (iam:GetLoginProfile, iam:ListMFADevices in an
sts:AssumeRoot audit session; iam:GetAccountSummary, the credential report
and iam:ListVirtualMFADevices otherwise), and the account's custody record.
A device is matched by its serial as AWS shows it. In a management or
standalone account only virtual devices can be listed: the recorded hardware
TOTP and FIDO devices are taken as the registry states them, and the
evidence lists them as unconfirmed_devices.

PASS: the password holder is recorded, and every device (at least one) is
held by someone else.
FAIL: the password holder also holds a device, or root has a password and
no MFA device (the password alone signs in).
UNKNOWN: no custody registry; the account, or its password holder, is not
recorded (custody-complete fails that); a listed device has no recorded
holder; or the password or devices could not be read.
NOT_APPLICABLE: root has no password, so no one signs in with one (a
password re-created through the root email is the recovery path's concern);
or the account is suspended or closing.`,
	Remediation: `Give the root MFA devices to people other than the password holder and
record them: rootguard custody set --account ID --password-holder PERSON
--mfa SERIAL=OTHER-PERSON. If root has no MFA device, register a FIDO key
or hardware TOTP token and hand it to a second person.`,
	References: References{SEC01BP02: stepBreakGlass},
	Run:        activeOnly(runCustodyTwoPerson),
}

func runCustodyTwoPerson(in Input) Result {
	a := in.Account
	rec, pw, r, ok := passwordRecord(in, "no one signs in with one")
	if !ok {
		return r
	}
	ev := map[string]any{}
	if rec.Password == nil || rec.Password.Holder == "" {
		ev["source_api"] = custodySource
		return unknown("the root password's holder is not recorded", ev)
	}
	holder := rec.Password.Holder
	ev["password_holder"] = holder
	inv := rootMFA(a)
	if !inv.known {
		return unknownFrom(inv.reason, inv.failed, ev)
	}
	dc := devicesOf(inv, rec)
	dc.evidence(ev)
	ev["source_api"] = sourceList(pw.source, inv.source, custodySource)
	var own, others []string
	for _, d := range dc.held {
		if d.Holder == holder {
			own = append(own, d.Serial)
		} else if !slices.Contains(others, d.Holder) {
			others = append(others, d.Holder)
		}
	}
	switch {
	case len(own) > 0:
		return Result{Status: Fail, Detail: fmt.Sprintf("%s holds the root password and MFA device %s: one person can sign in as root alone", holder, joinQuoted(own)), Evidence: ev}
	case len(dc.unheld) > 0:
		return unknown(fmt.Sprintf("MFA device %s has no recorded holder: whether %s, who holds the password, holds it is not known", joinQuoted(dc.unheld), holder), ev)
	case len(dc.held) == 0 && inv.complete:
		return Result{Status: Fail, Detail: fmt.Sprintf("root has a password and no MFA device: %s, who holds the password, signs in alone", holder), Evidence: ev}
	case len(dc.held) == 0:
		return unknown("no root MFA device is recorded, and "+inv.reason, ev)
	}
	detail := fmt.Sprintf("a root sign-in needs %s (password) and %s (MFA device)", holder, strings.Join(others, " or "))
	if len(dc.unconfirmed) > 0 {
		detail += fmt.Sprintf("; devices %s as the registry records them (the snapshot cannot list them)", joinQuoted(dc.unconfirmed))
	}
	return Result{Status: Pass, Detail: detail, Evidence: ev}
}
