package delivery

import (
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
)

func TestTrailFeed(t *testing.T) {
	t.Parallel()
	src := func(api string) inventory.Source { return inventory.Source{API: api, At: time.Unix(0, 0)} }
	trail := func(multi bool, home, rw string, filters []string, logging bool) inventory.Trail {
		return inventory.Trail{Name: "audit", HomeRegion: home, IsMultiRegion: multi,
			Logging:   inventory.Fact[bool]{Value: logging, Source: src("cloudtrail:GetTrailStatus")},
			Selectors: inventory.Fact[inventory.ManagementEvents]{Value: inventory.ManagementEvents{Included: rw != "", ReadWriteType: rw, Filters: filters}, Source: src("cloudtrail:GetEventSelectors")}}
	}
	denied := trail(true, "us-east-1", "All", []string{}, true)
	denied.Selectors.Source.Error = &inventory.CallError{Code: "AccessDenied"}
	tests := []struct {
		name                     string
		t                        inventory.Trail
		blocked, partial, unread string // substrings; "" means none
		signIns                  bool
	}{
		{"multi-Region, all events", trail(true, "eu-west-1", "All", []string{}, true), "", "", "", true},
		{"not logging", trail(true, "us-east-1", "All", []string{}, false), "is not logging", "", "", true},
		{"no management events", trail(true, "us-east-1", "", []string{}, true), "does not record management events", "", "", true},
		{"read only", trail(true, "us-east-1", "ReadOnly", []string{}, true), "root write calls never reach it", "", "", true},
		{"write only", trail(true, "us-east-1", "WriteOnly", []string{}, true), "", "root read calls", "", true},
		{"selector filters", trail(true, "us-east-1", "All", []string{"eventName Equals [ConsoleLogin]"}, true), "", "only where eventName Equals [ConsoleLogin]", "", true},
		{"filters not collected", trail(true, "us-east-1", "All", nil, true), "", "", "were not collected", true},
		{"selectors refused", denied, "", "", "cloudtrail:GetEventSelectors failed: AccessDenied", true},
		{"single-Region in us-east-1", trail(false, "us-east-1", "All", []string{}, true), "", "", "", true},
		{"single-Region elsewhere", trail(false, "eu-west-1", "All", []string{}, true), "", "never receives root console sign-ins or IAM's global events", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := TrailFeed(tt.t)
			for _, c := range []struct {
				what string
				got  []string
				want string
			}{{"blocked", f.Blocked, tt.blocked}, {"partial", f.Partial, tt.partial}, {"unknown", f.Unknown, tt.unread}} {
				got := strings.Join(c.got, "; ")
				if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
					t.Errorf("%s = %q, want %q", c.what, got, c.want)
				}
			}
			if f.SignIns != tt.signIns {
				t.Errorf("SignIns = %v, want %v", f.SignIns, tt.signIns)
			}
		})
	}
}

func TestRuleState(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		state   string
		enabled bool
		partial bool
	}{
		{"ENABLED", true, true},
		{"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", true, false},
		{"DISABLED", false, false},
		{"", false, false},
	} {
		enabled, partial := RuleState(tt.state)
		if enabled != tt.enabled || (partial != "") != tt.partial {
			t.Errorf("RuleState(%q) = %v, %q; want enabled %v, partial %v", tt.state, enabled, partial, tt.enabled, tt.partial)
		}
	}
}

func TestAlarmFires(t *testing.T) {
	t.Parallel()
	cis := inventory.AlarmCondition{Statistic: "Sum", Period: 300, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", EvaluationPeriods: 1}
	with := func(f func(*inventory.AlarmCondition)) inventory.AlarmCondition { c := cis; f(&c); return c }
	tests := []struct {
		name string
		c    inventory.AlarmCondition
		want string // "" fires; else a substring of why not
	}{
		{"CIS", cis, ""},
		{"sample count", with(func(c *inventory.AlarmCondition) { c.Statistic = "SampleCount" }), ""},
		{"greater than zero", with(func(c *inventory.AlarmCondition) { c.ComparisonOperator, c.Threshold = "GreaterThanThreshold", 0 }), ""},
		{"greater than one", with(func(c *inventory.AlarmCondition) { c.ComparisonOperator = "GreaterThanThreshold" }), "does not exceed"},
		{"threshold two", with(func(c *inventory.AlarmCondition) { c.Threshold = 2 }), "threshold 2 needs more than one root event"},
		{"average", with(func(c *inventory.AlarmCondition) { c.Statistic = "Average" }), "statistic Average"},
		{"percentile", with(func(c *inventory.AlarmCondition) { c.Statistic = "p99" }), "statistic p99"},
		{"less than", with(func(c *inventory.AlarmCondition) { c.ComparisonOperator = "LessThanThreshold" }), "does not fire when root events rise"},
		{"three periods", with(func(c *inventory.AlarmCondition) { c.EvaluationPeriods = 3 }), "needs 3 breaching datapoints of 3"},
		{"one of three", with(func(c *inventory.AlarmCondition) { c.EvaluationPeriods, c.DatapointsToAlarm = 3, 1 }), ""},
		{"two of three", with(func(c *inventory.AlarmCondition) { c.EvaluationPeriods, c.DatapointsToAlarm = 3, 2 }), "needs 2 breaching datapoints of 3"},
		{"missing data breaching", with(func(c *inventory.AlarmCondition) { c.EvaluationPeriods, c.TreatMissingData = 3, "breaching" }), ""},
	}
	for _, tt := range tests {
		got := AlarmFires(tt.c)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: AlarmFires = %q, want %q", tt.name, got, tt.want)
		}
	}
}
