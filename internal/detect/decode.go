package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// flexString decodes a JSON string; a number or boolean is kept as its JSON text and null
// becomes "". Synthetic records put numbers where CloudTrail writes strings (account IDs).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
		return nil
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case b[0] == 'n': // null
		*s = ""
	case b[0] == '{' || b[0] == '[':
		return errors.New("want a string, got an object or array")
	default: // number, true, false
		*s = flexString(b)
	}
	return nil
}

// flexBool decodes true/false or the strings "true"/"false"; anything else leaves it unset.
type flexBool struct {
	v   bool
	set bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	if v, err := strconv.ParseBool(s); err == nil {
		*f = flexBool{v: v, set: true}
	}
	return nil
}

type wireRecord struct {
	EventVersion                 flexString      `json:"eventVersion"`
	EventID                      flexString      `json:"eventID"`
	EventName                    flexString      `json:"eventName"`
	EventSource                  flexString      `json:"eventSource"`
	EventType                    flexString      `json:"eventType"`
	AWSRegion                    flexString      `json:"awsRegion"`
	SourceIPAddress              flexString      `json:"sourceIPAddress"`
	UserAgent                    flexString      `json:"userAgent"`
	ErrorCode                    flexString      `json:"errorCode"`
	ErrorMessage                 flexString      `json:"errorMessage"`
	RecipientAccountID           flexString      `json:"recipientAccountId"`
	RequestID                    flexString      `json:"requestID"`
	SessionCredentialFromConsole flexString      `json:"sessionCredentialFromConsole"`
	EventTime                    flexString      `json:"eventTime"`
	ReadOnly                     flexBool        `json:"readOnly"`
	UserIdentity                 *wireIdentity   `json:"userIdentity"`
	AdditionalEventData          json.RawMessage `json:"additionalEventData"`
	RequestParameters            json.RawMessage `json:"requestParameters"`
	ResponseElements             json.RawMessage `json:"responseElements"`
	// Detail is the CloudTrail record inside an EventBridge envelope.
	Detail json.RawMessage `json:"detail"`
}

type wireIdentity struct {
	Type           flexString      `json:"type"`
	PrincipalID    flexString      `json:"principalId"`
	ARN            flexString      `json:"arn"`
	AccountID      flexString      `json:"accountId"`
	AccessKeyID    flexString      `json:"accessKeyId"`
	UserName       flexString      `json:"userName"`
	InvokedBy      flexString      `json:"invokedBy"`
	SessionContext json.RawMessage `json:"sessionContext"`
}

type wireIssuer struct {
	Type        flexString `json:"type"`
	PrincipalID flexString `json:"principalId"`
	ARN         flexString `json:"arn"`
	AccountID   flexString `json:"accountId"`
	UserName    flexString `json:"userName"`
}

type wireAttributes struct {
	MFAAuthenticated flexString `json:"mfaAuthenticated"`
	CreationDate     flexString `json:"creationDate"`
}

// DecodeRecord decodes one JSON object: a CloudTrail record, or an EventBridge envelope whose
// "detail" is one. It rejects input that is not a JSON object, and objects that have neither an
// eventName nor a userIdentity (nothing a rule could read).
func DecodeRecord(data []byte) (*Record, error) { return decodeRecord(data, true) }

// decodeRecord is DecodeRecord, reading JSON with the scanner of decode_scan.go when fast is
// set, or with encoding/json alone (the oracle the tests compare the scanner with).
func decodeRecord(data []byte, fast bool) (*Record, error) {
	var w wireRecord
	if err := unmarshal(data, &w, recordFields, fast); err != nil {
		return nil, fmt.Errorf("decode cloudtrail record: %w", err)
	}
	if w.EventName == "" && w.UserIdentity == nil && isObject(w.Detail) {
		// An EventBridge envelope: the record is its detail (one level only).
		var d wireRecord
		if err := unmarshal(w.Detail, &d, recordFields, fast); err != nil {
			return nil, fmt.Errorf("decode cloudtrail record in eventbridge detail: %w", err)
		}
		w = d
	}
	if w.EventName == "" && w.UserIdentity == nil {
		return nil, errors.New("decode cloudtrail record: no eventName and no userIdentity")
	}
	r := &Record{
		EventVersion:                 string(w.EventVersion),
		EventID:                      string(w.EventID),
		EventName:                    string(w.EventName),
		EventSource:                  string(w.EventSource),
		EventType:                    string(w.EventType),
		AWSRegion:                    string(w.AWSRegion),
		SourceIPAddress:              string(w.SourceIPAddress),
		UserAgent:                    string(w.UserAgent),
		ErrorCode:                    string(w.ErrorCode),
		ErrorMessage:                 string(w.ErrorMessage),
		RecipientAccountID:           string(w.RecipientAccountID),
		RequestID:                    string(w.RequestID),
		SessionCredentialFromConsole: string(w.SessionCredentialFromConsole),
		EventTimeRaw:                 string(w.EventTime),
		RequestParameters:            nonNull(w.RequestParameters),
		ResponseElements:             nonNull(w.ResponseElements),
	}
	if t, err := time.Parse(time.RFC3339Nano, r.EventTimeRaw); err == nil {
		r.EventTime = t.UTC()
	}
	if w.ReadOnly.set {
		v := w.ReadOnly.v
		r.ReadOnly = &v
	}
	if isObject(w.AdditionalEventData) {
		// A malformed additionalEventData is left empty rather than failing the record.
		_ = json.Unmarshal(w.AdditionalEventData, &r.AdditionalEventData)
	}
	if u := w.UserIdentity; u != nil {
		r.UserIdentity = Identity{
			Type:        string(u.Type),
			PrincipalID: string(u.PrincipalID),
			ARN:         string(u.ARN),
			AccountID:   string(u.AccountID),
			AccessKeyID: string(u.AccessKeyID),
			UserName:    string(u.UserName),
			InvokedBy:   string(u.InvokedBy),
		}
		if isObject(u.SessionContext) {
			sc, err := decodeSessionContext(u.SessionContext, fast)
			if err != nil {
				return nil, fmt.Errorf("decode cloudtrail record %s: userIdentity.sessionContext: %w", r.EventID, err)
			}
			r.UserIdentity.SessionContext = sc
		}
	}
	return r, nil
}

// decodeSessionContext reads sessionContext with exact key names. encoding/json matches keys
// case-insensitively; for "assumedRoot" that would let a key the prefilter cannot see ("assumedroot")
// drive a rule, so the keys here are looked up exactly.
func decodeSessionContext(raw json.RawMessage, fast bool) (*SessionContext, error) {
	var vals [len(sessionContextKeys)][]byte
	if !fast || !scanMembers(raw, sessionContextKeys[:], vals[:]) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		for i, key := range sessionContextKeys {
			vals[i] = m[key]
		}
	}
	sc := &SessionContext{}
	if v := vals[0]; isObject(v) {
		var is wireIssuer
		if err := unmarshal(v, &is, issuerFields, fast); err != nil {
			return nil, fmt.Errorf("sessionIssuer: %w", err)
		}
		sc.SessionIssuer = SessionIssuer{
			Type: string(is.Type), PrincipalID: string(is.PrincipalID), ARN: string(is.ARN),
			AccountID: string(is.AccountID), UserName: string(is.UserName),
		}
	}
	if v := vals[1]; isObject(v) {
		var a wireAttributes
		if err := unmarshal(v, &a, attributesFields, fast); err != nil {
			return nil, fmt.Errorf("attributes: %w", err)
		}
		sc.MFAAuthenticated, sc.CreationDate = string(a.MFAAuthenticated), string(a.CreationDate)
	}
	for i, dst := range []*string{&sc.AssumedRoot, &sc.SourceIdentity} {
		if v := vals[2+i]; v != nil {
			var s flexString
			if err := s.UnmarshalJSON(v); err != nil {
				return nil, fmt.Errorf("%s: %w", sessionContextKeys[2+i], err)
			}
			*dst = string(s)
		}
	}
	return sc, nil
}

// sessionContextKeys are the sessionContext members decodeSessionContext reads, in its order.
var sessionContextKeys = [...]string{"sessionIssuer", "attributes", "assumedRoot", "sourceIdentity"}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

func nonNull(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	return raw
}
