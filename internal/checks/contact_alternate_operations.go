package checks

// ContactAlternateOperations fails when the account has no complete OPERATIONS alternate contact.
var ContactAlternateOperations = alternateContact("OPERATIONS", "An operations alternate contact is set", Low,
	`AWS sends operational notices (scheduled maintenance, retirements, service
events that need action) to the OPERATIONS alternate contact. Without it
they land in the root mailbox, which SEC01-BP02 wants reserved for root
matters, and the team that runs the workloads never sees them.`,
	References{SEC01BP02: stepContacts})
