package detect

import "slices"

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
	// SeverityNote says when an alert carries another severity than the default, e.g. "medium
	// when read-only"; empty when it never does.
	SeverityNote string
	Doc          string // what it matches, what it deliberately leaves out, and why
	// Summary is Doc in one sentence or two, for the rule table of docs/detection.md (Markdown).
	Summary string
	// TruePositives and FalsePositives name sample files under testdata/rules/<ID>/.
	TruePositives  []string
	FalsePositives []string
	// Scope is every record the rule can fire on, or that its aggregate or join reads: a record
	// that matches none of the clauses never concerns the rule. The engine checks it before the
	// rule's own logic, and trailquery renders the same clauses as the pushed-down SQL filter, so
	// the event sources and names of a rule are written once, here.
	Scope []Clause
	// Needles are literal byte strings of which every record in Scope holds at least one
	// (possibly spelled with \u escapes): the prefilter (Interesting) skips a record that holds
	// none of any rule's needles. Values are compared case-sensitively.
	Needles []string

	kind ruleKind
	// match decides a per-event rule on r, completing a, which comes pre-filled from the record
	// and the rule's defaults; nil for aggregate rules.
	match func(r *Record, a *Alert) bool
}

// Clause is a conjunction of equality tests on a record; an empty field tests nothing. Values
// compare case-sensitively, as CloudTrail writes them, except assumedRoot.
type Clause struct {
	EventSource  string   // eventSource
	EventNames   []string // eventName is one of these, sorted
	IdentityType string   // userIdentity.type
	IssuerType   string   // userIdentity.sessionContext.sessionIssuer.type
	// AssumedRoot requires userIdentity.sessionContext.assumedRoot "true" (any case): activity
	// of a session opened by sts:AssumeRoot.
	AssumedRoot bool
}

// Matches reports whether r satisfies every test of the clause.
func (c Clause) Matches(r *Record) bool {
	switch {
	case c.EventSource != "" && r.EventSource != c.EventSource,
		len(c.EventNames) > 0 && !slices.Contains(c.EventNames, r.EventName),
		c.IdentityType != "" && r.UserIdentity.Type != c.IdentityType,
		c.AssumedRoot && !r.isAssumedRoot():
		return false
	case c.IssuerType != "":
		sc := r.UserIdentity.SessionContext
		return sc != nil && sc.SessionIssuer.Type == c.IssuerType
	}
	return true
}

// InScope reports whether r matches one of the rule's Scope clauses.
func (r *Rule) InScope(rec *Record) bool {
	return slices.ContainsFunc(r.Scope, func(c Clause) bool { return c.Matches(rec) })
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
