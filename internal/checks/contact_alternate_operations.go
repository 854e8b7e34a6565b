package checks

// ContactAlternateOperations fails when the account has no complete OPERATIONS alternate contact.
var ContactAlternateOperations = &Check{
	ID:       "contact-alternate-operations",
	Title:    "An operations alternate contact is set",
	Severity: Low,
	Doc: `Checks that the account has a OPERATIONS alternate contact with a name, an email
address and a phone number.

AWS sends operational notices (scheduled maintenance, retirements, service
events that need action) to the OPERATIONS alternate contact. Without it
they land in the root mailbox, which SEC01-BP02 wants reserved for root
matters, and the team that runs the workloads never sees them.

Use a team distribution list and a team phone number, not one person's.

Facts: account:GetAlternateContact with AlternateContactType OPERATIONS (for
member accounts called from the management account with AccountId);
ResourceNotFound means no contact is set.

PASS: the contact is set with a name, a valid email address and a phone number.
FAIL: no contact is set, or one of those fields is empty or invalid.
UNKNOWN: account:GetAlternateContact could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Console: account menu > Account > Alternate contacts > Edit.
CLI: aws account put-alternate-contact --account-id ACCOUNT_ID --alternate-contact-type OPERATIONS
  --name "..." --title "..." --email-address team@example.com --phone-number "+..."
(omit --account-id for the management account or a standalone account;
rootguard plan / apply can set missing contacts across the organization).`,
	References: References{
		SEC01BP02: stepContacts,
	},
	Run: activeOnly(func(in Input) Result { return assessAlternate(in.Account, "OPERATIONS") }),
}
