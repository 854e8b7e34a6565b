package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// ContactPhoneValid fails when a contact's phone number is not a valid E.164
// number once formatting is removed.
var ContactPhoneValid = &Check{
	ID:       "contact-phone-valid",
	Title:    "Contact phone numbers are valid international numbers",
	Severity: Medium,
	Doc: `Checks that the phone numbers of the primary contact and of the SECURITY,
OPERATIONS and BILLING alternate contacts are valid E.164 numbers: after
removing spaces, dashes, dots, slashes and parentheses, a "+", a country code
that does not start with 0, and 7 to 15 digits in all.

AWS calls these numbers to verify the account owner (AWS Support calls the
primary phone number to recover an unmanageable KMS key, for instance) and
when it needs a person urgently. A number without its country code, with a
typo, or with a placeholder cannot be dialled from AWS's side, and nobody
notices until the day it matters.

Facts: account:GetContactInformation and account:GetAlternateContact. A
contact that is not set is left to contact-primary-complete and the
contact-alternate-* checks.

PASS: every number found is valid E.164.
FAIL: a number is invalid or a set contact has none (the evidence lists each
bad number and which contact holds it), or no contact holds a number at all.
UNKNOWN: no bad number was found, but a contact could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Write each number with its country code, e.g. +44 20 7946 0000.
Primary: account menu > Account > Contact information > Edit, or
  aws account put-contact-information --account-id ACCOUNT_ID --contact-information ...,PhoneNumber=+...
Alternates: account menu > Account > Alternate contacts > Edit, or
  aws account put-alternate-contact --account-id ACCOUNT_ID --alternate-contact-type SECURITY \
    --name "..." --title "..." --email-address team@example.com --phone-number "+..."
Use a dedicated team number that does not depend on one person.`,
	References: References{
		SEC01BP02: stepContacts,
		CIS:       []string{"v1.4:1.1", "v3.0:1.1", "v5.0:1.1", "v6.0:2.1", "v7.0:2.2"},
	},
	Run: activeOnly(runContactPhoneValid),
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// phoneProblem returns why a phone number is not E.164 after removing
// formatting, or "" if it is valid, along with the normalized number.
func phoneProblem(number string) (normalized, problem string) {
	n := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '/', '(', ')', '\u00a0', '\t':
			return -1
		}
		return r
	}, number)
	digits := strings.TrimPrefix(n, "+")
	switch {
	case strings.TrimSpace(number) == "":
		return n, "no phone number"
	case strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0:
		return n, "contains characters other than digits and formatting"
	case !strings.HasPrefix(n, "+"):
		return n, `no international prefix: must start with "+" and a country code`
	case strings.HasPrefix(digits, "0"):
		return n, "country code cannot start with 0"
	case len(digits) < 7:
		return n, fmt.Sprintf("too short: %d digits (E.164 numbers have 7 to 15)", len(digits))
	case len(digits) > 15:
		return n, fmt.Sprintf("too long: %d digits (E.164 allows at most 15)", len(digits))
	case !e164.MatchString(n):
		return n, "not an E.164 number"
	}
	return n, ""
}

func runContactPhoneValid(in Input) Result {
	a := in.Account
	type entry struct{ contact, number, source string }
	var entries []entry
	var gaps, sources, failed []string
	if f := a.Contacts.Primary; !f.Known() {
		gaps = append(gaps, "primary contact: "+f.Reason())
		failed = append(failed, failedOf(f)...)
	} else {
		sources = append(sources, f.Source.API)
		if f.Value != nil {
			entries = append(entries, entry{"primary", f.Value.PhoneNumber, f.Source.API})
		}
	}
	for _, kind := range inventory.AlternateTypes {
		f, ok := a.Contacts.Alternates[kind]
		switch {
		case !ok:
			gaps = append(gaps, kind+" alternate contact: not collected")
		case !f.Known():
			gaps = append(gaps, kind+" alternate contact: "+f.Reason())
			failed = append(failed, failedOf(f)...)
		default:
			sources = append(sources, f.Source.API)
			if f.Value != nil {
				entries = append(entries, entry{kind, f.Value.PhoneNumber, f.Source.API})
			}
		}
	}
	ev := map[string]any{}
	if len(sources) > 0 {
		ev["source_api"] = sourceList(sources...)
	}
	var bad, good []map[string]any
	var badText []string
	for _, e := range entries {
		n, problem := phoneProblem(e.number)
		if problem != "" {
			bad = append(bad, map[string]any{"contact": e.contact, "number": e.number, "problem": problem, "source_api": e.source})
			badText = append(badText, fmt.Sprintf("%s %q: %s", e.contact, e.number, problem))
			continue
		}
		good = append(good, map[string]any{"contact": e.contact, "e164": n})
	}
	if len(good) > 0 {
		ev["valid_numbers"] = good
	}
	switch {
	case len(bad) > 0:
		ev["invalid_numbers"] = bad
		return Result{Status: Fail, Detail: "invalid phone number(s): " + strings.Join(badText, "; "), Evidence: ev}
	case len(gaps) > 0:
		return unknownFrom(strings.Join(gaps, "; "), failed, ev)
	case len(entries) == 0:
		return Result{Status: Fail, Detail: "no contact holds a phone number: neither the primary contact nor any alternate contact is set", Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("%d phone number(s), all valid E.164", len(good)), Evidence: ev}
}
