package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// Widths of the table: the default, and the least it is made (narrower
// than that, the wrapped text would not fit beside the status columns).
const (
	defaultTableWidth = 100
	minTableWidth     = 40
)

// Column layout of a finding row: "  STATUS   severity  check-id".
const (
	statusCol = 9  // "UNKNOWN" + 2
	sevCol    = 10 // "critical" + 2
	rowIndent = 2
	textCol   = rowIndent + statusCol + sevCol
)

// maxWorst is how many accounts the "worst accounts" list names.
const maxWorst = 5

// ANSI styles.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiBoldRed = "\x1b[1;31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiCyan    = "\x1b[36m"
)

type painter struct{ color bool }

func (p painter) paint(style, s string) string {
	if !p.color || style == "" || s == "" {
		return s
	}
	return style + s + ansiReset
}

func statusStyle(s checks.Status) string {
	switch s {
	case checks.Fail:
		return ansiRed
	case checks.Unknown:
		return ansiYellow
	case checks.Pass:
		return ansiGreen
	}
	return ansiDim
}

// statusRank orders statuses within a severity: FAIL, UNKNOWN, PASS, N/A.
func statusRank(s checks.Status) int {
	return slices.Index([]checks.Status{checks.Fail, checks.Unknown, checks.Pass, checks.NotApplicable}, s)
}

func severityStyle(s checks.Severity) string {
	switch s {
	case checks.Critical:
		return ansiBoldRed
	case checks.High:
		return ansiRed
	case checks.Medium:
		return ansiYellow
	case checks.Low:
		return ansiCyan
	}
	return ansiDim
}

// writeTable writes the human view: a header, the summary, the worst
// accounts, then each account's FAIL and UNKNOWN findings.
func writeTable(w io.Writer, r *Report, opts Options) error {
	bw := bufio.NewWriter(w)
	width := defaultTableWidth
	if opts.Width > 0 {
		width = max(opts.Width, minTableWidth)
	}
	t := &tableWriter{w: bw, p: painter{color: opts.Color}, width: width}
	t.header(r)
	t.summary(r)
	t.diff(r)
	t.accounts(r, opts.Verbose)
	t.footer(r, opts.Verbose)
	return bw.Flush()
}

type tableWriter struct {
	w     *bufio.Writer
	p     painter
	width int
}

func (t *tableWriter) line(parts ...string) {
	for _, s := range parts {
		t.w.WriteString(s)
	}
	t.w.WriteByte('\n')
}

func (t *tableWriter) header(r *Report) {
	m := r.Meta
	t.line(t.p.paint(ansiBold, "rootguard findings report"))
	gen := "  Generated  " + fmtTime(r.GeneratedAt)
	if m.Tool != "" {
		gen += " by " + termsafe.Escape(m.Tool, false)
	}
	t.line(gen)
	var src []string
	if m.OrganizationID != "" {
		src = append(src, "organization "+termsafe.Escape(m.OrganizationID, false))
	}
	if m.Mode != "" {
		src = append(src, "mode "+termsafe.Escape(m.Mode, false))
	}
	if !m.CollectedAt.IsZero() {
		src = append(src, "collected "+fmtTime(m.CollectedAt))
	}
	if len(src) > 0 {
		t.line("  Source     " + strings.Join(src, " · "))
	}
	if m.CallerARN != "" {
		t.line("  Caller     " + termsafe.Escape(m.CallerARN, false))
	}
	t.line()
}

func (t *tableWriter) summary(r *Report) {
	s := &r.Summary
	t.line(t.p.paint(ansiBold, "SUMMARY"))

	acc := plural(s.AccountsAssessed, "account", "accounts") + " assessed"
	if n := len(s.NotFullyAssessed); n > 0 {
		acc += " · " + t.p.paint(ansiYellow, fmt.Sprintf("%d not fully assessed", n))
	}
	t.line("  Accounts   ", acc)

	t.line("  Findings   ", t.p.statusCounts(s.ByStatus, true), fmt.Sprintf("  (%d total)", s.Findings))

	t.line("  Failures   ", t.p.severityCounts(s.FailuresBySeverity, "none"))
	if s.Muted > 0 {
		t.line("  Muted      ", plural(s.Muted, "finding", "findings"), " accepted by the mutelist (shown as MUTED, ignored by --fail-on)")
	}
	if r.Mutelist != nil {
		for _, e := range r.Mutelist.Expired {
			t.line("  ", t.p.paint(ansiYellow, "Expired"), "    mutelist entry no longer applied: ", termsafe.Escape(expiredText(e), false))
		}
	}

	worst := s.worstAccounts()
	if len(worst) > 0 {
		t.line()
		t.line("  Worst accounts")
		labels := make([]string, 0, maxWorst)
		width := 0
		for i, a := range worst {
			if i == maxWorst {
				break
			}
			l := termsafe.Escape(accountLabel(a.AccountName, a.AccountID), false)
			labels = append(labels, l)
			width = max(width, utf8.RuneCountInString(l))
		}
		for i, l := range labels {
			a := worst[i]
			parts := []string{}
			if a.ByStatus.Fail > 0 {
				parts = append(parts, t.p.severityCounts(a.FailuresBySeverity, ""))
			}
			if a.ByStatus.Unknown > 0 {
				parts = append(parts, t.p.paint(ansiYellow, fmt.Sprintf("%d UNKNOWN", a.ByStatus.Unknown)))
			}
			t.line("    ", pad(l, width), "   ", strings.Join(parts, " · "))
		}
		if n := len(worst) - maxWorst; n > 0 {
			t.line("    … and ", plural(n, "more account", "more accounts"), " with findings")
		}
	}
	t.line()
}

// diff lists the changes since the baseline, NEW first.
func (t *tableWriter) diff(r *Report) {
	d := r.Diff
	if d == nil {
		return
	}
	t.line(t.p.paint(ansiBold, "CHANGES SINCE BASELINE"), " of ", fmtTime(d.BaselineGeneratedAt))
	t.line("  ", fmt.Sprintf("%d new · %d resolved · %d changed", len(d.New), len(d.Resolved), len(d.Changed)))
	for _, g := range d.groups() {
		for _, e := range sorted(g.entries) {
			label := t.p.paint(map[string]string{"NEW": ansiBoldRed, "RESOLVED": ansiGreen}[g.label], pad(g.label, 10))
			t.line("  ", label, pad(termsafe.Escape(string(e.Severity), false), sevCol), termsafe.Escape(accountLabel(e.AccountName, e.AccountID), false),
				"  ", termsafe.Escape(e.CheckID, false), "  ", termsafe.Escape(transition(e), false))
		}
	}
	t.line()
}

// statusCounts renders "7 FAIL · 2 UNKNOWN · 12 PASS · 3 N/A", leaving out
// zero counts unless all is set.
func (p painter) statusCounts(c StatusCounts, all bool) string {
	var parts []string
	for _, sc := range []struct {
		s checks.Status
		n int
	}{
		{checks.Fail, c.Fail},
		{checks.Unknown, c.Unknown},
		{checks.Pass, c.Pass},
		{checks.NotApplicable, c.NotApplicable},
	} {
		if sc.n == 0 && !all {
			continue
		}
		text := fmt.Sprintf("%d %s", sc.n, statusLabel(sc.s))
		if sc.n > 0 {
			text = p.paint(statusStyle(sc.s), text)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " · ")
}

// severityCounts renders "1 critical · 2 high", leaving out zero counts;
// none is returned when every count is zero.
func (p painter) severityCounts(c SeverityCounts, none string) string {
	var parts []string
	for _, sc := range c.bySeverity() {
		if sc.n > 0 {
			parts = append(parts, p.paint(severityStyle(sc.sev), fmt.Sprintf("%d %s", sc.n, sc.sev)))
		}
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, " · ")
}

// accounts lists each account's FAIL and UNKNOWN findings (all of them when
// verbose), the management account first; then the accounts with nothing to
// list (ALL CLEAR), then the suspended and closed accounts, which were not
// assessed.
func (t *tableWriter) accounts(r *Report, verbose bool) {
	if len(r.Findings) == 0 {
		t.line("No findings: no account was assessed.")
		return
	}
	groups := r.groups()
	if i := slices.IndexFunc(groups, func(g accountGroup) bool { return g.AccountID == r.Meta.ManagementAccountID }); i > 0 {
		groups = slices.Concat(groups[i:i+1], groups[:i], groups[i+1:])
	}
	var quiet, inactive []accountGroup
	listed := 0
	for _, g := range groups {
		if r.Meta.Inactive[g.AccountID] != "" {
			inactive = append(inactive, g)
			continue
		}
		rows := shownOf(g.Findings, verbose)
		if len(rows) == 0 {
			quiet = append(quiet, g)
			continue
		}
		if listed == 0 {
			t.line(t.p.paint(ansiBold, "FINDINGS BY ACCOUNT"))
			t.line()
		}
		listed++
		t.account(g, rows)
	}
	t.accountList("ALL CLEAR", quiet, func(g accountGroup) string { return t.p.statusCounts(g.ByStatus, false) })
	t.accountList("SUSPENDED OR CLOSED (not assessed)", inactive, func(g accountGroup) string {
		return termsafe.Escape(r.Meta.Inactive[g.AccountID], false)
	})
}

// accountList writes a heading and one line per account: its label, then
// what says.
func (t *tableWriter) accountList(heading string, gs []accountGroup, says func(accountGroup) string) {
	if len(gs) == 0 {
		return
	}
	t.line(t.p.paint(ansiBold, heading))
	labels := make([]string, len(gs))
	width := 0
	for i, g := range gs {
		labels[i] = termsafe.Escape(accountLabel(g.AccountName, g.AccountID), false)
		width = max(width, utf8.RuneCountInString(labels[i]))
	}
	for i, g := range gs {
		t.line("  ", pad(labels[i], width), "   ", says(g))
	}
	t.line()
}

func (t *tableWriter) account(g accountGroup, rows []checks.Finding) {
	label := termsafe.Escape(accountLabel(g.AccountName, g.AccountID), false)
	counts := t.p.statusCounts(g.ByStatus, false)
	countsWidth := utf8.RuneCountInString(painter{}.statusCounts(g.ByStatus, false))
	gap := max(t.width-utf8.RuneCountInString(label)-countsWidth, 3)
	t.line(t.p.paint(ansiBold, label), strings.Repeat(" ", gap), counts)
	t.line(t.p.paint(ansiDim, strings.Repeat("─", t.width)))
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b checks.Finding) int {
		return cmp.Or(cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), cmp.Compare(statusRank(a.Status), statusRank(b.Status)))
	})
	rows, shared := groupUnknown(rows)
	indent := strings.Repeat(" ", textCol)
	for i, f := range rows {
		if i > 0 {
			t.line()
		}
		status := t.p.paint(statusStyle(f.Status), pad(statusLabel(f.Status), statusCol))
		if ids := shared[i]; len(ids) > 0 {
			t.line(strings.Repeat(" ", rowIndent), status, pad(fmt.Sprintf("%d checks", len(ids)), sevCol), "could not assess:")
			for _, l := range wrap(termsafe.Escape(f.Detail, true)+"\n"+termsafe.Escape(strings.Join(ids, ", "), false), t.width-textCol) {
				t.line(indent, l)
			}
			continue
		}
		sev := t.p.paint(severityStyle(f.Severity), pad(termsafe.Escape(string(f.Severity), false), sevCol))
		t.line(strings.Repeat(" ", rowIndent), status, sev, termsafe.Escape(f.CheckID, false))
		detail := termsafe.Escape(f.Detail, true)
		if strings.TrimSpace(detail) == "" {
			detail = termsafe.Escape(f.Title, false)
		}
		for _, l := range wrap(detail, t.width-textCol) {
			if l == "" {
				t.line()
				continue
			}
			t.line(indent, l)
		}
		if f.Muted != nil {
			for _, l := range wrap(termsafe.Escape(muteText(f.Muted), true), t.width-textCol) {
				t.line(indent, t.p.paint(ansiCyan, l))
			}
		}
	}
	t.line()
}

// minShared is how many UNKNOWN findings of one account must share a cause
// before the table prints the cause once for all of them.
const minShared = 3

// groupUnknown folds the UNKNOWN findings of one account that failed for the
// same reason (the same failed call, as named in the detail) into one row.
// The folded row's Detail is the shared cause; shared maps its index in the
// returned rows to the check IDs it stands for.
func groupUnknown(rows []checks.Finding) ([]checks.Finding, map[int][]string) {
	cause := func(f checks.Finding) string {
		if f.Status != checks.Unknown {
			return ""
		}
		api, _ := f.Evidence["source_api"].(string)
		if api == "" {
			return ""
		}
		if i := strings.Index(f.Detail, api+" failed: "); i >= 0 {
			return f.Detail[i:]
		}
		return ""
	}
	count := map[string]int{}
	for _, f := range rows {
		if c := cause(f); c != "" {
			count[c]++
		}
	}
	var out []checks.Finding
	shared := map[int][]string{}
	at := map[string]int{}
	for _, f := range rows {
		c := cause(f)
		if c == "" || count[c] < minShared {
			out = append(out, f)
			continue
		}
		i, ok := at[c]
		if !ok {
			i = len(out)
			at[c] = i
			out = append(out, checks.Finding{Status: checks.Unknown, Detail: c})
		}
		shared[i] = append(shared[i], f.CheckID)
	}
	return out, shared
}

func (t *tableWriter) footer(r *Report, verbose bool) {
	s := &r.Summary
	if !verbose && s.ByStatus.Pass+s.ByStatus.NotApplicable > 0 {
		t.line(t.p.paint(ansiDim, fmt.Sprintf("%d PASS and %d N/A findings are not listed; --verbose lists them.",
			s.ByStatus.Pass, s.ByStatus.NotApplicable)))
	}
	if s.ByStatus.Fail+s.ByStatus.Unknown > 0 {
		t.line(t.p.paint(ansiDim, "Run `rootguard explain <check-id>` for what a check means and how to fix it."))
	}
}

// fmtTime is the table's time format: minutes, UTC.
func fmtTime(tm time.Time) string {
	return tm.UTC().Format("2006-01-02 15:04 UTC")
}
