package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/severity"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// AlertFormat is one way of writing CloudTrail alerts, as Formats are for
// findings.
type AlertFormat struct {
	Name string
	// New returns a writer of alerts to w.
	New func(w io.Writer) AlertWriter
}

// AlertWriter takes alerts as they are found. Close writes what a format
// can only write once it has every alert (the table); it does not close
// the underlying writer.
type AlertWriter interface {
	Write(detect.Alert) error
	Close() error
}

// alertFormats lists the alert formats, the default first.
var alertFormats = []AlertFormat{
	{Name: "table", New: func(w io.Writer) AlertWriter { return &alertTable{w: w} }},
	{Name: "jsonl", New: func(w io.Writer) AlertWriter { return alertJSONL{w: w} }},
}

// AlertFormats lists the names NewAlertWriter accepts, the default first.
func AlertFormats() []string {
	names := make([]string, len(alertFormats))
	for i, f := range alertFormats {
		names[i] = f.Name
	}
	return names
}

// NewAlertWriter returns a writer of alerts to w in format, one of
// AlertFormats.
func NewAlertWriter(w io.Writer, format string) (AlertWriter, error) {
	for _, f := range alertFormats {
		if f.Name == format {
			return f.New(w), nil
		}
	}
	return nil, fmt.Errorf("unknown alert format %q (want one of %s)", format, strings.Join(AlertFormats(), ", "))
}

// DefaultRunbook is where an alert points for its account's runbook when the
// command is not given one: the command that writes it.
const DefaultRunbook = "rootguard runbook --account {account}"

// WithRunbook sets each alert's Runbook from template, where "{account}"
// stands for the alert's account ID, before aw writes it.
func WithRunbook(aw AlertWriter, template string) AlertWriter {
	return runbookWriter{aw, template}
}

type runbookWriter struct {
	AlertWriter
	template string
}

func (r runbookWriter) Write(a detect.Alert) error {
	if link := RunbookLink(r.template, a.AccountID); link != "" {
		a.Runbook = link
	}
	return r.AlertWriter.Write(a)
}

// RunbookLink fills a --runbook-url template for an account: {account}
// becomes its ID. It is "" without a template or an account.
func RunbookLink(template, account string) string {
	if template == "" || account == "" {
		return ""
	}
	return strings.ReplaceAll(template, "{account}", account)
}

// WriteAlerts writes alerts to w in format, one of AlertFormats.
func WriteAlerts(w io.Writer, format string, alerts []detect.Alert) error {
	aw, err := NewAlertWriter(w, format)
	if err != nil {
		return err
	}
	for _, a := range alerts {
		if err := aw.Write(a); err != nil {
			return err
		}
	}
	return aw.Close()
}

// alertJSONL writes one alert per line as it comes, with <, > and & as
// they are and what a terminal would act on as \u escapes.
type alertJSONL struct{ w io.Writer }

func (j alertJSONL) Write(a detect.Alert) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return err
	}
	_, err := j.w.Write(termsafe.JSON(b.Bytes()))
	return err
}

func (alertJSONL) Close() error { return nil }

// alertTable keeps the alerts and writes the table on Close.
type alertTable struct {
	w      io.Writer
	alerts []detect.Alert
}

func (t *alertTable) Write(a detect.Alert) error {
	t.alerts = append(t.alerts, a)
	return nil
}

func (t *alertTable) Close() error { return writeAlertTable(t.w, t.alerts) }

// writeAlertTable prints the alerts for a responder: first one line per rule
// (most severe first: severity, rule, count, accounts, time span), then the
// alerts of each rule in the same order. The WHERE column is relative to the
// folder that holds every alerting file, named once above the details.
func writeAlertTable(w io.Writer, alerts []detect.Alert) error {
	if len(alerts) == 0 {
		_, err := fmt.Fprintln(w, "No root activity found.")
		return err
	}
	groups := groupAlerts(alerts)
	base := commonDir(alerts)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)

	bySev := map[detect.Severity]int{}
	for _, a := range alerts {
		bySev[a.Severity]++
	}
	var sevs []string
	for _, s := range severity.Descending {
		if bySev[s] > 0 {
			sevs = append(sevs, fmt.Sprintf("%d %s", bySev[s], s))
		}
	}
	fmt.Fprintf(tw, "%d alerts from %d rules (%s)\n\n", len(alerts), len(groups), strings.Join(sevs, ", "))
	fmt.Fprintln(tw, "SEVERITY\tRULE\tALERTS\tACCOUNTS\tFIRST\tLAST\tTITLE")
	for _, g := range groups {
		accounts := map[string]bool{}
		first, last := g.alerts[0].EventTime, g.alerts[0].EventTime
		for _, a := range g.alerts {
			accounts[a.AccountID] = true
			first, last = min(first, a.EventTime), max(last, a.EventTime)
		}
		row(tw, "", string(g.severity), g.id, strconv.Itoa(len(g.alerts)), strconv.Itoa(len(accounts)),
			dash(first), dash(last), g.alerts[0].Title)
	}
	if base != "" {
		fmt.Fprintf(tw, "\nWHERE is relative to %s\n", alertCell(base))
	}
	for _, g := range groups {
		fmt.Fprintf(tw, "\n%s [%s] %s: %d\n", alertCell(g.id), alertCell(string(g.severity)), alertCell(g.alerts[0].Title), len(g.alerts))
		fmt.Fprintln(tw, "  TIME\tSEV\tACCOUNT\tREGION\tEVENT\tSOURCE IP\tMFA\tROOT TASK\tWHO\tWHERE")
		for _, a := range g.alerts {
			row(tw, "  ", dash(a.EventTime), string(a.Severity), dash(a.AccountID), dash(a.Region), eventText(a), dash(a.SourceIP),
				mfa(a.MFAUsed), rootTaskText(a), dash(whoText(a)), whereText(a.Source, base))
		}
	}
	// What to do now: each account's runbook, once.
	var runbooks []string
	seen := map[string]bool{}
	for _, a := range alerts {
		if a.Runbook != "" && !seen[a.AccountID] {
			seen[a.AccountID] = true
			runbooks = append(runbooks, alertCell(a.AccountID)+"\t"+alertCell(a.Runbook))
		}
	}
	if len(runbooks) > 0 {
		fmt.Fprintln(tw, "\nRUNBOOKS (incident response for unexpected root activity)")
		for _, r := range runbooks {
			fmt.Fprintln(tw, "  "+r)
		}
	}
	return tw.Flush()
}

// maxAlertCell is the widest a table cell may be, in runes; a longer value
// (from a crafted record) is cut so that the columns stay readable.
const maxAlertCell = 120

// alertCell is s as the table shows it: escaped for the terminal and cut to
// maxAlertCell.
func alertCell(s string) string {
	return termsafe.Shorten(termsafe.Escape(s, false), maxAlertCell)
}

// row writes one table row: prefix, then the cells (see alertCell) between
// tabs.
func row(w io.Writer, prefix string, cells ...string) {
	for i, c := range cells {
		cells[i] = alertCell(c)
	}
	fmt.Fprintf(w, "%s%s\n", prefix, strings.Join(cells, "\t"))
}

type alertGroup struct {
	id       string
	severity detect.Severity // the highest of the group's alerts
	alerts   []detect.Alert
}

// groupAlerts groups alerts by rule, most severe group first, then in
// registry order (rules the registry does not know last, by ID); each
// group's alerts in time order.
func groupAlerts(alerts []detect.Alert) []alertGroup {
	idx := map[string]int{}
	var gs []alertGroup
	for _, a := range alerts {
		i, ok := idx[a.RuleID]
		if !ok {
			i = len(gs)
			idx[a.RuleID] = i
			gs = append(gs, alertGroup{id: a.RuleID, severity: a.Severity})
		}
		g := &gs[i]
		g.alerts = append(g.alerts, a)
		if a.Severity.Rank() > g.severity.Rank() {
			g.severity = a.Severity
		}
	}
	for i := range gs {
		slices.SortStableFunc(gs[i].alerts, func(a, b detect.Alert) int { return cmp.Compare(a.EventTime, b.EventTime) })
	}
	order := map[string]int{}
	for i, r := range detect.Rules() {
		order[r.ID] = i
	}
	pos := func(id string) int {
		if i, ok := order[id]; ok {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(gs, func(a, b alertGroup) int {
		return cmp.Or(cmp.Compare(b.severity.Rank(), a.severity.Rank()),
			cmp.Compare(pos(a.id), pos(b.id)), cmp.Compare(a.id, b.id))
	})
	return gs
}

// commonDir returns the longest folder (ending in "/") that holds every
// alert's source file, or "" when they share none.
func commonDir(alerts []detect.Alert) string {
	var dir string
	for i, a := range alerts {
		f := filepath.ToSlash(a.Source.File)
		for _, s := range a.Sources {
			f = commonPrefix(f, filepath.ToSlash(s.File))
		}
		if i == 0 {
			dir = f
		} else {
			dir = commonPrefix(dir, f)
		}
	}
	j := strings.LastIndexByte(dir, '/')
	if j < 0 {
		return ""
	}
	return dir[:j+1]
}

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

func whereText(src detect.Source, base string) string {
	f := strings.TrimPrefix(filepath.ToSlash(src.File), base)
	return fmt.Sprintf("%s#%d", dash(f), src.Index)
}

// eventText is the service and event name, with the count of an aggregate,
// the error of a failed call, and the target of an AssumeRoot call.
func eventText(a detect.Alert) string {
	event := strings.TrimSuffix(a.EventSource, ".amazonaws.com") + " " + a.EventName
	if a.Count > 0 {
		event = fmt.Sprintf("%s ×%d", event, a.Count)
	}
	if a.RuleID == detect.RuleAssumeRootCalled && a.TargetAccount != "" {
		event += " → " + a.TargetAccount
	}
	if a.TaskPolicy != "" {
		event += " (" + a.TaskPolicy[strings.LastIndexByte(a.TaskPolicy, '/')+1:] + ")"
	}
	if a.ErrorCode != "" {
		event += " [" + a.ErrorCode + "]"
	}
	return dash(strings.TrimSpace(event))
}

// rootTaskText says whether the action needed root. A sign-in is not a task
// ("-"), and "use a role" is said only of work done with root's own power.
func rootTaskText(a detect.Alert) string {
	switch {
	case a.RootRequired:
		return "yes: " + a.RootTask
	case a.EventName == "ConsoleLogin":
		return "-"
	case strings.HasSuffix(a.Principal, ":root") || a.RuleID == detect.RuleFederatedSession:
		return "no (use a role)"
	}
	return "-"
}

// whoText is the acting principal, and for an AssumeRoot session who opened
// it.
func whoText(a detect.Alert) string {
	if a.RuleID == detect.RuleAssumeRootSession && a.Caller != "" {
		return "via " + a.Caller
	}
	return cmp.Or(a.Principal, a.Caller)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func mfa(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "yes"
	}
	return "NO"
}
