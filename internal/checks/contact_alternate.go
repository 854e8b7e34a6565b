package checks

import "strings"

// alternateContact builds the check that an account has a complete
// alternate contact of type typ (BILLING, OPERATIONS or SECURITY). Its ID
// is contact-alternate-<type>; why is the Doc's paragraph on what AWS sends
// to that contact.
func alternateContact(typ, title string, severity Severity, why string, refs References) *Check {
	return &Check{
		ID:       "contact-alternate-" + strings.ToLower(typ),
		Title:    title,
		Severity: severity,
		Doc: `Checks that the account has a ` + typ + ` alternate contact with a name, an email
address and a phone number.

` + why + `

Use a team distribution list and a team phone number, not one person's.

Facts: account:GetAlternateContact with AlternateContactType ` + typ + ` (for
member accounts called from the management account with AccountId);
ResourceNotFound means no contact is set.

PASS: the contact is set with a name, a valid email address and a phone number.
FAIL: no contact is set, or one of those fields is empty or invalid.
UNKNOWN: account:GetAlternateContact could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
		Remediation: `Console: account menu > Account > Alternate contacts > Edit.
CLI: aws account put-alternate-contact --account-id ACCOUNT_ID --alternate-contact-type ` + typ + `
  --name "..." --title "..." --email-address team@example.com --phone-number "+..."
(omit --account-id for the management account or a standalone account;
rootguard plan / apply can set missing contacts across the organization).`,
		References: refs,
		Run:        activeOnly(func(in Input) Result { return assessAlternate(in.Account, typ) }),
	}
}
