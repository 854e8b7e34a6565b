package sim_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/sim"
)

func trailQueryEnv(t *testing.T) *env {
	t.Helper()
	s, err := sim.LoadScenario(filepath.Join("testdata", "trail-query.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, s)
}

const athenaSelect = `SELECT eventid, useridentity.type AS identity_type,
  useridentity.sessioncontext.sessionissuer.username AS issuer, eventtime, readonly, responseelements
FROM "default"."cloudtrail_logs"
WHERE useridentity.type = 'Root' AND eventtime >= '2025-03-01T00:00:00' AND eventtime < '2025-03-05T00:00:00'`

func TestAthenaQuery(t *testing.T) {
	e := trailQueryEnv(t)
	c := athena.NewFromConfig(e.caller())
	ctx := t.Context()
	start := must(c.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString:         aws.String(athenaSelect),
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://results/rootguard/")},
	}))(t)
	id := start.QueryExecutionId
	exec := must(c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: id}))(t)
	if st := exec.QueryExecution.Status.State; st != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("state %s, reason %s", st, aws.ToString(exec.QueryExecution.Status.StateChangeReason))
	}
	if got := aws.ToString(exec.QueryExecution.ResultConfiguration.OutputLocation); got != "s3://results/rootguard/"+aws.ToString(id)+".csv" {
		t.Errorf("output location %s", got)
	}

	// Two rows a page: the header row and e1, then e2. e3 is after the
	// eventtime bound. The WHERE clause's other conditions are not applied.
	var got [][]string
	pages := athena.NewGetQueryResultsPaginator(c, &athena.GetQueryResultsInput{QueryExecutionId: id, MaxResults: aws.Int32(2)})
	n := 0
	for pages.HasMorePages() {
		p := must(pages.NextPage(ctx))(t)
		n++
		if cols := p.ResultSet.ResultSetMetadata.ColumnInfo; len(cols) != 6 || aws.ToString(cols[1].Name) != "identity_type" {
			t.Errorf("column info %+v", cols)
		}
		for _, r := range p.ResultSet.Rows {
			var row []string
			for _, d := range r.Data {
				row = append(row, aws.ToString(d.VarCharValue)+map[bool]string{true: "", false: "<null>"}[d.VarCharValue != nil])
			}
			got = append(got, row)
		}
	}
	want := [][]string{
		{"eventid", "identity_type", "issuer", "eventtime", "readonly", "responseelements"},
		{"e1", "Root", "<null>", "2025-03-01T09:59:00Z", "<null>", `{"ConsoleLogin":"Success"}`},
		{"e2", "AssumedRole", "app", "2025-03-02T10:00:00Z", "true", `{"credentials":{"accessKeyId":"ASIAEXAMPLE"}}`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got)\n%s", diff)
	}
	if n != 2 {
		t.Errorf("%d pages, want 2", n)
	}
}

func TestAthenaQueryErrors(t *testing.T) {
	e := trailQueryEnv(t)
	c := athena.NewFromConfig(e.caller())
	ctx := t.Context()
	out := aws.String("s3://results/")

	t.Run("no output location in the primary work group", func(t *testing.T) {
		_, err := c.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String(athenaSelect)})
		if code(err) != "InvalidRequestException" || !strings.Contains(message(err), "No output location provided") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a column the table does not have fails the query", func(t *testing.T) {
		start := must(c.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
			QueryString:         aws.String("SELECT useridentity.sessioncontext.assumedroot AS ar FROM cloudtrail_logs"),
			WorkGroup:           aws.String("security"),
			ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: out},
		}))(t)
		exec := must(c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId}))(t)
		st := exec.QueryExecution.Status
		if st.State != athenatypes.QueryExecutionStateFailed ||
			aws.ToString(st.StateChangeReason) != "COLUMN_NOT_FOUND: Column 'useridentity.sessioncontext.assumedroot' cannot be resolved" {
			t.Errorf("state %s, reason %q", st.State, aws.ToString(st.StateChangeReason))
		}
		if aws.ToString(exec.QueryExecution.WorkGroup) != "security" {
			t.Errorf("work group %q", aws.ToString(exec.QueryExecution.WorkGroup))
		}
		_, err := c.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: start.QueryExecutionId})
		if code(err) != "InvalidRequestException" {
			t.Errorf("results of a failed query: %v", err)
		}
	})
	t.Run("unknown query", func(t *testing.T) {
		_, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String("nope")})
		if code(err) != "InvalidRequestException" || !strings.Contains(message(err), "nope was not found") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestLakeQuery(t *testing.T) {
	e := trailQueryEnv(t)
	c := cloudtrail.NewFromConfig(e.caller())
	ctx := t.Context()
	const sql = `SELECT eventid, eventtime, readonly, json_format(CAST(requestparameters AS JSON)) AS requestparameters,
  useridentity.sessioncontext.attributes.creationdate AS created
FROM EXAMPLE-eds-0001 WHERE eventtime >= '2025-03-02 00:00:00'`
	start := must(c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)}))(t)
	d := must(c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: start.QueryId}))(t)
	if d.QueryStatus != cttypes.QueryStatusFinished || aws.ToString(d.QueryString) != sql {
		t.Fatalf("status %s, query %q", d.QueryStatus, aws.ToString(d.QueryString))
	}
	var got [][]map[string]string
	pages := cloudtrail.NewGetQueryResultsPaginator(c, &cloudtrail.GetQueryResultsInput{QueryId: start.QueryId, MaxQueryResults: aws.Int32(1)})
	for pages.HasMorePages() {
		p := must(pages.NextPage(ctx))(t)
		if p.QueryStatus != cttypes.QueryStatusFinished || aws.ToInt32(p.QueryStatistics.TotalResultsCount) != 2 {
			t.Errorf("page status %s, statistics %+v", p.QueryStatus, p.QueryStatistics)
		}
		got = append(got, p.QueryResultRows...)
	}
	want := [][]map[string]string{
		{{"eventid": "e2"}, {"eventtime": "2025-03-02 10:00:00.000"}, {"readonly": "true"},
			{"requestparameters": `{"durationSeconds":"900","targetPrincipal":"444455556666","taskPolicyArn":"{\"arn\":\"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials\"}"}`},
			{"created": "2025-03-02 08:00:00.000"}},
		{{"eventid": "e3"}, {"eventtime": "2025-03-05 12:00:00.000"}, {"readonly": "false"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got)\n%s", diff)
	}

	_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String("SELECT useridentity.sessioncontext.assumedroot FROM eds")})
	if code(err) != "InvalidQueryStatementException" || !strings.Contains(message(err), "COLUMN_NOT_FOUND") {
		t.Errorf("unknown column: %v", err)
	}
	_, err = c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String("nope")})
	if code(err) != "QueryIdNotFoundException" {
		t.Errorf("unknown query: %v", err)
	}
}

func TestTrailEventsDecode(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "caller: {arn: \"arn:aws:iam::111122223333:user/a\"}\naccounts: [{id: \"111122223333\"}]\n"
	write("events.jsonl", "{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\n")
	write("log.json", `{"Records":[{"eventName":"C"}]}`)
	tests := []struct {
		name    string
		yaml    string
		want    []string
		wantErr string
	}{
		{"json lines file", "trail_events: events.jsonl", []string{`{"eventName":"A"}`, `{"eventName":"B"}`}, ""},
		{"cloudtrail log file", "trail_events: log.json", []string{`{"eventName":"C"}`}, ""},
		{"inline records, canonical", "trail_events:\n  - {eventName: D, awsRegion: x}", []string{`{"awsRegion":"x","eventName":"D"}`}, ""},
		{"missing file", "trail_events: nope.json", nil, "trail_events: open"},
		{"not a record", "trail_events: [42]", nil, "record 0: not a JSON object"},
		{"neither list nor path", "trail_events: {a: 1}", nil, "want a list of CloudTrail records or a file path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write("scenario.yaml", head+tc.yaml+"\n")
			s, err := sim.LoadScenario(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range s.TrailEvents.Records {
				got = append(got, string(r))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("records (-want +got)\n%s", diff)
			}
		})
	}
}
