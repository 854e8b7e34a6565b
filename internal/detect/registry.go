package detect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// registryErr is the result of validating the registry, computed once: NewEngine refuses to
// build an engine over an invalid registry.
// severities are the known severities, lowest first.
var severities = []Severity{Info, Low, Medium, High, Critical}

var registryErr = sync.OnceValue(func() error { return validateRules(registry) })

// validateRules checks a list of rules: unique kebab-case IDs, a title, documentation and a
// summary, a known severity, a scope whose clauses each test something (with sorted event
// names), prefilter needles, true- and false-positive samples, and logic for every rule that is
// not an aggregate.
func validateRules(rs []*Rule) error {
	seen := map[string]bool{}
	var errs []error
	for _, r := range rs {
		if err := validateRule(r); err != nil {
			errs = append(errs, err)
		}
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("rule %s: registered twice", r.ID))
		}
		seen[r.ID] = true
	}
	return errors.Join(errs...)
}

func validateRule(r *Rule) error {
	switch {
	case r.ID == "" || strings.ToLower(r.ID) != r.ID || strings.ContainsAny(r.ID, " _"):
		return fmt.Errorf("rule %q: ID must be non-empty kebab-case", r.ID)
	case r.Title == "":
		return fmt.Errorf("rule %s: no title", r.ID)
	case !slices.Contains(severities, r.Severity):
		return fmt.Errorf("rule %s: unknown severity %q", r.ID, r.Severity)
	case strings.TrimSpace(r.Doc) == "":
		return fmt.Errorf("rule %s: no documentation", r.ID)
	case strings.TrimSpace(r.Summary) == "":
		return fmt.Errorf("rule %s: no summary", r.ID)
	case len(r.Scope) == 0:
		return fmt.Errorf("rule %s: no scope (the SQL push-down would read every record)", r.ID)
	case len(r.Needles) == 0 || slices.Contains(r.Needles, ""):
		return fmt.Errorf("rule %s: no prefilter needles, or an empty one", r.ID)
	case len(r.TruePositives) == 0 || len(r.FalsePositives) == 0:
		return fmt.Errorf("rule %s: want at least one true and one false positive sample, have %d and %d",
			r.ID, len(r.TruePositives), len(r.FalsePositives))
	case (r.match == nil) != (r.kind == kindAggregate):
		return fmt.Errorf("rule %s: an aggregate rule has no match function and every other rule has one", r.ID)
	}
	for i, c := range r.Scope {
		if c.EventSource == "" && len(c.EventNames) == 0 && c.IdentityType == "" && c.IssuerType == "" && !c.AssumedRoot {
			return fmt.Errorf("rule %s: scope clause %d tests nothing", r.ID, i)
		}
		if !slices.IsSorted(c.EventNames) {
			return fmt.Errorf("rule %s: scope clause %d: event names %v not sorted", r.ID, i, c.EventNames)
		}
	}
	for _, f := range r.TruePositives {
		if !strings.HasPrefix(f, "tp-") {
			return fmt.Errorf("rule %s: true positive %q does not start with tp-", r.ID, f)
		}
	}
	for _, f := range r.FalsePositives {
		if !strings.HasPrefix(f, "fp-") {
			return fmt.Errorf("rule %s: false positive %q does not start with fp-", r.ID, f)
		}
	}
	return nil
}
