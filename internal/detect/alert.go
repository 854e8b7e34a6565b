package detect

import "github.com/rootguard/rootguard/internal/severity"

// Severity ranks an alert, on the scale check findings use.
type Severity = severity.Level

// Severities, lowest first.
const (
	Info     = severity.Info
	Low      = severity.Low
	Medium   = severity.Medium
	High     = severity.High
	Critical = severity.Critical
)

// Source says where a record came from.
type Source struct {
	File  string `json:"file"`
	Index int    `json:"index"` // index of the record within the file, from 0
}

// Alert is one detection. The fields a SIEM keys on (rule_id through assumed_root, and source)
// are always present in its JSON, empty or null when the record lacks them.
//
// Per-event alerts describe one record. Aggregate alerts (root-console-brute-force) describe a
// group: the fields of the first record of the group, plus Count and EventIDs.
type Alert struct {
	RuleID   string   `json:"rule_id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`

	EventID     string `json:"event_id"`
	EventTime   string `json:"event_time"` // RFC 3339, or the raw text when unparseable
	EventName   string `json:"event_name"`
	EventSource string `json:"event_source"`
	AccountID   string `json:"account_id"`
	Region      string `json:"region"`
	SourceIP    string `json:"source_ip"`
	UserAgent   string `json:"user_agent"`
	ErrorCode   string `json:"error_code,omitempty"`
	// Principal is the ARN of the identity that made the call (the root ARN for root activity).
	Principal string `json:"principal,omitempty"`
	// MFAUsed is nil (JSON null) when the record does not say.
	MFAUsed *bool `json:"mfa_used"`

	// RootRequired is true when the action is one of the tasks that need root user credentials;
	// RootTask names it. False on root activity means the work should have used a role.
	RootRequired bool   `json:"root_required"`
	RootTask     string `json:"root_task"`

	// AssumedRoot marks activity of a session opened by sts:AssumeRoot.
	AssumedRoot bool `json:"assumed_root"`
	// Caller is who was behind an AssumeRoot session (the ARN that called sts:AssumeRoot), when
	// the call was in the input; for assume-root-called, the caller of the call itself.
	Caller string `json:"caller,omitempty"`
	// TargetAccount and TaskPolicy describe an sts:AssumeRoot call (for both assume-root rules).
	TargetAccount string `json:"target_account,omitempty"`
	TaskPolicy    string `json:"task_policy,omitempty"`

	// ApprovedBy names the break-glass request whose approved window covers this root activity,
	// when the windows were given (trail scan --windows).
	ApprovedBy string `json:"approved_by,omitempty"`
	// Drill names the root access drill whose window ApprovedBy is: the activity was a planned test.
	Drill string `json:"drill,omitempty"`
	// Runbook is where the account's runbook is (a URL, a path, or the command that writes
	// it), set by the command that reports the alert (--runbook-url).
	Runbook string `json:"runbook,omitempty"`

	Source Source `json:"source"`

	// Count and EventIDs are set on aggregate alerts.
	Count    int      `json:"count,omitempty"`
	EventIDs []string `json:"event_ids,omitempty"`
	// Sources lists where each record of an aggregate alert came from, in EventIDs order.
	Sources []Source `json:"sources,omitempty"`
}
