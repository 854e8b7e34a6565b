package trailquery_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailquery"
)

// fakeAthena answers from function fields.
type fakeAthena struct {
	start   func(*athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error)
	get     func(*athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error)
	results func(*athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error)
}

func (f fakeAthena) StartQueryExecution(_ context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	return f.start(in)
}

func (f fakeAthena) GetQueryExecution(_ context.Context, in *athena.GetQueryExecutionInput, _ ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	return f.get(in)
}

func (f fakeAthena) GetQueryResults(_ context.Context, in *athena.GetQueryResultsInput, _ ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	return f.results(in)
}

// recorder is a Poll.Sleep that records the delays and never waits.
type recorder struct{ slept []time.Duration }

func (r *recorder) sleep(_ context.Context, d time.Duration) error {
	r.slept = append(r.slept, d)
	return nil
}

func states(s ...athenatypes.QueryExecutionState) func(*athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error) {
	i := 0
	return func(*athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error) {
		st := s[min(i, len(s)-1)]
		i++
		status := &athenatypes.QueryExecutionStatus{State: st}
		if st == athenatypes.QueryExecutionStateFailed {
			status.StateChangeReason = aws.String("TABLE_NOT_FOUND: line 12:6:\nTable 'awsdatacatalog.default.cloudtrail_logs' does not exist")
		}
		return &athena.GetQueryExecutionOutput{QueryExecution: &athenatypes.QueryExecution{Status: status}}, nil
	}
}

func datum(s ...*string) athenatypes.Row {
	r := athenatypes.Row{}
	for _, v := range s {
		r.Data = append(r.Data, athenatypes.Datum{VarCharValue: v})
	}
	return r
}

func TestAthenaRunner(t *testing.T) {
	meta := &athenatypes.ResultSetMetadata{ColumnInfo: []athenatypes.ColumnInfo{{Name: aws.String("eventid")}, {Name: aws.String("errorcode")}}}
	pages := map[string]*athena.GetQueryResultsOutput{
		"": {ResultSet: &athenatypes.ResultSet{ResultSetMetadata: meta, Rows: []athenatypes.Row{
			datum(aws.String("eventid"), aws.String("errorcode")), datum(aws.String("e1"), nil)}}, NextToken: aws.String("p2")},
		"p2": {ResultSet: &athenatypes.ResultSet{ResultSetMetadata: meta, Rows: []athenatypes.Row{datum(aws.String("e2"), aws.String("AccessDenied"))}}},
	}
	results := func(in *athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error) {
		return pages[aws.ToString(in.NextToken)], nil
	}
	tests := []struct {
		name      string
		states    []athenatypes.QueryExecutionState
		wantRows  []trailquery.Row
		wantSlept []time.Duration
		wantErr   string
	}{
		{
			name:   "succeeds after backing off",
			states: []athenatypes.QueryExecutionState{"QUEUED", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"},
			// The header row of the first page is not a row.
			wantRows:  []trailquery.Row{{"eventid": "e1"}, {"eventid": "e2", "errorcode": "AccessDenied"}},
			wantSlept: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond},
		},
		{
			name:      "failed, the reason on one line",
			states:    []athenatypes.QueryExecutionState{"RUNNING", "FAILED"},
			wantSlept: []time.Duration{100 * time.Millisecond},
			wantErr:   "athena query q-1 FAILED: TABLE_NOT_FOUND: line 12:6: Table 'awsdatacatalog.default.cloudtrail_logs' does not exist",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec recorder
			var started *athena.StartQueryExecutionInput
			r := trailquery.AthenaRunner{
				Client: fakeAthena{
					start: func(in *athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
						started = in
						return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q-1")}, nil
					},
					get:     states(tc.states...),
					results: results,
				},
				WorkGroup: "security", OutputLocation: "s3://r/",
				Poll: trailquery.Poll{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond, Sleep: rec.sleep},
			}
			res, err := r.Run(t.Context(), "SELECT 1")
			if tc.wantErr != "" {
				var qe *trailquery.QueryError
				if err == nil || err.Error() != tc.wantErr || !errors.As(err, &qe) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantRows, res.Rows); diff != "" {
				t.Errorf("rows (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantSlept, rec.slept); diff != "" {
				t.Errorf("backoff (-want +got)\n%s", diff)
			}
			if aws.ToString(started.WorkGroup) != "security" || aws.ToString(started.ResultConfiguration.OutputLocation) != "s3://r/" ||
				aws.ToString(started.QueryString) != "SELECT 1" {
				t.Errorf("StartQueryExecution input %+v", started)
			}
		})
	}
}

func TestAthenaRunnerStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	polls := 0
	r := trailquery.AthenaRunner{
		Client: fakeAthena{
			start: func(*athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
				return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q-1")}, nil
			},
			get: func(in *athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error) {
				polls++
				return states("RUNNING")(in)
			},
		},
		Poll: trailquery.Poll{Initial: time.Second, Max: time.Second, Sleep: func(ctx context.Context, _ time.Duration) error {
			cancel()
			return ctx.Err()
		}},
	}
	if _, err := r.Run(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if polls != 1 {
		t.Errorf("%d polls after cancel, want 1", polls)
	}
}

// fakeLake answers from function fields.
type fakeLake struct {
	describe func(*cloudtrail.DescribeQueryInput) (*cloudtrail.DescribeQueryOutput, error)
	results  func(*cloudtrail.GetQueryResultsInput) (*cloudtrail.GetQueryResultsOutput, error)
}

func (fakeLake) StartQuery(_ context.Context, in *cloudtrail.StartQueryInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.StartQueryOutput, error) {
	if !strings.HasPrefix(aws.ToString(in.QueryStatement), "SELECT") {
		return nil, errors.New("not a query")
	}
	return &cloudtrail.StartQueryOutput{QueryId: aws.String("lq-1")}, nil
}

func (f fakeLake) DescribeQuery(_ context.Context, in *cloudtrail.DescribeQueryInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeQueryOutput, error) {
	return f.describe(in)
}

func (f fakeLake) GetQueryResults(_ context.Context, in *cloudtrail.GetQueryResultsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetQueryResultsOutput, error) {
	return f.results(in)
}

func TestLakeRunner(t *testing.T) {
	seq := func(s ...cttypes.QueryStatus) func(*cloudtrail.DescribeQueryInput) (*cloudtrail.DescribeQueryOutput, error) {
		i := 0
		return func(*cloudtrail.DescribeQueryInput) (*cloudtrail.DescribeQueryOutput, error) {
			st := s[min(i, len(s)-1)]
			i++
			out := &cloudtrail.DescribeQueryOutput{QueryStatus: st}
			if st == cttypes.QueryStatusFailed {
				out.ErrorMessage = aws.String("Query exceeded the\n maximum run time")
			}
			return out, nil
		}
	}
	results := func(in *cloudtrail.GetQueryResultsInput) (*cloudtrail.GetQueryResultsOutput, error) {
		if aws.ToString(in.NextToken) == "" {
			return &cloudtrail.GetQueryResultsOutput{NextToken: aws.String("n"),
				QueryResultRows: [][]map[string]string{{{"eventid": "e1"}, {"eventname": "ConsoleLogin"}}}}, nil
		}
		return &cloudtrail.GetQueryResultsOutput{QueryResultRows: [][]map[string]string{{{"eventid": "e2"}}}}, nil
	}
	tests := []struct {
		name     string
		statuses []cttypes.QueryStatus
		wantRows []trailquery.Row
		wantErr  string
	}{
		{"finished", []cttypes.QueryStatus{"QUEUED", "RUNNING", "FINISHED"},
			[]trailquery.Row{{"eventid": "e1", "eventname": "ConsoleLogin"}, {"eventid": "e2"}}, ""},
		{"timed out", []cttypes.QueryStatus{"RUNNING", "TIMED_OUT"}, nil,
			"cloudtrail lake query lq-1 TIMED_OUT: no reason given"},
		{"failed", []cttypes.QueryStatus{"FAILED"}, nil,
			"cloudtrail lake query lq-1 FAILED: Query exceeded the maximum run time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec recorder
			r := trailquery.LakeRunner{Client: fakeLake{describe: seq(tc.statuses...), results: results},
				Poll: trailquery.Poll{Initial: time.Second, Max: 4 * time.Second, Sleep: rec.sleep}}
			res, err := r.Run(t.Context(), "SELECT eventid FROM eds")
			switch {
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantRows, res.Rows); diff != "" {
				t.Errorf("rows (-want +got)\n%s", diff)
			}
			if len(rec.slept) != len(tc.statuses)-1 {
				t.Errorf("slept %v for %d statuses", rec.slept, len(tc.statuses))
			}
		})
	}
}

// queue is a Runner that answers each query with the next result and records the SQL.
type queue struct {
	results []trailquery.Result
	sql     []string
}

func (q *queue) Run(_ context.Context, sql string) (trailquery.Result, error) {
	q.sql = append(q.sql, sql)
	r := q.results[0]
	q.results = q.results[1:]
	return r, nil
}

// No rows is an all-clear only when the probe finds an event in the range; a query with rows
// runs no probe.
func TestDetectProbe(t *testing.T) {
	o := trailquery.Options{Dialect: trailquery.Athena, Database: "default", Table: "cloudtrail_logs",
		Since: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	row := trailquery.Row{"eventid": "e1"}
	tests := []struct {
		name       string
		results    []trailquery.Result
		wantProbe  bool
		wantNoData bool
	}{
		{"no rows, events in the range", []trailquery.Result{{ID: "q1"}, {ID: "p1", Rows: []trailquery.Row{row}}}, true, false},
		{"no rows, no event in the range", []trailquery.Result{{ID: "q1"}, {ID: "p1"}}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &queue{results: tc.results}
			_, st, err := trailquery.Detect(t.Context(), q, o, detect.Config{})
			var noData *trailquery.NoEventsError
			if got := errors.As(err, &noData); got != tc.wantNoData {
				t.Fatalf("err %v, want NoEventsError %v", err, tc.wantNoData)
			}
			if !tc.wantNoData && err != nil {
				t.Fatal(err)
			}
			if got := st.ProbeID != ""; got != tc.wantProbe || len(q.sql) != 2 {
				t.Fatalf("probe id %q after %d queries", st.ProbeID, len(q.sql))
			}
			probe := q.sql[1]
			for _, want := range []string{"SELECT eventid", `FROM "default"."cloudtrail_logs"`, "eventtime >= '2026-03-01T00:00:00'", "LIMIT 1"} {
				if !strings.Contains(probe, want) {
					t.Errorf("probe lacks %q:\n%s", want, probe)
				}
			}
			if strings.Contains(probe, "useridentity") {
				t.Errorf("probe filters on the identity, so it cannot tell an empty table:\n%s", probe)
			}
		})
	}
}
