package trailquery

import (
	"fmt"

	"github.com/rootguard/rootguard/internal/detect"
)

// Event sources and names the predicates name. They restate the conditions of the rules in
// internal/detect; the conformance tests fail when a rule fires on a record its predicate
// leaves out.
const (
	srcIAM     = "iam.amazonaws.com"
	srcSignin  = "signin.amazonaws.com"
	srcSTS     = "sts.amazonaws.com"
	srcAccount = "account.amazonaws.com"
	srcBilling = "billingconsole.amazonaws.com"
)

var (
	root         = eq{IdentityType, "Root"}
	consoleLogin = and{eq{EventName, "ConsoleLogin"}, root}
	// assumeRootCall is every sts:AssumeRoot call: assume-root-called fires on it and the
	// assume-root-session join reads it.
	assumeRootCall = and{eq{EventSource, srcSTS}, eq{EventName, "AssumeRoot"}}
)

func rootCall(source string, names ...string) Pred {
	if len(names) == 1 {
		return and{eq{EventSource, source}, eq{EventName, names[0]}, root}
	}
	return and{eq{EventSource, source}, isIn(EventName, names...), root}
}

// RulePredicate returns the pushed-down predicate of one rule: every record on which the rule
// can fire, or that its aggregate or join reads, satisfies it. withAssumedRoot says whether the
// table has userIdentity.sessionContext.assumedRoot. It returns an error for an unknown rule ID.
func RulePredicate(id string, withAssumedRoot bool) (Pred, error) {
	p := rulePredicate(id, withAssumedRoot)
	if p == nil {
		return nil, fmt.Errorf("rule %q: no such rule", id)
	}
	if !withAssumedRoot {
		// Sessions are recognised from the AssumeRoot call that issued their key (see Rebuild),
		// so every rule that reads Root records needs the calls too.
		p = anyOf(p, assumeRootCall)
	}
	return p, nil
}

func rulePredicate(id string, withAssumedRoot bool) Pred {
	switch id {
	case detect.RuleConsoleLogin, detect.RuleConsoleLoginWithoutMFA, detect.RuleConsoleLoginFailed,
		detect.RuleConsoleBruteForce:
		return consoleLogin
	case detect.RuleAPIActivity:
		return root
	case detect.RuleAccessKeyCreated:
		return rootCall(srcIAM, "CreateAccessKey")
	case detect.RuleLoginProfileCreated:
		return rootCall(srcIAM, "CreateLoginProfile")
	case detect.RuleSigningCertificateUpload:
		return rootCall(srcIAM, "UploadSigningCertificate")
	case detect.RulePasswordChanged:
		return rootCall(srcSignin, "PasswordUpdated")
	case detect.RuleMFAChanged:
		return rootCall(srcIAM, "CreateVirtualMFADevice", "EnableMFADevice", "ResyncMFADevice",
			"DeactivateMFADevice", "DeleteVirtualMFADevice")
	case detect.RulePasswordRecovery:
		// Matched on source and name alone: the identity block may not say Root.
		return and{eq{EventSource, srcSignin}, isIn(EventName, "PasswordRecoveryRequested", "PasswordRecoveryCompleted")}
	case detect.RuleAssumeRootCalled:
		return assumeRootCall
	case detect.RuleAssumeRootSession:
		if withAssumedRoot {
			return anyOf(lowerEq{AssumedRoot, "true"}, assumeRootCall)
		}
		// AssumeRoot sessions are logged with userIdentity.type Root.
		return anyOf(root, assumeRootCall)
	case detect.RuleFederatedSession:
		return anyOf(rootCall(srcSTS, "GetFederationToken"),
			and{eq{IdentityType, "FederatedUser"}, eq{IssuerType, "Root"}})
	case detect.RuleAccountContactChanged:
		return anyOf(
			and{eq{EventSource, srcAccount}, isIn(EventName, "PutContactInformation", "PutAlternateContact",
				"DeleteAlternateContact", "StartPrimaryEmailUpdate", "AcceptPrimaryEmailUpdate")},
			and{eq{EventSource, srcBilling}, isIn(EventName, "SetContactAddress", "SetAdditionalContacts",
				"SetAccountPreferences", "SetSecurityQuestions")},
		)
	}
	return nil
}

// AllRules returns the predicate of the whole rule set: the OR of every rule's, simplified.
func AllRules(withAssumedRoot bool) Pred {
	var ps []Pred
	for _, r := range detect.Rules() {
		p := rulePredicate(r.ID, withAssumedRoot)
		if p == nil {
			// A rule without a predicate must not be left out of the query: select everything.
			// The tests keep the table complete.
			return always{}
		}
		ps = append(ps, p)
	}
	if !withAssumedRoot {
		ps = append(ps, assumeRootCall)
	}
	return anyOf(ps...)
}
