package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
)

// This file holds the scenario's organization guardrails and detective
// controls: service control policies, and per account the CloudTrail
// trails, CloudWatch Logs metric filters, CloudWatch alarms, SNS topics,
// EventBridge rules, GuardDuty detectors and the mail facts (Route 53 zones,
// registered domains, SES inbound, WorkMail) a root email may depend on.
//
// Regional resources name their region; an empty region is the scenario's
// region.

// Policy is a service control policy. The AWS managed FullAWSAccess
// (p-FullAWSAccess) exists without being listed and is attached, as AWS
// does, to the root, every OU and every account; list a policy with ID
// p-FullAWSAccess to choose its targets instead.
type Policy struct {
	// ID is p- and 8 to 128 letters, digits or underscores; derived from
	// the name when empty.
	ID          string `yaml:"id,omitempty" json:"id,omitempty"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Content is the policy document: a YAML mapping (JSON is YAML too),
	// served as compact JSON in the order written, or a string holding the
	// JSON verbatim (a block scalar keeps a hand-written layout). At most
	// 5,120 characters, as AWS allows.
	Content PolicyDocument `yaml:"content" json:"content"`
	// Targets are what the policy is attached to: "Root", the root ID, an
	// OU (ID, name or slash path) or an account ID.
	Targets []string `yaml:"targets,omitempty" json:"targets,omitempty"`
}

// PolicyDocument is a JSON policy document written in YAML.
type PolicyDocument string

// UnmarshalYAML implements yaml.BytesUnmarshaler: a string is kept as is
// (it must be JSON), anything else is converted to compact JSON with its
// keys in the order written.
func (d *PolicyDocument) UnmarshalYAML(b []byte) error {
	var v any
	if err := yaml.UnmarshalWithOptions(b, &v, yaml.UseOrderedMap()); err != nil {
		return err
	}
	if s, ok := v.(string); ok {
		if !json.Valid([]byte(s)) {
			return &valueError{text: firstLine(s), err: fmt.Errorf("policy content %q: not valid JSON", firstLine(s))}
		}
		*d = PolicyDocument(s)
		return nil
	}
	var buf bytes.Buffer
	if err := writeOrderedJSON(&buf, v); err != nil {
		return err
	}
	*d = PolicyDocument(buf.String())
	return nil
}

// MarshalYAML writes the document as a string.
func (d PolicyDocument) MarshalYAML() (any, error) { return string(d), nil }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// writeOrderedJSON writes a value decoded with yaml.UseOrderedMap as JSON,
// keeping the order of mapping keys.
func writeOrderedJSON(buf *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case yaml.MapSlice:
		buf.WriteByte('{')
		for i, it := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, err := json.Marshal(fmt.Sprint(it.Key))
			if err != nil {
				return err
			}
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeOrderedJSON(buf, it.Value); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeOrderedJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("policy content: %w", err)
		}
		buf.Write(b)
	}
	return nil
}

// Trail is a CloudTrail trail owned by the account. An organization trail
// (Organization true, in the management account) also appears in every
// member account as a shadow trail.
type Trail struct {
	Name string `yaml:"name" json:"name"`
	// HomeRegion is where the trail was created.
	HomeRegion  string `yaml:"home_region,omitempty" json:"home_region,omitempty"`
	MultiRegion bool   `yaml:"multi_region,omitempty" json:"multi_region,omitempty"`
	// Organization marks an organization trail; only the management
	// account may own one.
	Organization bool `yaml:"organization,omitempty" json:"organization,omitempty"`
	// Logging is GetTrailStatus IsLogging (default true).
	Logging  *bool  `yaml:"logging,omitempty" json:"logging,omitempty"`
	S3Bucket string `yaml:"s3_bucket,omitempty" json:"s3_bucket,omitempty"`
	// LogGroup is the CloudWatch Logs group name the trail delivers to, in
	// the trail's home region.
	LogGroup string `yaml:"log_group,omitempty" json:"log_group,omitempty"`
	// ManagementEvents is All (default), ReadOnly, WriteOnly or None.
	ManagementEvents string `yaml:"management_events,omitempty" json:"management_events,omitempty"`
	// Advanced writes the selectors as advanced event selectors.
	Advanced bool `yaml:"advanced_selectors,omitempty" json:"advanced_selectors,omitempty"`
	// EventSources, with advanced selectors, records management events of
	// these sources only (an eventSource Equals field).
	EventSources []string `yaml:"event_sources,omitempty" json:"event_sources,omitempty"`
	// ExcludeARNPrefixes, with advanced selectors, leaves out the events
	// of identities whose ARN starts with one of these (a
	// userIdentity.arn NotStartsWith field).
	ExcludeARNPrefixes []string `yaml:"exclude_arn_prefixes,omitempty" json:"exclude_arn_prefixes,omitempty"`
}

// MetricFilter is a CloudWatch Logs metric filter.
type MetricFilter struct {
	Name     string `yaml:"name" json:"name"`
	Region   string `yaml:"region,omitempty" json:"region,omitempty"`
	LogGroup string `yaml:"log_group" json:"log_group"`
	Pattern  string `yaml:"pattern" json:"pattern"`
	// MetricName and Namespace are the metric the filter publishes to.
	MetricName string `yaml:"metric_name" json:"metric_name"`
	Namespace  string `yaml:"namespace" json:"namespace"`
}

// Alarm is a CloudWatch metric alarm.
type Alarm struct {
	Name       string `yaml:"name" json:"name"`
	Region     string `yaml:"region,omitempty" json:"region,omitempty"`
	Namespace  string `yaml:"namespace" json:"namespace"`
	MetricName string `yaml:"metric_name" json:"metric_name"`
	// Actions are alarm action ARNs; a bare name is an SNS topic of the
	// account in the alarm's region.
	Actions []string `yaml:"actions,omitempty" json:"actions,omitempty"`
	// ActionsEnabled defaults to true.
	ActionsEnabled *bool `yaml:"actions_enabled,omitempty" json:"actions_enabled,omitempty"`
	// When the alarm fires; unset fields keep the CIS values: Sum over
	// 300 s, GreaterThanOrEqualToThreshold 1, one evaluation period.
	Statistic         string   `yaml:"statistic,omitempty" json:"statistic,omitempty"`
	Threshold         *float64 `yaml:"threshold,omitempty" json:"threshold,omitempty"`
	Comparison        string   `yaml:"comparison,omitempty" json:"comparison,omitempty"`
	EvaluationPeriods int      `yaml:"evaluation_periods,omitempty" json:"evaluation_periods,omitempty"`
	DatapointsToAlarm int      `yaml:"datapoints_to_alarm,omitempty" json:"datapoints_to_alarm,omitempty"`
}

// Topic is an SNS topic.
type Topic struct {
	Name          string         `yaml:"name" json:"name"`
	Region        string         `yaml:"region,omitempty" json:"region,omitempty"`
	Subscriptions []Subscription `yaml:"subscriptions,omitempty" json:"subscriptions,omitempty"`
	// Policy is the topic's access policy, written like Policy.Content;
	// empty means SNS's default policy (the owner account only).
	Policy PolicyDocument `yaml:"policy,omitempty" json:"policy,omitempty"`
	// Attributes are other topic attributes set by name (DisplayName,
	// KmsMasterKeyId…).
	Attributes map[string]string `yaml:"attributes,omitempty" json:"attributes,omitempty"`
}

// Subscription is an SNS subscription.
type Subscription struct {
	// Protocol is email, sms, https, lambda, sqs…
	Protocol string `yaml:"protocol" json:"protocol"`
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// Pending leaves the subscription unconfirmed: its ARN is then
	// "PendingConfirmation".
	Pending bool `yaml:"pending,omitempty" json:"pending,omitempty"`
}

// EventRule is an EventBridge rule.
type EventRule struct {
	Name   string `yaml:"name" json:"name"`
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Bus is the event bus name (default "default").
	Bus         string `yaml:"bus,omitempty" json:"bus,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Pattern is the event pattern, written like Policy.Content.
	Pattern PolicyDocument `yaml:"pattern" json:"pattern"`
	// State is ENABLED (default) or DISABLED.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
	// Targets are target ARNs; a bare name is an SNS topic of the account
	// in the rule's region. A target is written as its ARN, or as
	// {id: ..., arn: ..., role_arn: ...} to give it an ID (default
	// Target1, Target2… by position) or the IAM role EventBridge uses for
	// it (another account's bus that lets this one in through its
	// organization needs one).
	Targets []RuleTarget `yaml:"targets,omitempty" json:"targets,omitempty"`
}

// EventBus is an EventBridge event bus and its resource policy.
type EventBus struct {
	// Name is the bus name (default "default").
	Name   string `yaml:"name,omitempty" json:"name,omitempty"`
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Policy is the bus's resource policy (events:PutPermission,
	// events:DescribeEventBus), written like Policy.Content; empty means
	// none: only the owner account may put events on the bus.
	Policy PolicyDocument `yaml:"policy,omitempty" json:"policy,omitempty"`
}

// RuleTarget is an EventBridge rule target.
type RuleTarget struct {
	ID  string `yaml:"id,omitempty" json:"id,omitempty"`
	ARN string `yaml:"arn" json:"arn"`
	// RoleARN is the target's IAM role (ListTargetsByRule's RoleArn).
	RoleARN string `yaml:"role_arn,omitempty" json:"role_arn,omitempty"`
}

// ruleTargetFields is RuleTarget without its YAML methods.
type ruleTargetFields RuleTarget

// UnmarshalYAML reads an ARN (or bare topic name), or a mapping with id,
// arn and role_arn.
func (t *RuleTarget) UnmarshalYAML(b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return err
	}
	if s, ok := v.(string); ok {
		*t = RuleTarget{ARN: s}
		return nil
	}
	var f ruleTargetFields
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.DisallowUnknownField()); err != nil {
		return err
	}
	*t = RuleTarget(f)
	return nil
}

// MarshalYAML writes the ARN alone when the target has no ID and no role.
func (t RuleTarget) MarshalYAML() (any, error) {
	if t.ID == "" && t.RoleARN == "" {
		return t.ARN, nil
	}
	return ruleTargetFields(t), nil
}

// HostedZone is a Route 53 hosted zone.
type HostedZone struct {
	// Name is the domain, with or without the trailing dot.
	Name    string `yaml:"name" json:"name"`
	Private bool   `yaml:"private,omitempty" json:"private,omitempty"`
}

var (
	policyID         = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	trailName        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$`)
	regionName       = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	mgmtEvents       = set("All", "ReadOnly", "WriteOnly", "None")
	ruleStates       = set("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
	detectorStates   = set("ENABLED", "DISABLED")
	alarmStatistics  = set("SampleCount", "Average", "Sum", "Minimum", "Maximum")
	alarmComparisons = set("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold")
)

// maxSCPSize is the largest SCP document AWS accepts, in characters.
const maxSCPSize = 5120

// validateGuardrails checks the organization's policies and every
// account's detective controls.
func (s *Scenario) validateGuardrails(bad func(string, ...any), ids map[string]bool, t *tree) {
	if o := s.Organization; o != nil {
		if o.AccessRole != "" && !roleName.MatchString(o.AccessRole) {
			bad("organization.access_role %q: not an IAM role name", o.AccessRole)
		}
		seen := map[string]bool{}
		for i, p := range o.Policies {
			where := fmt.Sprintf("organization.policies[%d]", i)
			id := policyIDOf(p)
			if p.Name == "" {
				bad("%s: needs a name", where)
			}
			if !policyID.MatchString(id) {
				bad("%s.id %q: want p- and 8 to 128 letters, digits or underscores", where, id)
			}
			if seen[id] {
				bad("%s.id %q: duplicate policy", where, id)
			}
			seen[id] = true
			if p.Content == "" {
				bad("%s.content: empty policy document", where)
			}
			if n := len([]rune(string(p.Content))); n > maxSCPSize {
				bad("%s.content: %d characters, more than the %d an SCP may have", where, n, maxSCPSize)
			}
			for _, tg := range p.Targets {
				if ids[tg] {
					continue
				}
				if t != nil {
					if _, err := t.resolve(tg); err == nil {
						continue
					}
				}
				bad("%s.targets %q: not the root, an OU or an account", where, tg)
			}
		}
	}
	regionOK := func(where, r string) {
		if r != "" && !regionName.MatchString(r) {
			bad("%s %q: not a region name such as us-east-1", where, r)
		}
	}
	for i, a := range s.Accounts {
		at := fmt.Sprintf("accounts[%d]", i)
		names := map[string]bool{}
		for j, tr := range a.Trails {
			where := fmt.Sprintf("%s.trails[%d]", at, j)
			if !trailName.MatchString(tr.Name) {
				bad("%s.name %q: want 3 to 128 letters, digits, dots, dashes or underscores", where, tr.Name)
			}
			if names[tr.Name] {
				bad("%s.name %q: duplicate trail", where, tr.Name)
			}
			names[tr.Name] = true
			regionOK(where+".home_region", tr.HomeRegion)
			if tr.ManagementEvents != "" && !mgmtEvents[tr.ManagementEvents] {
				bad("%s.management_events %q: want All, ReadOnly, WriteOnly or None", where, tr.ManagementEvents)
			}
			if len(tr.EventSources) > 0 && !tr.Advanced {
				bad("%s.event_sources: needs advanced_selectors", where)
			}
			if len(tr.ExcludeARNPrefixes) > 0 && !tr.Advanced {
				bad("%s.exclude_arn_prefixes: needs advanced_selectors", where)
			}
			if tr.Organization && (s.Organization == nil || a.ID != s.Organization.ManagementAccount) {
				bad("%s.organization: only the management account may own an organization trail", where)
			}
		}
		for j, f := range a.MetricFilters {
			where := fmt.Sprintf("%s.metric_filters[%d]", at, j)
			if f.Name == "" || f.LogGroup == "" || f.MetricName == "" || f.Namespace == "" {
				bad("%s: needs name, log_group, metric_name and namespace", where)
			}
			regionOK(where+".region", f.Region)
		}
		for j, al := range a.Alarms {
			where := fmt.Sprintf("%s.alarms[%d]", at, j)
			if al.Name == "" || al.MetricName == "" || al.Namespace == "" {
				bad("%s: needs name, metric_name and namespace", where)
			}
			if al.Statistic != "" && !alarmStatistics[al.Statistic] {
				bad("%s.statistic %q: want SampleCount, Average, Sum, Minimum or Maximum", where, al.Statistic)
			}
			if al.Comparison != "" && !alarmComparisons[al.Comparison] {
				bad("%s.comparison %q: not a comparison operator of CloudWatch", where, al.Comparison)
			}
			if al.EvaluationPeriods < 0 || al.DatapointsToAlarm < 0 || al.DatapointsToAlarm > max(al.EvaluationPeriods, 1) {
				bad("%s: want 0 < datapoints_to_alarm <= evaluation_periods", where)
			}
			regionOK(where+".region", al.Region)
		}
		for j, tp := range a.Topics {
			where := fmt.Sprintf("%s.topics[%d]", at, j)
			if tp.Name == "" {
				bad("%s: needs a name", where)
			}
			regionOK(where+".region", tp.Region)
			for k, sb := range tp.Subscriptions {
				if sb.Protocol == "" || sb.Endpoint == "" {
					bad("%s.subscriptions[%d]: needs protocol and endpoint", where, k)
				}
			}
			for name := range tp.Attributes {
				if !topicAttributes[name] || name == "Policy" {
					bad("%s.attributes.%s: not a topic attribute (the policy has its own key)", where, name)
				}
			}
		}
		for j, er := range a.EventRules {
			where := fmt.Sprintf("%s.event_rules[%d]", at, j)
			if er.Name == "" {
				bad("%s: needs a name", where)
			}
			regionOK(where+".region", er.Region)
			if er.State != "" && !ruleStates[er.State] {
				bad("%s.state %q: want ENABLED or DISABLED", where, er.State)
			}
			if er.Pattern == "" {
				bad("%s.pattern: empty event pattern", where)
			}
			ids := map[string]bool{}
			for k, tg := range er.Targets {
				if tg.ARN == "" {
					bad("%s.targets[%d]: needs an arn", where, k)
				}
				if tg.RoleARN != "" && !roleARN.MatchString(tg.RoleARN) {
					bad("%s.targets[%d].role_arn %q: not an IAM role ARN", where, k, tg.RoleARN)
				}
				id := targetID(tg, k)
				if ids[id] {
					bad("%s.targets[%d].id %q: duplicate target", where, k, id)
				}
				ids[id] = true
			}
		}
		buses := map[string]bool{}
		for j, eb := range a.EventBuses {
			where := fmt.Sprintf("%s.event_buses[%d]", at, j)
			regionOK(where+".region", eb.Region)
			key := eb.Region + "/" + busName(eb.Name)
			if buses[key] {
				bad("%s: duplicate event bus %q", where, busName(eb.Name))
			}
			buses[key] = true
			if eb.Policy != "" && !json.Valid([]byte(eb.Policy)) {
				bad("%s.policy: not valid JSON", where)
			}
		}
		for r, st := range a.GuardDuty {
			regionOK(at+".guardduty", r)
			if !detectorStates[st] {
				bad("%s.guardduty.%s %q: want ENABLED or DISABLED", at, r, st)
			}
		}
		for j, z := range a.HostedZones {
			if strings.Trim(z.Name, ".") == "" {
				bad("%s.hosted_zones[%d]: needs a name", at, j)
			}
		}
	}
}

var roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// policyIDOf is a policy's ID, derived from its name when not given.
func policyIDOf(p Policy) string {
	if p.ID != "" {
		return p.ID
	}
	return "p-" + strings.ToLower(token("policy/"+p.Name, 8))
}

// regionOr is r, or the scenario's region when r is empty.
func (w *world) regionOr(r string) string {
	if r == "" {
		return w.region
	}
	return r
}
