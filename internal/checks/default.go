package checks

// builtin lists the built-in checks in the order findings are reported:
// root credentials first (the most severe), then MFA, use, the root email
// and the contacts, then the organization guardrails and detective
// controls.
var builtin = []*Check{
	RootAccessKeysAbsent,
	RootSigningCertificatesAbsent,
	MemberRootCredentialsAbsent,
	CentralizedRootAccessEnabled,
	RootMFAEnabled,
	RootMFAHardware,
	RootMFAMultipleDevices,
	RootMFAHardwareAge,
	RootVirtualMFAOrphaned,
	RootRecentUse,
	RootPasswordAge,
	RootAccessDrillRecent,
	RootEmailOrgDomain,
	RootEmailSharedMailbox,
	RootEmailUnique,
	ContactPrimaryComplete,
	ContactAlternateSecurity,
	ContactAlternateOperations,
	ContactAlternateBilling,
	ContactPhoneValid,
	ContactsVerifiedRecent,
	// Organization guardrails and detective controls.
	SCPDenyRootActions,
	SCPDenyRootAccessKeys,
	SCPAssumedRootExempt,
	SCPManagementAccountUncovered,
	AssumeRootRestricted,
	TrailMultiRegionLogging,
	RootActivityAlerting,
	GuardDutyEnabled,
	GuardDutyRootFindingsRouted,
	RootEmailCircularDependency,
	RootEmailDomainRegistration,
	RecoveryPathCycle,
	RecoverySinglePoint,
	// Custody of the root credentials, from the custody registry.
	CustodyTwoPerson,
	CustodyComplete,
	CustodyStorageIndependent,
	CustodyOrgOwned,
}

// Default returns a registry of every built-in check. It panics if a
// built-in check is invalid, which TestDefault rules out.
func Default() *Registry {
	r, err := NewRegistry(builtin...)
	if err != nil {
		panic("checks: built-in registry: " + err.Error())
	}
	return r
}
