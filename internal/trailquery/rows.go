package trailquery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// Row is one result row: column name → value. A NULL column is absent.
type Row map[string]string

// Result is what a query gave.
type Result struct {
	// ID is the query's ID (Athena query execution ID, CloudTrail Lake query ID).
	ID   string
	Rows []Row
}

// Rebuild turns rows into CloudTrail records (JSON) in the shape detect.DecodeRecord reads.
// Without the assumedRoot column, a Root record whose access key ID was issued by a successful
// sts:AssumeRoot call among the rows is marked as an AssumeRoot session.
func Rebuild(o Options, rows []Row) ([]json.RawMessage, error) {
	cols := o.columns()
	recs := make([]map[string]any, len(rows))
	for i, row := range rows {
		rec := map[string]any{}
		for _, c := range cols {
			v, ok := row[c.name()]
			if !ok {
				continue
			}
			val, err := o.value(c, v)
			if err != nil {
				return nil, fmt.Errorf("row %d: column %s: %w", i, c.name(), err)
			}
			if val != nil {
				put(rec, c.key, val)
			}
		}
		recs[i] = rec
	}
	if !o.AssumedRootColumn {
		markSessions(recs)
	}
	out := make([]json.RawMessage, len(recs))
	for i, rec := range recs {
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// value converts a column's text to the JSON value CloudTrail writes; nil leaves the key out.
func (o Options) value(c column, v string) (any, error) {
	switch c.kind {
	case colJSON:
		return o.jsonValue(v)
	case colTime:
		if o.Dialect == Lake {
			// Lake answers a timestamp as "2006-01-02 15:04:05.000" (UTC).
			if t, err := time.Parse("2006-01-02 15:04:05", v); err == nil {
				return t.UTC().Format(time.RFC3339Nano), nil
			}
		}
	case colBool:
		switch v {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return v, nil
}

// jsonValue reads requestParameters, responseElements or additionalEventData. Athena holds the
// JSON text; Lake a map<string,string> rendered as a JSON object whose nested objects and arrays
// arrive as JSON text, parsed back here.
func (o Options) jsonValue(v string) (any, error) {
	t := bytes.TrimSpace([]byte(v))
	if len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	if !json.Valid(t) {
		if o.Dialect == Lake {
			return nil, fmt.Errorf("not JSON: %.40q", v)
		}
		return v, nil // Athena: a string that is not JSON stays a string
	}
	if o.Dialect == Athena {
		return json.RawMessage(t), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, fmt.Errorf("want a JSON object: %w", err)
	}
	out := make(map[string]any, len(m))
	for k, raw := range m {
		var s string
		switch {
		case json.Unmarshal(raw, &s) != nil: // not a string: keep as is
			out[k] = raw
		case isJSONContainer(s):
			out[k] = json.RawMessage(s)
		default:
			out[k] = s
		}
	}
	return out, nil
}

func isJSONContainer(s string) bool {
	t := bytes.TrimSpace([]byte(s))
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// put sets rec[k0][k1]...= v, creating the objects on the way.
func put(rec map[string]any, key []string, v any) {
	m := rec
	for _, k := range key[:len(key)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[key[len(key)-1]] = v
}

// markSessions sets sessionContext.assumedRoot on Root records that used a key issued by a
// successful AssumeRoot call among recs: same access key ID, the call's target account, and an
// eventTime within the session's lifetime (AssumeRoot sessions last at most 900 seconds).
func markSessions(recs []map[string]any) {
	type call struct {
		target string
		at     time.Time
	}
	calls := map[string][]call{}
	for _, rec := range recs {
		if rec["eventSource"] != srcSTS || rec["eventName"] != "AssumeRoot" || rec["errorCode"] != nil {
			continue
		}
		if k := issuedKey(rec["responseElements"]); k != "" {
			calls[k] = append(calls[k], call{target: targetAccount(rec["requestParameters"]), at: eventTime(rec)})
		}
	}
	if len(calls) == 0 {
		return
	}
	for _, rec := range recs {
		id, _ := rec["userIdentity"].(map[string]any)
		if id == nil || id["type"] != "Root" {
			continue
		}
		k, _ := id["accessKeyId"].(string)
		if k == "" || len(calls[k]) == 0 {
			continue
		}
		if sc, _ := id["sessionContext"].(map[string]any); sc != nil && sc["assumedRoot"] != nil {
			continue
		}
		acct, _ := rec["recipientAccountId"].(string)
		if acct == "" {
			acct, _ = id["accountId"].(string)
		}
		at := eventTime(rec)
		for _, c := range calls[k] {
			if c.target != acct || at.IsZero() || c.at.IsZero() ||
				at.Before(c.at.Add(-sessionSkew)) || at.After(c.at.Add(maxSession+sessionSkew)) {
				continue
			}
			put(rec, []string{"userIdentity", "sessionContext", "assumedRoot"}, "true")
			break
		}
	}
}

// maxSession is the longest sts:AssumeRoot session; sessionSkew allows for clocks.
const (
	maxSession  = 900 * time.Second
	sessionSkew = time.Minute
)

func eventTime(rec map[string]any) time.Time {
	s, _ := rec["eventTime"].(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// targetAccount reads requestParameters.targetPrincipal: an account ID, or an ARN holding one.
func targetAccount(v any) string {
	var s string
	switch x := v.(type) {
	case map[string]any:
		s, _ = x["targetPrincipal"].(string)
	case json.RawMessage:
		var rp struct {
			TargetPrincipal string `json:"targetPrincipal"`
		}
		if json.Unmarshal(x, &rp) == nil {
			s = rp.TargetPrincipal
		}
	}
	if parts := strings.Split(s, ":"); len(parts) >= 5 && strings.HasPrefix(s, "arn:") {
		return parts[4]
	}
	return s
}

// issuedKey reads responseElements.credentials.accessKeyId from either shape jsonValue returns.
func issuedKey(v any) string {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return ""
		}
		raw = b
	default:
		return ""
	}
	var re struct {
		Credentials struct {
			AccessKeyID string `json:"accessKeyId"`
		} `json:"credentials"`
	}
	if json.Unmarshal(raw, &re) != nil {
		return ""
	}
	return re.Credentials.AccessKeyID
}

// decode rebuilds and decodes rows; a row that does not decode is counted, not fatal.
func decode(o Options, rows []Row) (recs []*detect.Record, bad int, err error) {
	raws, err := Rebuild(o, rows)
	if err != nil {
		return nil, 0, err
	}
	recs = make([]*detect.Record, len(raws))
	for i, raw := range raws {
		r, err := detect.DecodeRecord(raw)
		if err != nil {
			bad++
			continue
		}
		recs[i] = r
	}
	return recs, bad, nil
}
