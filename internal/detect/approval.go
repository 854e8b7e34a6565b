package detect

import (
	"fmt"
	"strings"
	"time"
)

// RuleRootActivityUnapproved is the alert raised, when the approved break-glass windows are known
// (Driver.Approve), for root activity outside every approved window of its account. It is not in
// the rule registry: it judges other rules' alerts against the store's windows, not records.
const RuleRootActivityUnapproved = "root-activity-unapproved"

// Approval is an approved break-glass window: root activity in AccountID within [Start, End)
// was authorised by request RequestID.
type Approval struct {
	AccountID  string
	RequestID  string
	Start, End time.Time
	// Drill is the root access drill the window was opened for, "" for none.
	Drill string
}

// auditTaskPolicy is the read-only task policy rootguard's own scans use: its sessions are
// audits, not break-glass.
const auditTaskPolicy = "IAMAuditRootUserCredentials"

// approvals judges alerts against approved windows.
type approvals struct {
	byAccount map[string][]Approval
	flagged   map[string]bool // eventKey of each event already raised as unapproved
}

// Approve makes the driver judge root activity against approved break-glass windows (see Judge).
// Without a call to Approve, Judge returns every alert unchanged.
func (d *Driver) Approve(ws []Approval) {
	p := &approvals{byAccount: map[string][]Approval{}, flagged: map[string]bool{}}
	for _, w := range ws {
		p.byAccount[w.AccountID] = append(p.byAccount[w.AccountID], w)
	}
	d.approvals = p
}

// RootActivity reports whether a is about an action taken as the root user: a root event or an
// sts:AssumeRoot session's action, not a failed sign-in, a burst of them or the AssumeRoot call.
func RootActivity(a Alert) bool {
	r := RuleByID(a.RuleID)
	if r == nil || a.Count > 0 || a.RuleID == RuleConsoleLoginFailed {
		return false
	}
	return r.kind == kindRootEvent || r.kind == kindCatchAll || r.kind == kindHeld
}

// Judge returns the alerts to report for an admitted alert a. Once Approve was called, root
// activity (RootActivity) inside an approved window of its account is marked with the window's
// request (ApprovedBy); outside every window it is followed by a root-activity-unapproved alert,
// one per event however many rules it raised. Sessions of the read-only audit task policy are
// audits, neither approved nor unapproved. Not safe for concurrent use; call it in reporting order.
func (d *Driver) Judge(a Alert) []Alert {
	p := d.approvals
	if p == nil || !RootActivity(a) || (a.RuleID == RuleAssumeRootSession && taskPolicyName(a.TaskPolicy) == auditTaskPolicy) {
		return []Alert{a}
	}
	at, err := time.Parse(time.RFC3339, a.EventTime)
	if err == nil {
		for _, w := range p.byAccount[a.AccountID] {
			if !at.Before(w.Start) && at.Before(w.End) {
				a.ApprovedBy, a.Drill = w.RequestID, w.Drill
				return []Alert{a}
			}
		}
	}
	key := eventKey(a)
	if p.flagged[key] {
		return []Alert{a}
	}
	p.flagged[key] = true
	u := a
	u.RuleID, u.Severity = RuleRootActivityUnapproved, Critical
	u.Title = "Root activity outside every approved break-glass window"
	why := "no approved break-glass window of account " + a.AccountID + " covers " + a.EventTime
	if err != nil {
		why = "the event time " + fmt.Sprintf("%q", a.EventTime) + " cannot be placed in a window"
	}
	u.Detail = strings.Join([]string{a.RuleID + ": " + a.Detail, why}, "; ")
	return []Alert{a, u}
}

// eventKey identifies the event an alert is about, so several rules on one event raise one
// unapproved alert.
func eventKey(a Alert) string {
	if a.EventID != "" {
		return a.AccountID + "\x00" + a.EventID + "\x00" + a.EventTime
	}
	return fmt.Sprintf("%s\x00%s\x00%d", a.AccountID, a.Source.File, a.Source.Index)
}
