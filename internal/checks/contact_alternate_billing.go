package checks

// ContactAlternateBilling fails when the account has no complete BILLING alternate contact.
var ContactAlternateBilling = alternateContact("BILLING", "A billing alternate contact is set", Low,
	`AWS sends invoices, payment problems and billing notices to the BILLING
alternate contact. Without it they go to the root mailbox; an unpaid invoice
that nobody sees can end in a suspended account, and billing staff then need
root access to get what they should receive directly.`,
	References{SEC01BP02: stepContacts})
