package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestResult is how a test message to one destination went.
type TestResult struct {
	Destination string
	Key         string
	Err         error // nil: sent
}

// SendTest sends one test message straight to each destination (to the
// named ones only, when names are given), past the routes and the outbox,
// so that whoever sets up the routing file sees each destination answer.
// It records nothing; the dispatcher's store is not used.
func (d *Dispatcher) SendTest(ctx context.Context, names ...string) []TestResult {
	now := d.opts.Clock().UTC()
	eventID := fmt.Sprintf("rootguard-test-%d", now.UnixNano())
	a := detect.Alert{RuleID: "notify-test", Severity: detect.Info, Title: "rootguard notification test",
		Detail: "a test message sent by rootguard notify test: no root activity", EventID: eventID,
		EventTime: now.Format(time.RFC3339), EventName: "NotifyTest", EventSource: "rootguard"}
	var out []TestResult
	for _, dst := range d.cfg.Destinations {
		if len(names) > 0 && !slices.Contains(names, dst.Name) {
			continue
		}
		m := Message{Key: Key(eventID, dst.Name), Notice: Notice{Alert: a, Window: Window{Status: WindowNotApplicable},
			Runbook: d.cfg.RunbookURL}}
		r := TestResult{Destination: dst.Name, Key: m.Key}
		if err := d.senders[dst.Name].send(ctx, m); err != nil {
			r.Err = fmt.Errorf("%s", d.redact(err.Error()))
		}
		out = append(out, r)
	}
	return out
}
