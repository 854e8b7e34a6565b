package sim

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// CloudWatch (Smithy RPC v2 CBOR, as the SDK's client sends it):
// DescribeAlarms over the account's metric alarms in the call's region.

func cloudwatchService() *service {
	return &service{
		name:   "monitoring",
		proto:  protoCBOR,
		target: "GraniteServiceVersion20100801",
		ops: map[string]*operation{
			"DescribeAlarms": {handle: cwDescribeAlarms},
		},
	}
}

func cwDescribeAlarms(r *request) (any, error) {
	in, err := cborInput(r, "AlarmNames", "AlarmNamePrefix", "AlarmTypes", "ChildrenOfAlarmName",
		"ParentsOfAlarmName", "StateValue", "ActionPrefix", "MaxRecords", "NextToken")
	if err != nil {
		return nil, err
	}
	names, err := in.strs("AlarmNames")
	if err != nil {
		return nil, err
	}
	types, err := in.strs("AlarmTypes")
	if err != nil {
		return nil, err
	}
	prefix, err := in.str("AlarmNamePrefix")
	if err != nil {
		return nil, err
	}
	actionPrefix, err := in.str("ActionPrefix")
	if err != nil {
		return nil, err
	}
	state, err := in.str("StateValue")
	if err != nil {
		return nil, err
	}
	next, err := in.str("NextToken")
	if err != nil {
		return nil, err
	}
	max, err := in.int("MaxRecords")
	if err != nil {
		return nil, err
	}
	if len(names) > 0 && prefix != "" {
		return nil, errf("InvalidParameterCombination", http.StatusBadRequest, "AlarmNames and AlarmNamePrefix cannot be used together")
	}
	metricTypes := len(types) == 0
	for _, t := range types {
		switch t {
		case "MetricAlarm":
			metricTypes = true
		case "CompositeAlarm", "LogAlarm":
		default:
			return nil, errf("ValidationError", http.StatusBadRequest, "1 validation error detected: Value '%s' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm, LogAlarm]", t)
		}
	}
	w, a := r.srv.w, r.account()
	var all []cbor.Value
	for _, al := range a.Alarms {
		region := w.regionOr(al.Region)
		actions := make([]string, 0, len(al.Actions))
		for _, act := range al.Actions {
			actions = append(actions, topicARN(region, a.ID, act))
		}
		if !metricTypes || region != r.region ||
			(len(names) > 0 && !slices.Contains(names, al.Name)) || !strings.HasPrefix(al.Name, prefix) ||
			(actionPrefix != "" && !anyPrefix(actions, actionPrefix)) || (state != "" && state != "OK") {
			continue
		}
		enabled := al.ActionsEnabled == nil || *al.ActionsEnabled
		updated := r.now.Add(-90 * 24 * time.Hour).Truncate(time.Hour)
		threshold := 1.0
		if al.Threshold != nil {
			threshold = *al.Threshold
		}
		m := cbor.Map{
			"AlarmName":                          cbor.String(al.Name),
			"AlarmArn":                           cbor.String("arn:aws:cloudwatch:" + region + ":" + a.ID + ":alarm:" + al.Name),
			"AlarmConfigurationUpdatedTimestamp": cborTime(updated),
			"ActionsEnabled":                     cbor.Bool(enabled),
			"OKActions":                          cbor.List{},
			"AlarmActions":                       cborStrings(actions),
			"InsufficientDataActions":            cbor.List{},
			"StateValue":                         cbor.String("OK"),
			"StateReason":                        cbor.String("Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."),
			"StateUpdatedTimestamp":              cborTime(updated),
			"MetricName":                         cbor.String(al.MetricName),
			"Namespace":                          cbor.String(al.Namespace),
			"Statistic":                          cbor.String(cmp.Or(al.Statistic, "Sum")),
			"Dimensions":                         cbor.List{},
			"Period":                             cbor.Uint(300),
			"EvaluationPeriods":                  cbor.Uint(uint64(cmp.Or(al.EvaluationPeriods, 1))),
			"Threshold":                          cbor.Float64(threshold),
			"ComparisonOperator":                 cbor.String(cmp.Or(al.Comparison, "GreaterThanOrEqualToThreshold")),
			"TreatMissingData":                   cbor.String("notBreaching"),
		}
		if al.DatapointsToAlarm > 0 {
			m["DatapointsToAlarm"] = cbor.Uint(uint64(al.DatapointsToAlarm))
		}
		all = append(all, m)
	}
	if max == 0 {
		max = 50
	}
	pg, nextToken, err := pageOr(all, next, max, 100, "InvalidNextToken")
	if err != nil {
		return nil, err
	}
	out := cbor.Map{"MetricAlarms": cbor.List(pg), "CompositeAlarms": cbor.List{}}
	if nextToken != "" {
		out["NextToken"] = cbor.String(nextToken)
	}
	return cbor.Value(out), nil
}

func anyPrefix(ss []string, p string) bool {
	for _, x := range ss {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}
