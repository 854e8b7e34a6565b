package checks

// ContactAlternateSecurity fails when the account has no complete SECURITY alternate contact.
var ContactAlternateSecurity = alternateContact("SECURITY", "A security alternate contact is set", Medium,
	`AWS sends security notifications (abuse reports, exposed credentials, compromised
resources) to the SECURITY alternate contact as well as to the root email.
Without it they reach only the root mailbox, which should be rarely read by
people other than its custodians; with it, the security team hears first.`,
	References{
		SEC01BP02:   stepContacts,
		CIS:         []string{"v1.4:1.2", "v3.0:1.2", "v5.0:1.2", "v6.0:2.2", "v7.0:2.3"},
		SecurityHub: []string{"Account.1"},
	})
