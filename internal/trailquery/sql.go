package trailquery

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// Dialect names where the query runs.
type Dialect string

// The dialects.
const (
	Athena Dialect = "athena" // an Athena table over the CloudTrail bucket
	Lake   Dialect = "lake"   // a CloudTrail Lake event data store
)

// Defaults of the Athena table: the names the AWS documentation uses.
const (
	DefaultDatabase = "default"
	DefaultTable    = "cloudtrail_logs"
)

// Options say what to query and where.
type Options struct {
	Dialect Dialect
	// Database and Table name the Athena table (defaults: default, cloudtrail_logs).
	Database, Table string
	// PartitionColumn is the Athena table's date partition column holding yyyy/MM/dd (the
	// "timestamp" column of the documentation's partition-projection table). When set, the
	// time range also prunes partitions. Empty: no date partition.
	PartitionColumn string
	// EventDataStore is the CloudTrail Lake event data store: its ID or ARN.
	EventDataStore string
	// Since and Until bound eventTime, [Since, Until); a zero bound is open.
	Since, Until time.Time
	// Rule restricts the query to one rule's predicate (and Detect to its alerts); empty means
	// every rule.
	Rule string
	// AssumedRootColumn says the table has userIdentity.sessionContext.assumedRoot (neither
	// documented schema does).
	AssumedRootColumn bool
}

var (
	edsARN  = regexp.MustCompile(`^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore/(.+)$`)
	edsID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,127}$`)
	athName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$`)
)

// OptionError is an invalid value of one option, which Option names as
// the command line's flag does (database, table, partition-column,
// event-data-store, rule).
type OptionError struct {
	Option string
	Err    error
}

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// Validate checks the options and fills the Athena defaults. An invalid
// value of a named option is an *OptionError.
func (o *Options) Validate() error {
	switch o.Dialect {
	case Athena:
		if o.Database == "" {
			o.Database = DefaultDatabase
		}
		if o.Table == "" {
			o.Table = DefaultTable
		}
		for what, v := range map[string]string{"database": o.Database, "table": o.Table} {
			if !athName.MatchString(v) {
				return &OptionError{what, fmt.Errorf("athena %s %q: want letters, digits, _ and -", what, v)}
			}
		}
		if o.PartitionColumn != "" && !athName.MatchString(o.PartitionColumn) {
			return &OptionError{"partition-column", fmt.Errorf("athena partition column %q: want letters, digits, _ and -", o.PartitionColumn)}
		}
	case Lake:
		if m := edsARN.FindStringSubmatch(o.EventDataStore); m != nil {
			o.EventDataStore = m[1]
		}
		if o.EventDataStore == "" {
			return errors.New("cloudtrail lake: no event data store")
		}
		if !edsID.MatchString(o.EventDataStore) {
			return &OptionError{"event-data-store", fmt.Errorf("cloudtrail lake event data store %q: want its ID or ARN", o.EventDataStore)}
		}
		if o.PartitionColumn != "" {
			return errors.New("cloudtrail lake: an event data store has no partition column")
		}
	default:
		return fmt.Errorf("dialect %q: want athena or lake", o.Dialect)
	}
	if o.Rule != "" && detect.RuleByID(o.Rule) == nil {
		return &OptionError{"rule", fmt.Errorf("rule %q: no such rule", o.Rule)}
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return fmt.Errorf("since %s is not before until %s", o.Since.Format(time.RFC3339), o.Until.Format(time.RFC3339))
	}
	return nil
}

// Predicate is the rule part of the WHERE clause: the chosen rule's predicate or the whole set's.
func (o Options) Predicate() (Pred, error) {
	if o.Rule == "" {
		return AllRules(o.AssumedRootColumn), nil
	}
	return RulePredicate(o.Rule, o.AssumedRootColumn)
}

// colKind says how a column's value is read back.
type colKind int

const (
	colText colKind = iota
	colJSON         // Athena: JSON text; Lake: map<string,string>
	colTime         // Athena: RFC 3339 text; Lake: timestamp
	colBool         // Athena: "true"/"false" text; Lake: boolean
)

// column is one selected column: its SQL path, its name in the result, and where its value goes
// in the rebuilt CloudTrail record.
type column struct {
	path string
	key  []string // JSON keys in the record
	kind colKind
}

// name is the column's name in the result: the path with dots as underscores.
func (c column) name() string { return strings.ReplaceAll(c.path, ".", "_") }

func col(path string, kind colKind, key ...string) column {
	return column{path: path, key: key, kind: kind}
}

// columns are what Rebuild needs: every field detect.DecodeRecord reads.
var columns = []column{
	col("eventversion", colText, "eventVersion"),
	col("useridentity.type", colText, "userIdentity", "type"),
	col("useridentity.principalid", colText, "userIdentity", "principalId"),
	col("useridentity.arn", colText, "userIdentity", "arn"),
	col("useridentity.accountid", colText, "userIdentity", "accountId"),
	col("useridentity.accesskeyid", colText, "userIdentity", "accessKeyId"),
	col("useridentity.username", colText, "userIdentity", "userName"),
	col("useridentity.invokedby", colText, "userIdentity", "invokedBy"),
	col("useridentity.sessioncontext.attributes.mfaauthenticated", colText, "userIdentity", "sessionContext", "attributes", "mfaAuthenticated"),
	col("useridentity.sessioncontext.attributes.creationdate", colText, "userIdentity", "sessionContext", "attributes", "creationDate"),
	col("useridentity.sessioncontext.sessionissuer.type", colText, "userIdentity", "sessionContext", "sessionIssuer", "type"),
	col("useridentity.sessioncontext.sessionissuer.principalid", colText, "userIdentity", "sessionContext", "sessionIssuer", "principalId"),
	col("useridentity.sessioncontext.sessionissuer.arn", colText, "userIdentity", "sessionContext", "sessionIssuer", "arn"),
	col("useridentity.sessioncontext.sessionissuer.accountid", colText, "userIdentity", "sessionContext", "sessionIssuer", "accountId"),
	col("useridentity.sessioncontext.sessionissuer.username", colText, "userIdentity", "sessionContext", "sessionIssuer", "userName"),
	col("eventtime", colTime, "eventTime"),
	col("eventsource", colText, "eventSource"),
	col("eventname", colText, "eventName"),
	col("awsregion", colText, "awsRegion"),
	col("sourceipaddress", colText, "sourceIPAddress"),
	col("useragent", colText, "userAgent"),
	col("errorcode", colText, "errorCode"),
	col("errormessage", colText, "errorMessage"),
	col("requestparameters", colJSON, "requestParameters"),
	col("responseelements", colJSON, "responseElements"),
	col("additionaleventdata", colJSON, "additionalEventData"),
	col("requestid", colText, "requestID"),
	col("eventid", colText, "eventID"),
	col("readonly", colBool, "readOnly"),
	col("eventtype", colText, "eventType"),
	col("recipientaccountid", colText, "recipientAccountId"),
	col("sessioncredentialfromconsole", colText, "sessionCredentialFromConsole"),
}

var assumedRootColumn = col(AssumedRoot.Path(), colText, "userIdentity", "sessionContext", "assumedRoot")

func (o Options) columns() []column {
	if !o.AssumedRootColumn {
		return columns
	}
	out := make([]column, 0, len(columns)+1)
	for _, c := range columns {
		out = append(out, c)
		if c.path == "useridentity.sessioncontext.sessionissuer.username" {
			out = append(out, assumedRootColumn)
		}
	}
	return out
}

// selectItem renders one column of the SELECT list.
func (o Options) selectItem(c column) string {
	expr := c.path
	if o.Dialect == Lake && c.kind == colJSON {
		expr = "json_format(CAST(" + c.path + " AS JSON))"
	}
	if expr == c.name() {
		return expr
	}
	return expr + " AS " + c.name()
}

// Source names the queried table for alerts and messages.
func (o Options) Source() string {
	if o.Dialect == Lake {
		return "lake:" + o.EventDataStore
	}
	return "athena:" + o.Database + "." + o.Table
}

// Build renders the query. o must have passed Validate.
func Build(o Options) (string, error) {
	pred, err := o.Predicate()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("SELECT\n")
	cols := o.columns()
	for i, c := range cols {
		b.WriteString("  " + o.selectItem(c))
		if i < len(cols)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("FROM " + o.from() + "\n")
	b.WriteString("WHERE ")
	if terms, ok := pred.(or); ok {
		b.WriteString("(\n")
		for i, t := range terms {
			s := t.SQL()
			if _, isAnd := t.(and); isAnd {
				s = "(" + s + ")"
			}
			if i > 0 {
				s = "OR " + s
			}
			b.WriteString("    " + s + "\n")
		}
		b.WriteString("  )")
	} else {
		b.WriteString(pred.SQL())
	}
	for _, c := range o.timeConditions() {
		b.WriteString("\n  AND " + c)
	}
	b.WriteString("\n")
	return b.String(), nil
}

// from is the table or event data store the queries read.
func (o Options) from() string {
	if o.Dialect == Lake {
		return o.EventDataStore
	}
	return ident(o.Database) + "." + ident(o.Table)
}

// BuildProbe is the query that tells "no root activity" from "nothing to read": one event of
// any kind in the time range (the same bounds and partitions as Build's).
func BuildProbe(o Options) (string, error) {
	if _, err := Build(o); err != nil {
		return "", err
	}
	where := "TRUE"
	if conds := o.timeConditions(); len(conds) > 0 {
		where = strings.Join(conds, "\n  AND ")
	}
	return "SELECT eventid\nFROM " + o.from() + "\nWHERE " + where + "\nLIMIT 1\n", nil
}

// timeConditions bound eventTime and, on a date-partitioned Athena table, the partitions.
//
// Athena's eventtime is the text CloudTrail writes (2006-01-02T15:04:05Z, UTC): the bounds are
// compared as text without the zone letter, so a value with a fraction of a second still
// compares in time order. Since rounds down and Until up to the second: the bounds are never
// tighter than the window, which Detect applies exactly to the rebuilt records.
func (o Options) timeConditions() []string {
	var out []string
	layout := "2006-01-02T15:04:05"
	if o.Dialect == Lake {
		layout = "2006-01-02 15:04:05" // a timestamp column, compared with a timestamp literal text
	}
	if !o.Since.IsZero() {
		out = append(out, "eventtime >= "+literal(o.Since.UTC().Truncate(time.Second).Format(layout)))
	}
	if !o.Until.IsZero() {
		u := o.Until.UTC()
		if t := u.Truncate(time.Second); !t.Equal(u) {
			u = t.Add(time.Second)
		}
		out = append(out, "eventtime < "+literal(u.Format(layout)))
	}
	if o.Dialect == Athena && o.PartitionColumn != "" {
		// A date folder holds what was delivered that day: events up to detect.DeliverySlack
		// earlier. So the folders from Since's day to the day after Until may hold the window.
		p := ident(o.PartitionColumn)
		if !o.Since.IsZero() {
			out = append(out, p+" >= "+literal(o.Since.UTC().Format("2006/01/02")))
		}
		if !o.Until.IsZero() {
			last := o.Until.UTC().Add(-time.Nanosecond).Add(detect.DeliverySlack)
			out = append(out, p+" <= "+literal(last.Format("2006/01/02")))
		}
	}
	return out
}

// ident quotes an Athena identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
