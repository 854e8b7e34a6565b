package detect

import (
	"encoding/json"
	"strings"
	"time"
)

// Values the rules compare against.
const (
	identityRoot          = "Root"
	identityFederatedUser = "FederatedUser"
	eventTypeService      = "AwsServiceEvent"
	eventConsoleLogin     = "ConsoleLogin"
)

func (r *Record) isRoot() bool { return r.UserIdentity.Type == identityRoot }

// isAssumedRoot is true for activity of a session opened by sts:AssumeRoot.
func (r *Record) isAssumedRoot() bool {
	sc := r.UserIdentity.SessionContext
	return sc != nil && strings.EqualFold(sc.AssumedRoot, "true")
}

// failed is true when the record carries an error.
func (r *Record) failed() bool { return r.ErrorCode != "" || r.ErrorMessage != "" }

// fromConsole is true when a human in the AWS console made the call: invokedBy is the console or
// sign-in service, or the record says the session credentials came from the console.
func (r *Record) fromConsole() bool {
	switch r.UserIdentity.InvokedBy {
	case "signin.amazonaws.com", "console.amazonaws.com":
		return true
	}
	return strings.EqualFold(r.SessionCredentialFromConsole, "true")
}

// byService is true when an AWS service made the call on the identity's behalf: any invokedBy
// other than the console (e.g. "AWS Internal", "cloudformation.amazonaws.com").
func (r *Record) byService() bool {
	return r.UserIdentity.InvokedBy != "" && !r.fromConsole()
}

// mfaUsed reads additionalEventData.MFAUsed (sign-in; compared case-insensitively, AWS writes
// "Yes", "YES" and "No"), else sessionContext.attributes.mfaAuthenticated (API calls). Nil when
// the record says neither.
func (r *Record) mfaUsed() *bool {
	if v, ok := r.AdditionalEventData["MFAUsed"].(string); ok {
		switch {
		case strings.EqualFold(v, "yes"), strings.EqualFold(v, "true"):
			return ptr(true)
		case strings.EqualFold(v, "no"), strings.EqualFold(v, "false"):
			return ptr(false)
		}
	}
	if sc := r.UserIdentity.SessionContext; sc != nil {
		switch {
		case strings.EqualFold(sc.MFAAuthenticated, "true"):
			return ptr(true)
		case strings.EqualFold(sc.MFAAuthenticated, "false"):
			return ptr(false)
		}
	}
	return nil
}

// loginOutcome is responseElements.ConsoleLogin ("Success", "Failure"), or "" when absent.
func (r *Record) loginOutcome() string { return jsonString(r.ResponseElements, "ConsoleLogin") }

// loginFailed is true for a sign-in whose outcome is Failure, or that is not Success and carries
// an error.
func (r *Record) loginFailed() bool {
	out := r.loginOutcome()
	return out == "Failure" || (out != "Success" && r.failed())
}

// readOnlyAction is true when the record says readOnly, or, when it does not say, the event
// name reads as a read (Get, List, Describe, Head).
func (r *Record) readOnlyAction() bool {
	if r.ReadOnly != nil {
		return *r.ReadOnly
	}
	for _, p := range []string{"Get", "List", "Describe", "Head"} {
		if strings.HasPrefix(r.EventName, p) {
			return true
		}
	}
	return false
}

// account is the account the record was logged in: recipientAccountId, else the caller's.
func (r *Record) account() string {
	if r.RecipientAccountID != "" {
		return r.RecipientAccountID
	}
	return r.UserIdentity.AccountID
}

func (r *Record) timeText() string {
	if !r.EventTime.IsZero() {
		return r.EventTime.Format(time.RFC3339)
	}
	return r.EventTimeRaw
}

func (r *Record) requestString(path ...string) string {
	return jsonString(r.RequestParameters, path...)
}

// jsonString follows keys through nested objects and returns the string found there, or "".
func jsonString(raw json.RawMessage, path ...string) string {
	for _, k := range path {
		if len(raw) == 0 {
			return ""
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return ""
		}
		raw = m[k]
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return ""
	}
	return s
}

func ptr[T any](v T) *T { return &v }
