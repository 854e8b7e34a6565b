package sim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// CloudTrail trail operations: DescribeTrails, GetTrailStatus and
// GetEventSelectors over the scenario's trails. A trail is seen in its home
// region; a multi-Region trail also in every other region as a shadow
// trail; an organization trail of the management account in every member
// account, always as a shadow trail.

func trailOperations() map[string]*operation {
	return map[string]*operation{
		"DescribeTrails":    {handle: ctDescribeTrails},
		"GetTrailStatus":    {handle: ctGetTrailStatus},
		"GetEventSelectors": {handle: ctGetEventSelectors},
	}
}

// trailView is a trail as one account sees it from one region.
type trailView struct {
	*Trail
	owner  string
	home   string
	shadow bool
}

func (v trailView) arn() string {
	return "arn:aws:cloudtrail:" + v.home + ":" + v.owner + ":trail/" + v.Name
}

func (v trailView) logging() bool { return v.Logging == nil || *v.Logging }

// trailsFor lists the trails acct sees from region, shadow trails included.
// An empty region lists every trail acct can see, each once, as seen from
// its home region.
func (w *world) trailsFor(acct, region string) []trailView {
	var out []trailView
	add := func(owner string, t *Trail, member bool) {
		home := w.regionOr(t.HomeRegion)
		v := trailView{Trail: t, owner: owner, home: home, shadow: member}
		switch {
		case region == "" || home == region:
		case t.MultiRegion:
			v.shadow = true
		default:
			return
		}
		out = append(out, v)
	}
	if a := w.accounts[acct]; a != nil {
		for i := range a.Trails {
			add(acct, &a.Trails[i], false)
		}
	}
	if w.org != nil && acct != w.mgmt && w.accounts[acct] != nil {
		m := w.accounts[w.mgmt]
		for i := range m.Trails {
			if m.Trails[i].Organization {
				add(w.mgmt, &m.Trails[i], true)
			}
		}
	}
	return out
}

// findTrail looks a trail up by name (in the caller's region, not a shadow)
// or by ARN (any trail the caller sees).
func findTrail(r *request, name string) (trailView, error) {
	w := r.srv.w
	acct := r.sess.account
	if strings.HasPrefix(name, "arn:") {
		for _, v := range w.trailsFor(acct, "") {
			if v.arn() == name {
				return v, nil
			}
		}
	} else if name != "" {
		for _, v := range w.trailsFor(acct, r.region) {
			if v.Name == name && !v.shadow {
				return v, nil
			}
		}
	}
	if name == "" {
		return trailView{}, errf("InvalidTrailNameException", http.StatusBadRequest, "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	}
	return trailView{}, errf("TrailNotFoundException", http.StatusBadRequest, "Unknown trail: %s for the user: %s", name, acct)
}

type ctTrail struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	HasInsightSelectors        bool   `json:"HasInsightSelectors"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

func (v trailView) describe() ctTrail {
	t := ctTrail{
		Name: v.Name, S3BucketName: v.S3Bucket, IncludeGlobalServiceEvents: v.MultiRegion || v.home == "us-east-1",
		IsMultiRegionTrail: v.MultiRegion, HomeRegion: v.home, TrailARN: v.arn(), LogFileValidationEnabled: true,
		HasCustomEventSelectors: v.Advanced || (v.ManagementEvents != "" && v.ManagementEvents != "All"),
		IsOrganizationTrail:     v.Organization,
	}
	if v.LogGroup != "" {
		t.CloudWatchLogsLogGroupArn = logGroupARN(v.home, v.owner, v.LogGroup) + ":*"
		t.CloudWatchLogsRoleArn = "arn:aws:iam::" + v.owner + ":role/CloudTrail-CloudWatchLogs"
	}
	return t
}

func logGroupARN(region, acct, name string) string {
	return "arn:aws:logs:" + region + ":" + acct + ":log-group:" + name
}

func ctDescribeTrails(r *request) (any, error) {
	var in struct {
		TrailNameList       []string `json:"trailNameList,omitempty"`
		IncludeShadowTrails *bool    `json:"includeShadowTrails,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	out := []ctTrail{}
	for _, v := range r.srv.w.trailsFor(r.sess.account, r.region) {
		if v.shadow && !shadows {
			continue
		}
		if len(in.TrailNameList) > 0 && !slices.Contains(in.TrailNameList, v.Name) && !slices.Contains(in.TrailNameList, v.arn()) {
			continue
		}
		out = append(out, v.describe())
	}
	return map[string]any{"trailList": out}, nil
}

type trailStatus struct {
	IsLogging          bool   `json:"IsLogging"`
	LatestDeliveryTime *epoch `json:"LatestDeliveryTime,omitempty"`
	StartLoggingTime   *epoch `json:"StartLoggingTime,omitempty"`
	StopLoggingTime    *epoch `json:"StopLoggingTime,omitempty"`
	TimeLoggingStarted string `json:"TimeLoggingStarted,omitempty"`
	TimeLoggingStopped string `json:"TimeLoggingStopped,omitempty"`
}

func ctGetTrailStatus(r *request) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	v, err := findTrail(r, in.Name)
	if err != nil {
		return nil, err
	}
	started := r.now.Add(-400 * 24 * time.Hour).Truncate(time.Hour)
	st := trailStatus{IsLogging: v.logging(), StartLoggingTime: epochPtr(started, true), TimeLoggingStarted: started.Format(time.RFC3339)}
	if st.IsLogging {
		st.LatestDeliveryTime = epochPtr(r.now.Add(-5*time.Minute).Truncate(time.Minute), true)
	} else {
		stopped := r.now.Add(-30 * 24 * time.Hour).Truncate(time.Hour)
		st.StopLoggingTime = epochPtr(stopped, true)
		st.TimeLoggingStopped = stopped.Format(time.RFC3339)
		st.LatestDeliveryTime = epochPtr(stopped, true)
	}
	return st, nil
}

type eventSelector struct {
	ReadWriteType           string         `json:"ReadWriteType"`
	IncludeManagementEvents bool           `json:"IncludeManagementEvents"`
	DataResources           []dataResource `json:"DataResources"`
}

type dataResource struct {
	Type   string   `json:"Type"`
	Values []string `json:"Values"`
}

type advancedSelector struct {
	Name           string          `json:"Name"`
	FieldSelectors []fieldSelector `json:"FieldSelectors"`
}

type fieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
}

func ctGetEventSelectors(r *request) (any, error) {
	var in struct {
		TrailName string `json:"TrailName"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	v, err := findTrail(r, in.TrailName)
	if err != nil {
		return nil, err
	}
	rw := v.ManagementEvents
	if rw == "" {
		rw = "All"
	}
	s3 := dataResource{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}
	if !v.Advanced {
		sel := eventSelector{ReadWriteType: rw, IncludeManagementEvents: true, DataResources: []dataResource{}}
		if rw == "None" {
			sel = eventSelector{ReadWriteType: "All", IncludeManagementEvents: false, DataResources: []dataResource{s3}}
		}
		return map[string]any{"TrailARN": v.arn(), "EventSelectors": []eventSelector{sel}}, nil
	}
	sel := advancedSelector{Name: "Management events", FieldSelectors: []fieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}
	switch rw {
	case "ReadOnly":
		sel.FieldSelectors = append(sel.FieldSelectors, fieldSelector{Field: "readOnly", Equals: []string{"true"}})
	case "WriteOnly":
		sel.FieldSelectors = append(sel.FieldSelectors, fieldSelector{Field: "readOnly", Equals: []string{"false"}})
	}
	if len(v.EventSources) > 0 {
		sel.FieldSelectors = append(sel.FieldSelectors, fieldSelector{Field: "eventSource", Equals: v.EventSources})
	}
	if len(v.ExcludeARNPrefixes) > 0 {
		sel.FieldSelectors = append(sel.FieldSelectors, fieldSelector{Field: "userIdentity.arn", NotStartsWith: v.ExcludeARNPrefixes})
	}
	if rw == "None" {
		sel = advancedSelector{Name: "S3 object data events", FieldSelectors: []fieldSelector{
			{Field: "eventCategory", Equals: []string{"Data"}},
			{Field: "resources.type", Equals: []string{s3.Type}},
		}}
	}
	return map[string]any{"TrailARN": v.arn(), "AdvancedEventSelectors": []advancedSelector{sel}}, nil
}
