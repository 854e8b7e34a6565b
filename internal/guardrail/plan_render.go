package guardrail

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/termsafe"
)

// orgKinds are the kinds shown under the organization rather than under an
// account.
var orgKinds = []string{KindEnableTrustedAccess, KindEnableFeature, KindEnablePolicyType, KindCreatePolicy, KindAttachPolicy}

// WriteText writes the plan for people, like a diff: one line per change
// ("+" adds a guardrail, "~" sets a value, "-" removes a credential),
// grouped under the organization and then by account, each with why and
// its risk; then the policy engine's analysis, the expected findings,
// warnings, gaps and a summary line.
func (p *Plan) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("rootguard plan %s\n", p.ID)
	src := p.Snapshot
	what := "account"
	if src.OrganizationID != "" {
		what = "organization " + src.OrganizationID
	}
	ew.printf("  %s · %d accounts · collected %s · by %s\n", what, src.Accounts, src.CollectedAt.UTC().Format("2006-01-02 15:04 UTC"), p.CreatedBy)
	ew.printf("\n")
	if p.Empty() {
		if len(p.Gaps) > 0 {
			ew.printf("No changes: the desired guardrails are in place (see the gaps below for what rootguard could not decide).\n\n")
		} else {
			ew.printf("No changes: the desired guardrails are in place.\n\n")
		}
	}

	type group struct {
		title   string
		changes []*Change
	}
	var groups []*group
	byAccount := map[string]*group{}
	var org *group
	for i := range p.Changes {
		c := &p.Changes[i]
		if slices.Contains(orgKinds, c.Kind) {
			if org == nil {
				org = &group{title: "organization " + src.OrganizationID + " (from management account " + c.AccountID + ")"}
			}
			org.changes = append(org.changes, c)
			continue
		}
		g, ok := byAccount[c.AccountID]
		if !ok {
			title := c.AccountID
			if c.AccountName != "" {
				title = c.AccountName + " (" + c.AccountID + ")"
			}
			g = &group{title: title}
			byAccount[c.AccountID] = g
			groups = append(groups, g)
		}
		g.changes = append(g.changes, c)
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return strings.Compare(a.changes[0].AccountID, b.changes[0].AccountID) })
	if org != nil {
		groups = append([]*group{org}, groups...)
	}
	for _, g := range groups {
		ew.printf("%s\n", g.title)
		for _, c := range g.changes {
			ew.printf("  %s %s\n", c.Action, c.Summary)
			if len(c.Fixes) > 0 {
				ew.printf("      fixes: %s\n", strings.Join(c.Fixes, ", "))
			}
			if c.Note != "" {
				ew.printf("      note:  %s\n", c.Note)
			}
			ew.printf("      risk:  %s\n", c.Risk)
			if c.RequiresFlag != "" {
				ew.printf("      needs: apply --%s\n", c.RequiresFlag)
			}
		}
		ew.printf("\n")
	}

	if an := p.Analysis; an != nil {
		ew.printf("SCP analysis (policy engine over the organization as it will be)\n")
		for _, pc := range an.Policies {
			ew.printf("  %s: newly covers %s", pc.Policy, countList(pc.NewlyCovered))
			ew.printf("; already covered %d; not covered %s\n", len(pc.AlreadyCovered), countList(pc.Uncovered))
		}
		ew.printf("  centralized root sessions keep working in %d member account(s)", an.RootSessionsWorking)
		if n := len(an.RootSessionsBlocked); n > 0 {
			ids := make([]string, n)
			for i, b := range an.RootSessionsBlocked {
				ids[i] = b.AccountID
			}
			ew.printf("; already denied by existing SCPs in %s", countList(ids))
		}
		ew.printf("\n")
		for _, u := range an.Unknown {
			ew.printf("  not analysed: %s\n", u)
		}
		ew.printf("\n")
	}

	if len(p.Expected) > 0 {
		ew.printf("Expected findings once applied (checks run over the state as it will be)\n")
		for i := 0; i < len(p.Expected); {
			e := p.Expected[i]
			var ids []string
			for ; i < len(p.Expected) && p.Expected[i].To == e.To && p.Expected[i].CheckID == e.CheckID; i++ {
				ids = append(ids, p.Expected[i].AccountID)
			}
			ew.printf("  %-14s %-34s %s\n", e.To, e.CheckID, countList(ids))
		}
		ew.printf("\n")
	}
	if len(p.Warnings) > 0 {
		ew.printf("Warnings\n")
		for _, w := range p.Warnings {
			ew.printf("  ! %s\n", w)
		}
		ew.printf("\n")
	}
	if len(p.Gaps) > 0 {
		ew.printf("Not planned (gaps)\n")
		for _, g := range p.Gaps {
			where := g.Area
			if g.AccountID != "" {
				where += " " + g.AccountID
			}
			ew.printf("  ? %s: %s\n", where, g.Detail)
		}
		ew.printf("\n")
	}
	ew.printf("%s\n", p.SummaryLine())
	return ew.err
}

// SummaryLine counts the changes by sign: "Plan: 12 to add, 3 to set, 9 to
// remove (24 changes in 9 accounts); 2 need --allow-recent-key-deletion."
func (p *Plan) SummaryLine() string {
	var add, set, remove, flagged int
	accts := map[string]bool{}
	for _, c := range p.Changes {
		switch c.Action {
		case "+":
			add++
		case "~":
			set++
		case "-":
			remove++
		}
		if c.RequiresFlag != "" {
			flagged++
		}
		accts[c.AccountID] = true
	}
	s := fmt.Sprintf("Plan: %d to add, %d to set, %d to remove (%d changes in %d accounts)", add, set, remove, len(p.Changes), len(accts))
	if flagged > 0 {
		s += fmt.Sprintf("; %d need --%s", flagged, FlagAllowRecentKeyDeletion)
	}
	if n, note := p.noted(); n > 0 {
		if note != "" {
			s += fmt.Sprintf("; %d change(s) noted: %s", n, note)
		} else {
			s += fmt.Sprintf("; %d change(s) noted: checks they fix stay failing once applied (see each note)", n)
		}
	}
	if n := len(p.Gaps); n > 0 {
		s += fmt.Sprintf("; %d gap(s) not planned", n)
	}
	return s + "."
}

// noted counts the changes with a note, and returns the note when they all
// share one.
func (p *Plan) noted() (int, string) {
	n, note := 0, ""
	for _, c := range p.Changes {
		switch {
		case c.Note == "":
			continue
		case n == 0:
			note = c.Note
		case c.Note != note:
			note = ""
		}
		n++
	}
	return n, note
}

func countList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	const max = 8
	if len(ids) > max {
		return fmt.Sprintf("%d: %s, … and %d more", len(ids), strings.Join(ids[:max], ", "), len(ids)-max)
	}
	return fmt.Sprintf("%d (%s)", len(ids), strings.Join(ids, ", "))
}

// errWriter keeps the first write error. Its string arguments, which carry
// names from AWS and from the config, are escaped for the terminal (their
// newlines kept).
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	for i, v := range a {
		if s, ok := v.(string); ok {
			a[i] = termsafe.Escape(s, true)
		}
	}
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
