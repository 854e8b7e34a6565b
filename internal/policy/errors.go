package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// ErrorCode classifies why a policy document was rejected. Codes are stable
// strings: checks and conformance cases compare them.
type ErrorCode string

// Error codes returned by Parse.
const (
	CodeInvalidJSON            ErrorCode = "invalid-json"
	CodeNotObject              ErrorCode = "not-object"
	CodeUnknownField           ErrorCode = "unknown-field"
	CodeBadVersion             ErrorCode = "bad-version"
	CodeBadID                  ErrorCode = "bad-id"
	CodeNoStatement            ErrorCode = "no-statement"
	CodeBadStatement           ErrorCode = "bad-statement"
	CodeBadSid                 ErrorCode = "bad-sid"
	CodeMissingEffect          ErrorCode = "missing-effect"
	CodeBadEffect              ErrorCode = "bad-effect"
	CodeActionAndNotAction     ErrorCode = "action-and-notaction"
	CodeNoAction               ErrorCode = "no-action"
	CodeBadAction              ErrorCode = "bad-action"
	CodeResourceAndNotResource ErrorCode = "resource-and-notresource"
	CodeBadResource            ErrorCode = "bad-resource"
	CodePrincipalAndNot        ErrorCode = "principal-and-notprincipal"
	CodeBadPrincipal           ErrorCode = "bad-principal"
	CodeBadCondition           ErrorCode = "bad-condition"
	CodeUnknownOperator        ErrorCode = "unknown-operator"
	CodeBadConditionKey        ErrorCode = "bad-condition-key"
	CodeBadConditionValue      ErrorCode = "bad-condition-value"
)

// Error is a typed parse error: what is wrong (Code, Message), where in the
// document (Location, a JSON path such as "Statement[2].Condition.StringLikeX"
// or "offset 17" for malformed JSON) and in which policy (Policy, the name
// given to Parse).
type Error struct {
	Code     ErrorCode `json:"code"`
	Policy   string    `json:"policy"`
	Location string    `json:"location"`
	Message  string    `json:"message"`
}

// Error returns one line naming the policy, the location and the problem.
func (e *Error) Error() string {
	return fmt.Sprintf("policy %q: %s: %s (%s)", e.Policy, oneLine(e.Location), oneLine(e.Message), e.Code)
}

// oneLine escapes control characters (a policy's keys may hold newlines) so
// that an error stays on one line.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 }) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
