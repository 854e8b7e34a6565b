package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// Window statuses: where an alert stands against the approved break-glass
// windows of its account.
const (
	WindowInside        = "inside"         // root activity inside an approved window (RequestID)
	WindowOutside       = "outside"        // root activity outside every approved window
	WindowNotApplicable = "not_applicable" // not root activity (a failed sign-in, an AssumeRoot call)
	WindowUnknown       = "unknown"        // cannot be told (Reason says why)
)

// Notice is an alert with the context a person needs to act on it, as the
// outbox keeps it: fixed when the alert is enqueued.
type Notice struct {
	Alert       detect.Alert `json:"alert"`
	AccountName string       `json:"account_name,omitempty"`
	Window      Window       `json:"break_glass_window"`
	Runbook     string       `json:"runbook,omitempty"`
}

// Window is an alert against its account's approved break-glass windows.
type Window struct {
	Status    string `json:"status"`
	RequestID string `json:"request_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Message is one notification: a notice, its idempotency key, and for an
// update what was folded into it.
type Message struct {
	Notice
	Key string
	// PossibleRepeat marks a message whose earlier attempt may have been
	// sent before its sender stopped.
	PossibleRepeat bool
	Update         *Update
}

// Update counts the alerts de-duplication folded into the first of a
// window.
type Update struct {
	Count       int
	First, Last time.Time
}

// field is one labelled line of a message.
type field struct{ label, value string }

// clean makes untrusted text one safe line: control characters (newlines,
// terminal escapes) and bidirectional overrides become visible escapes,
// and it is cut to 300 characters.
func clean(s string) string { return termsafe.Shorten(termsafe.Escape(s, false), 300) }

// title is the message's headline, from untrusted text made safe.
func (m Message) title() string {
	a := m.Alert
	t := fmt.Sprintf("[%s] %s", strings.ToUpper(string(a.Severity)), clean(a.Title))
	if m.Update != nil {
		t = fmt.Sprintf("Update: %d more %s since %s", m.Update.Count, clean(a.RuleID), m.Update.First.UTC().Format(time.RFC3339))
	}
	if m.PossibleRepeat {
		t += " (possible repeat)"
	}
	return t
}

// fields are the message's lines, each value made safe.
func (m Message) fields() []field {
	a := m.Alert
	account := clean(a.AccountID)
	if m.AccountName != "" {
		account += " (" + clean(m.AccountName) + ")"
	}
	event := clean(a.EventName) + " (" + clean(a.EventSource) + ") at " + clean(a.EventTime)
	if a.Region != "" {
		event += " in " + clean(a.Region)
	}
	if a.SourceIP != "" {
		event += " from " + clean(a.SourceIP)
	}
	fs := []field{
		{"Account", account},
		{"Severity", string(a.Severity)},
		{"Rule", clean(a.RuleID)},
		{"Event", event},
		{"Event ID", clean(a.EventID)},
	}
	if a.Principal != "" {
		fs = append(fs, field{"Principal", clean(a.Principal)})
	}
	if a.Detail != "" {
		fs = append(fs, field{"Detail", clean(a.Detail)})
	}
	fs = append(fs, field{"Break-glass window", m.windowText()}, field{"Requires root", rootText(a)})
	if m.Runbook != "" {
		fs = append(fs, field{"Runbook", clean(m.Runbook)})
	}
	if u := m.Update; u != nil {
		fs = append(fs, field{"Folded", fmt.Sprintf("%d more alerts of this rule and account from %s to %s; the alert above is the last of them",
			u.Count, u.First.UTC().Format(time.RFC3339), u.Last.UTC().Format(time.RFC3339))})
	}
	if m.PossibleRepeat {
		fs = append(fs, field{"Possible repeat", "an earlier attempt stopped mid-send and may have delivered this notification already (same idempotency key)"})
	}
	return append(fs, field{"Idempotency key", m.Key})
}

func (m Message) windowText() string {
	w := m.Window
	switch w.Status {
	case WindowInside:
		return "inside the approved window of break-glass request " + clean(w.RequestID)
	case WindowOutside:
		return "OUTSIDE every approved break-glass window of the account"
	case WindowNotApplicable:
		return "not applicable (not an action taken as root)"
	}
	return "unknown: " + clean(w.Reason)
}

func rootText(a detect.Alert) string {
	switch {
	case a.RootRequired:
		return "yes: " + clean(a.RootTask)
	case detect.RootActivity(a):
		return "no: this should have been done with a role"
	}
	return "not applicable"
}

// Text is the message as plain text: a title line, then a line per field.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.title() + "\n\n")
	for _, f := range m.fields() {
		fmt.Fprintf(&b, "%s: %s\n", f.label, f.value)
	}
	return b.String()
}

// slackEscape makes safe text safe in Slack mrkdwn too: &, < and > as
// entities (no links, mentions or @channel), and no backtick, so a value
// cannot leave the code span it is shown in.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "'")

// Slack is the message as a Slack incoming webhook's JSON: a header, the
// fields in one section (values as code, so no mrkdwn formatting applies)
// and a plain-text fallback.
func (m Message) Slack() []byte {
	type text struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type     string `json:"type"`
		Text     *text  `json:"text,omitempty"`
		Elements []text `json:"elements,omitempty"`
	}
	var lines []string
	for _, f := range m.fields() {
		lines = append(lines, "*"+f.label+"*: `"+slackEscape.Replace(f.value)+"`")
	}
	title := m.title()
	body := struct {
		Text   string  `json:"text"`
		Blocks []block `json:"blocks"`
	}{
		Text: slackEscape.Replace(title),
		Blocks: []block{
			{Type: "header", Text: &text{Type: "plain_text", Text: termsafe.Shorten(title, 150)}},
			{Type: "section", Text: &text{Type: "mrkdwn", Text: termsafe.Shorten(strings.Join(lines, "\n"), 3000)}},
		},
	}
	return marshal(body)
}

// webhookBody is what a generic webhook receives.
type webhookBody struct {
	Schema         string        `json:"schema"`
	IdempotencyKey string        `json:"idempotency_key"`
	PossibleRepeat bool          `json:"possible_repeat"`
	Kind           string        `json:"kind"` // alert or update
	Title          string        `json:"title"`
	Notice         Notice        `json:"notice"`
	Update         *webhookFolds `json:"update,omitempty"`
}

type webhookFolds struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// WebhookSchema is the schema of a generic webhook's JSON body.
const WebhookSchema = "rootguard.notification/v1"

// JSON is the message as a generic webhook receives it: the notice as
// stored (the alert's fields as detection gave them, for machines) with
// the title, key and repeat mark; terminal-safe.
func (m Message) JSON() []byte {
	b := webhookBody{Schema: WebhookSchema, IdempotencyKey: m.Key, PossibleRepeat: m.PossibleRepeat, Kind: "alert", Title: m.title(), Notice: m.Notice}
	if u := m.Update; u != nil {
		b.Kind, b.Update = "update", &webhookFolds{Count: u.Count, First: u.First.UTC(), Last: u.Last.UTC()}
	}
	return marshal(b)
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings always encode
	}
	return termsafe.JSON(b)
}
