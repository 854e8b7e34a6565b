package delivery

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// Feed is what a trail delivers to the CloudWatch Logs group a metric
// filter reads: a filter sees only the events its trail records.
type Feed struct {
	// Blocked says why root API calls never reach the log group.
	Blocked []string
	// Partial names the root events that never reach it while root API
	// calls do (partial coverage, not a failure on its own).
	Partial []string
	// Unknown says which of the trail's facts could not be read.
	Unknown []string
	// SignIns is false when root console sign-ins never reach it: a
	// single-Region trail outside us-east-1.
	SignIns bool
}

// TrailFeed judges trail t as trail-multi-region-logging does: it must be
// logging and record management events, read and write, in every Region.
// A write-only trail misses root read calls; advanced selectors filtering
// on another field than eventCategory or readOnly drop the root events
// outside the filter; a single-Region trail outside us-east-1 never
// receives root console sign-ins or IAM's global events.
func TrailFeed(t inventory.Trail) Feed {
	f := Feed{SignIns: t.IsMultiRegion || t.HomeRegion == inventory.SignInRegion}
	name := fmt.Sprintf("trail %q", t.Name)
	switch l := t.Logging; {
	case !l.Known():
		f.Unknown = append(f.Unknown, "whether "+name+" is logging: "+l.Reason())
	case !l.Value:
		f.Blocked = append(f.Blocked, name+" that feeds it is not logging")
	}
	switch s := t.Selectors; {
	case !s.Known():
		f.Unknown = append(f.Unknown, "the management events "+name+" records: "+s.Reason())
	case !s.Value.Included:
		f.Blocked = append(f.Blocked, name+" that feeds it does not record management events")
	case strings.EqualFold(s.Value.ReadWriteType, "ReadOnly"):
		f.Blocked = append(f.Blocked, name+" that feeds it records only read-only management events, so root write calls never reach it")
	default:
		if strings.EqualFold(s.Value.ReadWriteType, "WriteOnly") {
			f.Partial = append(f.Partial, name+" records only write management events: root read calls (Get, List, Describe) never reach the filter")
		}
		switch {
		case s.Value.Filters == nil:
			f.Unknown = append(f.Unknown, "the event selector filters of "+name+" were not collected (a snapshot from an older rootguard)")
		case len(s.Value.Filters) > 0:
			f.Partial = append(f.Partial, name+" records management events only where "+strings.Join(s.Value.Filters, " and ")+
				": root events outside that never reach the filter")
		}
	}
	if !f.SignIns {
		f.Partial = append(f.Partial, fmt.Sprintf("%s is single-Region in %s: it never receives root console sign-ins or IAM's global events, which AWS records in %s",
			name, t.HomeRegion, inventory.SignInRegion))
	}
	return f
}

// Rule states of EventBridge.
const (
	RuleEnabled    = "ENABLED"
	RuleEnabledAll = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

// RuleState judges an EventBridge rule's state: whether the rule runs,
// and, for a running rule, the root API calls it never receives. Both
// ENABLED and ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS run; only the
// latter also receives read-only management events, so a plain ENABLED
// rule never sees root Get, List or Describe calls.
func RuleState(state string) (enabled bool, partial string) {
	switch {
	case strings.EqualFold(state, RuleEnabledAll):
		return true, ""
	case strings.EqualFold(state, RuleEnabled):
		return true, "in state ENABLED it never receives read-only management events, so root Get, List and Describe calls reach no one through it (" +
			RuleEnabledAll + " receives them)"
	}
	return false, ""
}

// AlarmFires reports why one root event is not enough to fire an alarm on
// a metric filter's metric ("" when it is): the filter publishes one
// datapoint of 1 for the event, so the alarm must count it (Sum,
// SampleCount or Maximum), compare above a threshold that 1 crosses
// (GreaterThanOrEqualToThreshold with a threshold of at most 1, or
// GreaterThanThreshold below 1), and need one breaching datapoint. CIS
// sets Sum, threshold 1, GreaterThanOrEqualToThreshold, one period.
func AlarmFires(c inventory.AlarmCondition) string {
	var why []string
	switch c.Statistic {
	case "Sum", "SampleCount", "Maximum":
	case "":
		why = append(why, "it has no statistic")
	default:
		why = append(why, fmt.Sprintf("its statistic %s may stay below 1 in a period with one root event (Sum counts it)", c.Statistic))
	}
	switch c.ComparisonOperator {
	case "GreaterThanOrEqualToThreshold":
		if c.Threshold > 1 {
			why = append(why, fmt.Sprintf("its threshold %g needs more than one root event (>= 1 fires on one)", c.Threshold))
		}
	case "GreaterThanThreshold":
		if c.Threshold >= 1 {
			why = append(why, fmt.Sprintf("it fires above %g, which one root event (1) does not exceed", c.Threshold))
		}
	default:
		why = append(why, "its comparison "+orNone(c.ComparisonOperator)+" does not fire when root events rise")
	}
	need := c.DatapointsToAlarm
	if need == 0 {
		need = c.EvaluationPeriods
	}
	if need > 1 && !strings.EqualFold(c.TreatMissingData, "breaching") {
		why = append(why, fmt.Sprintf("it needs %d breaching datapoints of %d, and one root event makes one", need, max(c.EvaluationPeriods, need)))
	}
	return strings.Join(why, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
