package detect

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config tunes the aggregate rules.
type Config struct {
	// BruteForceThreshold is how many failed root sign-ins for one account, within
	// BruteForceWindow, make a burst.
	BruteForceThreshold int
	BruteForceWindow    time.Duration
}

// DefaultConfig returns 5 failures within 15 minutes.
func DefaultConfig() Config {
	return Config{BruteForceThreshold: 5, BruteForceWindow: 15 * time.Minute}
}

// Engine runs the rules. It is safe for concurrent use by several goroutines.
type Engine struct {
	cfg Config

	mu       sync.Mutex
	failures map[string][]failure      // account ID → root sign-in failures
	calls    map[string]assumeRootCall // access key ID → the AssumeRoot call that issued it
	held     []heldAlert               // assume-root-session alerts held for the join
}

// NewEngine returns an engine; zero fields of cfg take their DefaultConfig value. It returns an
// error, naming every problem, when the rule registry is invalid (see validateRules).
func NewEngine(cfg Config) (*Engine, error) {
	if err := registryErr(); err != nil {
		return nil, fmt.Errorf("detection rules: %w", err)
	}
	d := DefaultConfig()
	if cfg.BruteForceThreshold <= 0 {
		cfg.BruteForceThreshold = d.BruteForceThreshold
	}
	if cfg.BruteForceWindow <= 0 {
		cfg.BruteForceWindow = d.BruteForceWindow
	}
	return &Engine{
		cfg:      cfg,
		failures: map[string][]failure{},
		calls:    map[string]assumeRootCall{},
	}, nil
}

// Observe runs every rule on r and returns the alerts decidable now, in registry order. It keeps
// what the aggregate and join rules need for Flush. A nil record gives no alerts.
func (e *Engine) Observe(r *Record, src Source) []Alert {
	if r == nil {
		return nil
	}
	var out []Alert
	rootCovered := false
	var catchAll *Rule
	a := new(Alert) // one scratch alert: match takes a pointer, which would otherwise escape per rule
	for _, rule := range registry {
		switch rule.kind {
		case kindAggregate:
			continue
		case kindCatchAll:
			catchAll = rule
			continue
		}
		*a = Alert{}
		if !rule.InScope(r) || !rule.match(r, a) {
			continue
		}
		fill(a, r, rule, src)
		switch rule.kind {
		case kindRootEvent:
			rootCovered = true
		case kindHeld:
			e.mu.Lock()
			e.held = append(e.held, heldAlert{alert: *a, key: r.UserIdentity.AccessKeyID})
			e.mu.Unlock()
			continue
		}
		out = append(out, *a)
	}
	if catchAll != nil && !rootCovered {
		*a = Alert{}
		if catchAll.InScope(r) && catchAll.match(r, a) {
			fill(a, r, catchAll, src)
			out = append(out, *a)
		}
	}
	e.keep(r, src)
	return out
}

// keep records what Flush needs: root sign-in failures and AssumeRoot calls.
func (e *Engine) keep(r *Record, src Source) {
	switch {
	case r.EventName == eventConsoleLogin && r.isRoot() && r.loginFailed():
		if r.EventTime.IsZero() {
			return // cannot be placed in a window
		}
		var a Alert
		fill(&a, r, bruteForceRule, src)
		e.mu.Lock()
		e.failures[r.account()] = append(e.failures[r.account()], failure{at: r.EventTime, alert: a})
		e.mu.Unlock()
	case r.EventSource == sourceSTS && r.EventName == "AssumeRoot" && !r.failed():
		key := jsonString(r.ResponseElements, "credentials", "accessKeyId")
		if key == "" {
			return
		}
		c := assumeRootCall{
			caller: r.UserIdentity.ARN,
			target: r.requestString("targetPrincipal"),
			policy: r.requestString("taskPolicyArn", "arn"),
		}
		e.mu.Lock()
		e.calls[key] = c
		e.mu.Unlock()
	}
}

// Flush returns the aggregate alerts (root sign-in failure bursts) and the alerts held for joins
// (assume-root-session), sorted by event time, rule ID and event ID, and resets that state. Call
// it once after the last Observe.
func (e *Engine) Flush() []Alert {
	e.mu.Lock()
	failures, calls, held := e.failures, e.calls, e.held
	e.failures, e.calls, e.held = map[string][]failure{}, map[string]assumeRootCall{}, nil
	e.mu.Unlock()

	var out []Alert
	for _, fs := range failures {
		out = append(out, bursts(fs, e.cfg)...)
	}
	for _, h := range held {
		a := h.alert
		if c, ok := calls[h.key]; ok && h.key != "" {
			a.Caller, a.TargetAccount, a.TaskPolicy = c.caller, c.target, c.policy
			a.Detail = a.Detail + "; opened by " + c.caller + " with task policy " + firstNonEmpty(taskPolicyName(c.policy), "?")
		}
		out = append(out, a)
	}
	SortAlerts(out)
	return out
}

// SortAlerts orders alerts by event time, rule ID, event ID, then source.
func SortAlerts(as []Alert) {
	slices.SortStableFunc(as, func(a, b Alert) int {
		return cmp.Or(
			cmp.Compare(a.EventTime, b.EventTime),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.EventID, b.EventID),
			cmp.Compare(a.Source.File, b.Source.File),
			cmp.Compare(a.Source.Index, b.Source.Index),
		)
	})
}

type failure struct {
	at    time.Time
	alert Alert // pre-filled from the failed sign-in
}

type assumeRootCall struct{ caller, target, policy string }

type heldAlert struct {
	alert Alert
	key   string // the session's access key ID
}

var bruteForceRule = RuleByID(RuleConsoleBruteForce)

// bursts groups one account's failures: every window [t, t+W] starting at a failure that holds at
// least N failures qualifies, and overlapping qualifying windows merge into one burst.
func bursts(fs []failure, cfg Config) []Alert {
	slices.SortFunc(fs, func(a, b failure) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.alert.EventID, b.alert.EventID),
			cmp.Compare(a.alert.Source.File, b.alert.Source.File), cmp.Compare(a.alert.Source.Index, b.alert.Source.Index))
	})
	// The same record read twice (e.g. a file and its .gz copy) counts once.
	fs = slices.CompactFunc(fs, func(a, b failure) bool {
		return a.alert.EventID != "" && a.alert.EventID == b.alert.EventID && a.at.Equal(b.at)
	})
	var spans [][2]int // [start, end)
	j := 0
	for i := range fs {
		j = max(j, i+1)
		for j < len(fs) && fs[j].at.Sub(fs[i].at) <= cfg.BruteForceWindow {
			j++
		}
		if j-i < cfg.BruteForceThreshold {
			continue
		}
		if n := len(spans); n > 0 && i < spans[n-1][1] {
			spans[n-1][1] = max(spans[n-1][1], j)
		} else {
			spans = append(spans, [2]int{i, j})
		}
	}
	out := make([]Alert, 0, len(spans))
	for _, s := range spans {
		group := fs[s[0]:s[1]]
		a := group[0].alert
		var ips []string
		for _, f := range group {
			a.EventIDs = append(a.EventIDs, f.alert.EventID)
			a.Sources = append(a.Sources, f.alert.Source)
			if !slices.Contains(ips, f.alert.SourceIP) {
				ips = append(ips, f.alert.SourceIP)
			}
		}
		a.Count = len(group)
		last := group[len(group)-1].at
		a.Detail = fmt.Sprintf("%d failed root sign-ins to account %s between %s and %s (%s) from %s",
			a.Count, a.AccountID, group[0].at.Format(time.RFC3339), last.Format(time.RFC3339),
			last.Sub(group[0].at), strings.Join(ips, ", "))
		out = append(out, a)
	}
	return out
}

// fill completes an alert a rule matched: the record's fields, and the rule's defaults where
// the match left the severity or the root-task classification unset.
func fill(a *Alert, r *Record, rule *Rule, src Source) {
	a.RuleID = rule.ID
	a.Title = rule.Title
	if a.Severity == "" {
		a.Severity = rule.Severity
	}
	a.EventID = r.EventID
	a.EventTime = r.timeText()
	a.EventName = r.EventName
	a.EventSource = r.EventSource
	a.AccountID = r.account()
	a.Region = r.AWSRegion
	a.SourceIP = r.SourceIPAddress
	a.UserAgent = r.UserAgent
	a.ErrorCode = r.ErrorCode
	a.Principal = r.UserIdentity.ARN
	a.MFAUsed = r.mfaUsed()
	a.AssumedRoot = r.isAssumedRoot()
	a.Source = src
	if !a.RootRequired && (r.isRoot() || r.isAssumedRoot()) {
		a.RootTask, a.RootRequired = RootTask(r)
	}
}
