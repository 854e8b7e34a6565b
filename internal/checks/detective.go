package checks

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
	"github.com/rootguard/rootguard/internal/pattern/logfilter"
	"github.com/rootguard/rootguard/internal/pattern/rootevents"
)

// This file holds what the detective-control checks share: judging a
// trail, finding the management account's organization trail for a member,
// and deciding, by evaluating patterns against rootevents' representative
// events, whether an EventBridge rule or a metric filter with its alarm and
// SNS topic alerts on root activity.

// stepDetective is the SEC01-BP02 step the detective checks implement.
const stepDetective = "Detective controls"

// signInRegion is where AWS records root console sign-ins.
const signInRegion = inventory.SignInRegion

// requiredRootEvents are the representative events a root-activity alert
// must catch: root API calls and successful root console sign-ins. Missing
// the others (failed sign-ins, AssumeRoot sessions) is reported, not failed.
var requiredRootEvents = []string{"root-api-call", "root-console-signin"}

// eventPhrases name the representative events in findings.
var eventPhrases = map[string]string{
	"root-api-call":              "root API call",
	"root-console-signin":        "root console sign-in",
	"root-console-signin-failed": "failed root console sign-in",
	"root-assumeroot-session":    "AssumeRoot session",
}

func eventPhrase(name string) string {
	if p, ok := eventPhrases[name]; ok {
		return p
	}
	return name
}

func eventPhraseList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = eventPhrase(n)
	}
	return strings.Join(out, ", ")
}

// managementAccount returns the organization's management account from the
// snapshot, or nil (not in an organization, or not collected).
func managementAccount(in Input) *inventory.Account {
	return in.cache().mgmt.get(func() *inventory.Account {
		s := in.Snapshot
		if s.Organization == nil || s.Organization.ManagementAccountID == "" {
			return nil
		}
		return s.Account(s.Organization.ManagementAccountID)
	})
}

// orgHolder returns the management account when a is a member whose
// organization-wide controls can be read from it.
func orgHolder(in Input) *inventory.Account {
	if in.Account.Role != inventory.RoleMember {
		return nil
	}
	m := managementAccount(in)
	if m == nil || m.ID == in.Account.ID {
		return nil
	}
	return m
}

// sessionRefused says why none of the account's own resources could be
// read: the role session into it was refused.
func sessionRefused(a *inventory.Account) (string, bool) {
	if s := a.Session; s.Collected() && !s.Known() {
		return "no role session in " + a.ID + ": " + s.Reason(), true
	}
	return "", false
}

// unreadWhy explains why fact f of account a is not known: the refused
// role session when that is the cause (one reason for every fact), else
// what and the fact's own failure.
func unreadWhy[T any](a *inventory.Account, what string, f inventory.Fact[T]) string {
	if r, ok := sessionRefused(a); ok && !f.Known() {
		return r
	}
	return what + ": " + f.Reason()
}

// trailJudgement is what one trail lacks, or which of its facts are unread.
type trailJudgement struct {
	trail   inventory.Trail
	owner   string // account whose facts were read
	lacks   []string
	unread  []string
	failed  []string
	sources []string
}

func (j trailJudgement) ok() bool { return len(j.lacks) == 0 && len(j.unread) == 0 }

func (j trailJudgement) name() string {
	n := fmt.Sprintf("trail %q", j.trail.Name)
	if j.trail.IsOrganizationTrail {
		n = "organization " + n
	}
	if j.trail.HomeRegion != "" {
		n += " (" + j.trail.HomeRegion + ")"
	}
	return n
}

// judgeTrail checks that a trail is multi-Region, logging, and records
// management events, read and write.
func judgeTrail(t inventory.Trail, owner string) trailJudgement {
	j := trailJudgement{trail: t, owner: owner}
	if !t.IsMultiRegion {
		j.lacks = append(j.lacks, "is single-Region")
	}
	switch l := t.Logging; {
	case !l.Known():
		j.unread = append(j.unread, "logging status: "+l.Reason())
		j.failed = append(j.failed, failedOf(l)...)
	case !l.Value:
		j.lacks = append(j.lacks, "is not logging")
		j.sources = append(j.sources, l.Source.API)
	default:
		j.sources = append(j.sources, l.Source.API)
	}
	switch s := t.Selectors; {
	case !s.Known():
		j.unread = append(j.unread, "event selectors: "+s.Reason())
		j.failed = append(j.failed, failedOf(s)...)
	case !s.Value.Included:
		j.lacks = append(j.lacks, "does not record management events")
		j.sources = append(j.sources, s.Source.API)
	case !strings.EqualFold(s.Value.ReadWriteType, "All"):
		rw := s.Value.ReadWriteType
		if rw == "" {
			rw = "an unstated type"
		}
		j.lacks = append(j.lacks, "records only "+rw+" management events (want All)")
		j.sources = append(j.sources, s.Source.API)
	case s.Value.Filters == nil:
		j.unread = append(j.unread, "event selector filters: not collected (a snapshot from an older rootguard)")
		j.failed = append(j.failed, s.Source.API)
	case len(s.Value.Filters) > 0:
		// As for the trail behind a metric filter: conditions that can drop
		// root events (delivery.TrailFeed); those that provably keep them
		// are not Filters.
		j.lacks = append(j.lacks, "records management events only where "+strings.Join(s.Value.Filters, " and ")+
			" (root events outside that are not recorded)")
		j.sources = append(j.sources, s.Source.API)
	default:
		j.sources = append(j.sources, s.Source.API)
	}
	return j
}

// trailCandidates gathers the trails that can cover an account: its own
// (shadow organization trails included), and for a member the management
// account's organization trails. A shadow trail whose status could not be
// read in the member is judged on the management account's facts.
// unread explains a trail list that could not be read.
func trailCandidates(in Input) (js []trailJudgement, unread []string, failed, sources []string) {
	a := in.Account
	mgmt := orgHolder(in)
	var mgmtTrails map[string]inventory.Trail
	if mgmt != nil && mgmt.Detective.Trails.Known() {
		mgmtTrails = map[string]inventory.Trail{}
		for _, t := range mgmt.Detective.Trails.Value {
			if t.IsOrganizationTrail {
				mgmtTrails[t.ARN] = t
			}
		}
	}
	seen := map[string]bool{}
	if f := a.Detective.Trails; f.Known() {
		sources = append(sources, f.Source.API)
		for _, t := range f.Value {
			j := judgeTrail(t, a.ID)
			if mt, ok := mgmtTrails[t.ARN]; ok && !j.ok() {
				if mj := judgeTrail(mt, mgmt.ID); len(mj.unread) < len(j.unread) || mj.ok() {
					j = mj
				}
			}
			seen[t.ARN] = true
			js = append(js, j)
		}
	} else {
		unread = append(unread, unreadWhy(a, "trails of "+a.ID, f))
		failed = append(failed, failedOf(f)...)
	}
	if mgmt != nil {
		if mgmtTrails == nil {
			unread = append(unread, unreadWhy(mgmt, "organization trails of the management account "+mgmt.ID, mgmt.Detective.Trails))
		}
		for _, t := range mgmt.Detective.Trails.Value {
			if t.IsOrganizationTrail && !seen[t.ARN] {
				sources = append(sources, mgmt.Detective.Trails.Source.API)
				js = append(js, judgeTrail(t, mgmt.ID))
			}
		}
	}
	return js, unread, failed, sources
}

// alertControl is one EventBridge rule or metric filter that matches root
// activity, and whether it is wired to reach a person.
type alertControl struct {
	desc     string
	caught   []string
	missed   []string
	problems []string // why it does not alert
	partial  []string // root events it never receives while it alerts (partial coverage)
	notes    []string // paths that fail while another one is not known
	unread   []string // facts that could not be read to decide
	failed   []string
	sources  []string
	evidence map[string]any
	// scope are the Regions whose root API calls the control sees: a
	// rule's own Region, a single-Region trail's home Region; nil for a
	// multi-Region trail's filter, which sees every Region.
	scope []string
}

func (c alertControl) wired() bool { return len(c.problems) == 0 && len(c.unread) == 0 }

// covers reports whether the control sees root API calls made in region.
func (c alertControl) covers(region string) bool {
	return c.scope == nil || slices.Contains(c.scope, region)
}

// regionPath is whether root API calls made in one collected Region reach
// a person: the wired controls that carry them, or what is not known.
type regionPath struct {
	region string
	by     []string // wired controls that alert on root API calls there
	unread []string // facts that could decide it, not read
}

// alerting is the root-activity alerting an account has.
type alerting struct {
	controls []alertControl
	unread   []string // fact lists that could not be read
	failed   []string
	sources  []string
	caught   []string // union of what wired controls catch, in rootevents order
	// regions are, per collected Region, the paths of root API calls made
	// there (EventBridge delivers them only in the Region of the call).
	regions []regionPath
	// rulesUnread are the Regions whose EventBridge rules were not read.
	rulesUnread []string
}

// lacking lists the collected Regions proven to have no path for root
// API calls: nothing wired covers them and no fact that could is unread.
func (al alerting) lacking() []string {
	var out []string
	for _, p := range al.regions {
		if len(p.by) == 0 && len(p.unread) == 0 && len(al.unread) == 0 {
			out = append(out, p.region)
		}
	}
	return out
}

// regionsOpen lists the collected Regions with no wired path whose
// verdict hangs on facts not read.
func (al alerting) regionsOpen() []string {
	var out []string
	for _, p := range al.regions {
		if len(p.by) == 0 && (len(p.unread) > 0 || len(al.unread) > 0) {
			out = append(out, p.region)
		}
	}
	return out
}

// passes reports whether wired controls together catch every required event.
func (al alerting) passes() bool {
	for _, e := range requiredRootEvents {
		if !slices.Contains(al.caught, e) {
			return false
		}
	}
	return !slices.ContainsFunc(al.regions, func(p regionPath) bool { return len(p.by) == 0 })
}

// decided reports whether the facts read settle the verdict: either the
// wired controls pass, or no fact list is unread and, even if every
// control that only lacks unread facts alerted, the required events would
// not all be caught.
func (al alerting) decided() bool {
	if al.passes() || len(al.lacking()) > 0 {
		return true
	}
	if len(al.unread) > 0 {
		return false
	}
	could := slices.Clone(al.caught)
	for _, c := range al.controls {
		if len(c.problems) == 0 {
			could = union(could, c.caught)
		}
	}
	return slices.ContainsFunc(requiredRootEvents, func(e string) bool { return !slices.Contains(could, e) })
}

// allUnread lists every fact that could not be read, list-level first.
func (al alerting) allUnread() []string {
	out := append([]string{}, al.unread...)
	for _, c := range al.controls {
		out = append(out, c.unread...)
	}
	return dedupe(out)
}

// missedRequired lists the required events no wired control catches.
// missing names what reaches no one: the required root events no control
// catches, or else the Regions whose root API calls nothing wired carries.
func (al alerting) missing() string {
	if m := al.missedRequired(); len(m) > 0 {
		return eventPhraseList(m)
	}
	var regions []string
	for _, p := range al.regions {
		if len(p.by) == 0 {
			regions = append(regions, p.region)
		}
	}
	return "root API calls in " + strings.Join(regions, ", ")
}

func (al alerting) missedRequired() []string {
	var out []string
	for _, e := range requiredRootEvents {
		if !slices.Contains(al.caught, e) {
			out = append(out, e)
		}
	}
	return out
}

// mentionsRoot is a cheap filter for patterns that did not parse: only
// those that look root-related are reported.
func mentionsRoot(p string) bool { return strings.Contains(strings.ToLower(p), "root") }

// rootAlerting evaluates the account's EventBridge rules and the CloudTrail
// metric filter path (its own log groups and, for a member, the management
// account's organization trail log group).
func rootAlerting(in Input) alerting {
	var al alerting
	al.ruleControls(in)
	al.filterControls(in)
	for _, name := range rootEventNames() {
		for _, c := range al.controls {
			if c.wired() && slices.Contains(c.caught, name) && !slices.Contains(al.caught, name) {
				al.caught = append(al.caught, name)
			}
		}
	}
	for _, c := range al.controls {
		al.sources = append(al.sources, c.sources...)
	}
	al.regionPaths(in)
	al.sources = dedupe(al.sources)
	al.failed = dedupe(al.failed)
	return al
}

// regionPaths judges, per collected Region, whether root API calls made
// there reach a person.
func (al *alerting) regionPaths(in Input) {
	for _, r := range accountRegions(in).regions {
		p := regionPath{region: r}
		for _, c := range al.controls {
			if !c.covers(r) || !slices.Contains(c.caught, apiCallEvent) {
				continue
			}
			switch {
			case c.wired():
				p.by = append(p.by, c.desc)
			case len(c.problems) == 0:
				p.unread = append(p.unread, c.unread...)
			}
		}
		if slices.Contains(al.rulesUnread, r) {
			f := in.Account.Detective.EventRules
			p.unread = append(p.unread, "EventBridge rules in "+r+": "+f.Reason())
		}
		al.regions = append(al.regions, p)
	}
}

func (al *alerting) ruleControls(in Input) {
	a := in.Account
	f := a.Detective.EventRules
	if !partlyRead(f) || !readIn(f, signInRegion) {
		al.unread = append(al.unread, unreadWhy(a, "EventBridge rules", f))
		al.failed = append(al.failed, failedOf(f)...)
		return
	}
	if !f.Known() {
		al.rulesUnread = f.Source.FailedRegions
		al.failed = append(al.failed, failedOf(f)...)
	}
	al.sources = append(al.sources, f.Source.API)
	for _, r := range f.Value {
		if strings.TrimSpace(r.EventPattern) == "" {
			continue // a scheduled rule
		}
		c := alertControl{
			desc:    fmt.Sprintf("EventBridge rule %q (%s)", r.Name, r.Region),
			scope:   []string{r.Region},
			sources: []string{f.Source.API},
			evidence: map[string]any{"kind": "eventbridge-rule", "account_id": a.ID, "name": r.Name,
				"region": r.Region, "state": r.State, "targets": nonNil(r.Targets)},
		}
		cov, err := patternCoverage(kindEventPattern, r.EventPattern)
		if err != nil {
			if !mentionsRoot(r.EventPattern) {
				continue
			}
			c.problems = append(c.problems, "its event pattern could not be evaluated: "+err.Error())
		} else {
			if len(cov.Caught) == 0 {
				continue
			}
			c.caught, c.missed = cov.Caught, cov.Missed
		}
		if r.Region != signInRegion {
			// Root API calls reach EventBridge in the Region of the call:
			// the rule covers its Region's, and never a console sign-in.
			c.caught, c.missed = regionalOnly(c.caught, c.missed)
			c.evidence["covers"] = "root API calls made in " + r.Region + " only"
		}
		switch enabled, partial := delivery.RuleState(r.State); {
		case !enabled:
			c.problems = append(c.problems, "is "+strings.ToLower(r.State))
		case partial != "" && slices.Contains(c.caught, apiCallEvent):
			c.partial = append(c.partial, partial)
		}
		if len(r.Targets) == 0 {
			c.problems = append(c.problems, "has no target")
		}
		if bus := r.EventBusName; !delivery.DefaultBus(bus) {
			c.problems = append(c.problems, "is on event bus "+bus+"; CloudTrail events reach only the default bus")
		}
		if len(c.problems) == 0 {
			followTargets(&c, in, r)
		}
		al.controls = append(al.controls, c)
	}
}

// apiCallEvent is the representative root API call.
const apiCallEvent = "root-api-call"

// regionalOnly moves the events a rule outside us-east-1 never sees (those
// AWS delivers only in us-east-1: console sign-ins) from caught to missed.
func regionalOnly(caught, missed []string) ([]string, []string) {
	var keep []string
	for _, e := range caught {
		if strings.Contains(e, "signin") {
			missed = append(missed, e)
			continue
		}
		keep = append(keep, e)
	}
	return keep, missed
}

// followTargets judges where a sound rule's targets deliver what it
// catches: the rule alerts on the events some target delivers. With none
// delivering, a target whose delivery is not known makes the rule unknown;
// otherwise each target's failure is a problem.
func followTargets(c *alertControl, in Input, r inventory.EventRule) {
	w := follower{in: in}
	start := []busKey{{in.Account.ID, r.Region, "default"}}
	var delivered, vias, decided, problems, unknowns []string
	var ds []map[string]any
	for _, t := range r.Targets {
		d := w.target(in.Account, r, t, c.caught, start)
		ds = append(ds, d.evidence)
		c.sources = append(c.sources, d.sources...)
		switch d.outcome() {
		case outcomeDelivers:
			delivered = union(delivered, d.events)
			vias = append(vias, d.via)
			decided = append(decided, t)
		case outcomeUnknown:
			unknowns = append(unknowns, d.unknown)
			c.failed = append(c.failed, d.failed...)
		default:
			problems = append(problems, "its target "+d.problem)
		}
	}
	c.evidence["deliveries"] = ds
	if len(delivered) > 0 {
		c.caught = inOrder(delivered)
		c.missed = nil
		for _, e := range rootEventNames() {
			if !slices.Contains(c.caught, e) {
				c.missed = append(c.missed, e)
			}
		}
		c.evidence["alerts_through"] = vias
		c.evidence["decided_by"] = decided
		c.desc += " → " + vias[0]
		return
	}
	if len(unknowns) > 0 {
		c.notes = append(c.notes, problems...)
		c.unread = append(c.unread, unknowns...)
		return
	}
	c.problems = append(c.problems, problems...)
}

// logGroupRef is one trail log group and the account holding its filters.
type logGroupRef struct {
	holder *inventory.Account
	trail  inventory.Trail
	name   string
	region string
	org    bool // the management account's organization trail
}

func (al *alerting) filterControls(in Input) {
	a := in.Account
	mgmt := orgHolder(in)
	var groups []logGroupRef
	add := func(holder *inventory.Account, t inventory.Trail, org bool) {
		region, acct, name, ok := inventory.LogGroupARN(t.LogGroupARN)
		if !ok {
			return
		}
		switch {
		case acct == "" || acct == holder.ID:
		case mgmt != nil && acct == mgmt.ID:
			holder, org = mgmt, true
		default:
			return // a log group in an account whose facts are not here
		}
		for _, g := range groups {
			if g.holder == holder && g.name == name && g.region == region {
				return
			}
		}
		groups = append(groups, logGroupRef{holder: holder, trail: t, name: name, region: region, org: org})
	}
	if f := a.Detective.Trails; f.Known() {
		al.sources = append(al.sources, f.Source.API)
		for _, t := range f.Value {
			add(a, t, false)
		}
	} else {
		al.unread = append(al.unread, unreadWhy(a, "trails", f))
		al.failed = append(al.failed, failedOf(f)...)
	}
	if mgmt != nil && mgmt.Detective.Trails.Known() {
		for _, t := range mgmt.Detective.Trails.Value {
			if t.IsOrganizationTrail {
				add(mgmt, t, true)
			}
		}
	}
	for _, g := range groups {
		al.logGroupControls(in, g)
	}
}

func (al *alerting) logGroupControls(in Input, g logGroupRef) {
	h := g.holder
	mf := h.Detective.MetricFilters
	if !mf.Known() {
		al.unread = append(al.unread, unreadWhy(h, fmt.Sprintf("metric filters of log group %s in %s", g.name, h.ID), mf))
		al.failed = append(al.failed, failedOf(mf)...)
		return
	}
	al.sources = append(al.sources, mf.Source.API)
	for _, f := range mf.Value {
		if f.LogGroupName != g.name {
			continue
		}
		c := alertControl{
			desc:    fmt.Sprintf("metric filter %q on log group %s", f.Name, g.name),
			sources: []string{mf.Source.API},
			evidence: map[string]any{"kind": "metric-filter", "account_id": h.ID, "name": f.Name,
				"log_group": g.name, "trail": g.trail.Name},
		}
		if g.org {
			c.desc += fmt.Sprintf(" (organization trail %q in the management account %s)", g.trail.Name, h.ID)
			c.evidence["organization_trail"] = true
		}
		if !g.trail.IsMultiRegion {
			c.scope = []string{g.trail.HomeRegion}
		}
		cov, err := patternCoverage(kindLogFilter, f.Pattern)
		if err != nil {
			if !mentionsRoot(f.Pattern) {
				continue
			}
			c.problems = append(c.problems, "its filter pattern could not be evaluated: "+err.Error())
		} else {
			if len(cov.Caught) == 0 {
				continue
			}
			c.caught, c.missed = cov.Caught, cov.Missed
		}
		feed := delivery.TrailFeed(g.trail)
		c.problems = append(c.problems, feed.Blocked...)
		c.partial = append(c.partial, feed.Partial...)
		c.unread = append(c.unread, feed.Unknown...)
		c.failed = append(c.failed, slices.Concat(failedOf(g.trail.Logging), failedOf(g.trail.Selectors))...)
		if !feed.SignIns {
			c.caught, c.missed = regionalOnly(c.caught, c.missed)
		}
		sel := g.trail.Selectors.Value
		feedEv := map[string]any{"multi_region": g.trail.IsMultiRegion, "home_region": g.trail.HomeRegion,
			"management_events": sel.ReadWriteType, "filters": nonNil(sel.Filters)}
		if len(sel.RootKept) > 0 {
			feedEv["filters_keeping_root_events"] = sel.RootKept
		}
		c.evidence["trail_feed"] = feedEv
		wireAlarm(&c, in, h, f, g.region)
		al.controls = append(al.controls, c)
	}
}

// alarmARN is the ARN of alarm al of account in region (its own Region
// when recorded).
func alarmARN(account, region string, al inventory.Alarm) string {
	if al.Region != "" {
		region = al.Region
	}
	return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + al.Name
}

// wireAlarm follows a metric filter to an alarm with actions enabled and
// an SNS topic with a confirmed subscriber.
func wireAlarm(c *alertControl, in Input, h *inventory.Account, f inventory.MetricFilter, region string) {
	af := h.Detective.Alarms
	if !readIn(af, region) {
		c.unread = append(c.unread, unreadWhy(h, "alarms", af))
		c.failed = append(c.failed, failedOf(af)...)
		return
	}
	c.sources = append(c.sources, af.Source.API)
	var problems, unread, failed []string
	var chains []string
	found := false
	for _, m := range f.Metrics {
		for _, al := range af.Value {
			if al.Namespace != m.Namespace || al.MetricName != m.Name || (al.Region != "" && region != "" && al.Region != region) {
				continue
			}
			found = true
			c.evidence["alarm"] = al.Name
			if !al.ActionsEnabled {
				problems = append(problems, fmt.Sprintf("alarm %q has its actions disabled", al.Name))
				continue
			}
			if al.Condition == nil {
				unread = append(unread, fmt.Sprintf("whether alarm %q fires on one root event: its statistic, threshold and datapoints were not collected (a snapshot from an older rootguard)", al.Name))
				failed = append(failed, "cloudwatch:DescribeAlarms")
				continue
			}
			c.evidence["alarm_condition"] = al.Condition
			if why := delivery.AlarmFires(*al.Condition); why != "" {
				problems = append(problems, fmt.Sprintf("alarm %q cannot fire on one root event: %s", al.Name, why))
				continue
			}
			var snsTopics []string
			for _, act := range al.AlarmActions {
				if parts := strings.SplitN(act, ":", 4); len(parts) == 4 && parts[0] == "arn" && parts[2] == "sns" {
					snsTopics = append(snsTopics, act)
				}
			}
			if len(snsTopics) == 0 {
				problems = append(problems, fmt.Sprintf("alarm %q has no SNS topic among its actions", al.Name))
				continue
			}
			for _, arn := range snsTopics {
				d := reach{evidence: map[string]any{}}
				p, _ := delivery.ParseARN(arn)
				ok := follower{in: in}.topic(&d, arn, p, publisher{service: delivery.CloudWatch, source: alarmARN(h.ID, region, al), account: h.ID})
				c.sources = append(c.sources, d.sources...)
				switch {
				case ok:
					chains = append(chains, fmt.Sprintf("alarm %q → %s", al.Name, d.via))
					c.evidence["topic"] = arn
				case d.unknown != "":
					unread = append(unread, d.unknown)
					failed = append(failed, d.failed...)
				default:
					problems = append(problems, fmt.Sprintf("alarm %q → %s", al.Name, d.problem))
					c.evidence["topic"] = arn
				}
			}
		}
	}
	switch {
	case len(chains) > 0:
		c.evidence["alerts_through"] = chains
		c.desc += ", " + chains[0]
	case !found:
		names := make([]string, 0, len(f.Metrics))
		for _, m := range f.Metrics {
			names = append(names, m.Namespace+"/"+m.Name)
		}
		c.problems = append(c.problems, "no alarm watches its metric "+strings.Join(names, ", "))
	case len(unread) > 0:
		c.notes = append(c.notes, problems...)
		c.unread = append(c.unread, unread...)
		c.failed = append(c.failed, failed...)
	default:
		c.problems = append(c.problems, problems...)
	}
}

// controlLine describes a control and what keeps it from alerting.
func (c alertControl) line() string {
	var parts []string
	if len(c.caught) > 0 {
		parts = append(parts, "catches "+eventPhraseList(c.caught))
	}
	if len(c.missed) > 0 {
		parts = append(parts, "misses "+eventPhraseList(c.missed))
	}
	parts = append(parts, c.problems...)
	for _, p := range c.partial {
		parts = append(parts, "partial coverage: "+p)
	}
	parts = append(parts, c.notes...)
	for _, u := range c.unread {
		parts = append(parts, "not known: "+u)
	}
	return c.desc + ": " + strings.Join(parts, "; ")
}

func (c alertControl) evidenceMap() map[string]any {
	m := map[string]any{}
	for k, v := range c.evidence {
		m[k] = v
	}
	m["catches"] = nonNil(c.caught)
	m["misses"] = nonNil(c.missed)
	if len(c.problems) > 0 {
		m["problems"] = c.problems
	}
	if len(c.notes) > 0 {
		m["failing_paths"] = c.notes
	}
	if len(c.partial) > 0 {
		m["partial_coverage"] = c.partial
	}
	if len(c.unread) > 0 {
		m["not_known"] = c.unread
	}
	m["alerts"] = c.wired()
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Where the list of collected Regions came from, for evidence.
const (
	regionsFromSnapshot = "snapshot"
	regionsInferred     = "inferred"
	regionsFromAccount  = "account:ListRegions"
)

// collected are the Regions the snapshot's regional facts cover and where
// that list came from: the snapshot's record, or (for a snapshot that does
// not record it) inference from the facts.
type collected struct {
	regions []string
	source  string // regionsFromSnapshot or regionsInferred
}

// collectedRegions are the Regions the snapshot's regional facts cover: the
// Regions it records, else those inferred by regionsOf.
func collectedRegions(in Input) collected {
	return in.cache().regions.get(func() collected {
		if len(in.Snapshot.Regions) > 0 {
			return collected{regions: slices.Sorted(slices.Values(in.Snapshot.Regions)), source: regionsFromSnapshot}
		}
		return collected{regions: regionsOf(in.Snapshot), source: regionsInferred}
	})
}

// accountRegions are the Regions whose regional facts were read in the
// account: its enabled Regions (account:ListRegions, with us-east-1, always
// read) when the collector read them, else the snapshot's collected Regions.
func accountRegions(in Input) collected {
	if f := in.Account.Regions; f.Known() {
		regions := slices.Clone(f.Value)
		if !slices.Contains(regions, signInRegion) {
			regions = append(regions, signInRegion)
		}
		slices.Sort(regions)
		return collected{regions: regions, source: regionsFromAccount}
	}
	return collectedRegions(in)
}

// readIn reports whether the regional fact f holds what region answered:
// the whole fact was read, or only other Regions' calls failed (an empty
// region, not known, needs the whole fact).
func readIn[T any](f inventory.Fact[T], region string) bool {
	if f.Known() {
		return true
	}
	return region != "" && f.Source.Error != nil && len(f.Source.FailedRegions) > 0 && !slices.Contains(f.Source.FailedRegions, region)
}

// partlyRead reports whether some Regions of the regional fact f were
// read: it is known, or only some Regions' calls failed.
func partlyRead[T any](f inventory.Fact[T]) bool {
	return f.Known() || len(f.Source.FailedRegions) > 0
}

// regionsOf infers the collected Regions of a snapshot that does not record
// them: us-east-1 (always collected: root console sign-ins land there) and
// every Region any account's regional facts name.
func regionsOf(s *inventory.Snapshot) []string {
	regions := []string{signInRegion}
	add := func(r string) {
		if r != "" && !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	for i := range s.Accounts {
		d := &s.Accounts[i].Detective
		for _, g := range d.GuardDuty.Value {
			add(g.Region)
		}
		for _, r := range d.EventRules.Value {
			add(r.Region)
		}
		for _, al := range d.Alarms.Value {
			add(al.Region)
		}
		for _, b := range d.EventBuses.Value {
			add(b.Region)
		}
		for _, t := range d.Topics.Value {
			if p, ok := delivery.ParseARN(t.ARN); ok {
				add(p.Region)
			}
		}
	}
	slices.Sort(regions)
	return regions
}

// rootEventNames are the should-alert representative events, in order.
func rootEventNames() []string { return slices.Clone(alertEventNames()) }

var alertEventNames = sync.OnceValue(func() []string {
	var out []string
	for _, ev := range rootevents.Events() {
		if ev.WantAlert {
			out = append(out, ev.Name)
		}
	}
	return out
})

// Pattern languages whose coverage patternCoverage computes.
const (
	kindEventPattern = "event-pattern"
	kindLogFilter    = "log-filter"
)

// maxMemo bounds each process-wide memo; a long-running server sees few
// distinct patterns or policies, and clearing a memo when it is full is
// cheap.
const maxMemo = 4096

// boundedMemo keeps the value built for each distinct key, process-wide,
// up to maxMemo keys (then it starts afresh). The zero value is ready and
// safe for concurrent use; two callers missing the same key may both
// build it.
type boundedMemo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

func (m *boundedMemo[K, V]) get(k K, build func() V) V {
	m.mu.Lock()
	v, ok := m.m[k]
	m.mu.Unlock()
	if ok {
		return v
	}
	v = build()
	m.mu.Lock()
	if m.m == nil || len(m.m) >= maxMemo {
		m.m = map[K]V{}
	}
	m.m[k] = v
	m.mu.Unlock()
	return v
}

type coverageKey struct{ kind, pattern string }

type coverageVal struct {
	cov rootevents.Coverage
	err error
}

// coverageMemo keeps the coverage of each distinct pattern: an
// organization's member accounts share their rules and the organization
// trail's metric filter, and evaluating a pattern against every
// representative event is the costly part of the alerting checks.
var coverageMemo boundedMemo[coverageKey, coverageVal]

// patternCoverage parses a pattern (an EventBridge event pattern or a
// CloudWatch Logs filter pattern) and evaluates it against the
// representative root events.
func patternCoverage(kind, pattern string) (rootevents.Coverage, error) {
	v := coverageMemo.get(coverageKey{kind, pattern}, func() (v coverageVal) {
		switch kind {
		case kindEventPattern:
			p, err := eventpattern.Parse([]byte(pattern))
			if err != nil {
				v.err = err
			} else {
				v.cov = rootevents.Evaluate(rootevents.ByEnvelope(p.Match))
			}
		default:
			f, err := logfilter.Parse(pattern)
			if err != nil {
				v.err = err
			} else {
				v.cov = rootevents.Evaluate(rootevents.ByRecord(f.Match))
			}
		}
		return v
	})
	return v.cov, v.err
}
