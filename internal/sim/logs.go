package sim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// CloudWatch Logs (awsJson1_1): DescribeMetricFilters over the account's
// metric filters in the call's region. A log group exists when a metric
// filter or a trail of the account names it there.

func logsService() *service {
	return &service{
		name:   "logs",
		proto:  protoJSON,
		target: "Logs_20140328",
		ops: map[string]*operation{
			"DescribeMetricFilters": {handle: logsDescribeMetricFilters},
		},
	}
}

func (w *world) logGroupExists(a *account, region, name string) bool {
	for _, f := range a.MetricFilters {
		if f.LogGroup == name && w.regionOr(f.Region) == region {
			return true
		}
	}
	for _, t := range a.Trails {
		if t.LogGroup == name && w.regionOr(t.HomeRegion) == region {
			return true
		}
	}
	return false
}

type metricFilter struct {
	FilterName            string                 `json:"filterName"`
	FilterPattern         string                 `json:"filterPattern"`
	MetricTransformations []metricTransformation `json:"metricTransformations"`
	CreationTime          int64                  `json:"creationTime"`
	LogGroupName          string                 `json:"logGroupName"`
}

type metricTransformation struct {
	MetricName      string `json:"metricName"`
	MetricNamespace string `json:"metricNamespace"`
	MetricValue     string `json:"metricValue"`
}

func logsDescribeMetricFilters(r *request) (any, error) {
	var in struct {
		LogGroupName     string `json:"logGroupName,omitempty"`
		FilterNamePrefix string `json:"filterNamePrefix,omitempty"`
		MetricName       string `json:"metricName,omitempty"`
		MetricNamespace  string `json:"metricNamespace,omitempty"`
		NextToken        string `json:"nextToken,omitempty"`
		Limit            int    `json:"limit,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	const code = "InvalidParameterException"
	if in.FilterNamePrefix != "" && in.LogGroupName == "" {
		return nil, errf(code, http.StatusBadRequest, "If you specify a filterNamePrefix, you must also specify a logGroupName.")
	}
	if (in.MetricName == "") != (in.MetricNamespace == "") {
		return nil, errf(code, http.StatusBadRequest, "metricName and metricNamespace must be specified together.")
	}
	w, a := r.srv.w, r.account()
	if in.LogGroupName != "" && !w.logGroupExists(a, r.region, in.LogGroupName) {
		return nil, errf("ResourceNotFoundException", http.StatusBadRequest, "The specified log group does not exist.")
	}
	var all []metricFilter
	for _, f := range a.MetricFilters {
		if w.regionOr(f.Region) != r.region ||
			(in.LogGroupName != "" && f.LogGroup != in.LogGroupName) ||
			!strings.HasPrefix(f.Name, in.FilterNamePrefix) ||
			(in.MetricName != "" && (f.MetricName != in.MetricName || f.Namespace != in.MetricNamespace)) {
			continue
		}
		all = append(all, metricFilter{
			FilterName: f.Name, FilterPattern: f.Pattern, LogGroupName: f.LogGroup,
			CreationTime:          r.now.Add(-200 * 24 * time.Hour).Truncate(time.Hour).UnixMilli(),
			MetricTransformations: []metricTransformation{{MetricName: f.MetricName, MetricNamespace: f.Namespace, MetricValue: "1"}},
		})
	}
	// Logs lists filters by log group, then by name.
	slices.SortStableFunc(all, func(x, y metricFilter) int {
		if c := strings.Compare(x.LogGroupName, y.LogGroupName); c != 0 {
			return c
		}
		return strings.Compare(x.FilterName, y.FilterName)
	})
	out, next, err := pageOr(all, in.NextToken, in.Limit, 50, code)
	if err != nil {
		return nil, err
	}
	return map[string]any{"metricFilters": out, "nextToken": optional(next)}, nil
}
