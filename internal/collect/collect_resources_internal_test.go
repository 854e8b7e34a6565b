package collect

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

func TestManagementEvents(t *testing.T) {
	t.Parallel()
	basic := func(include *bool, rw cttypes.ReadWriteType) cttypes.EventSelector {
		return cttypes.EventSelector{IncludeManagementEvents: include, ReadWriteType: rw}
	}
	field := func(name string, equals ...string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: aws.String(name), Equals: equals}
	}
	advanced := func(fs ...cttypes.AdvancedFieldSelector) cttypes.AdvancedEventSelector {
		return cttypes.AdvancedEventSelector{FieldSelectors: fs}
	}
	// me is what managementEvents reports: filters are never nil once read.
	me := func(rw string, filters ...string) inventory.ManagementEvents {
		return inventory.ManagementEvents{Included: rw != "", ReadWriteType: rw, Filters: append([]string{}, filters...)}
	}
	kept := func(m inventory.ManagementEvents, conditions ...string) inventory.ManagementEvents {
		m.RootKept = conditions
		return m
	}
	tests := []struct {
		name string
		out  cloudtrail.GetEventSelectorsOutput
		want inventory.ManagementEvents
	}{
		{name: "no selectors", want: me("")},
		{name: "basic all", out: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{basic(aws.Bool(true), "All")}},
			want: me("All")},
		{name: "basic unstated defaults to all", out: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{basic(nil, "")}},
			want: me("All")},
		{name: "basic excluded", out: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{basic(aws.Bool(false), "All")}},
			want: me("")},
		{name: "basic read plus write is all", out: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{
			basic(aws.Bool(true), "ReadOnly"), basic(aws.Bool(true), "WriteOnly")}},
			want: me("All")},
		{name: "basic write only", out: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{
			basic(aws.Bool(true), "WriteOnly"), basic(aws.Bool(false), "ReadOnly")}},
			want: me("WriteOnly")},
		{name: "advanced management", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"))}},
			want: me("All")},
		{name: "advanced read only", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"), field("readOnly", "true"))}},
			want: me("ReadOnly")},
		{name: "advanced write only", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("readOnly", "false"), field("eventCategory", "Management"))}},
			want: me("WriteOnly")},
		{name: "advanced data events only", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"))}},
			want: me("")},
		{name: "advanced read and write selectors", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"), field("readOnly", "true")),
			advanced(field("eventCategory", "Management"), field("readOnly", "false"))}},
			want: me("All")},
		{name: "advanced filter on the event source", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"), field("eventSource", "iam.amazonaws.com", "signin.amazonaws.com"),
				cttypes.AdvancedFieldSelector{Field: aws.String("eventName"), NotStartsWith: []string{"Get", "List"}})}},
			want: me("All", "eventSource Equals [iam.amazonaws.com, signin.amazonaws.com]", "eventName NotStartsWith [Get, List]")},
		{name: "excluding a role's sessions keeps root events", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"),
				cttypes.AdvancedFieldSelector{Field: aws.String("userIdentity.arn"), NotStartsWith: []string{"arn:aws:sts::111122223333:assumed-role/noisy/"}})}},
			want: kept(me("All"), "userIdentity.arn NotStartsWith [arn:aws:sts::111122223333:assumed-role/noisy/]")},
		{name: "a condition that can drop a root ARN limits", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"),
				cttypes.AdvancedFieldSelector{Field: aws.String("userIdentity.arn"), NotEndsWith: []string{":root"}})}},
			want: me("All", "userIdentity.arn NotEndsWith [:root]")},
		{name: "an unfiltered selector makes another's filter moot", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"), field("eventSource", "iam.amazonaws.com")),
			advanced(field("eventCategory", "Management"))}},
			want: kept(me("All"), "eventSource Equals [iam.amazonaws.com]")},
		{name: "a filter still limits the kind the unfiltered selector lacks", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management"), field("eventSource", "iam.amazonaws.com")),
			advanced(field("eventCategory", "Management"), field("readOnly", "false"))}},
			want: me("All", "eventSource Equals [iam.amazonaws.com]")},
		{name: "data selector fields are not management filters", out: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
			advanced(field("eventCategory", "Management")), advanced(field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"))}},
			want: me("All")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, managementEvents(&tt.out, "aws")); diff != "" {
				t.Errorf("managementEvents (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		want   []string
		config string
		out    []string
	}{
		{name: "default in us-east-1", config: "us-east-1", out: []string{"us-east-1"}},
		{name: "default elsewhere", config: "eu-west-1", out: []string{"us-east-1", "eu-west-1"}},
		{name: "explicit replaces the config region", want: []string{"ap-south-1", " eu-west-1 ", "ap-south-1", ""}, config: "eu-central-1",
			out: []string{"us-east-1", "ap-south-1", "eu-west-1"}},
		{name: "explicit with us-east-1", want: []string{"eu-west-1", "us-east-1"}, config: "eu-west-1", out: []string{"us-east-1", "eu-west-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.out, Regions(tt.want, tt.config)); diff != "" {
				t.Errorf("Regions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoleARN(t *testing.T) {
	t.Parallel()
	tests := []struct{ caller, role, want string }{
		{"arn:aws:sts::111111111111:assumed-role/Admin/alice", "OrganizationAccountAccessRole", "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"},
		{"arn:aws-us-gov:iam::111111111111:user/bob", "audit/Reader", "arn:aws-us-gov:iam::222222222222:role/audit/Reader"},
		{"not an arn", "/Reader", "arn:aws:iam::222222222222:role/Reader"},
	}
	for _, tt := range tests {
		col := &collector{partition: arnPartition(tt.caller), opts: Options{Role: tt.role}}
		if got := col.roleARN("222222222222"); got != tt.want {
			t.Errorf("roleARN with caller %q role %q = %q, want %q", tt.caller, tt.role, got, tt.want)
		}
	}
}

func TestSubscription(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, arn string
		want      inventory.Subscription
	}{
		{name: "confirmed", arn: "arn:aws:sns:us-east-1:1:alerts:0b1f", want: inventory.Subscription{ARN: "arn:aws:sns:us-east-1:1:alerts:0b1f", Protocol: "email", Endpoint: "a@x.example", Confirmed: true}},
		{name: "pending", arn: "PendingConfirmation", want: inventory.Subscription{Protocol: "email", Endpoint: "a@x.example"}},
		{name: "deleted", arn: "Deleted", want: inventory.Subscription{Protocol: "email", Endpoint: "a@x.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := subscription(aws.String(tt.arn), aws.String("email"), aws.String("a@x.example"))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("subscription (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeRegions(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	optIn := &smithy.GenericAPIError{Code: "OptInRequired", Message: "the region is not enabled"}
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	regions := []string{"us-east-1", "ap-east-1", "eu-west-1"}
	tests := []struct {
		name  string
		parts []regionPart[string]
		want  inventory.Fact[[]string]
	}{
		{
			name:  "all answer",
			parts: []regionPart[string]{{vals: []string{"a"}}, {}, {vals: []string{"b", "c"}}},
			want:  inventory.Fact[[]string]{Value: []string{"a", "b", "c"}, Source: inventory.Source{API: "x:List", At: at}},
		},
		{
			name:  "a region not enabled is recorded as such, the others kept",
			parts: []regionPart[string]{{vals: []string{"a"}}, {api: "x:List", err: optIn}, {api: "x:Get", err: denied, vals: []string{"b"}}},
			want: inventory.Fact[[]string]{Value: []string{"a", "b"}, Source: inventory.Source{API: "x:List", At: at,
				Error: &inventory.CallError{Code: "OptInRequired", Message: "in ap-east-1: the region is not enabled"}, FailedRegions: []string{"ap-east-1", "eu-west-1"}}},
		},
		{
			name:  "follow-up call failed",
			parts: []regionPart[string]{{api: "x:Get", err: denied}, {}, {}},
			want: inventory.Fact[[]string]{Value: []string{}, Source: inventory.Source{API: "x:Get", At: at,
				Error: &inventory.CallError{Code: "AccessDenied", Message: "in us-east-1: no"}, FailedRegions: []string{"us-east-1"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, mergeRegions("x:List", at, regions, tt.parts)); diff != "" {
				t.Errorf("mergeRegions (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeTrails answers CloudTrail as one Region of one account sees it.
// Status and selectors are keyed by trail ARN; a missing key is a
// TrailNotFoundException. Calls records "Operation region name".
type fakeTrails struct {
	region    string
	list      []cttypes.Trail
	logging   map[string]bool
	selectors map[string]*cloudtrail.GetEventSelectorsOutput
	calls     *[]string
	mu        *sync.Mutex
}

func (f *fakeTrails) record(op, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.calls = append(*f.calls, op+" "+f.region+" "+name)
}

var errTrailNotFound = &smithy.GenericAPIError{Code: "TrailNotFoundException", Message: "unknown trail"}

func (f *fakeTrails) DescribeTrails(_ context.Context, in *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	f.record("DescribeTrails", "")
	if !aws.ToBool(in.IncludeShadowTrails) {
		return nil, errors.New("shadow trails not asked for")
	}
	if f.list == nil {
		return nil, &smithy.GenericAPIError{Code: "OptInRequired", Message: "not enabled"}
	}
	return &cloudtrail.DescribeTrailsOutput{TrailList: f.list}, nil
}

func (f *fakeTrails) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	name := aws.ToString(in.Name)
	f.record("GetTrailStatus", name)
	l, ok := f.logging[name]
	if !ok {
		return nil, errTrailNotFound
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(l)}, nil
}

func (f *fakeTrails) GetEventSelectors(_ context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	name := aws.ToString(in.TrailName)
	f.record("GetEventSelectors", name)
	s, ok := f.selectors[name]
	if !ok {
		return nil, errTrailNotFound
	}
	return s, nil
}

// fakeFilters answers DescribeMetricFilters with one filter per log group.
type fakeFilters struct {
	region string
	calls  *[]string
	mu     *sync.Mutex
}

func (f *fakeFilters) DescribeMetricFilters(_ context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	f.mu.Lock()
	*f.calls = append(*f.calls, "DescribeMetricFilters "+f.region+" "+aws.ToString(in.LogGroupName))
	f.mu.Unlock()
	return &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: []logtypes.MetricFilter{{
		FilterName: aws.String("root-usage"), LogGroupName: in.LogGroupName, FilterPattern: aws.String(`{ $.userIdentity.type = "Root" }`),
		MetricTransformations: []logtypes.MetricTransformation{{MetricNamespace: aws.String("CIS"), MetricName: aws.String("RootUsage")}},
	}}}, nil
}

// TestTrails reads trails seen from two Regions: a multi-Region trail is
// listed once, each trail's status and selectors are asked of its home
// Region by ARN, a trail whose status cannot be read keeps that error on
// its own facts, and only the account's own log groups are read.
func TestTrails(t *testing.T) {
	t.Parallel()
	const (
		orgTrail   = "arn:aws:cloudtrail:eu-west-1:111111111111:trail/org"
		ownTrail   = "arn:aws:cloudtrail:us-east-1:222222222222:trail/own"
		localTrail = "arn:aws:cloudtrail:eu-west-1:222222222222:trail/local"
	)
	org := cttypes.Trail{Name: aws.String("org"), TrailARN: aws.String(orgTrail), HomeRegion: aws.String("eu-west-1"),
		IsMultiRegionTrail: aws.Bool(true), IsOrganizationTrail: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:eu-west-1:111111111111:log-group:org-logs:*")}
	own := cttypes.Trail{Name: aws.String("own"), TrailARN: aws.String(ownTrail), HomeRegion: aws.String("us-east-1"),
		IsMultiRegionTrail: aws.Bool(true), S3BucketName: aws.String("own-bucket"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:222222222222:log-group:own-logs:*")}
	local := cttypes.Trail{Name: aws.String("local"), TrailARN: aws.String(localTrail), HomeRegion: aws.String("eu-west-1"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:eu-west-1:222222222222:log-group:local-logs")}
	all := &cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: "All"}}}

	tests := []struct {
		name       string
		regions    []string
		lists      map[string][]cttypes.Trail
		wantTrails inventory.Fact[[]inventory.Trail]
		wantCalls  []string
		wantMF     inventory.Source
	}{
		{
			name:    "two regions",
			regions: []string{"us-east-1", "eu-west-1"},
			lists:   map[string][]cttypes.Trail{"us-east-1": {org, own}, "eu-west-1": {own, org, local}},
			wantTrails: inventory.Fact[[]inventory.Trail]{Source: inventory.Source{API: "cloudtrail:DescribeTrails"}, Value: []inventory.Trail{
				{Name: "org", ARN: orgTrail, HomeRegion: "eu-west-1", IsMultiRegion: true, IsOrganizationTrail: true,
					LogGroupARN: "arn:aws:logs:eu-west-1:111111111111:log-group:org-logs:*",
					Logging: inventory.Fact[bool]{Source: inventory.Source{API: "cloudtrail:GetTrailStatus",
						Error: &inventory.CallError{Code: "TrailNotFoundException", Message: "unknown trail"}}},
					Selectors: inventory.Fact[inventory.ManagementEvents]{Source: inventory.Source{API: "cloudtrail:GetEventSelectors",
						Error: &inventory.CallError{Code: "TrailNotFoundException", Message: "unknown trail"}}}},
				{Name: "local", ARN: localTrail, HomeRegion: "eu-west-1", LogGroupARN: "arn:aws:logs:eu-west-1:222222222222:log-group:local-logs",
					Logging: inventory.Fact[bool]{Value: true, Source: inventory.Source{API: "cloudtrail:GetTrailStatus"}},
					Selectors: inventory.Fact[inventory.ManagementEvents]{Value: inventory.ManagementEvents{Included: true, ReadWriteType: "All", Filters: []string{}},
						Source: inventory.Source{API: "cloudtrail:GetEventSelectors"}}},
				{Name: "own", ARN: ownTrail, HomeRegion: "us-east-1", IsMultiRegion: true, S3BucketName: "own-bucket",
					LogGroupARN: "arn:aws:logs:us-east-1:222222222222:log-group:own-logs:*",
					Logging:     inventory.Fact[bool]{Value: false, Source: inventory.Source{API: "cloudtrail:GetTrailStatus"}},
					Selectors: inventory.Fact[inventory.ManagementEvents]{Value: inventory.ManagementEvents{Included: true, ReadWriteType: "All", Filters: []string{}},
						Source: inventory.Source{API: "cloudtrail:GetEventSelectors"}}},
			}},
			wantCalls: []string{
				"DescribeMetricFilters eu-west-1 local-logs",
				"DescribeMetricFilters us-east-1 own-logs",
				"DescribeTrails eu-west-1 ",
				"DescribeTrails us-east-1 ",
				"GetEventSelectors eu-west-1 " + orgTrail,
				"GetEventSelectors eu-west-1 " + localTrail,
				"GetEventSelectors us-east-1 " + ownTrail,
				"GetTrailStatus eu-west-1 " + orgTrail,
				"GetTrailStatus eu-west-1 " + localTrail,
				"GetTrailStatus us-east-1 " + ownTrail,
			},
			wantMF: inventory.Source{API: "logs:DescribeMetricFilters"},
		},
		{
			name:    "a region not enabled",
			regions: []string{"us-east-1", "ap-east-1"},
			lists:   map[string][]cttypes.Trail{"us-east-1": {own}},
			wantTrails: inventory.Fact[[]inventory.Trail]{Source: inventory.Source{API: "cloudtrail:DescribeTrails", Error: &inventory.CallError{Code: "OptInRequired", Message: "in ap-east-1: not enabled"}, FailedRegions: []string{"ap-east-1"}},
				Value: []inventory.Trail{
					{Name: "own", ARN: ownTrail, HomeRegion: "us-east-1", IsMultiRegion: true, S3BucketName: "own-bucket",
						LogGroupARN: "arn:aws:logs:us-east-1:222222222222:log-group:own-logs:*",
						Logging:     inventory.Fact[bool]{Value: false, Source: inventory.Source{API: "cloudtrail:GetTrailStatus"}},
						Selectors: inventory.Fact[inventory.ManagementEvents]{Value: inventory.ManagementEvents{Included: true, ReadWriteType: "All", Filters: []string{}},
							Source: inventory.Source{API: "cloudtrail:GetEventSelectors"}}},
				}},
			wantCalls: []string{
				"DescribeMetricFilters us-east-1 own-logs",
				"DescribeTrails ap-east-1 ",
				"DescribeTrails us-east-1 ",
				"GetEventSelectors us-east-1 " + ownTrail,
				"GetTrailStatus us-east-1 " + ownTrail,
			},
			wantMF: inventory.Source{API: "cloudtrail:DescribeTrails", Error: &inventory.CallError{Code: "OptInRequired", Message: "in ap-east-1: not enabled"}, FailedRegions: []string{"ap-east-1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls []string
			var mu sync.Mutex
			// Only a trail's home Region knows its status and selectors,
			// and the member cannot read the organization trail's.
			home := map[string]struct {
				logging   map[string]bool
				selectors map[string]*cloudtrail.GetEventSelectorsOutput
			}{
				"us-east-1": {map[string]bool{ownTrail: false}, map[string]*cloudtrail.GetEventSelectorsOutput{ownTrail: all}},
				"eu-west-1": {map[string]bool{localTrail: true}, map[string]*cloudtrail.GetEventSelectorsOutput{localTrail: all}},
			}
			col := &collector{
				opts:    Options{Now: func() time.Time { return time.Time{} }},
				log:     slog.New(slog.DiscardHandler),
				regions: tt.regions,
				c: clients{regional: func(_ aws.CredentialsProvider, region string) *regionClients {
					return &regionClients{
						trails: &fakeTrails{region: region, list: tt.lists[region], calls: &calls, mu: &mu,
							logging: home[region].logging, selectors: home[region].selectors},
						logs: &fakeFilters{region: region, calls: &calls, mu: &mu},
					}
				}},
			}
			r := &accountReader{col: col, a: &inventory.Account{ID: "222222222222"}, slots: make(chan struct{}, 2), regions: tt.regions, byRegion: map[string]*regionClients{}}
			trails, filters := r.trails(t.Context())
			if diff := cmp.Diff(tt.wantTrails, trails); diff != "" {
				t.Errorf("trails (-want +got):\n%s", diff)
			}
			slices.Sort(calls)
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMF, filters.Source); diff != "" {
				t.Errorf("metric filters source (-want +got):\n%s", diff)
			}
			var groups []string
			for _, f := range filters.Value {
				groups = append(groups, f.LogGroupName)
			}
			if tt.wantMF.Error == nil && !slices.Equal(groups, []string{"local-logs", "own-logs"}) {
				t.Errorf("metric filters of log groups %v, want local-logs and own-logs (not the management account's org-logs)", groups)
			}
		})
	}
}
