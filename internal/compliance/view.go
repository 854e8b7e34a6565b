package compliance

import (
	"github.com/rootguard/rootguard/internal/checks"
)

// Manual is a requirement's status where no check stands behind it.
const Manual = "MANUAL"

// Account is one column of a view.
type Account struct {
	ID, Name string
}

// View is a framework's requirements with the status of each account.
type View struct {
	Framework Framework
	Accounts  []Account
	Rows      []Row
}

// Row is one requirement: its status per account (the worst of its
// checks': FAIL, then UNKNOWN, then PASS, then NOT_APPLICABLE; MANUAL
// without checks) and each check's status per account.
type Row struct {
	Requirement Requirement
	Status      []string            // per account, in View.Accounts order
	Checks      map[string][]string // check ID → status per account
}

// rank orders statuses from the worst.
var rank = map[string]int{string(checks.Fail): 0, string(checks.Unknown): 1, string(checks.Pass): 2, string(checks.NotApplicable): 3}

// NewView places findings under f's requirements, accounts in the order
// findings name them. A check with no finding for an account is UNKNOWN
// there: nothing read is never an all-clear.
func NewView(f Framework, findings []checks.Finding) View {
	v := View{Framework: f}
	col := map[string]int{}
	status := map[[2]string]string{}
	for _, fd := range findings {
		if _, ok := col[fd.AccountID]; !ok {
			col[fd.AccountID] = len(v.Accounts)
			v.Accounts = append(v.Accounts, Account{ID: fd.AccountID, Name: fd.AccountName})
		}
		status[[2]string{fd.CheckID, fd.AccountID}] = string(fd.Status)
	}
	for _, r := range f.Requirements {
		row := Row{Requirement: r, Status: make([]string, len(v.Accounts)), Checks: map[string][]string{}}
		for i, a := range v.Accounts {
			if len(r.Checks) == 0 {
				row.Status[i] = Manual
				continue
			}
			worst := ""
			for _, c := range r.Checks {
				s, ok := status[[2]string{c, a.ID}]
				if !ok {
					s = string(checks.Unknown)
				}
				row.Checks[c] = append(row.Checks[c], s)
				if worst == "" || rank[s] < rank[worst] {
					worst = s
				}
			}
			row.Status[i] = worst
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// Counts is how many accounts have each status in a row.
func (r Row) Counts() map[string]int {
	n := map[string]int{}
	for _, s := range r.Status {
		n[s]++
	}
	return n
}
