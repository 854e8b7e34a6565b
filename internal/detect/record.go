package detect

import (
	"encoding/json"
	"time"
)

// Record is one decoded CloudTrail record: the fields the rules read.
//
// String fields hold the value as logged; a number or boolean where a string is expected (seen
// in synthetic test data) is kept as its JSON text. EventTime is zero when eventTime is absent or
// not RFC 3339; EventTimeRaw keeps the text.
type Record struct {
	EventVersion       string
	EventID            string
	EventName          string
	EventSource        string
	EventType          string
	AWSRegion          string
	SourceIPAddress    string
	UserAgent          string
	ErrorCode          string
	ErrorMessage       string
	RecipientAccountID string
	RequestID          string
	// SessionCredentialFromConsole is "true" when the call used console session credentials.
	SessionCredentialFromConsole string
	EventTime                    time.Time
	EventTimeRaw                 string
	// ReadOnly is nil when the record has no readOnly field (eventVersion 1.04/1.05).
	ReadOnly            *bool
	UserIdentity        Identity
	AdditionalEventData map[string]any
	RequestParameters   json.RawMessage // "null" or absent becomes nil
	ResponseElements    json.RawMessage // "null" or absent becomes nil
}

// Identity is the record's userIdentity block.
type Identity struct {
	Type           string
	PrincipalID    string
	ARN            string
	AccountID      string
	AccessKeyID    string
	UserName       string
	InvokedBy      string
	SessionContext *SessionContext
}

// SessionContext is userIdentity.sessionContext.
type SessionContext struct {
	SessionIssuer    SessionIssuer
	MFAAuthenticated string // attributes.mfaAuthenticated, "true"/"false"
	CreationDate     string // attributes.creationDate
	// AssumedRoot is "true" for a session opened by sts:AssumeRoot (centralized root access).
	AssumedRoot    string
	SourceIdentity string
}

// SessionIssuer is userIdentity.sessionContext.sessionIssuer.
type SessionIssuer struct {
	Type        string
	PrincipalID string
	ARN         string
	AccountID   string
	UserName    string
}
