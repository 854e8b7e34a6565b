package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/mutelist"
)

// SchemaID names the version of the json document.
const SchemaID = "rootguard.findings/v1"

// Formats lists the names Write accepts, the default first.
var Formats = []string{"table", "json", "csv", "markdown", "html", "asff", "ocsf"}

// Meta describes where the findings came from.
type Meta struct {
	// Mode is how the scan ran, e.g. "org", "accounts", "snapshot", "demo".
	Mode string `json:"mode"`
	// OrganizationID is the AWS Organization ("o-…"); empty for a
	// standalone account.
	OrganizationID string `json:"organization_id"`
	// CallerARN is the identity the collection ran as. asff takes the
	// importing account and partition from it.
	CallerARN string `json:"caller_arn"`
	// CollectedAt is when the snapshot was collected; zero if unknown.
	CollectedAt time.Time `json:"collected_at,omitzero"`
	// Tool is "rootguard <version>".
	Tool string `json:"tool"`
	// ManagementAccountID is the organization's management account, which
	// the table lists first (SEC01-BP02: secure it first).
	ManagementAccountID string `json:"-"`
	// Inactive maps each suspended or closed account to its state; the
	// table lists them apart from the accounts it assessed.
	Inactive map[string]string `json:"-"`
}

// Report is a rendered scan: findings, their source and a summary.
type Report struct {
	Schema      string           `json:"schema"`
	GeneratedAt time.Time        `json:"generated_at"`
	Meta        Meta             `json:"source"`
	Findings    []checks.Finding `json:"findings"`
	Summary     Summary          `json:"summary"`
	// Mutelist is what the mutelist did, absent when none was given.
	Mutelist *mutelist.Result `json:"mutelist,omitempty"`
	// Diff is what changed since the baseline, absent without one.
	Diff *Diff `json:"diff,omitempty"`
}

// Options tune the renderers.
type Options struct {
	// Color adds ANSI colour to the table. The CLI sets it only on a terminal.
	Color bool
	// Verbose lists PASS and NOT_APPLICABLE findings in table and markdown.
	Verbose bool
	// Region is the Security Hub Region asff findings are imported into (it
	// is part of ProductArn). Empty means us-east-1.
	Region string
	// Width is the column the table wraps at; 0 means 100. The CLI sets
	// the terminal's width.
	Width int
}

// Summary condenses the findings.
type Summary struct {
	// AccountsAssessed counts distinct accounts among the findings.
	AccountsAssessed int `json:"accounts_assessed"`
	// Findings counts all findings.
	Findings int `json:"findings"`
	// ByStatus counts findings by status.
	ByStatus StatusCounts `json:"by_status"`
	// FailuresBySeverity counts FAIL findings by severity.
	FailuresBySeverity SeverityCounts `json:"failures_by_severity"`
	// Accounts has one entry per account, in the order accounts first
	// appear in the findings.
	Accounts []AccountSummary `json:"accounts"`
	// NotFullyAssessed lists the accounts with UNKNOWN findings and why.
	NotFullyAssessed []NotAssessed `json:"not_fully_assessed"`
	// Checks has per-check counts, in the order checks first appear.
	Checks []CheckSummary `json:"checks"`
	// Muted counts the findings a mutelist entry accepts (they keep
	// their status and are counted above too).
	Muted int `json:"muted,omitzero"`
}

// StatusCounts counts findings by status.
type StatusCounts struct {
	Pass          int `json:"PASS"`
	Fail          int `json:"FAIL"`
	Unknown       int `json:"UNKNOWN"`
	NotApplicable int `json:"NOT_APPLICABLE"`
}

func (c *StatusCounts) add(s checks.Status) {
	switch s {
	case checks.Pass:
		c.Pass++
	case checks.Fail:
		c.Fail++
	case checks.Unknown:
		c.Unknown++
	case checks.NotApplicable:
		c.NotApplicable++
	}
}

// SeverityCounts counts findings by severity.
type SeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

func (c *SeverityCounts) add(s checks.Severity) {
	switch s {
	case checks.Critical:
		c.Critical++
	case checks.High:
		c.High++
	case checks.Medium:
		c.Medium++
	case checks.Low:
		c.Low++
	case checks.Info:
		c.Info++
	}
}

// bySeverity returns the counts highest severity first.
func (c SeverityCounts) bySeverity() []sevCount {
	return []sevCount{
		{checks.Critical, c.Critical},
		{checks.High, c.High},
		{checks.Medium, c.Medium},
		{checks.Low, c.Low},
		{checks.Info, c.Info},
	}
}

type sevCount struct {
	sev checks.Severity
	n   int
}

// AccountSummary counts one account's findings.
type AccountSummary struct {
	AccountID          string         `json:"account_id"`
	AccountName        string         `json:"account_name"`
	ByStatus           StatusCounts   `json:"by_status"`
	FailuresBySeverity SeverityCounts `json:"failures_by_severity"`
}

// NotAssessed is an account that could not be fully assessed.
type NotAssessed struct {
	AccountID   string          `json:"account_id"`
	AccountName string          `json:"account_name"`
	Reasons     []UnknownReason `json:"reasons"`
}

// UnknownReason is one UNKNOWN finding: the check and why.
type UnknownReason struct {
	CheckID string `json:"check_id"`
	Detail  string `json:"detail"`
}

// CheckSummary counts one check's findings across accounts.
type CheckSummary struct {
	CheckID  string          `json:"check_id"`
	Title    string          `json:"title"`
	Severity checks.Severity `json:"severity"`
	ByStatus StatusCounts    `json:"by_status"`
}

// New builds a Report. The findings are copied in the order given; nil
// evidence and references become empty so that the json output always has
// objects and arrays there. generatedAt is converted to UTC.
func New(meta Meta, findings []checks.Finding, generatedAt time.Time) *Report {
	fs := make([]checks.Finding, len(findings))
	for i, f := range findings {
		if f.Muted != nil {
			m := *f.Muted
			f.Muted = &m
		}
		if f.Evidence == nil {
			f.Evidence = map[string]any{}
		} else {
			f.Evidence = maps.Clone(f.Evidence)
		}
		if f.References.CIS == nil {
			f.References.CIS = []string{}
		}
		if f.References.SecurityHub == nil {
			f.References.SecurityHub = []string{}
		}
		fs[i] = f
	}
	if !meta.CollectedAt.IsZero() {
		meta.CollectedAt = meta.CollectedAt.UTC()
	}
	return &Report{
		Schema:      SchemaID,
		GeneratedAt: generatedAt.UTC(),
		Meta:        meta,
		Findings:    fs,
		Summary:     summarize(fs),
	}
}

func summarize(fs []checks.Finding) Summary {
	s := Summary{
		Findings:         len(fs),
		Accounts:         []AccountSummary{},
		NotFullyAssessed: []NotAssessed{},
		Checks:           []CheckSummary{},
	}
	accIdx := map[string]int{}
	naIdx := map[string]int{}
	checkIdx := map[string]int{}
	for _, f := range fs {
		s.ByStatus.add(f.Status)
		if f.Muted != nil {
			s.Muted++
		}
		if f.Status == checks.Fail {
			s.FailuresBySeverity.add(f.Severity)
		}

		i, ok := accIdx[f.AccountID]
		if !ok {
			i = len(s.Accounts)
			accIdx[f.AccountID] = i
			s.Accounts = append(s.Accounts, AccountSummary{AccountID: f.AccountID, AccountName: f.AccountName})
		}
		a := &s.Accounts[i]
		a.ByStatus.add(f.Status)
		if f.Status == checks.Fail {
			a.FailuresBySeverity.add(f.Severity)
		}

		if f.Status == checks.Unknown {
			j, ok := naIdx[f.AccountID]
			if !ok {
				j = len(s.NotFullyAssessed)
				naIdx[f.AccountID] = j
				s.NotFullyAssessed = append(s.NotFullyAssessed, NotAssessed{AccountID: f.AccountID, AccountName: f.AccountName})
			}
			na := &s.NotFullyAssessed[j]
			na.Reasons = append(na.Reasons, UnknownReason{CheckID: f.CheckID, Detail: f.Detail})
		}

		k, ok := checkIdx[f.CheckID]
		if !ok {
			k = len(s.Checks)
			checkIdx[f.CheckID] = k
			s.Checks = append(s.Checks, CheckSummary{CheckID: f.CheckID, Title: f.Title, Severity: f.Severity})
		}
		s.Checks[k].ByStatus.add(f.Status)
	}
	s.AccountsAssessed = len(s.Accounts)
	return s
}

// AtOrAbove counts unmuted FAIL findings whose severity is sev or higher;
// it backs scan --fail-on. A severity rootguard does not know ranks below
// info, so AtOrAbove("") counts every unmuted FAIL.
func (r *Report) AtOrAbove(sev checks.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if failsAt(f, sev) {
			n++
		}
	}
	return n
}

// failsAt reports whether f is an unmuted FAIL of severity sev or higher.
func failsAt(f checks.Finding, sev checks.Severity) bool {
	return f.Status == checks.Fail && f.Muted == nil && f.Severity.Rank() >= sev.Rank()
}

// muteText is "MUTED until 2027-06-30, accepted by X: reason", or "".
func muteText(m *checks.Mute) string {
	if m == nil {
		return ""
	}
	return "MUTED until " + m.Expires + ", accepted by " + m.AcceptedBy + ": " + m.Reason
}

// expiredText is one expired mutelist entry, for people.
func expiredText(e mutelist.Entry) string {
	return e.Check + " in " + strings.Join(e.Accounts, ", ") + " (accepted by " + e.AcceptedBy + ", expired " + e.Expires + ")"
}

// worstAccounts returns the accounts with a FAIL or UNKNOWN finding, worst
// first: by failures from critical down, then by UNKNOWN count, then by ID.
func (s *Summary) worstAccounts() []AccountSummary {
	var out []AccountSummary
	for _, a := range s.Accounts {
		if a.ByStatus.Fail > 0 || a.ByStatus.Unknown > 0 {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b AccountSummary) int {
		as, bs := a.FailuresBySeverity.bySeverity(), b.FailuresBySeverity.bySeverity()
		for i := range as {
			if as[i].n != bs[i].n {
				return bs[i].n - as[i].n
			}
		}
		if a.ByStatus.Unknown != b.ByStatus.Unknown {
			return b.ByStatus.Unknown - a.ByStatus.Unknown
		}
		return strings.Compare(a.AccountID, b.AccountID)
	})
	return out
}

// accountGroup is one account's findings, in the order given.
type accountGroup struct {
	AccountSummary
	Findings []checks.Finding
}

// groups returns the findings grouped by account, accounts in order of
// first appearance.
func (r *Report) groups() []accountGroup {
	idx := map[string]int{}
	out := make([]accountGroup, 0, len(r.Summary.Accounts))
	for _, a := range r.Summary.Accounts {
		idx[a.AccountID] = len(out)
		out = append(out, accountGroup{AccountSummary: a})
	}
	for _, f := range r.Findings {
		g := &out[idx[f.AccountID]]
		g.Findings = append(g.Findings, f)
	}
	return out
}

// shown reports whether a finding is listed in the table and markdown
// views: FAIL and UNKNOWN always, the rest only when verbose.
func shown(f checks.Finding, verbose bool) bool {
	return verbose || f.Status == checks.Fail || f.Status == checks.Unknown
}

// shownOf returns the findings of fs that shown lists, in order.
func shownOf(fs []checks.Finding, verbose bool) []checks.Finding {
	var out []checks.Finding
	for _, f := range fs {
		if shown(f, verbose) {
			out = append(out, f)
		}
	}
	return out
}

// Write renders r to w in format, one of Formats.
func Write(w io.Writer, format string, r *Report, opts Options) error {
	if r == nil {
		return fmt.Errorf("write %s report: no report", format)
	}
	var err error
	switch format {
	case "table":
		err = writeTable(w, r, opts)
	case "json":
		err = writeJSON(w, r)
	case "csv":
		err = writeCSV(w, r)
	case "markdown":
		err = writeMarkdown(w, r, opts)
	case "html":
		err = writeHTML(w, r)
	case "asff":
		err = writeASFF(w, r, opts)
	case "ocsf":
		err = writeOCSF(w, r)
	default:
		return fmt.Errorf("unknown report format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}

// statusLabel is the short status shown to people.
func statusLabel(s checks.Status) string {
	if s == checks.NotApplicable {
		return "N/A"
	}
	return string(s)
}

// plural returns "1 account" or "2 accounts".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// accountLabel is "name (id)", or just the ID when there is no name.
func accountLabel(name, id string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}
