package checks

// ContactAlternateSecurity fails when the account has no complete SECURITY alternate contact.
var ContactAlternateSecurity = &Check{
	ID:       "contact-alternate-security",
	Title:    "A security alternate contact is set",
	Severity: Medium,
	Doc: `Checks that the account has a SECURITY alternate contact with a name, an email
address and a phone number.

AWS sends security notifications (abuse reports, exposed credentials, compromised
resources) to the SECURITY alternate contact as well as to the root email.
Without it they reach only the root mailbox, which should be rarely read by
people other than its custodians; with it, the security team hears first.

Use a team distribution list and a team phone number, not one person's.

Facts: account:GetAlternateContact with AlternateContactType SECURITY (for
member accounts called from the management account with AccountId);
ResourceNotFound means no contact is set.

PASS: the contact is set with a name, a valid email address and a phone number.
FAIL: no contact is set, or one of those fields is empty or invalid.
UNKNOWN: account:GetAlternateContact could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Console: account menu > Account > Alternate contacts > Edit.
CLI: aws account put-alternate-contact --account-id ACCOUNT_ID --alternate-contact-type SECURITY
  --name "..." --title "..." --email-address team@example.com --phone-number "+..."
(omit --account-id for the management account or a standalone account;
rootguard plan / apply can set missing contacts across the organization).`,
	References: References{
		SEC01BP02:   stepContacts,
		CIS:         []string{"v1.4:1.2", "v3.0:1.2", "v5.0:1.2", "v6.0:2.2", "v7.0:2.3"},
		SecurityHub: []string{"Account.1"},
	},
	Run: activeOnly(func(in Input) Result { return assessAlternate(in.Account, "SECURITY") }),
}
