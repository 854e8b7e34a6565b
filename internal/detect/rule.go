package detect

// Rule IDs: stable, never reused.
const (
	RuleConsoleLogin             = "root-console-login"
	RuleConsoleLoginWithoutMFA   = "root-console-login-without-mfa"
	RuleConsoleLoginFailed       = "root-console-login-failed"
	RuleConsoleBruteForce        = "root-console-brute-force"
	RuleAPIActivity              = "root-api-activity"
	RuleAccessKeyCreated         = "root-access-key-created"
	RulePasswordChanged          = "root-password-changed"
	RulePasswordRecovery         = "root-password-recovery"
	RuleMFAChanged               = "root-mfa-changed"
	RuleLoginProfileCreated      = "root-login-profile-created"
	RuleSigningCertificateUpload = "root-signing-certificate-uploaded"
	RuleAssumeRootCalled         = "assume-root-called"
	RuleAssumeRootSession        = "assume-root-session"
	RuleFederatedSession         = "root-federated-session"
	RuleAccountContactChanged    = "account-contact-changed"
)

// Rule is one detection in the registry.
type Rule struct {
	ID       string
	Severity Severity // default severity; an alert may carry another (e.g. a failed call)
	Title    string
	Doc      string // what it matches, what it deliberately leaves out, and why
	// TruePositives and FalsePositives name sample files under testdata/rules/<ID>/.
	TruePositives  []string
	FalsePositives []string

	kind ruleKind
	// match decides a per-event rule on r, completing a, which comes pre-filled from the record
	// and the rule's defaults; nil for aggregate rules.
	match func(r *Record, a *Alert) bool
}

// Rules returns the registry, in a fixed order. The values are shared; do not modify them.
func Rules() []*Rule { return registry }

// RuleByID returns the rule with the given ID, or nil.
func RuleByID(id string) *Rule {
	for _, r := range registry {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Deferred reports whether the rule's alerts come from Engine.Flush (aggregates and joins)
// rather than from Engine.Observe.
func (r *Rule) Deferred() bool { return r.kind == kindAggregate || r.kind == kindHeld }
