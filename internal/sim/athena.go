package sim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// athenaService is Amazon Athena (awsJson1_1), for queries over the
// scenario's CloudTrail records as the documentation's CloudTrail table
// (lake.go says what a query answers). Queries finish at once; a query whose
// SELECT list names a column the table does not have is FAILED with
// COLUMN_NOT_FOUND, as Athena reports it.
func athenaService() *service {
	return &service{
		name:   "athena",
		proto:  protoJSON,
		target: "AmazonAthena",
		ops: map[string]*operation{
			"StartQueryExecution": {handle: athStartQueryExecution},
			"GetQueryExecution":   {handle: athGetQueryExecution},
			"GetQueryResults":     {handle: athGetQueryResults},
		},
	}
}

func invalidRequest(format string, a ...any) *apiError {
	return errf("InvalidRequestException", http.StatusBadRequest, format, a...)
}

func athStartQueryExecution(r *request) (any, error) {
	var in struct {
		QueryString           string `json:"QueryString"`
		ClientRequestToken    string `json:"ClientRequestToken,omitempty"`
		QueryExecutionContext *struct {
			Database string `json:"Database,omitempty"`
			Catalog  string `json:"Catalog,omitempty"`
		} `json:"QueryExecutionContext,omitempty"`
		ResultConfiguration *struct {
			OutputLocation          string          `json:"OutputLocation,omitempty"`
			ExpectedBucketOwner     string          `json:"ExpectedBucketOwner,omitempty"`
			EncryptionConfiguration json.RawMessage `json:"EncryptionConfiguration,omitempty"`
			AclConfiguration        json.RawMessage `json:"AclConfiguration,omitempty"`
		} `json:"ResultConfiguration,omitempty"`
		WorkGroup                string          `json:"WorkGroup,omitempty"`
		ExecutionParameters      []string        `json:"ExecutionParameters,omitempty"`
		ResultReuseConfiguration json.RawMessage `json:"ResultReuseConfiguration,omitempty"`
		EngineConfiguration      json.RawMessage `json:"EngineConfiguration,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.QueryString) == "" {
		return nil, invalidRequest("QueryString must not be empty")
	}
	q := &simQuery{sql: in.QueryString, dialect: dialectAthena, submitted: r.now, workGroup: in.WorkGroup}
	if q.workGroup == "" {
		q.workGroup = "primary"
	}
	if in.ResultConfiguration != nil {
		q.output = in.ResultConfiguration.OutputLocation
	}
	if in.QueryExecutionContext != nil {
		q.database = in.QueryExecutionContext.Database
	}
	// The primary work group of a new account has no result location; other
	// work groups are taken to have one.
	if q.output == "" && q.workGroup == "primary" {
		return nil, invalidRequest("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
	}
	if q.output != "" && !strings.HasPrefix(q.output, "s3://") {
		return nil, invalidRequest("outputLocation is not a valid S3 path. Provided %s", q.output)
	}
	parsed, err := parseQuery(dialectAthena, in.QueryString)
	if err == nil {
		q.result, err = parsed.run(r.srv.w, dialectAthena)
	}
	if err != nil {
		qe, ok := err.(*queryError)
		if !ok {
			return nil, errf("InternalServerException", http.StatusInternalServerError, "%v", err)
		}
		q.failure = qe
	}
	r.srv.queries.add(q)
	return map[string]any{"QueryExecutionId": q.id}, nil
}

type athQueryInput struct {
	QueryExecutionID string `json:"QueryExecutionId"`
	NextToken        string `json:"NextToken,omitempty"`
	MaxResults       int    `json:"MaxResults,omitempty"`
	QueryResultType  string `json:"QueryResultType,omitempty"`
}

func athQuery(r *request, in *athQueryInput) (*simQuery, error) {
	if err := r.decode(in); err != nil {
		return nil, err
	}
	q := r.srv.queries.get(in.QueryExecutionID)
	if q == nil || q.dialect != dialectAthena {
		return nil, invalidRequest("QueryExecution %s was not found", in.QueryExecutionID)
	}
	return q, nil
}

func athGetQueryExecution(r *request) (any, error) {
	var in athQueryInput
	q, err := athQuery(r, &in)
	if err != nil {
		return nil, err
	}
	status := map[string]any{
		"State":              "SUCCEEDED",
		"SubmissionDateTime": epoch(q.submitted),
		"CompletionDateTime": epoch(q.submitted),
	}
	stats := map[string]any{"EngineExecutionTimeInMillis": 0, "TotalExecutionTimeInMillis": 0}
	if q.failure != nil {
		status["State"] = "FAILED"
		status["StateChangeReason"] = q.failure.Error()
		status["AthenaError"] = map[string]any{
			"ErrorCategory": 2, // user
			"ErrorType":     1006,
			"Retryable":     false,
			"ErrorMessage":  q.failure.Error(),
		}
	} else {
		stats["DataScannedInBytes"] = q.result.scanned
	}
	exec := map[string]any{
		"QueryExecutionId": q.id,
		"Query":            q.sql,
		"StatementType":    "DML",
		"Status":           status,
		"Statistics":       stats,
		"WorkGroup":        q.workGroup,
		"EngineVersion":    map[string]string{"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
	}
	if q.output != "" {
		exec["ResultConfiguration"] = map[string]string{"OutputLocation": strings.TrimSuffix(q.output, "/") + "/" + q.id + ".csv"}
	}
	if q.database != "" {
		exec["QueryExecutionContext"] = map[string]string{"Database": q.database, "Catalog": "AwsDataCatalog"}
	}
	return map[string]any{"QueryExecution": exec}, nil
}

type athDatum struct {
	VarCharValue *string `json:"VarCharValue,omitempty"`
}

type athRow struct {
	Data []athDatum `json:"Data"`
}

func athGetQueryResults(r *request) (any, error) {
	var in athQueryInput
	q, err := athQuery(r, &in)
	if err != nil {
		return nil, err
	}
	if q.failure != nil {
		return nil, invalidRequest("Query did not finish successfully. Final query state: FAILED")
	}
	if in.MaxResults < 0 || in.MaxResults > 1000 {
		return nil, invalidRequest("MaxResults must be between 1 and 1000")
	}
	// A SELECT's first row holds the column names.
	rows := make([]athRow, 0, len(q.result.rows)+1)
	header := athRow{}
	var columns []map[string]any
	for _, c := range q.result.columns {
		header.Data = append(header.Data, athDatum{VarCharValue: &c})
		columns = append(columns, map[string]any{
			"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c, "Label": c,
			"Type": "varchar", "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true,
		})
	}
	rows = append(rows, header)
	for _, row := range q.result.rows {
		ar := athRow{Data: make([]athDatum, len(row))}
		for i, v := range row {
			ar.Data[i] = athDatum{VarCharValue: v}
		}
		rows = append(rows, ar)
	}
	out, next, err := page(rows, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, invalidRequest("The NextToken is not valid")
	}
	return map[string]any{
		"ResultSet": map[string]any{
			"Rows":              out,
			"ResultSetMetadata": map[string]any{"ColumnInfo": columns},
		},
		"UpdateCount": 0,
		"NextToken":   optional(next),
	}, nil
}
