package mutelist

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/suggest"
)

// statuses are the values --status takes.
var statuses = []checks.Status{checks.Pass, checks.Fail, checks.Unknown, checks.NotApplicable}

// Filter selects the findings a scan reports. An empty list selects
// everything; a finding is kept when every non-empty list selects it.
type Filter struct {
	Checks        []string
	ExcludeChecks []string
	Severities    []checks.Severity
	Statuses      []checks.Status
	// Accounts are account IDs, root or OU IDs, or OU paths (see Entry).
	Accounts []string
}

// NewFilter validates the filter flags' values: check IDs against known
// (with a suggestion), severities, statuses, account IDs and OUs (root or
// OU IDs, or OU paths).
func NewFilter(checkIDs, exclude, severities, statusNames, accounts, ous []string, known []string) (Filter, error) {
	f := Filter{Checks: checkIDs, ExcludeChecks: exclude, Accounts: slices.Concat(accounts, ous)}
	for _, id := range slices.Concat(checkIDs, exclude) {
		if !slices.Contains(known, id) {
			return Filter{}, fmt.Errorf("check %q is not a rootguard check%s", id, suggest.DidYouMean(id, known))
		}
	}
	for _, s := range severities {
		sev, err := checks.ParseSeverity(s)
		if err != nil {
			return Filter{}, err
		}
		f.Severities = append(f.Severities, sev)
	}
	for _, s := range statusNames {
		st := checks.Status(strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
		if st == "N/A" {
			st = checks.NotApplicable
		}
		if !slices.Contains(statuses, st) {
			return Filter{}, fmt.Errorf("status %q: want one of PASS, FAIL, UNKNOWN, NOT_APPLICABLE", s)
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, a := range accounts {
		if !accountID.MatchString(a) {
			return Filter{}, fmt.Errorf("account %q: want a 12-digit account ID", a)
		}
	}
	for _, o := range ous {
		if err := validScope(o); err != nil || o == "*" || accountID.MatchString(o) {
			return Filter{}, fmt.Errorf("OU %q: want an OU or root ID (ou-…, r-…) or an OU path (/Name/Name)", o)
		}
	}
	return f, nil
}

// Keep reports whether the filter selects finding fd.
func (f Filter) Keep(fd checks.Finding, t Tree) bool {
	if len(f.Checks) > 0 && !slices.Contains(f.Checks, fd.CheckID) {
		return false
	}
	if slices.Contains(f.ExcludeChecks, fd.CheckID) {
		return false
	}
	if len(f.Severities) > 0 && !slices.Contains(f.Severities, fd.Severity) {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, fd.Status) {
		return false
	}
	if len(f.Accounts) > 0 && !slices.ContainsFunc(f.Accounts, func(a string) bool { return t.In(fd.AccountID, a) }) {
		return false
	}
	return true
}

// Unmatched returns the --account and --ou values that select no account
// of t: a filter that reports nothing because its selector names no
// account must not read as an all-clear.
func (f Filter) Unmatched(t Tree) []string {
	var out []string
	for _, sel := range f.Accounts {
		found := false
		for account := range t {
			if t.In(account, sel) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, sel)
		}
	}
	return out
}

// Select returns the findings of fs that the filter keeps, in order.
func (f Filter) Select(fs []checks.Finding, t Tree) []checks.Finding {
	out := make([]checks.Finding, 0, len(fs))
	for _, fd := range fs {
		if f.Keep(fd, t) {
			out = append(out, fd)
		}
	}
	return out
}
