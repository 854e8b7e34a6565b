package checks

import (
	"fmt"
	"strings"
)

// CustodyComplete fails when a root credential has no recorded custodian or
// the registry records a device that no longer exists.
var CustodyComplete = &Check{
	ID:       "custody-complete",
	Title:    "Every root credential has a recorded custodian",
	Severity: Medium,
	Doc: `Checks that the custody registry covers every root credential the snapshot
shows, and only those: the password has a recorded holder and storage, each
root MFA device has a recorded holder, and every device the registry records
is still a root MFA device of the account.

In an emergency the team must know, without asking around, who holds the
password and each device and where the password is. A credential nobody is
recorded as holding is one nobody is accountable for; a registry entry for
a device that was removed sends people after the wrong token.

Facts: the root password's presence and the root MFA devices as the other
root checks read them (iam:GetLoginProfile, iam:ListMFADevices in an
sts:AssumeRoot audit session; iam:GetAccountSummary, the credential report
and iam:ListVirtualMFADevices otherwise), and the account's custody record.
In a management or standalone account only virtual devices can be listed,
so a recorded hardware TOTP or FIDO device can be neither confirmed nor
found stale there: that alone leaves the check UNKNOWN.

PASS: every credential shown has a custodian, and every recorded device
exists.
FAIL: the account has a credential and no custody record; the password has
no recorded holder or storage; a device has no recorded holder; or the
registry records a device that is gone.
UNKNOWN: no custody registry, or the password or devices could not be read
or confirmed (and nothing else fails).
NOT_APPLICABLE: root has no password and no MFA device (for example a
member account under centralized root access, or one whose credentials
apply removed); entries the registry still holds for it are named in the
detail as out of date. Or the account is suspended or closing.`,
	Remediation: `Record who holds each root credential and where the password is kept:
rootguard custody set --account ID --password-holder PERSON --storage
KIND:NAME[@ACCOUNT] --mfa SERIAL=PERSON (repeat --mfa per device), or edit
the exported registry and rootguard custody import it. Remove entries for
devices that were deregistered.`,
	References: References{SEC01BP02: stepBreakGlass},
	Run:        activeOnly(runCustodyComplete),
}

func runCustodyComplete(in Input) Result {
	a := in.Account
	rec, r, ok := custodyRecord(in)
	if !ok {
		return r
	}
	ev := map[string]any{"recorded": rec != nil}
	if reason, failed := sessionFailure(a); failed {
		return unknownFrom("root credentials: "+reason, []string{a.Root.Session.Source.API}, ev)
	}
	pw := passwordPresent(a)
	inv := rootMFA(a)
	var problems, gaps, sources, failed []string
	switch {
	case !pw.known:
		gaps, failed = append(gaps, pw.reason), append(failed, pw.failed...)
	case pw.yes:
		sources = append(sources, pw.source)
		ev["password_present"] = true
		switch {
		case rec == nil:
		case rec.Password == nil || rec.Password.Holder == "":
			problems = append(problems, "the root password has no recorded holder")
		case rec.Password.Storage == nil:
			problems = append(problems, "where the root password is stored is not recorded")
		}
	default:
		sources = append(sources, pw.source)
		ev["password_present"] = false
		if rec != nil && rec.Password != nil && rec.Password.Holder != "" {
			problems = append(problems, fmt.Sprintf("the registry records %s as the password holder, but root has no password", rec.Password.Holder))
		}
	}
	var dc deviceCustody
	if inv.known {
		sources = append(sources, inv.source)
		dc = devicesOf(inv, rec)
		dc.evidence(ev)
		if len(dc.unheld) > 0 && rec != nil {
			problems = append(problems, fmt.Sprintf("MFA device %s has no recorded holder", joinQuoted(dc.unheld)))
		}
		if len(dc.stale) > 0 {
			problems = append(problems, fmt.Sprintf("the registry records MFA device %s, which is not a root MFA device of this account", joinQuoted(dc.stale)))
		}
		if len(dc.unconfirmed) > 0 {
			gaps = append(gaps, fmt.Sprintf("recorded MFA device %s cannot be confirmed: %s", joinQuoted(dc.unconfirmed), inv.reason))
		}
	} else {
		gaps, failed = append(gaps, inv.reason), append(failed, inv.failed...)
	}
	credentials := (pw.known && pw.yes) || len(inv.devices) > 0
	if rec == nil && credentials {
		problems = append([]string{notRecorded(a)}, problems...)
	}
	if rec != nil {
		sources = append(sources, custodySource)
	}
	if !credentials && len(gaps) == 0 {
		ev["source_api"] = sourceList(sources...)
		detail := "root has no password and no MFA device: there is nothing to hold"
		if len(problems) > 0 {
			detail += "; the registry is out of date: " + strings.Join(problems, "; ")
		}
		return Result{Status: NotApplicable, Detail: detail, Evidence: ev}
	}
	switch {
	case len(problems) > 0:
		ev["source_api"] = sourceList(sources...)
		return Result{Status: Fail, Detail: strings.Join(problems, "; "), Evidence: ev}
	case len(gaps) > 0 && len(failed) > 0:
		return unknownFrom(strings.Join(gaps, "; "), failed, ev)
	case len(gaps) > 0:
		ev["source_api"] = sourceList(sources...)
		return unknown(strings.Join(gaps, "; "), ev)
	}
	ev["source_api"] = sourceList(sources...)
	what := fmt.Sprintf("%d MFA device(s)", len(dc.held))
	if pw.yes {
		what = "the root password and " + what
	}
	return Result{Status: Pass, Detail: what + " have recorded custodians, and no recorded device is stale", Evidence: ev}
}
