// Package mutelist decides what a scan reports: suppressions that a named
// person accepted until a date (the mutelist file, as Prowler users know
// it) and the report filters (--check, --severity, --account…). It is pure:
// it reads findings and the organization's tree from the snapshot and
// marks or selects findings; it never hides a muted finding.
package mutelist

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/suggest"
	"github.com/rootguard/rootguard/internal/yamlx"
)

// Schema names the version of the mutelist file.
const Schema = "rootguard.mutelist/v1"

// MaxSize is the largest mutelist file read, in bytes: thousands of
// entries fit in far less.
const MaxSize = 1 << 20

// dateLayout is the form of an expiry date.
const dateLayout = "2006-01-02"

// List is a decoded mutelist file.
type List struct {
	Schema  string  `yaml:"schema" json:"-"`
	Entries []Entry `yaml:"mutes" json:"-"`
}

// Entry accepts the risk of one check's findings in some accounts.
type Entry struct {
	// Check is a check ID, or "*" for every check.
	Check string `yaml:"check" json:"check"`
	// Accounts are account IDs, organization root or OU IDs ("r-…",
	// "ou-…"), OU paths by name ("/Workloads/Sandbox", every account
	// below), or "*" for every account.
	Accounts []string `yaml:"accounts" json:"accounts"`
	// Reason says why the risk is accepted.
	Reason string `yaml:"reason" json:"reason"`
	// AcceptedBy names who accepted the risk.
	AcceptedBy string `yaml:"accepted_by" json:"accepted_by"`
	// Expires is the last day (UTC, YYYY-MM-DD) the entry applies.
	Expires string `yaml:"expires" json:"expires"`
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// Parse decodes and validates a mutelist. name is used in error
// messages (a file path); known are the check IDs an entry may name.
func Parse(name string, data []byte, known []string) (*List, error) {
	doc, err := yamlx.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("mutelist %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
	}
	var l List
	if doc != nil {
		if err := yamlx.Decode(doc, &l, yaml.DisallowUnknownField()); err != nil {
			return nil, fmt.Errorf("mutelist %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
		}
	}
	if l.Schema != Schema {
		return nil, fmt.Errorf("mutelist %s: schema %q: want %q", name, l.Schema, Schema)
	}
	for i, e := range l.Entries {
		if err := e.validate(known); err != nil {
			return nil, fmt.Errorf("mutelist %s: mutes[%d]: %w", name, i, err)
		}
	}
	return &l, nil
}

// Load reads and parses a mutelist file of at most MaxSize bytes.
func Load(path string, known []string) (*List, error) {
	data, err := filelimit.ReadFile(path, MaxSize)
	if err != nil {
		return nil, fmt.Errorf("mutelist %s: %w", path, err)
	}
	return Parse(path, data, known)
}

func (e Entry) validate(known []string) error {
	if e.Check != "*" && !slices.Contains(known, e.Check) {
		return fmt.Errorf("check %q is not a rootguard check%s", e.Check, suggest.DidYouMean(e.Check, known))
	}
	if len(e.Accounts) == 0 {
		return errors.New(`accounts: name at least one account ID, OU ID, OU path or "*"`)
	}
	for _, a := range e.Accounts {
		if err := validScope(a); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
	}
	if strings.TrimSpace(e.Reason) == "" {
		return errors.New("reason: say why the risk is accepted")
	}
	if strings.TrimSpace(e.AcceptedBy) == "" {
		return errors.New("accepted_by: name who accepted the risk")
	}
	if _, err := time.Parse(dateLayout, e.Expires); err != nil {
		return fmt.Errorf("expires %q: want a date such as 2027-06-30", e.Expires)
	}
	return nil
}

// validScope checks one account selector of an entry or of --account/--ou.
func validScope(a string) error {
	switch {
	case a == "*", accountID.MatchString(a), strings.HasPrefix(a, "ou-"), strings.HasPrefix(a, "r-"),
		strings.HasPrefix(a, "/") && len(a) > 1:
		return nil
	}
	return fmt.Errorf("%q: want a 12-digit account ID, an OU or root ID (ou-…, r-…), an OU path (/Name/Name) or *", a)
}

// expiry is the first instant the entry no longer applies.
func (e Entry) expiry() time.Time {
	d, _ := time.Parse(dateLayout, e.Expires)
	return d.AddDate(0, 0, 1)
}

// Expired reports whether the entry no longer applies at now.
func (e Entry) Expired(now time.Time) bool { return !now.Before(e.expiry()) }

func (e Entry) matches(f checks.Finding, t Tree) bool {
	if e.Check != "*" && e.Check != f.CheckID {
		return false
	}
	for _, a := range e.Accounts {
		if t.In(f.AccountID, a) {
			return true
		}
	}
	return false
}

// Result is what applying a mutelist did.
type Result struct {
	// Entries counts the entries of the list.
	Entries int `json:"entries"`
	// Muted counts the findings muted.
	Muted int `json:"muted"`
	// Expired are the entries past their date: they muted nothing.
	Expired []Entry `json:"expired"`
}

// Apply marks each finding that an unexpired entry matches as muted (the
// first such entry wins) and returns what it did. Statuses are unchanged.
func (l *List) Apply(fs []checks.Finding, t Tree, now time.Time) Result {
	r := Result{Entries: len(l.Entries), Expired: []Entry{}}
	var live []Entry
	for _, e := range l.Entries {
		if e.Expired(now) {
			r.Expired = append(r.Expired, e)
		} else {
			live = append(live, e)
		}
	}
	for i := range fs {
		for _, e := range live {
			if e.matches(fs[i], t) {
				fs[i].Muted = &checks.Mute{Reason: e.Reason, AcceptedBy: e.AcceptedBy, Expires: e.Expires}
				r.Muted++
				break
			}
		}
	}
	return r
}

// oneLine joins a multi-line decoder message.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
