package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/custody"
)

// CustodyOrgOwned fails when the contact phone line or the root email list
// is owned by a person, or its owner is not recorded.
var CustodyOrgOwned = &Check{
	ID:       "custody-org-owned",
	Title:    "The contact phone line and the root email list are owned by the organization",
	Severity: Medium,
	Doc: `Checks that the account's contact phone line and the distribution list
behind its root email are owned by the organization (a team, a service),
not by a person, as the custody registry records them.

AWS sends root password resets to the root email and calls the contact
phone to verify identity when MFA is lost. SEC01-BP02 asks for a
distribution list on a domain you own and a dedicated phone line: a
person's own phone or mailbox leaves with them, and recovery then depends
on one person's goodwill. AWS cannot say who owns a number or a list, so
the registry records it; the root-email-* and contact-* checks judge the
address and the number themselves.

Facts: the phone_line and email_list owners in the account's custody
record.

PASS: both are recorded as owned by the organization.
FAIL: either is owned by a person, or its owner is not recorded, or the
account is not in the registry (the detail says how to record it).
UNKNOWN: no custody registry.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Move the root email to a distribution list and the contact phone to a line
the organization owns (a team's on-call number), then record both:
rootguard custody set --account ID --phone-owner organization:NAME
--email-owner organization:NAME.`,
	References: References{SEC01BP02: stepContacts},
	Run:        activeOnly(runCustodyOrgOwned),
}

func runCustodyOrgOwned(in Input) Result {
	a := in.Account
	rec, r, ok := custodyRecord(in)
	if !ok {
		return r
	}
	ev := map[string]any{"source_api": custodySource}
	record := fmt.Sprintf("record it with `rootguard custody set --account %s --phone-owner organization:NAME --email-owner organization:NAME`", a.ID)
	if rec == nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("account %s is not in the custody registry, so who owns its phone line and email list is not recorded: %s", a.ID, record), Evidence: ev}
	}
	var problems []string
	for _, o := range []struct {
		what, key string
		owner     *custody.Owner
	}{{"contact phone line", "phone_line", rec.PhoneLine}, {"root email list", "email_list", rec.EmailList}} {
		switch {
		case o.owner == nil:
			problems = append(problems, fmt.Sprintf("who owns the %s is not recorded", o.what))
		case o.owner.Kind == custody.OwnerPerson:
			ev[o.key+"_owner"] = map[string]any{"kind": o.owner.Kind, "name": o.owner.Name}
			problems = append(problems, fmt.Sprintf("the %s is owned by a person (%s)", o.what, o.owner.Name))
		default:
			ev[o.key+"_owner"] = map[string]any{"kind": o.owner.Kind, "name": o.owner.Name}
		}
	}
	if len(problems) > 0 {
		detail := strings.Join(problems, "; ")
		if rec.PhoneLine == nil || rec.EmailList == nil {
			detail += ": " + record
		}
		return Result{Status: Fail, Detail: detail, Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("the organization owns the contact phone line (%s) and the root email list (%s)", rec.PhoneLine.Name, rec.EmailList.Name), Evidence: ev}
}
