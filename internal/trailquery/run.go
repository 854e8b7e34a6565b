package trailquery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/rootguard/rootguard/internal/detect"
)

// Runner runs one query and returns its rows.
type Runner interface {
	Run(ctx context.Context, sql string) (Result, error)
}

// QueryError is a query the service ran and reported as failed, cancelled or timed out.
type QueryError struct {
	Service string // "athena" or "cloudtrail lake"
	ID      string
	State   string // FAILED, CANCELLED, TIMED_OUT
	Reason  string // the service's reason, on one line
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("%s query %s %s: %s", e.Service, e.ID, e.State, e.Reason)
}

// Poll is how a runner waits for a query: the first check is immediate, then the delay starts
// at Initial and doubles up to Max. Sleep waits (tests inject one that does not).
type Poll struct {
	Initial, Max time.Duration
	Sleep        func(ctx context.Context, d time.Duration) error
}

// DefaultPoll checks after 250 ms, then backs off to 5 s.
func DefaultPoll() Poll {
	return Poll{Initial: 250 * time.Millisecond, Max: 5 * time.Second, Sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait calls done until it reports true or fails, backing off between calls.
func (p Poll) wait(ctx context.Context, done func() (bool, error)) error {
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	d := p.Initial
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if err := p.Sleep(ctx, d); err != nil {
			return err
		}
		d = min(max(2*d, time.Millisecond), max(p.Max, p.Initial))
	}
}

// AthenaAPI is the part of the Athena client a query needs.
type AthenaAPI interface {
	StartQueryExecution(context.Context, *athena.StartQueryExecutionInput, ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(context.Context, *athena.GetQueryExecutionInput, ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	athena.GetQueryResultsAPIClient
}

// AthenaRunner runs queries in Athena.
type AthenaRunner struct {
	Client    AthenaAPI
	WorkGroup string // empty: the caller's default (primary)
	// OutputLocation is s3://bucket/prefix for the results; empty relies on the work group's.
	OutputLocation string
	Poll           Poll
}

// Run starts the query, waits for it, and reads every page of its results.
func (a AthenaRunner) Run(ctx context.Context, sql string) (Result, error) {
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(sql)}
	if a.WorkGroup != "" {
		in.WorkGroup = aws.String(a.WorkGroup)
	}
	if a.OutputLocation != "" {
		in.ResultConfiguration = &athenatypes.ResultConfiguration{OutputLocation: aws.String(a.OutputLocation)}
	}
	start, err := a.Client.StartQueryExecution(ctx, in)
	if err != nil {
		return Result{}, fmt.Errorf("athena StartQueryExecution: %w", err)
	}
	id := aws.ToString(start.QueryExecutionId)
	res := Result{ID: id}
	// A failed query ends the wait with its QueryError.
	err = a.Poll.wait(ctx, func() (bool, error) {
		out, err := a.Client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return false, fmt.Errorf("athena GetQueryExecution %s: %w", id, err)
		}
		if out.QueryExecution == nil || out.QueryExecution.Status == nil {
			return false, nil
		}
		st := out.QueryExecution.Status
		switch st.State {
		case athenatypes.QueryExecutionStateSucceeded:
			return true, nil
		case athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
			reason := aws.ToString(st.StateChangeReason)
			if reason == "" && st.AthenaError != nil {
				reason = aws.ToString(st.AthenaError.ErrorMessage)
			}
			return false, &QueryError{Service: "athena", ID: id, State: string(st.State), Reason: oneLine(reason)}
		}
		return false, nil
	})
	if err != nil {
		return res, err
	}
	var names []string
	pages := athena.NewGetQueryResultsPaginator(a.Client, &athena.GetQueryResultsInput{
		QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1000),
	})
	first := true
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return res, fmt.Errorf("athena GetQueryResults %s: %w", id, err)
		}
		if page.ResultSet == nil {
			continue
		}
		if names == nil && page.ResultSet.ResultSetMetadata != nil {
			for _, c := range page.ResultSet.ResultSetMetadata.ColumnInfo {
				names = append(names, aws.ToString(c.Name))
			}
		}
		rows := page.ResultSet.Rows
		if first && len(rows) > 0 {
			rows = rows[1:] // the first row of a SELECT's results is the header
		}
		first = false
		for _, r := range rows {
			row := Row{}
			for i, d := range r.Data {
				if i < len(names) && d.VarCharValue != nil {
					row[names[i]] = *d.VarCharValue
				}
			}
			res.Rows = append(res.Rows, row)
		}
	}
	return res, nil
}

// LakeAPI is the part of the CloudTrail client a Lake query needs.
type LakeAPI interface {
	StartQuery(context.Context, *cloudtrail.StartQueryInput, ...func(*cloudtrail.Options)) (*cloudtrail.StartQueryOutput, error)
	DescribeQuery(context.Context, *cloudtrail.DescribeQueryInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeQueryOutput, error)
	cloudtrail.GetQueryResultsAPIClient
}

// LakeRunner runs queries in CloudTrail Lake.
type LakeRunner struct {
	Client LakeAPI
	Poll   Poll
}

// Run starts the query, waits for it, and reads every page of its results.
func (l LakeRunner) Run(ctx context.Context, sql string) (Result, error) {
	start, err := l.Client.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
	if err != nil {
		return Result{}, fmt.Errorf("cloudtrail StartQuery: %w", err)
	}
	id := aws.ToString(start.QueryId)
	res := Result{ID: id}
	// A failed query ends the wait with its QueryError.
	err = l.Poll.wait(ctx, func() (bool, error) {
		out, err := l.Client.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String(id)})
		if err != nil {
			return false, fmt.Errorf("cloudtrail DescribeQuery %s: %w", id, err)
		}
		switch out.QueryStatus {
		case cttypes.QueryStatusFinished:
			return true, nil
		case cttypes.QueryStatusFailed, cttypes.QueryStatusCancelled, cttypes.QueryStatusTimedOut:
			return false, &QueryError{Service: "cloudtrail lake", ID: id, State: string(out.QueryStatus), Reason: oneLine(aws.ToString(out.ErrorMessage))}
		}
		return false, nil
	})
	if err != nil {
		return res, err
	}
	pages := cloudtrail.NewGetQueryResultsPaginator(l.Client, &cloudtrail.GetQueryResultsInput{
		QueryId: aws.String(id), MaxQueryResults: aws.Int32(1000),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return res, fmt.Errorf("cloudtrail GetQueryResults %s: %w", id, err)
		}
		for _, cells := range page.QueryResultRows {
			row := Row{}
			for _, cell := range cells {
				for k, v := range cell {
					row[k] = v
				}
			}
			res.Rows = append(res.Rows, row)
		}
	}
	return res, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "no reason given"
	}
	return s
}

// Stats describe a Detect run.
type Stats struct {
	QueryID string `json:"query_id"`
	Rows    int    `json:"rows"`
	// Outside counts rebuilt records outside [Since, Until) (the SQL bounds are coarser).
	Outside int `json:"outside"`
	// Undecodable counts rows that did not rebuild into a record.
	Undecodable int `json:"undecodable"`
	// Duplicates counts alerts left out because an equal alert (the same rule on the same event,
	// from another row) was already reported.
	Duplicates int `json:"duplicate_alerts,omitempty"`
	Alerts     int `json:"alerts"`
	// ProbeID is the probe query run when the query returned no rows (see NoEventsError).
	ProbeID string `json:"probe_query_id,omitempty"`
}

// NoEventsError is a query that returned no rows while its probe found no event at all in the
// time range: nothing was read, so the absence of root activity shows nothing. The table may be
// the wrong one, its partitions not loaded, or the time range before the trail's first delivery.
type NoEventsError struct {
	Source  string
	ProbeID string
}

func (e *NoEventsError) Error() string {
	return fmt.Sprintf("%s holds no CloudTrail event at all in the time range (probe query %s): nothing was read, "+
		"which is not an all-clear; check the table or event data store, its partitions and --since/--until", e.Source, e.ProbeID)
}

// Detect builds the query, runs it, rebuilds the rows into records and feeds them, one at a time,
// to a detection driver configured with cfg and the time range of o, as trail scan does. When the
// query returns no rows, a probe query (BuildProbe) checks that the source holds any event in
// the time range; when it holds none, Detect returns a *NoEventsError. With
// Options.Rule set, only that rule's alerts are returned. The alerts are sorted as
// detect.SortAlerts does; each names the query as its source.
func Detect(ctx context.Context, run Runner, o Options, cfg detect.Config) ([]detect.Alert, Stats, error) {
	sql, err := Build(o)
	if err != nil {
		return nil, Stats{}, err
	}
	res, err := run.Run(ctx, sql)
	st := Stats{QueryID: res.ID, Rows: len(res.Rows)}
	if err != nil {
		return nil, st, err
	}
	if len(res.Rows) == 0 {
		// A root-filtered query that returns nothing is an all-clear only if the source holds
		// events for the range at all.
		probe, err := BuildProbe(o)
		if err != nil {
			return nil, st, err
		}
		pres, err := run.Run(ctx, probe)
		st.ProbeID = pres.ID
		if err != nil {
			return nil, st, fmt.Errorf("probe query: %w", err)
		}
		if len(pres.Rows) == 0 {
			return nil, st, &NoEventsError{Source: o.Source(), ProbeID: pres.ID}
		}
	}
	recs, bad, err := decode(o, res.Rows)
	if err != nil {
		return nil, st, fmt.Errorf("query %s: %w", res.ID, err)
	}
	st.Undecodable = bad
	d, err := detect.NewDriver(cfg, detect.Window{Since: o.Since, Until: o.Until})
	if err != nil {
		return nil, st, err
	}
	file := string(o.Dialect) + ":" + res.ID
	var alerts []detect.Alert
	for i, r := range recs {
		if r == nil {
			continue
		}
		as, inWindow := d.Feed(r, detect.Source{File: file, Index: i})
		if !inWindow {
			st.Outside++
		}
		alerts = append(alerts, as...)
	}
	alerts = append(alerts, d.Close()...)
	st.Duplicates = d.Duplicates()
	if o.Rule != "" {
		alerts = slices.DeleteFunc(alerts, func(a detect.Alert) bool { return a.RuleID != o.Rule })
	}
	detect.SortAlerts(alerts)
	st.Alerts = len(alerts)
	return alerts, st, nil
}
