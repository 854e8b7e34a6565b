package checks

import "strings"

// ContactPrimaryComplete fails when the account's primary contact is missing
// or lacks a required field.
var ContactPrimaryComplete = &Check{
	ID:       "contact-primary-complete",
	Title:    "The primary contact information is complete",
	Severity: Medium,
	Doc: `Checks that the account's primary contact information is set and has every
field AWS requires: full name, address line 1, city, postal code, country
code and phone number.

AWS uses the primary contact to reach the account owner about security
events, abuse reports and billing, and AWS Support uses its phone number to
verify the owner in some recovery procedures (for example an unmanageable
KMS key). Missing or stale details slow down incident response exactly when
time matters. (Completeness is checked here; the phone number's format is
checked by contact-phone-valid, and whether the details are current is
recorded with rootguard contacts verify.)

Facts: account:GetContactInformation (for member accounts called from the
management account with AccountId; for the management account itself in
the standalone context).

PASS: all required fields are filled.
FAIL: no primary contact, or required fields are empty (named in the detail).
UNKNOWN: account:GetContactInformation could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Console: account menu > Account > Contact information > Edit.
CLI: aws account put-contact-information --account-id ACCOUNT_ID --contact-information
  FullName=...,AddressLine1=...,City=...,PostalCode=...,CountryCode=..,PhoneNumber=+...
(omit --account-id for the management account or a standalone account).`,
	References: References{
		SEC01BP02: stepContacts,
		CIS:       []string{"v1.4:1.1", "v3.0:1.1", "v5.0:1.1", "v6.0:2.1", "v7.0:2.2"},
	},
	Run: activeOnly(runContactPrimaryComplete),
}

func runContactPrimaryComplete(in Input) Result {
	f := in.Account.Contacts.Primary
	if !f.Known() {
		return unknownFrom("primary contact: "+f.Reason(), failedOf(f), nil)
	}
	ev := map[string]any{"source_api": f.Source.API}
	c := f.Value
	if c == nil {
		return Result{Status: Fail, Detail: "no primary contact information is set", Evidence: ev}
	}
	var missing []string
	for _, fl := range []struct{ name, v string }{
		{"full_name", c.FullName},
		{"address_line1", c.AddressLine1},
		{"city", c.City},
		{"postal_code", c.PostalCode},
		{"country_code", c.CountryCode},
		{"phone_number", c.PhoneNumber},
	} {
		if strings.TrimSpace(fl.v) == "" {
			missing = append(missing, fl.name)
		}
	}
	if len(missing) > 0 {
		ev["missing"] = missing
		return Result{Status: Fail, Detail: "the primary contact lacks " + strings.Join(missing, ", "), Evidence: ev}
	}
	ev["full_name"] = c.FullName
	ev["country_code"] = c.CountryCode
	return Result{Status: Pass, Detail: "the primary contact has every required field", Evidence: ev}
}
