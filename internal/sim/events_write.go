package sim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"unicode/utf8"
)

// EventBridge writes: PutRule creates or updates an event-pattern rule on a
// bus of the call's region, PutTargets adds or replaces a rule's targets
// (up to five), answering per-target failures in FailedEntries.

var (
	ruleNameArg   = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)
	targetIDShape = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)
	targetARN     = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$`)
)

const maxTargetsPerRule = 5

func eventsValidation(format string, a ...any) *apiError {
	return errf("ValidationException", http.StatusBadRequest, format, a...)
}

// checkEventPattern accepts a JSON object, as EventBridge requires.
func checkEventPattern(p string) error {
	var v map[string]json.RawMessage
	if err := json.Unmarshal([]byte(p), &v); err != nil {
		return errf("InvalidEventPatternException", http.StatusBadRequest, "Event pattern is not valid. Reason: %v", err)
	}
	if len(v) == 0 {
		return errf("InvalidEventPatternException", http.StatusBadRequest, "Event pattern is not valid. Reason: Empty event pattern")
	}
	return nil
}

func eventsPutRule(r *request) (any, error) {
	var in struct {
		Name               string  `json:"Name"`
		EventPattern       *string `json:"EventPattern,omitempty"`
		ScheduleExpression string  `json:"ScheduleExpression,omitempty"`
		State              string  `json:"State,omitempty"`
		Description        *string `json:"Description,omitempty"`
		RoleArn            string  `json:"RoleArn,omitempty"`
		Tags               []tag   `json:"Tags,omitempty"`
		EventBusName       string  `json:"EventBusName,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	switch {
	case !ruleNameArg.MatchString(in.Name):
		return nil, eventsValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	case in.EventPattern == nil && in.ScheduleExpression == "":
		return nil, eventsValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	case in.EventPattern == nil:
		return nil, eventsValidation("This endpoint serves event-pattern rules only; ScheduleExpression is not supported.")
	case in.State != "" && !ruleStates[in.State]:
		return nil, eventsValidation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", in.State)
	case in.Description != nil && utf8.RuneCountInString(*in.Description) > 512:
		return nil, eventsValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	if err := checkEventPattern(*in.EventPattern); err != nil {
		return nil, err
	}
	a := r.account()
	bus := busName(in.EventBusName)
	rule, err := r.srv.w.rule(a, r.region, bus, in.Name)
	if err != nil {
		return nil, err
	}
	if rule == nil {
		a.EventRules = append(a.EventRules, EventRule{Name: in.Name, Region: r.region})
		rule = &a.EventRules[len(a.EventRules)-1]
		if bus != "default" {
			rule.Bus = bus
		}
	}
	rule.Pattern = PolicyDocument(*in.EventPattern)
	rule.State = in.State
	if in.Description != nil {
		rule.Description = *in.Description
	}
	return map[string]string{"RuleArn": ruleARN(r.region, a.ID, *rule)}, nil
}

type failedEntry struct {
	TargetID     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

func eventsPutTargets(r *request) (any, error) {
	var in struct {
		Rule         string                       `json:"Rule"`
		EventBusName string                       `json:"EventBusName,omitempty"`
		Targets      []map[string]json.RawMessage `json:"Targets"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if n := len(in.Targets); n < 1 || n > 10 {
		return nil, eventsValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	a := r.account()
	bus := busName(in.EventBusName)
	rule, err := r.srv.w.existingRule(a, r.region, bus, in.Rule)
	if err != nil {
		return nil, err
	}
	type put struct{ id, arn, role string }
	var puts []put
	for _, t := range in.Targets {
		var id, arn, role string
		json.Unmarshal(t["Id"], &id)        //nolint:errcheck // a missing or odd Id fails the check below.
		json.Unmarshal(t["Arn"], &arn)      //nolint:errcheck // likewise for Arn.
		json.Unmarshal(t["RoleArn"], &role) //nolint:errcheck // an odd RoleArn is refused below.
		if !targetIDShape.MatchString(id) {
			return nil, eventsValidation("1 validation error detected: Value '%s' at 'targets.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", id)
		}
		if arn == "" || len(arn) > 1600 {
			return nil, eventsValidation("1 validation error detected: Value at 'targets.member.arn' failed to satisfy constraint: Member must have length between 1 and 1600")
		}
		if _, ok := t["RoleArn"]; ok && (role == "" || len(role) > 1600) {
			return nil, eventsValidation("1 validation error detected: Value at 'targets.member.roleArn' failed to satisfy constraint: Member must have length between 1 and 1600")
		}
		puts = append(puts, put{id, arn, role})
	}
	// Targets are fixed to their IDs first, so a new one never takes the
	// default ID of another.
	ids := make([]string, len(rule.Targets))
	for i, t := range rule.Targets {
		ids[i] = targetID(t, i)
	}
	failed := []failedEntry{}
	var valid []put
	for _, p := range puts {
		if !targetARN.MatchString(p.arn) {
			failed = append(failed, failedEntry{TargetID: p.id, ErrorCode: "ValidationException", ErrorMessage: "Parameter " + p.arn + " is not valid. Reason: Provided Arn is not in correct format."})
			continue
		}
		if p.role != "" && !roleARN.MatchString(p.role) {
			failed = append(failed, failedEntry{TargetID: p.id, ErrorCode: "ValidationException", ErrorMessage: "Parameter " + p.role + " is not valid. Reason: Provided RoleArn is not in correct format."})
			continue
		}
		valid = append(valid, p)
		if !slices.Contains(ids, p.id) {
			ids = append(ids, p.id)
		}
	}
	if len(ids) > maxTargetsPerRule {
		return nil, errf("LimitExceededException", http.StatusBadRequest, "The requested resource exceeds the maximum number allowed: a rule may have at most %d targets.", maxTargetsPerRule)
	}
	for i := range rule.Targets {
		rule.Targets[i].ID = ids[i]
	}
	for _, p := range valid {
		// A target put again is replaced whole: a role it no longer names
		// is gone.
		if i := slices.IndexFunc(rule.Targets, func(t RuleTarget) bool { return t.ID == p.id }); i >= 0 {
			rule.Targets[i].ARN, rule.Targets[i].RoleARN = p.arn, p.role
			continue
		}
		rule.Targets = append(rule.Targets, RuleTarget{ID: p.id, ARN: p.arn, RoleARN: p.role})
	}
	return map[string]any{"FailedEntryCount": len(failed), "FailedEntries": failed}, nil
}

// maxBusPolicy is the largest event bus policy EventBridge keeps, in bytes.
const maxBusPolicy = 10 * 1024

var (
	statementIDArg = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	principalArg   = regexp.MustCompile(`^(\d{12}|\*)$`)
)

// busStatement is the statement PutPermission writes, in the field order
// DescribeEventBus shows.
type busStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// eventsPutPermission grants another account (Principal), every account of
// an organization (Principal "*" with an aws:PrincipalOrgID Condition), or
// whatever a whole Policy says, the right to put events on a bus of the
// caller's account. A statement with the StatementId of an existing one
// replaces it; Policy replaces the whole document.
func eventsPutPermission(r *request) (any, error) {
	var in struct {
		Action       string `json:"Action,omitempty"`
		Principal    string `json:"Principal,omitempty"`
		StatementID  string `json:"StatementId,omitempty"`
		EventBusName string `json:"EventBusName,omitempty"`
		Policy       string `json:"Policy,omitempty"`
		Condition    *struct {
			Type  string `json:"Type"`
			Key   string `json:"Key"`
			Value string `json:"Value"`
		} `json:"Condition,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w, a := r.srv.w, r.account()
	bus := busName(in.EventBusName)
	if _, ok := w.rules(a, r.region, bus); !ok {
		return nil, busNotFound(bus)
	}
	var doc string
	if in.Policy != "" {
		if in.Action != "" || in.Principal != "" || in.StatementID != "" || in.Condition != nil {
			return nil, eventsValidation("Policy cannot be specified together with Action, Principal, StatementId or Condition.")
		}
		var v struct {
			Statement json.RawMessage `json:"Statement"`
		}
		if err := json.Unmarshal([]byte(in.Policy), &v); err != nil || len(v.Statement) == 0 {
			return nil, eventsValidation("Policy is not a valid policy document: it needs a Statement.")
		}
		doc = in.Policy
	} else {
		switch {
		case in.Action != "events:PutEvents":
			return nil, eventsValidation("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: events:[a-zA-Z]+; only events:PutEvents is supported", in.Action)
		case !principalArg.MatchString(in.Principal):
			return nil, eventsValidation("1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)", in.Principal)
		case !statementIDArg.MatchString(in.StatementID):
			return nil, eventsValidation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+", in.StatementID)
		}
		st := busStatement{Sid: in.StatementID, Effect: "Allow", Action: "events:PutEvents", Resource: busARN(r.region, a.ID, bus)}
		if in.Principal == "*" {
			st.Principal = "*"
		} else {
			st.Principal = map[string]string{"AWS": "arn:aws:iam::" + in.Principal + ":root"}
		}
		if c := in.Condition; c != nil {
			if c.Type != "StringEquals" || c.Key != "aws:PrincipalOrgID" || c.Value == "" {
				return nil, eventsValidation("Condition must have Type StringEquals, Key aws:PrincipalOrgID and the organization ID as Value.")
			}
			st.Condition = map[string]map[string]string{c.Type: {c.Key: c.Value}}
		}
		var old string
		if b := w.bus(a, r.region, bus); b != nil {
			old = string(b.Policy)
		}
		var err error
		if doc, err = withStatement(old, st); err != nil {
			return nil, err
		}
	}
	if len(doc) > maxBusPolicy {
		return nil, errf("PolicyLengthExceededException", http.StatusBadRequest, "The event bus policy would be %d bytes, more than the %d allowed.", len(doc), maxBusPolicy)
	}
	b := w.bus(a, r.region, bus)
	if b == nil {
		a.EventBuses = append(a.EventBuses, EventBus{Region: r.region})
		b = &a.EventBuses[len(a.EventBuses)-1]
		if bus != "default" {
			b.Name = bus
		}
	}
	b.Policy = PolicyDocument(doc)
	return struct{}{}, nil
}

// withStatement returns the policy doc with st added, or in place of the
// statement with the same Sid.
func withStatement(doc string, st busStatement) (string, error) {
	var p struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}
	if doc != "" {
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return "", errf("InternalException", http.StatusInternalServerError, "the stored event bus policy is not valid JSON: %v", err)
		}
	}
	p.Version = "2012-10-17"
	raw, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	replaced := false
	for i, s := range p.Statement {
		var sid struct {
			Sid string `json:"Sid"`
		}
		if json.Unmarshal(s, &sid) == nil && sid.Sid == st.Sid {
			p.Statement[i], replaced = raw, true
		}
	}
	if !replaced {
		p.Statement = append(p.Statement, raw)
	}
	out, err := json.Marshal(p)
	return string(out), err
}
