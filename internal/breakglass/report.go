package breakglass

import (
	"cmp"
	"slices"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// Classifications of a root event in a window report.
const (
	// RootRequired: one of the tasks AWS documents as needing root.
	RootRequired = "root-required"
	// ShouldUseRole: root did what a role could have done.
	ShouldUseRole = "should-have-used-a-role"
	// SessionOpened: the sts:AssumeRoot call that opened a task session.
	SessionOpened = "root-session-opened"
)

// Event is one root event of a window report.
type Event struct {
	Time      string `json:"time"`
	EventID   string `json:"event_id"`
	Source    string `json:"event_source"`
	Name      string `json:"event_name"`
	Principal string `json:"principal"`
	// Rules are the detection rules the event raised.
	Rules []string `json:"rules"`
	// Class is RootRequired, ShouldUseRole or SessionOpened; Task names the
	// root task (for RootRequired) or the task policy (SessionOpened).
	Class string `json:"class"`
	Task  string `json:"task,omitempty"`
}

// Report is what root did in one request's window.
type Report struct {
	Request Request   `json:"request"`
	Start   time.Time `json:"window_start"`
	End     time.Time `json:"window_end"`
	Events  []Event   `json:"events"`
}

// NewReport keeps the alerts about r's account inside r's window: root
// activity in the account (detect.RootActivity) and the sts:AssumeRoot
// calls that targeted it, one Event per event, in time order, classified.
func NewReport(r Request, alerts []detect.Alert) Report {
	w := r.Window()
	rep := Report{Request: r, Start: w.Start, End: w.End, Events: []Event{}}
	index := map[string]int{}
	for _, a := range alerts {
		call := a.RuleID == detect.RuleAssumeRootCalled && a.TargetAccount == r.AccountID
		if !call && (a.AccountID != r.AccountID || !detect.RootActivity(a)) {
			continue
		}
		at, err := time.Parse(time.RFC3339, a.EventTime)
		if err != nil || !w.Contains(at) {
			continue
		}
		key := a.EventID + "\x00" + a.EventTime + "\x00" + a.EventName
		if i, ok := index[key]; ok && a.EventID != "" {
			rep.Events[i].Rules = append(rep.Events[i].Rules, a.RuleID)
			continue
		}
		e := Event{Time: a.EventTime, EventID: a.EventID, Source: a.EventSource, Name: a.EventName,
			Principal: a.Principal, Rules: []string{a.RuleID}, Class: ShouldUseRole}
		switch {
		case call:
			e.Class, e.Task = SessionOpened, a.TaskPolicy
		case a.RootRequired:
			e.Class, e.Task = RootRequired, a.RootTask
		}
		index[key] = len(rep.Events)
		rep.Events = append(rep.Events, e)
	}
	// Joined session alerts come after the others (Driver.Close); put every event in time order.
	slices.SortStableFunc(rep.Events, func(a, b Event) int { return cmp.Compare(a.Time, b.Time) })
	return rep
}
