package checks

// ContactAlternateBilling fails when the account has no complete BILLING alternate contact.
var ContactAlternateBilling = &Check{
	ID:       "contact-alternate-billing",
	Title:    "A billing alternate contact is set",
	Severity: Low,
	Doc: `Checks that the account has a BILLING alternate contact with a name, an email
address and a phone number.

AWS sends invoices, payment problems and billing notices to the BILLING
alternate contact. Without it they go to the root mailbox; an unpaid invoice
that nobody sees can end in a suspended account, and billing staff then need
root access to get what they should receive directly.

Use a team distribution list and a team phone number, not one person's.

Facts: account:GetAlternateContact with AlternateContactType BILLING (for
member accounts called from the management account with AccountId);
ResourceNotFound means no contact is set.

PASS: the contact is set with a name, a valid email address and a phone number.
FAIL: no contact is set, or one of those fields is empty or invalid.
UNKNOWN: account:GetAlternateContact could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Console: account menu > Account > Alternate contacts > Edit.
CLI: aws account put-alternate-contact --account-id ACCOUNT_ID --alternate-contact-type BILLING
  --name "..." --title "..." --email-address team@example.com --phone-number "+..."
(omit --account-id for the management account or a standalone account;
rootguard plan / apply can set missing contacts across the organization).`,
	References: References{
		SEC01BP02: stepContacts,
	},
	Run: activeOnly(func(in Input) Result { return assessAlternate(in.Account, "BILLING") }),
}
