package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootPasswordAge fails when the root password is older than the configured
// rotation period.
var RootPasswordAge = &Check{
	ID:       "root-password-age",
	Title:    "The root password was changed within the rotation period",
	Severity: Low,
	Doc: `Checks that the root password was last changed within the configured period
(default 365 days).

SEC01-BP02 makes root password rotation optional: a long, unique, randomly
generated password kept in a vault with MFA is not improved by rotating it.
Rotation still helps when custodians change, or when a password may have
been seen during a break-glass session, so this check is low severity; set
a longer period or ignore the finding if your policy does not rotate.

Facts: management and standalone accounts: the credential report's
password_last_changed column. The root row has historically reported
"not_supported" there, which is UNKNOWN, never a pass. Member accounts
(sts:AssumeRoot audit): iam:GetLoginProfile's CreateDate is when the
password was created; a later change may not move it, so a recent date
passes and an old one is UNKNOWN.

PASS: the password was changed (or created) within the period.
FAIL: the credential report's password_last_changed is older than the period.
UNKNOWN: the date is not available, or only an old creation date is.
NOT_APPLICABLE: the root user has no password, or the account is suspended
or closing.`,
	Remediation: `Sign in as the root user, open the account menu > Security credentials >
Console sign-in > Edit password, and set a new long random password. Store it
in the vault recorded in the custody registry (not in a vault that depends on
this account), and record the change.`,
	References: References{SEC01BP02: stepRotation},
	Run:        activeOnly(runRootPasswordAge),
}

func runRootPasswordAge(in Input) Result {
	a := in.Account
	pw := passwordPresent(a)
	if !pw.known {
		return unknownFrom(pw.reason, pw.failed, nil)
	}
	maxAge := in.Config.PasswordMaxAge
	ev := map[string]any{"max_age_days": days(maxAge)}
	if !pw.yes {
		ev["source_api"] = pw.source
		return Result{Status: NotApplicable, Detail: "the root user has no password", Evidence: ev}
	}
	var gaps, failed []string
	if f := a.Root.CredentialReport; f.Known() {
		ev["source_api"] = f.Source.API // read, even if it does not decide
		v, ok := reportColumn(a, "password_last_changed")
		switch t, err := reportDate(v); {
		case !ok:
			gaps = append(gaps, "credential report has no password_last_changed column")
		case err != nil:
			gaps = append(gaps, fmt.Sprintf("credential report password_last_changed is %q", v))
		default:
			ev["source_api"] = f.Source.API
			ev["password_last_changed"] = stamp(t)
			age := in.Config.Now.Sub(t)
			if age > maxAge {
				return Result{Status: Fail, Detail: fmt.Sprintf("the root password was last changed on %s, %d days ago (period %d days)",
					t.Format("2006-01-02"), days(age), days(maxAge)), Evidence: ev}
			}
			return Result{Status: Pass, Detail: fmt.Sprintf("the root password was changed %d days ago", days(age)), Evidence: ev}
		}
	} else if f.Collected() {
		m := missing(a, f)
		gaps, failed = append(gaps, m.reason), append(failed, m.failed...)
	}
	if f := a.Root.LoginProfile; f.Known() && f.Value.CreateDate != nil {
		t := *f.Value.CreateDate
		ev["source_api"] = f.Source.API
		ev["password_created"] = stamp(t)
		age := in.Config.Now.Sub(t)
		if age <= maxAge {
			return Result{Status: Pass, Detail: fmt.Sprintf("the root password was set %d days ago", days(age)), Evidence: ev}
		}
		gaps = append(gaps, fmt.Sprintf("iam:GetLoginProfile says the password was created %d days ago, and a later change does not show there", days(age)))
	} else if a.Root.Method == inventory.MethodAssumeRoot {
		m := missing(a, f)
		gaps, failed = append(gaps, "root password date: "+m.reason), append(failed, m.failed...)
	}
	if len(gaps) == 0 {
		gaps = []string{"no source of the root password's last change was collected"}
	}
	if len(failed) > 0 {
		return unknownFrom(strings.Join(gaps, "; "), failed, ev)
	}
	return unknown(strings.Join(gaps, "; "), ev)
}
