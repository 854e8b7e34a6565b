// Package rootevents holds the representative events that rootguard judges
// root-usage detective controls against: root API calls, root console
// sign-ins (successful and failed), AssumeRoot sessions, service-invoked root
// calls, AWS service events and non-root look-alikes. Each event comes as the
// CloudTrail record a CloudWatch Logs metric filter sees and as the
// EventBridge envelope a rule sees, with what a root-usage alert should do
// with it and why.
//
// Evaluate runs a matcher (a parsed metric filter or event pattern) over the
// events and reports which should-alert events it catches and misses, so a
// check can say "this metric filter misses root console sign-ins" from
// evaluation rather than from comparing pattern text.
package rootevents

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed records/*.json
var records embed.FS

// Event is one representative CloudTrail event.
type Event struct {
	// Name is a stable kebab-case identifier, used in coverage reports.
	Name string
	// Record is the CloudTrail record, as delivered to a CloudWatch Logs log
	// group (one record per log event).
	Record []byte
	// Envelope is the record wrapped as EventBridge delivers it.
	Envelope []byte
	// Region is where CloudTrail records the event and where EventBridge
	// delivers it; a rule in another Region never sees it.
	Region string
	// WantAlert says whether a root-usage alert should fire on the event.
	WantAlert bool
	// Why explains WantAlert in one sentence.
	Why string
}

type spec struct {
	name      string
	wantAlert bool
	why       string
}

// specs lists the events in report order; each has records/<name>.json.
var specs = []spec{
	{"root-api-call", true,
		"an API call made with root credentials (type Root, no invokedBy, AwsApiCall) is root use and must alert wherever it happens"},
	{"root-console-signin", true,
		"a successful root console sign-in (AwsConsoleSignIn, recorded in us-east-1) is root use; CloudTrail delivers it to the trail's log group too"},
	{"root-console-signin-failed", true,
		"a failed root sign-in means someone holds or is guessing the root email and password"},
	{"root-assumeroot-session", true,
		"an AssumeRoot session (type Root, sessionContext.assumedRoot \"true\") acts with the member account's root power; alert, then classify it as a centralized-root task"},
	{"root-invoked-by-service", false,
		"a call an AWS service (CloudFormation) makes on behalf of a root session; the root call that started it is what alerts, CIS and most peers exclude invokedBy"},
	{"aws-service-event", false,
		"an AwsServiceEvent (KMS key rotation) has no user identity type and is not root use"},
	{"iam-user-api-call", false,
		"an IAM user's API call is not root use"},
	{"assumed-role-api-call", false,
		"an assumed role's API call is not root use"},
	{"iam-user-named-root", false,
		"an IAM user named \"root\" (arn …:user/root) is not the root user; rules keyed on the name are wrong"},
}

// detailTypes maps a record's eventType to its EventBridge detail-type. Some
// documentation spells the sign-in one "AWS Console Signin via CloudTrail";
// the envelopes here use the spelling of the sample events EventBridge shows.
var detailTypes = map[string]string{
	"AwsApiCall":       "AWS API Call via CloudTrail",
	"AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
	"AwsConsoleAction": "AWS Console Action via CloudTrail",
	"AwsServiceEvent":  "AWS Service Event via CloudTrail",
}

// Events returns the representative events in a fixed order. The slices are
// fresh copies; callers may keep or modify them.
func Events() []Event {
	out := make([]Event, 0, len(specs))
	for _, s := range specs {
		ev, err := load(s)
		if err != nil {
			// The records are embedded and checked by the tests.
			panic(err)
		}
		out = append(out, ev)
	}
	return out
}

func load(s spec) (Event, error) {
	raw, err := records.ReadFile("records/" + s.name + ".json")
	if err != nil {
		return Event{}, fmt.Errorf("read record %s: %w", s.name, err)
	}
	var rec bytes.Buffer
	if err := json.Compact(&rec, raw); err != nil {
		return Event{}, fmt.Errorf("record %s: %w", s.name, err)
	}
	var fields struct {
		EventType          string `json:"eventType"`
		EventSource        string `json:"eventSource"`
		EventTime          string `json:"eventTime"`
		EventID            string `json:"eventID"`
		AWSRegion          string `json:"awsRegion"`
		RecipientAccountID string `json:"recipientAccountId"`
	}
	if err := json.Unmarshal(rec.Bytes(), &fields); err != nil {
		return Event{}, fmt.Errorf("record %s: %w", s.name, err)
	}
	dt, ok := detailTypes[fields.EventType]
	if !ok {
		return Event{}, fmt.Errorf("record %s: no EventBridge detail-type for eventType %q", s.name, fields.EventType)
	}
	var env bytes.Buffer
	enc := json.NewEncoder(&env)
	enc.SetEscapeHTML(false)
	err = enc.Encode(struct {
		Version    string          `json:"version"`
		ID         string          `json:"id"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Account    string          `json:"account"`
		Time       string          `json:"time"`
		Region     string          `json:"region"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}{
		Version:    "0",
		ID:         fields.EventID,
		DetailType: dt,
		Source:     "aws." + strings.TrimSuffix(fields.EventSource, ".amazonaws.com"),
		Account:    fields.RecipientAccountID,
		Time:       fields.EventTime,
		Region:     fields.AWSRegion,
		Resources:  []string{},
		Detail:     rec.Bytes(),
	})
	if err != nil {
		return Event{}, fmt.Errorf("envelope %s: %w", s.name, err)
	}
	return Event{
		Name:      s.name,
		Record:    rec.Bytes(),
		Envelope:  bytes.TrimSuffix(env.Bytes(), []byte("\n")),
		Region:    fields.AWSRegion,
		WantAlert: s.wantAlert,
		Why:       s.why,
	}, nil
}

// Coverage is what a matcher does with the representative events, by name
// in Events order.
type Coverage struct {
	// Caught are should-alert events the matcher matches.
	Caught []string
	// Missed are should-alert events the matcher does not match.
	Missed []string
	// FalseAlarms are events that should not alert but match.
	FalseAlarms []string
}

// Complete reports whether every should-alert event is caught.
func (c Coverage) Complete() bool { return len(c.Missed) == 0 }

// String summarises the coverage in one line.
func (c Coverage) String() string {
	total := len(c.Caught) + len(c.Missed)
	s := fmt.Sprintf("catches %d of %d root events", len(c.Caught), total)
	if len(c.Missed) > 0 {
		s += "; misses " + strings.Join(c.Missed, ", ")
	}
	if len(c.FalseAlarms) > 0 {
		s += "; also fires on " + strings.Join(c.FalseAlarms, ", ")
	}
	return s
}

// Evaluate applies match to every representative event.
func Evaluate(match func(Event) bool) Coverage {
	var c Coverage
	for _, ev := range Events() {
		hit := match(ev)
		switch {
		case ev.WantAlert && hit:
			c.Caught = append(c.Caught, ev.Name)
		case ev.WantAlert:
			c.Missed = append(c.Missed, ev.Name)
		case hit:
			c.FalseAlarms = append(c.FalseAlarms, ev.Name)
		}
	}
	return c
}

// ByRecord adapts a matcher of CloudTrail records, such as a parsed metric
// filter's Match method.
func ByRecord(match func(record []byte) bool) func(Event) bool {
	return func(ev Event) bool { return match(ev.Record) }
}

// ByEnvelope adapts a matcher of EventBridge events, such as a parsed event
// pattern's Match method.
func ByEnvelope(match func(envelope []byte) bool) func(Event) bool {
	return func(ev Event) bool { return match(ev.Envelope) }
}
