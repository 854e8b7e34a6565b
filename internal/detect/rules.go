package detect

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Rule flags used by the engine (unexported so the registry stays a list of plain values).
type ruleKind int

const (
	kindEvent     ruleKind = iota // per-event, returned by Observe
	kindRootEvent                 // per-event and about root use: suppresses the root-api-activity catch-all
	kindCatchAll                  // root-api-activity: fires only when no kindRootEvent rule did
	kindHeld                      // per-event, held until Flush for a join
	kindAggregate                 // built in Flush
)

// Scopes shared by several rules.
var (
	scopeConsoleLogin   = []Clause{{EventNames: []string{eventConsoleLogin}, IdentityType: identityRoot}}
	scopeAssumeRootCall = []Clause{{EventSource: sourceSTS, EventNames: []string{"AssumeRoot"}}}
)

// rootCall is the scope of calls the root user makes to one service.
func rootCall(source string, names ...string) []Clause {
	return []Clause{{EventSource: source, EventNames: slices.Sorted(slices.Values(names)), IdentityType: identityRoot}}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

var registry = []*Rule{
	{
		ID: RuleConsoleLogin, Severity: High, Title: "Root user signed in to the console",
		Summary: "A successful root console sign-in (`ConsoleLogin`, `userIdentity.type` Root). Every sign-in is its own alert; `mfa_used` says whether MFA was used.",
		Doc: "A successful console sign-in (signin.amazonaws.com ConsoleLogin) by the root user " +
			"(userIdentity.type Root). Every root sign-in is its own alert: the root user should sign in " +
			"only for the few tasks that require it, and each sign-in deserves a look. A ConsoleLogin whose " +
			"outcome is neither Success nor Failure and that carries no error is treated as a sign-in. " +
			"Whether MFA was used is in mfa_used; a sign-in without MFA also raises root-console-login-without-mfa.",
		TruePositives:  []string{"tp-eventbridge-envelope.json", "tp-success-mfa-uppercase-yes.json", "tp-success-v105-no-eventid.json"},
		FalsePositives: []string{"fp-assumed-role-switch.json", "fp-failed.json", "fp-iam-user-named-root.json"},
		Scope:          scopeConsoleLogin,
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchConsoleLogin,
	},
	{
		ID: RuleConsoleLoginWithoutMFA, Severity: Critical, Title: "Root user signed in without MFA",
		Summary: "The same sign-in when `additionalEventData.MFAUsed` is not \"yes\", compared case-insensitively (AWS's own example says `YES`, real records `Yes`). Without `MFAUsed`, `mfaAuthenticated: \"true\"` counts as MFA; with neither, the sign-in counts as without MFA.",
		Doc: "A successful root console sign-in where additionalEventData.MFAUsed is not \"yes\" (compared " +
			"case-insensitively: AWS's own example writes \"YES\", real records \"Yes\"). When MFAUsed is " +
			"absent, sessionContext.attributes.mfaAuthenticated \"true\" counts as MFA; with neither, the " +
			"sign-in is treated as without MFA. The root user must have MFA (CIS 1.5/1.6).",
		TruePositives:  []string{"tp-mfa-no.json", "tp-mfa-not-stated.json"},
		FalsePositives: []string{"fp-iam-user-named-root-no-mfa.json", "fp-mfa-uppercase-yes.json", "fp-mfa-yes.json"},
		Scope:          scopeConsoleLogin,
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchConsoleLoginWithoutMFA,
	},
	{
		ID: RuleConsoleLoginFailed, Severity: Medium, Title: "Root user console sign-in failed",
		Summary: "A failed root sign-in: `ConsoleLogin: Failure`, or not Success and carrying an error. A wrong IAM user name logs as `IAMUser`/`HIDDEN_DUE_TO_SECURITY_REASONS` and is not root.",
		Doc: "A failed root console sign-in: responseElements.ConsoleLogin is Failure, or the record is not " +
			"Success and carries errorCode/errorMessage (\"Failed authentication\"). Repeated failures also " +
			"raise root-console-brute-force. A failure with a wrong IAM user name is logged as IAMUser " +
			"(HIDDEN_DUE_TO_SECURITY_REASONS) and is not root.",
		TruePositives:  []string{"tp-failed-authentication.json", "tp-failed-error-without-outcome.json"},
		FalsePositives: []string{"fp-iam-user-unknown-name.json", "fp-success.json"},
		Scope:          scopeConsoleLogin,
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchConsoleLoginFailed,
	},
	{
		ID: RuleConsoleBruteForce, Severity: High, Title: "Burst of failed root sign-ins",
		Summary: "5 or more failed root sign-ins for one account within 15 minutes (`--brute-force-threshold`, `--brute-force-window`); one alert per burst, with `count`, `event_ids` and `sources`.",
		Doc: "At least Config.BruteForceThreshold (default 5) failed root console sign-ins for one account " +
			"within Config.BruteForceWindow (default 15 minutes). Overlapping qualifying windows merge into " +
			"one burst, reported once by Engine.Flush with the count and the event IDs, whatever order the " +
			"records were observed in. A record seen twice (same event ID and time) counts once; failures " +
			"without a parseable eventTime cannot be placed in a window and are left out.",
		TruePositives:  []string{"tp-five-at-window-edge.json", "tp-six-in-twelve-minutes.json"},
		FalsePositives: []string{"fp-failures-split-across-accounts.json", "fp-five-one-second-past-window.json", "fp-four-failures.json", "fp-iam-user-failures.json", "fp-spread-over-two-hours.json"},
		Scope:          scopeConsoleLogin,
		Needles:        []string{"Root"},
		kind:           kindAggregate,
	},
	{
		ID: RuleAPIActivity, Severity: High, Title: "Root user credentials used",
		SeverityNote: "medium when read-only",
		Summary:      "Any other event made with root's own credentials: not a sign-in, not a credential change reported by a narrower rule, not `AwsServiceEvent`, not `invokedBy` a service, not an `AssumeRoot` session. Failed calls are kept.",
		Doc: "Any event made with the root user's credentials (userIdentity.type Root) that no more specific " +
			"root rule reported (sign-ins, credential changes and root-issued federation tokens have their " +
			"own rules, so one event gives one root alert). Left out: eventType AwsServiceEvent; events " +
			"whose invokedBy names an AWS service acting on root's behalf (\"AWS Internal\", " +
			"\"*.amazonaws.com\"); and sessions opened by sts:AssumeRoot (assume-root-session). " +
			"Deliberately kept, unlike the CIS filter, Panther and StreamAlert: invokedBy " +
			"signin.amazonaws.com or console.amazonaws.com, or sessionCredentialFromConsole \"true\", which " +
			"is a human using root in the console, not a service; failed calls (someone holds the " +
			"credentials); read-only calls (reported at medium severity). root_required says whether the " +
			"action is one of the tasks that need root; otherwise it should have used a role.",
		TruePositives:  []string{"tp-console-invoked-by-signin.json", "tp-console-list-buckets-v104.json", "tp-create-user-for-persistence.json", "tp-failed-stop-logging.json", "tp-session-credential-from-console.json"},
		FalsePositives: []string{"fp-assumed-root-session.json", "fp-aws-service-event.json", "fp-iam-user-named-root.json", "fp-invoked-by-service.json", "fp-root-access-key-created.json", "fp-root-console-login.json"},
		Scope:          []Clause{{IdentityType: identityRoot}},
		Needles:        []string{"Root"},
		kind:           kindCatchAll, match: matchAPIActivity,
	},
	{
		ID: RuleAccessKeyCreated, Severity: Critical, Title: "Access key created for the root user",
		Summary: "`iam:CreateAccessKey` by root for itself (no `requestParameters.userName`).",
		Doc: "iam CreateAccessKey by the root user for itself (no requestParameters.userName). Root " +
			"access keys should not exist (CIS 1.4). A root user creating a key for an IAM user is " +
			"root-api-activity instead.",
		TruePositives:  []string{"tp-console-invoked-by-signin.json", "tp-self-requestparameters-null.json"},
		FalsePositives: []string{"fp-iam-user-named-root-self.json", "fp-root-creates-key-for-iam-user.json"},
		Scope:          rootCall(sourceIAM, "CreateAccessKey"),
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchRootSelfIAM,
	},
	{
		ID: RulePasswordChanged, Severity: High, Title: "Root user password changed",
		Summary: "`signin PasswordUpdated` by root, successful.",
		Doc: "signin PasswordUpdated by the root user with a successful outcome. A failed change is still " +
			"reported, by root-api-activity.",
		TruePositives:  []string{"tp-password-updated.json"},
		FalsePositives: []string{"fp-iam-user-named-root.json", "fp-password-update-failed.json"},
		Scope:          rootCall(sourceSignin, "PasswordUpdated"),
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchPasswordChanged,
	},
	{
		ID: RulePasswordRecovery, Severity: High, Title: "Root user password recovery",
		SeverityNote: "medium when failed",
		Summary:      "`signin PasswordRecoveryRequested` / `PasswordRecoveryCompleted`, matched on source and name alone.",
		Doc: "signin PasswordRecoveryRequested or PasswordRecoveryCompleted: the \"Forgot your password?\" " +
			"flow, which only the root user has. Matched on event source and name alone: the request happens " +
			"before authentication, so the identity block may not say Root. A failed request is reported at " +
			"medium severity.",
		TruePositives:  []string{"tp-completed.json", "tp-requested-minimal-identity.json"},
		FalsePositives: []string{"fp-iam-change-password.json", "fp-recovery-name-other-source.json"},
		Scope:          []Clause{{EventSource: sourceSignin, EventNames: []string{"PasswordRecoveryCompleted", "PasswordRecoveryRequested"}}},
		Needles:        []string{"PasswordRecovery"},
		kind:           kindRootEvent, match: matchPasswordRecovery,
	},
	{
		ID: RuleMFAChanged, Severity: High, Title: "Root user MFA device changed",
		SeverityNote: "critical for deactivate/delete",
		Summary:      "`iam` `CreateVirtualMFADevice`, `EnableMFADevice`, `ResyncMFADevice`, `DeactivateMFADevice`, `DeleteVirtualMFADevice` by root for itself (no `userName`, or the `AWS ROOT USER` placeholder AWS logs).",
		Doc: "iam CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice or " +
			"ResyncMFADevice called by the root user for itself (no requestParameters.userName, or the " +
			"\"AWS ROOT USER\" placeholder AWS logs). Deactivating or deleting is critical.",
		TruePositives:  []string{"tp-create-virtual-device.json", "tp-deactivate.json", "tp-enable-doc-example.json"},
		FalsePositives: []string{"fp-iam-user-named-root-deactivates.json", "fp-root-enables-for-iam-user.json"},
		Scope:          rootCall(sourceIAM, sortedKeys(mfaEvents)...),
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchMFAChanged,
	},
	{
		ID: RuleLoginProfileCreated, Severity: High, Title: "Root user gave itself a console password",
		Summary: "`iam:CreateLoginProfile` by root for itself: root got a console password back (e.g. in a member account whose root credentials centralized root access removed).",
		Doc: "iam CreateLoginProfile by the root user for itself (no requestParameters.userName): root got a " +
			"console password again, e.g. in a member account whose root credentials were removed by " +
			"centralized root access.",
		TruePositives:  []string{"tp-self.json"},
		FalsePositives: []string{"fp-assumed-root-session.json", "fp-root-for-iam-user.json"},
		Scope:          rootCall(sourceIAM, "CreateLoginProfile"),
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchRootSelfIAM,
	},
	{
		ID: RuleSigningCertificateUpload, Severity: High, Title: "Signing certificate uploaded for the root user",
		Summary: "`iam:UploadSigningCertificate` by root for itself: a long-lived root credential posture checks often forget.",
		Doc: "iam UploadSigningCertificate by the root user for itself (no requestParameters.userName): a " +
			"long-lived root credential that posture checks often forget.",
		TruePositives:  []string{"tp-self.json"},
		FalsePositives: []string{"fp-for-iam-user.json", "fp-iam-user-named-root.json"},
		Scope:          rootCall(sourceIAM, "UploadSigningCertificate"),
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchRootSelfIAM,
	},
	{
		ID: RuleAssumeRootCalled, Severity: Medium, Title: "sts:AssumeRoot called",
		SeverityNote: "low when failed",
		Summary:      "`sts:AssumeRoot`: `caller`, `target_account` (`targetPrincipal`) and `task_policy`; `root_task` is the task the policy is for.",
		Doc: "sts AssumeRoot: a management or delegated-administrator principal opened a short root session " +
			"in a member account (centralized root access). The alert names the caller (caller), the target " +
			"account (requestParameters.targetPrincipal) and the task policy; root_task is the task the " +
			"policy is for. A failed call is reported at low severity.",
		TruePositives:  []string{"tp-denied.json", "tp-s3-unlock.json"},
		FalsePositives: []string{"fp-assume-role.json"},
		Scope:          scopeAssumeRootCall,
		Needles:        []string{"Root"},
		kind:           kindEvent, match: matchAssumeRootCalled,
	},
	{
		ID: RuleAssumeRootSession, Severity: Low, Title: "Activity of a centralized root session",
		SeverityNote: "info for reads, medium for `CreateLoginProfile`",
		Summary:      "Events with `sessionContext.assumedRoot: \"true\"`: work done through a centralized root session. Joined to the `AssumeRoot` call by access key ID to name the caller and task policy.",
		Doc: "Events whose userIdentity.sessionContext.assumedRoot is \"true\": work done in a member account " +
			"through an sts:AssumeRoot session. They cannot come from a stolen root password, so they are " +
			"not root-api-activity. Held until Engine.Flush and joined to the AssumeRoot call by access key " +
			"ID (responseElements.credentials.accessKeyId) when the call is in the input, to name the caller " +
			"and the task policy. Severity: info for reads, low for writes, medium for CreateLoginProfile " +
			"(a root password restored).",
		TruePositives:  []string{"tp-audit-list-mfa-devices.json", "tp-delete-bucket-policy.json", "tp-joined-session-before-call.json"},
		FalsePositives: []string{"fp-assume-root-call-itself.json", "fp-assumed-root-false.json", "fp-real-root.json"},
		Scope:          append([]Clause{{AssumedRoot: true}}, scopeAssumeRootCall...),
		Needles:        []string{"Root"},
		kind:           kindHeld, match: matchAssumeRootSession,
	},
	{
		ID: RuleFederatedSession, Severity: High, Title: "Federated session issued by the root user",
		SeverityNote: "medium when read-only",
		Summary:      "`sts:GetFederationToken` called by root, and `FederatedUser` activity whose `sessionIssuer.type` is Root: sessions with root's power that do not say `type: Root`.",
		Doc: "sts GetFederationToken called with root credentials, and activity of the resulting sessions " +
			"(userIdentity.type FederatedUser with sessionContext.sessionIssuer.type Root). Such sessions " +
			"carry root's power without showing type Root, so root-use filters miss them.",
		TruePositives:  []string{"tp-federated-user-activity.json", "tp-get-federation-token.json"},
		FalsePositives: []string{"fp-federated-issuer-iam-user-named-root.json", "fp-iam-user-get-federation-token.json"},
		Scope:          append(rootCall(sourceSTS, "GetFederationToken"), Clause{IdentityType: identityFederatedUser, IssuerType: identityRoot}),
		Needles:        []string{"Root"},
		kind:           kindRootEvent, match: matchFederatedSession,
	},
	{
		ID: RuleAccountContactChanged, Severity: Medium, Title: "Account contact or recovery information changed",
		Summary: "Anyone calling `account` `PutContactInformation`, `PutAlternateContact`, `DeleteAlternateContact`, `StartPrimaryEmailUpdate`, `AcceptPrimaryEmailUpdate`, or the billing console's `SetContactAddress`, `SetAdditionalContacts`, `SetAccountPreferences`, `SetSecurityQuestions`: the root user's recovery paths.",
		Doc: "Anyone calling account PutContactInformation, PutAlternateContact, DeleteAlternateContact, " +
			"StartPrimaryEmailUpdate or AcceptPrimaryEmailUpdate, or the billing console's SetContactAddress, " +
			"SetAdditionalContacts, SetAccountPreferences (account name, root email, password) or " +
			"SetSecurityQuestions. These are the root user's recovery paths: an attacker who changes them " +
			"can take the account over or keep it.",
		TruePositives:  []string{"tp-billing-set-contact-address.json", "tp-put-alternate-contact-org-admin.json", "tp-root-set-security-questions.json", "tp-start-primary-email-update.json"},
		FalsePositives: []string{"fp-get-alternate-contact.json", "fp-get-contact-information.json"},
		Scope:          contactScope(),
		Needles:        []string{"Contact", "PrimaryEmail", "SetAccountPreferences", "SecurityQuestions"},
		kind:           kindEvent, match: matchContactChanged,
	},
}

func matchConsoleLogin(r *Record, a *Alert) bool {
	if r.loginFailed() {
		return false
	}
	a.Detail = fmt.Sprintf("root signed in to the console of account %s from %s (MFA: %s)",
		r.account(), r.SourceIPAddress, mfaText(r.mfaUsed()))
	return true
}

func matchConsoleLoginWithoutMFA(r *Record, a *Alert) bool {
	if r.loginFailed() {
		return false
	}
	if m := r.mfaUsed(); m != nil && *m {
		return false
	}
	a.Detail = fmt.Sprintf("root signed in to the console of account %s from %s without MFA", r.account(), r.SourceIPAddress)
	return true
}

func matchConsoleLoginFailed(r *Record, a *Alert) bool {
	if !r.loginFailed() {
		return false
	}
	a.Detail = fmt.Sprintf("failed root sign-in to account %s from %s: %s", r.account(), r.SourceIPAddress,
		firstNonEmpty(r.ErrorMessage, r.ErrorCode, "Failure"))
	return true
}

func matchAPIActivity(r *Record, a *Alert) bool {
	if r.isAssumedRoot() || r.EventType == eventTypeService || r.byService() ||
		r.EventName == eventConsoleLogin {
		return false
	}
	var how []string
	if r.fromConsole() {
		how = append(how, "in the console")
	}
	if r.failed() {
		how = append(how, "failed: "+firstNonEmpty(r.ErrorCode, r.ErrorMessage))
	}
	if r.readOnlyAction() {
		a.Severity = Medium
		how = append(how, "read-only")
	}
	why := "should have used a role"
	if task, ok := RootTask(r); ok {
		a.RootRequired, a.RootTask = true, task
		why = "a task that requires root: " + task
	}
	a.Detail = fmt.Sprintf("root called %s %s in account %s from %s%s; %s",
		serviceName(r.EventSource), r.EventName, r.account(), r.SourceIPAddress, paren(how), why)
	return true
}

// matchRootSelfIAM matches an IAM credential call (the rule's Scope names it) that root made for
// itself: no requestParameters.userName.
func matchRootSelfIAM(r *Record, a *Alert) bool {
	if r.isAssumedRoot() || r.requestString("userName") != "" {
		return false
	}
	a.Detail = fmt.Sprintf("root called iam %s for itself in account %s from %s%s",
		r.EventName, r.account(), r.SourceIPAddress, failedText(r))
	return true
}

func matchPasswordChanged(r *Record, a *Alert) bool {
	if r.isAssumedRoot() || r.failed() || jsonString(r.ResponseElements, "PasswordUpdated") == "Failure" {
		return false
	}
	a.Detail = fmt.Sprintf("the root password of account %s was changed from %s", r.account(), r.SourceIPAddress)
	return true
}

func matchPasswordRecovery(r *Record, a *Alert) bool {
	if r.failed() {
		a.Severity = Medium
	}
	// The identity block may be minimal: the action is root-only whoever the record names.
	a.RootRequired, a.RootTask = true, taskRootPassword
	a.Detail = fmt.Sprintf("root password recovery (%s) for account %s from %s%s",
		r.EventName, r.account(), r.SourceIPAddress, failedText(r))
	return true
}

var mfaEvents = map[string]Severity{
	"CreateVirtualMFADevice": High, "EnableMFADevice": High, "ResyncMFADevice": High,
	"DeactivateMFADevice": Critical, "DeleteVirtualMFADevice": Critical,
}

func matchMFAChanged(r *Record, a *Alert) bool {
	if r.isAssumedRoot() || !forRootSelf(r) {
		return false
	}
	a.Severity = mfaEvents[r.EventName]
	a.Detail = fmt.Sprintf("root called iam %s on its own MFA in account %s from %s%s",
		r.EventName, r.account(), r.SourceIPAddress, failedText(r))
	return true
}

func matchAssumeRootCalled(r *Record, a *Alert) bool {
	a.Caller = r.UserIdentity.ARN
	a.TargetAccount = r.requestString("targetPrincipal")
	a.TaskPolicy = r.requestString("taskPolicyArn", "arn")
	if task, ok := taskPolicies[taskPolicyName(a.TaskPolicy)]; ok {
		a.RootRequired, a.RootTask = true, task
	}
	if r.failed() {
		a.Severity = Low
	}
	a.Detail = fmt.Sprintf("%s opened a root session in account %s with task policy %s%s",
		firstNonEmpty(a.Caller, "an unnamed principal"), firstNonEmpty(a.TargetAccount, "?"),
		firstNonEmpty(taskPolicyName(a.TaskPolicy), "?"), failedText(r))
	return true
}

func matchAssumeRootSession(r *Record, a *Alert) bool {
	if !r.isAssumedRoot() || (r.EventSource == sourceSTS && r.EventName == "AssumeRoot") {
		return false
	}
	switch {
	case r.EventSource == sourceIAM && r.EventName == "CreateLoginProfile":
		a.Severity = Medium
	case r.readOnlyAction():
		a.Severity = Info
	}
	a.Detail = sessionDetail(r, a)
	return true
}

func sessionDetail(r *Record, a *Alert) string {
	who := "a centralized root session"
	if a.Caller != "" {
		who = fmt.Sprintf("a root session opened by %s (task policy %s)", a.Caller, firstNonEmpty(taskPolicyName(a.TaskPolicy), "?"))
	}
	return fmt.Sprintf("%s called %s %s in account %s%s", who, serviceName(r.EventSource), r.EventName, r.account(), failedText(r))
}

func matchFederatedSession(r *Record, a *Alert) bool {
	switch {
	case r.EventSource == sourceSTS && r.EventName == "GetFederationToken" && r.isRoot() && !r.isAssumedRoot():
		a.Detail = fmt.Sprintf("root issued a federation token (session %q) in account %s from %s%s",
			r.requestString("name"), r.account(), r.SourceIPAddress, failedText(r))
		return true
	case r.UserIdentity.Type == identityFederatedUser && r.UserIdentity.SessionContext != nil &&
		r.UserIdentity.SessionContext.SessionIssuer.Type == identityRoot:
		if r.readOnlyAction() {
			a.Severity = Medium
		}
		if task, ok := RootTask(r); ok {
			a.RootRequired, a.RootTask = true, task
		}
		a.Detail = fmt.Sprintf("a federated session issued by root (%s) called %s %s in account %s from %s%s",
			r.UserIdentity.ARN, serviceName(r.EventSource), r.EventName, r.account(), r.SourceIPAddress, failedText(r))
		return true
	}
	return false
}

// contactEvents are the events of account-contact-changed, by event source.
var contactEvents = map[string][]string{
	sourceAccount: {"PutContactInformation", "PutAlternateContact", "DeleteAlternateContact",
		"StartPrimaryEmailUpdate", "AcceptPrimaryEmailUpdate"},
	sourceBillingConsole: {"SetContactAddress", "SetAdditionalContacts", "SetAccountPreferences", "SetSecurityQuestions"},
}

func contactScope() []Clause {
	var cs []Clause
	for _, src := range sortedKeys(contactEvents) {
		cs = append(cs, Clause{EventSource: src, EventNames: slices.Sorted(slices.Values(contactEvents[src]))})
	}
	return cs
}

func matchContactChanged(r *Record, a *Alert) bool {
	target := r.requestString("accountId")
	if target == "" {
		target = r.account()
	}
	who := firstNonEmpty(r.UserIdentity.ARN, r.UserIdentity.Type, "an unnamed principal")
	a.Detail = fmt.Sprintf("%s called %s %s for account %s from %s%s",
		who, serviceName(r.EventSource), r.EventName, target, r.SourceIPAddress, failedText(r))
	return true
}

func mfaText(m *bool) string {
	switch {
	case m == nil:
		return "not stated"
	case *m:
		return "yes"
	}
	return "no"
}

func failedText(r *Record) string {
	if r.failed() {
		return " (failed: " + firstNonEmpty(r.ErrorCode, r.ErrorMessage) + ")"
	}
	return ""
}

func paren(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func serviceName(source string) string {
	return strings.TrimSuffix(source, ".amazonaws.com")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
