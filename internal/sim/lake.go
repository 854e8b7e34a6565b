package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
)

// This file serves SQL queries over the scenario's CloudTrail records, for
// CloudTrail Lake (StartQuery, DescribeQuery, GetQueryResults, here) and
// Athena (athena.go).
//
// The server cannot run SQL. A query is answered with every record of
// Scenario.TrailEvents whose eventTime lies within the query's eventtime
// bounds (eventtime >= '…' and eventtime < '…', when the text has them),
// projected onto the SELECT list. The rest of the WHERE clause is ignored:
// the SQL text is tested by golden files in the package that writes it, and
// the row mapping and the detection over the rows by running it against
// this endpoint. The SELECT list is parsed: each item is a column path
// (useridentity.sessioncontext.sessionissuer.type) or, in Lake,
// json_format(CAST(path AS JSON)), optionally followed by AS alias. A path
// outside the documented schema of the dialect (the Athena table of the
// AWS documentation "Querying AWS CloudTrail logs"; CloudTrail Lake's
// "Supported SQL schema for CloudTrail event record fields") fails the
// query, as the service would: Athena reports the query FAILED with
// COLUMN_NOT_FOUND, Lake refuses it with InvalidQueryStatementException.
// Neither schema has userIdentity.sessionContext.assumedRoot.
//
// Queries finish at once: the first status check reports them done.

// TrailEvents are CloudTrail records that Athena and CloudTrail Lake queries
// answer from. In a scenario they are a list of records, or the path of a
// file relative to the scenario: a CloudTrail log file ({"Records": [...]}),
// one record, or JSON Lines.
type TrailEvents struct {
	// File is the path as written in the scenario; empty for inline records.
	File string
	// Records are the records, as canonical JSON objects.
	Records []json.RawMessage
}

// IsZero reports whether there are no events (for omitempty).
func (t TrailEvents) IsZero() bool { return t.File == "" && len(t.Records) == 0 }

// UnmarshalYAML reads a list of records or a file path.
func (t *TrailEvents) UnmarshalYAML(b []byte) error {
	js, err := yaml.YAMLToJSON(b)
	if err != nil {
		return fmt.Errorf("trail_events: %w", err)
	}
	js = bytes.TrimSpace(js)
	switch {
	case len(js) > 0 && js[0] == '"':
		var p string
		if err := json.Unmarshal(js, &p); err != nil {
			return fmt.Errorf("trail_events: %w", err)
		}
		if p == "" {
			return errors.New("trail_events: empty file path")
		}
		*t = TrailEvents{File: p}
		return nil
	case len(js) > 0 && js[0] == '[':
		var raws []json.RawMessage
		if err := json.Unmarshal(js, &raws); err != nil {
			return fmt.Errorf("trail_events: %w", err)
		}
		recs, err := canonicalRecords(raws)
		if err != nil {
			return fmt.Errorf("trail_events: %w", err)
		}
		*t = TrailEvents{Records: recs}
		return nil
	case string(js) == "null":
		*t = TrailEvents{}
		return nil
	}
	return errors.New("trail_events: want a list of CloudTrail records or a file path")
}

// MarshalYAML writes the file path, or the records as a flow sequence.
func (t TrailEvents) MarshalYAML() ([]byte, error) {
	if t.File != "" {
		return json.Marshal(t.File)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range t.Records {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(r)
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// load reads File, relative to dir, into Records.
func (t *TrailEvents) load(dir string) error {
	if t.File == "" {
		return nil
	}
	p := t.File
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("trail_events: %w", err)
	}
	raws, err := splitTrailFile(data)
	if err != nil {
		return fmt.Errorf("trail_events %s: %w", t.File, err)
	}
	recs, err := canonicalRecords(raws)
	if err != nil {
		return fmt.Errorf("trail_events %s: %w", t.File, err)
	}
	t.Records = recs
	return nil
}

// splitTrailFile reads {"Records": [...]}, one record, or JSON Lines.
func splitTrailFile(data []byte) ([]json.RawMessage, error) {
	var file struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(data, &file); err == nil {
		if file.Records != nil {
			return file.Records, nil
		}
		return []json.RawMessage{data}, nil
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxBody)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return nil, fmt.Errorf("line %d: not JSON", n)
		}
		out = append(out, append(json.RawMessage(nil), line...))
	}
	return out, sc.Err()
}

// canonicalRecords checks that each record is a JSON object and re-encodes
// it canonically (sorted keys, numbers as written), so that a scenario
// survives encode then decode unchanged.
func canonicalRecords(raws []json.RawMessage) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(raws))
	for i, raw := range raws {
		v, err := decodeJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Errorf("record %d: not a JSON object", i)
		}
		b, err := encodeJSON(v)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

func decodeJSON(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// Query dialects.
const (
	dialectAthena = "athena"
	dialectLake   = "lake"
)

// Column types of the documented schemas.
const (
	typString = "string"
	typTime   = "timestamp"
	typBool   = "boolean"
	typMap    = "map" // Lake only; Athena holds these as JSON text (string)
)

// athenaSchema is the CloudTrail table of the Athena documentation: leaf
// columns and their types (the JSON-valued fields are STRING).
var athenaSchema = schema(typString,
	"eventversion", "useridentity.type", "useridentity.principalid", "useridentity.arn", "useridentity.accountid",
	"useridentity.invokedby", "useridentity.accesskeyid", "useridentity.username",
	"useridentity.onbehalfof.userid", "useridentity.onbehalfof.identitystorearn",
	"useridentity.sessioncontext.attributes.mfaauthenticated", "useridentity.sessioncontext.attributes.creationdate",
	"useridentity.sessioncontext.sessionissuer.type", "useridentity.sessioncontext.sessionissuer.principalid",
	"useridentity.sessioncontext.sessionissuer.arn", "useridentity.sessioncontext.sessionissuer.accountid",
	"useridentity.sessioncontext.sessionissuer.username", "useridentity.sessioncontext.ec2roledelivery",
	"useridentity.sessioncontext.webidfederationdata.federatedprovider",
	"eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode", "errormessage",
	"requestparameters", "responseelements", "additionaleventdata", "requestid", "eventid", "readonly", "eventtype",
	"apiversion", "recipientaccountid", "serviceeventdetails", "sharedeventid", "vpcendpointid", "vpcendpointaccountid",
	"eventcategory", "sessioncredentialfromconsole", "edgedevicedetails",
)

// lakeSchema is CloudTrail Lake's schema for CloudTrail event records.
var lakeSchema = func() map[string]string {
	m := schema(typString,
		"eventversion", "useridentity.type", "useridentity.principalid", "useridentity.arn", "useridentity.accountid",
		"useridentity.accesskeyid", "useridentity.username", "useridentity.invokedby", "useridentity.identityprovider",
		"useridentity.sessioncontext.attributes.mfaauthenticated",
		"useridentity.sessioncontext.sessionissuer.type", "useridentity.sessioncontext.sessionissuer.principalid",
		"useridentity.sessioncontext.sessionissuer.arn", "useridentity.sessioncontext.sessionissuer.accountid",
		"useridentity.sessioncontext.sessionissuer.username",
		"useridentity.sessioncontext.webidfederationdata.federatedprovider", "useridentity.sessioncontext.sourceidentity",
		"useridentity.sessioncontext.ec2roledelivery", "useridentity.sessioncontext.ec2issuedinvpc",
		"useridentity.onbehalfof.userid", "useridentity.onbehalfof.identitystorearn",
		"eventsource", "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode", "errormessage",
		"requestid", "eventid", "eventtype", "apiversion", "recipientaccountid", "sharedeventid", "vpcendpointid",
		"eventcategory", "sessioncredentialfromconsole",
	)
	for _, c := range []string{"eventtime", "useridentity.sessioncontext.attributes.creationdate"} {
		m[c] = typTime
	}
	for _, c := range []string{"readonly", "managementevent"} {
		m[c] = typBool
	}
	for _, c := range []string{"requestparameters", "responseelements", "additionaleventdata"} {
		m[c] = typMap
	}
	return m
}()

func schema(typ string, cols ...string) map[string]string {
	m := make(map[string]string, len(cols))
	for _, c := range cols {
		m[c] = typ
	}
	return m
}

// selectItem is one item of a SELECT list.
type selectItem struct {
	name string // result column name
	path string // lower-case column path
	typ  string
	json bool // json_format(CAST(path AS JSON))
}

// sqlQuery is a parsed query: its SELECT list, the FROM target and the
// eventtime bounds.
type sqlQuery struct {
	items        []selectItem
	from         string
	since, until time.Time
	limit        int // 0: none
}

var (
	pathRe     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	aliasRe    = regexp.MustCompile(`(?is)^(.*?)\s+AS\s+("?)([A-Za-z_][A-Za-z0-9_]*)("?)$`)
	jsonCastRe = regexp.MustCompile(`(?is)^json_format\s*\(\s*CAST\s*\(\s*([A-Za-z0-9_.]+)\s+AS\s+JSON\s*\)\s*\)$`)
	sinceRe    = regexp.MustCompile(`(?i)\beventtime\s*>=\s*'([^']*)'`)
	untilRe    = regexp.MustCompile(`(?i)\beventtime\s*<\s*'([^']*)'`)
	limitRe    = regexp.MustCompile(`(?is)\bLIMIT\s+([0-9]{1,9})\s*$`)
)

// queryError is a query the service rejects or fails: code and message.
type queryError struct{ code, msg string }

func (e *queryError) Error() string { return e.code + ": " + e.msg }

// parseQuery reads the parts of a query the server acts on.
func parseQuery(dialect, sql string) (*sqlQuery, error) {
	s := strings.TrimSpace(sql)
	if len(s) < 6 || !strings.EqualFold(s[:6], "SELECT") {
		return nil, &queryError{"SYNTAX_ERROR", "only SELECT statements are supported"}
	}
	list, rest, ok := cutKeyword(s[6:], "FROM")
	if !ok {
		return nil, &queryError{"SYNTAX_ERROR", "no FROM clause"}
	}
	q := &sqlQuery{}
	target, where, _ := cutKeyword(rest, "WHERE")
	q.from = strings.TrimSpace(target)
	if q.from == "" || strings.ContainsAny(q.from, " \t\n") {
		return nil, &queryError{"SYNTAX_ERROR", fmt.Sprintf("FROM %q: want one table", q.from)}
	}
	schema := athenaSchema
	if dialect == dialectLake {
		schema = lakeSchema
	}
	for _, item := range splitTop(list) {
		item = strings.TrimSpace(item)
		expr, name := item, ""
		if m := aliasRe.FindStringSubmatch(item); m != nil && m[2] == m[4] {
			expr, name = strings.TrimSpace(m[1]), strings.ToLower(m[3])
		}
		si := selectItem{}
		switch m := jsonCastRe.FindStringSubmatch(expr); {
		case m != nil && dialect == dialectLake:
			si.path, si.json = strings.ToLower(m[1]), true
		case pathRe.MatchString(expr):
			si.path = strings.ToLower(expr)
		default:
			return nil, &queryError{"SYNTAX_ERROR", fmt.Sprintf("select item %q: this endpoint reads column paths only", item)}
		}
		typ, ok := schema[si.path]
		if !ok {
			return nil, &queryError{"COLUMN_NOT_FOUND", fmt.Sprintf("Column '%s' cannot be resolved", si.path)}
		}
		if si.json && typ != typMap {
			return nil, &queryError{"TYPE_MISMATCH", fmt.Sprintf("Cannot cast %s to json", typ)}
		}
		si.typ = typ
		if name == "" {
			name = si.path[strings.LastIndexByte(si.path, '.')+1:]
		}
		si.name = name
		q.items = append(q.items, si)
	}
	if len(q.items) == 0 {
		return nil, &queryError{"SYNTAX_ERROR", "empty SELECT list"}
	}
	var err error
	if m := limitRe.FindStringSubmatch(where); m != nil {
		q.limit, _ = strconv.Atoi(m[1]) //nolint:errcheck // nine digits at most.
	}
	if m := sinceRe.FindStringSubmatch(where); m != nil {
		if q.since, err = parseSQLTime(m[1]); err != nil {
			return nil, &queryError{"INVALID_CAST_ARGUMENT", err.Error()}
		}
	}
	if m := untilRe.FindStringSubmatch(where); m != nil {
		if q.until, err = parseSQLTime(m[1]); err != nil {
			return nil, &queryError{"INVALID_CAST_ARGUMENT", err.Error()}
		}
	}
	return q, nil
}

// cutKeyword splits s at the first kw that stands alone outside brackets
// and quotes.
func cutKeyword(s, kw string) (before, after string, ok bool) {
	depth, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && i+len(kw) <= len(s) && strings.EqualFold(s[i:i+len(kw)], kw) &&
			(i == 0 || isSpace(s[i-1])) && (i+len(kw) == len(s) || isSpace(s[i+len(kw)])):
			return s[:i], s[i+len(kw):], true
		}
	}
	return s, "", false
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// splitTop splits a SELECT list at the commas outside brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

func parseSQLTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("value %q cannot be cast to timestamp", s)
}

// queryResult is a query's answer: column names and rows (nil is NULL).
type queryResult struct {
	columns []string
	rows    [][]*string
	scanned int64 // bytes of the records read
}

// run answers q from the scenario's trail events.
func (q *sqlQuery) run(w *world, dialect string) (*queryResult, error) {
	res := &queryResult{}
	for _, it := range q.items {
		res.columns = append(res.columns, it.name)
	}
	for i, raw := range w.scn.TrailEvents.Records {
		res.scanned += int64(len(raw))
		v, err := decodeJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("trail_events record %d: %w", i, err)
		}
		rec, _ := v.(map[string]any)
		if t, err := time.Parse(time.RFC3339Nano, str(lookup(rec, "eventtime"))); err == nil {
			if (!q.since.IsZero() && t.Before(q.since)) || (!q.until.IsZero() && !t.Before(q.until)) {
				continue
			}
		}
		row := make([]*string, len(q.items))
		for j, it := range q.items {
			row[j] = project(lookup(rec, it.path), it, dialect)
		}
		res.rows = append(res.rows, row)
		if q.limit > 0 && len(res.rows) == q.limit {
			break
		}
	}
	return res, nil
}

// lookup follows a lower-case dotted path through nested objects, matching
// keys without regard to case, as the Hive and Lake schemas do.
func lookup(rec map[string]any, path string) any {
	var v any = rec
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		next, found := m[k]
		if !found {
			for mk, mv := range m {
				if strings.EqualFold(mk, k) {
					next, found = mv, true
					break
				}
			}
		}
		if !found {
			return nil
		}
		v = next
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// project renders a value as the service answers the column: nil is NULL.
func project(v any, it selectItem, dialect string) *string {
	if v == nil {
		return nil
	}
	text := func(v any) string {
		switch x := v.(type) {
		case string:
			return x
		case json.Number:
			return x.String()
		case bool:
			return strconv.FormatBool(x)
		}
		b, _ := encodeJSON(v)
		return string(b)
	}
	if dialect == dialectAthena {
		s := text(v) // every column of the documented table is STRING
		return &s
	}
	switch it.typ {
	case typTime:
		t, err := time.Parse(time.RFC3339Nano, text(v))
		if err != nil {
			return nil // Lake would not have ingested it as a timestamp
		}
		s := t.UTC().Format("2006-01-02 15:04:05.000")
		return &s
	case typBool:
		s := text(v)
		if s != "true" && s != "false" {
			return nil
		}
		return &s
	case typMap:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		flat := make(map[string]string, len(m))
		for k, x := range m {
			if x != nil {
				flat[k] = text(x)
			}
		}
		b, _ := encodeJSON(flat)
		s := string(b)
		if !it.json {
			s = trinoMap(flat)
		}
		return &s
	}
	s := text(v)
	return &s
}

// trinoMap is how Trino prints a map: {k1=v1, k2=v2}.
func trinoMap(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// simQuery is a query the server accepted.
type simQuery struct {
	id        string
	sql       string
	dialect   string
	submitted time.Time
	// failure is the error of a failed query (Athena: code and message).
	failure *queryError
	result  *queryResult
	// workGroup, database and output are Athena's.
	workGroup, database, output string
}

// queryStore holds a server's CloudTrail Lake and Athena queries (the
// Server's queries field): they live and die with the server. The zero
// value is ready to use.
type queryStore struct {
	mu   sync.Mutex
	byID map[string]*simQuery
	n    int
}

// add stores q under a new ID in the service's format.
func (qs *queryStore) add(q *simQuery) {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if qs.byID == nil {
		qs.byID = map[string]*simQuery{}
	}
	qs.n++
	q.id = fmt.Sprintf("%08x-51a0-4e00-8000-%012d", hash32(q.dialect+q.sql), qs.n)
	qs.byID[q.id] = q
}

func (qs *queryStore) get(id string) *simQuery {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	return qs.byID[id]
}

// lakeOperations are CloudTrail Lake's query operations.
func lakeOperations() map[string]*operation {
	return map[string]*operation{
		"StartQuery":      {handle: lakeStartQuery},
		"DescribeQuery":   {handle: lakeDescribeQuery},
		"GetQueryResults": {handle: lakeGetQueryResults},
	}
}

func lakeStartQuery(r *request) (any, error) {
	var in struct {
		QueryStatement               string   `json:"QueryStatement"`
		DeliveryS3URI                string   `json:"DeliveryS3Uri,omitempty"`
		QueryAlias                   string   `json:"QueryAlias,omitempty"`
		QueryParameters              []string `json:"QueryParameters,omitempty"`
		EventDataStoreOwnerAccountID string   `json:"EventDataStoreOwnerAccountId,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if in.QueryStatement == "" {
		return nil, errf("InvalidParameterException", http.StatusBadRequest, "QueryStatement or QueryAlias is required")
	}
	q, err := parseQuery(dialectLake, in.QueryStatement)
	if err != nil {
		return nil, errf("InvalidQueryStatementException", http.StatusBadRequest, "The query that you entered is invalid: %v", err)
	}
	res, err := q.run(r.srv.w, dialectLake)
	if err != nil {
		return nil, errf("InternalFailure", http.StatusInternalServerError, "%v", err)
	}
	sq := &simQuery{sql: in.QueryStatement, dialect: dialectLake, submitted: r.now, result: res}
	r.srv.queries.add(sq)
	return map[string]any{"QueryId": sq.id}, nil
}

type lakeQueryInput struct {
	EventDataStore               string `json:"EventDataStore,omitempty"`
	QueryID                      string `json:"QueryId,omitempty"`
	QueryAlias                   string `json:"QueryAlias,omitempty"`
	RefreshID                    string `json:"RefreshId,omitempty"`
	EventDataStoreOwnerAccountID string `json:"EventDataStoreOwnerAccountId,omitempty"`
	NextToken                    string `json:"NextToken,omitempty"`
	MaxQueryResults              int    `json:"MaxQueryResults,omitempty"`
}

func lakeQuery(r *request, in *lakeQueryInput) (*simQuery, error) {
	if err := r.decode(in); err != nil {
		return nil, err
	}
	q := r.srv.queries.get(in.QueryID)
	if q == nil || q.dialect != dialectLake {
		return nil, errf("QueryIdNotFoundException", http.StatusBadRequest, "The query ID %s does not exist or does not map to a query.", in.QueryID)
	}
	return q, nil
}

func lakeDescribeQuery(r *request) (any, error) {
	var in lakeQueryInput
	q, err := lakeQuery(r, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"QueryId":     q.id,
		"QueryString": q.sql,
		"QueryStatus": "FINISHED",
		"QueryStatistics": map[string]any{
			"EventsMatched":         len(q.result.rows),
			"EventsScanned":         len(r.srv.w.scn.TrailEvents.Records),
			"BytesScanned":          q.result.scanned,
			"ExecutionTimeInMillis": 0,
			"CreationTime":          epoch(q.submitted),
		},
	}, nil
}

func lakeGetQueryResults(r *request) (any, error) {
	var in lakeQueryInput
	q, err := lakeQuery(r, &in)
	if err != nil {
		return nil, err
	}
	if in.MaxQueryResults < 0 || in.MaxQueryResults > 1000 {
		return nil, errf("InvalidMaxResultsException", http.StatusBadRequest, "MaxQueryResults must be between 1 and 1000.")
	}
	rows, next, err := page(q.result.rows, in.NextToken, in.MaxQueryResults, 1000)
	if err != nil {
		return nil, errf("InvalidNextTokenException", http.StatusBadRequest, "A token that is not valid, or a token that was previously used in a request with different parameters.")
	}
	out := make([][]map[string]string, len(rows))
	for i, row := range rows {
		cells := []map[string]string{}
		for j, v := range row {
			if v != nil {
				cells = append(cells, map[string]string{q.result.columns[j]: *v})
			}
		}
		out[i] = cells
	}
	return map[string]any{
		"QueryStatus":     "FINISHED",
		"QueryResultRows": out,
		"QueryStatistics": map[string]any{
			"ResultsCount":      len(rows),
			"TotalResultsCount": len(q.result.rows),
			"BytesScanned":      q.result.scanned,
		},
		"NextToken": optional(next),
	}, nil
}
