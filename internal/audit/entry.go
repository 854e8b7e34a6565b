package audit

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Entry is what a caller records: who does what to which account, as part
// of which plan and change, before (PhaseIntent) or after (PhaseResult)
// the AWS call.
type Entry struct {
	// Actor is the caller's ARN (sts:GetCallerIdentity), or, for a change
	// to rootguard's own records that calls no AWS API, the local user as
	// "local:USER@HOST".
	Actor string
	// PlanID and ChangeID name the plan being applied and the change in it.
	PlanID   string
	ChangeID string
	// AccountID is the 12-digit account the call changes; empty only for
	// a change to rootguard's own records (service "rootguard") that
	// concerns no account.
	AccountID string
	// Operation is the API operation, service prefix and action, as in IAM
	// policies: "iam:DeleteAccessKey".
	Operation string
	Phase     Phase
	// Outcome and ErrorCode are set on PhaseResult only; ErrorCode (the
	// API error code, such as "AccessDenied") only with OutcomeError.
	Outcome   Outcome
	ErrorCode string
	// Params are the call's parameters. A value is stored in plaintext
	// unless its name or its shape says it is sensitive (see the package
	// doc), in which case its HMAC is stored.
	Params map[string]string
	// Sensitive are parameters the caller knows to be sensitive: always
	// stored as HMACs. A name may not be in both maps.
	Sensitive map[string]string
}

// ErrSecret is returned (wrapped) by Append for a parameter that is or
// looks like a secret. Secrets are never written, not even as HMACs.
var ErrSecret = errors.New("secrets are not accepted in the audit log")

var (
	operationRE = regexp.MustCompile(`^[a-z0-9-]{2,32}:[A-Za-z0-9]{2,128}$`)
	accountRE   = regexp.MustCompile(`^[0-9]{12}$`)
	idRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/+=@-]{0,255}$`)
	errorCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
	paramNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)
	// localActorRE is a local user, for ownService operations only.
	localActorRE = regexp.MustCompile(`^local:[^\s@]{1,256}@[^\s@]{1,256}$`)
	// oidcActorRE is a person signed in to the dashboard through an
	// OpenID Connect provider: its issuer URL and the person's subject.
	oidcActorRE = regexp.MustCompile(`^oidc:https?://[^\s#]{1,512}#\S{1,255}$`)
)

// ownService is the service prefix of operations on rootguard's own
// records (the custody registry), which call no AWS API.
const ownService = "rootguard"

// maxValue bounds one parameter value.
const maxValue = 4096

// check validates the fields other than the parameters.
func (e *Entry) check() error {
	own := strings.HasPrefix(e.Operation, ownService+":")
	if !(strings.HasPrefix(e.Actor, "arn:") || oidcActorRE.MatchString(e.Actor) || own && localActorRE.MatchString(e.Actor)) || !validText(e.Actor, 2048) {
		return fmt.Errorf("actor %q: want the caller's ARN", e.Actor)
	}
	if !idRE.MatchString(e.PlanID) {
		return fmt.Errorf("plan ID %q: want 1-256 letters, digits or ._:/+=@-", e.PlanID)
	}
	if !idRE.MatchString(e.ChangeID) {
		return fmt.Errorf("change ID %q: want 1-256 letters, digits or ._:/+=@-", e.ChangeID)
	}
	if !accountRE.MatchString(e.AccountID) && !(own && e.AccountID == "") {
		return fmt.Errorf("account ID %q: want 12 digits", e.AccountID)
	}
	if !operationRE.MatchString(e.Operation) {
		return fmt.Errorf("operation %q: want service:Action, such as iam:DeleteAccessKey", e.Operation)
	}
	switch e.Phase {
	case PhaseIntent:
		if e.Outcome != "" || e.ErrorCode != "" {
			return fmt.Errorf("intent for %s: outcome and error code belong to the result", e.Operation)
		}
	case PhaseResult:
		switch e.Outcome {
		case OutcomeOK:
			if e.ErrorCode != "" {
				return fmt.Errorf("result for %s: error code %q with outcome ok", e.Operation, e.ErrorCode)
			}
		case OutcomeError:
			if !errorCodeRE.MatchString(e.ErrorCode) {
				return fmt.Errorf("result for %s: error code %q: want an API error code such as AccessDenied", e.Operation, e.ErrorCode)
			}
		default:
			return fmt.Errorf("result for %s: outcome %q: want ok or error", e.Operation, e.Outcome)
		}
	default:
		return fmt.Errorf("phase %q: want intent or result", e.Phase)
	}
	return nil
}

// validText reports whether s is valid UTF-8 without control characters
// and at most max bytes long.
func validText(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
