package guardrail

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/policy"
)

// fullAWSAccess is the AWS managed SCP that AWS attaches to every node when
// SCPs are turned on.
const fullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// scpLayout is an organization's SCPs by target, parsed, as the policy
// engine needs them.
type scpLayout struct {
	parent   map[string]string // unit → parent (empty for a root)
	byTarget map[string][]*policy.Policy
	enabled  bool
	reason   string // why levels cannot be computed, when not ""
}

func newSCPLayout(org *inventory.Organization) *scpLayout {
	l := &scpLayout{parent: map[string]string{}, byTarget: map[string][]*policy.Policy{}}
	switch {
	case org == nil:
		l.reason = "the organization was not collected"
		return l
	case !org.Units.Known():
		l.reason = "organization structure: " + org.Units.Reason()
		return l
	}
	for _, u := range org.Units.Value {
		l.parent[u.ID] = u.ParentID
		if u.ParentID == "" && slices.Contains(u.PolicyTypes, policyTypeSCP) {
			l.enabled = true
		}
	}
	if !l.enabled {
		return l
	}
	if !org.Policies.Known() {
		l.reason = "service control policies: " + org.Policies.Reason()
		return l
	}
	var cache policy.Cache
	for _, op := range org.Policies.Value {
		p, err := cache.Parse(cmp.Or(op.Name, op.ID), []byte(op.Content))
		if err != nil {
			l.reason = "a service control policy could not be parsed: " + err.Error()
			return l
		}
		for _, t := range op.Targets {
			l.byTarget[t] = append(l.byTarget[t], p)
		}
	}
	return l
}

// levels returns the account's SCP levels, root first; nil when SCPs are
// off (nothing restricts the account). ok is false when they cannot be
// worked out.
func (l *scpLayout) levels(a *inventory.Account) (levels []policy.Level, why string) {
	if l.reason != "" {
		return nil, l.reason
	}
	if !l.enabled {
		return nil, ""
	}
	var path []string
	for id := a.ParentID; id != ""; id = l.parent[id] {
		if _, ok := l.parent[id]; !ok || len(path) > len(l.parent) {
			return nil, "the account's parent " + id + " is not in the organization's units"
		}
		path = append(path, id)
	}
	if len(path) == 0 {
		return nil, "the account's parent was not collected"
	}
	slices.Reverse(path)
	path = append(path, a.ID)
	for _, id := range path {
		ps := l.byTarget[id]
		if len(ps) == 0 {
			return nil, "no SCP is attached to " + id + " in the snapshot (the policy targets were not read completely)"
		}
		levels = append(levels, policy.Level{Name: id, Policies: ps})
	}
	return levels, ""
}

// probeActions are the actions a generated SCP is meant to deny to root.
func probeActions(key string) []string {
	switch key {
	case KeyDenyRootAccessKeys:
		return []string{"iam:CreateAccessKey"}
	case KeyProtectContacts:
		return ContactActions()
	}
	return policy.RootProbeActions()
}

// analyseSCPs runs the policy engine over the organization before and
// after the plan's SCP changes. It fills the plan's analysis and the
// builder's blocked accounts, and refuses a plan that would deny
// centralized root sessions where they work today.
func (b *builder) analyseSCPs() error {
	if b.s.Mode != inventory.ModeOrganization || b.s.Organization == nil {
		return nil
	}
	after, err := project(b.s, b.p.Changes)
	if err != nil {
		return err
	}
	lb, la := newSCPLayout(b.s.Organization), newSCPLayout(after.Organization)
	an := &SCPAnalysis{Policies: []PolicyCoverage{}, RootSessionsBlocked: []BlockedSessions{}, Unknown: []string{}}
	attached := map[string]bool{}
	for _, c := range b.p.Changes {
		if c.Kind == KindAttachPolicy {
			attached[strings.Split(c.ID, "/")[1]] = true
		}
	}
	for _, scp := range b.st.SCPs {
		if attached[scp.Key] {
			an.Policies = append(an.Policies, PolicyCoverage{Policy: scp.Name, Key: scp.Key, Actions: probeActions(scp.Key),
				NewlyCovered: []string{}, AlreadyCovered: []string{}, Uncovered: []string{}})
		}
	}
	var broken []string
	for i := range b.s.Accounts {
		a := &b.s.Accounts[i]
		if a.Role != inventory.RoleMember || !active(a) || a.ID == b.mgmt {
			continue
		}
		before, whyB := lb.levels(a)
		afterL, whyA := la.levels(a)
		if why := cmp.Or(whyA, whyB); why != "" {
			an.Unknown = append(an.Unknown, a.ID+": "+why)
			continue
		}
		for j := range an.Policies {
			pc := &an.Policies[j]
			was := before != nil && policy.RootDenyCoverage(before, a.ID, pc.Actions).Complete
			now := afterL != nil && policy.RootDenyCoverage(afterL, a.ID, pc.Actions).Complete
			switch {
			case now && !was:
				pc.NewlyCovered = append(pc.NewlyCovered, a.ID)
			case now:
				pc.AlreadyCovered = append(pc.AlreadyCovered, a.ID)
			default:
				pc.Uncovered = append(pc.Uncovered, a.ID)
			}
		}
		ta := policy.RootTaskAccess(afterL, a.ID, nil)
		if ta.Working {
			an.RootSessionsWorking++
			continue
		}
		bs := BlockedSessions{AccountID: a.ID, Actions: ta.Blocked, ByPlan: policy.RootTaskAccess(before, a.ID, nil).Working}
		for _, ar := range ta.Actions {
			for _, f := range ar.Fix {
				if !slices.Contains(bs.Fix, f) {
					bs.Fix = append(bs.Fix, f)
				}
			}
		}
		if bs.ByPlan {
			broken = append(broken, fmt.Sprintf("%s (%s)", a.ID, strings.Join(bs.Fix, "; ")))
		}
		an.RootSessionsBlocked = append(an.RootSessionsBlocked, bs)
	}
	if len(broken) > 0 {
		return fmt.Errorf("plan: %w in %d account(s): %s", ErrBreaksRootSessions, len(broken), strings.Join(broken, ", "))
	}
	b.blocked = an.RootSessionsBlocked
	for _, bs := range an.RootSessionsBlocked {
		b.p.Warnings = append(b.p.Warnings, fmt.Sprintf("centralized root sessions are already denied in %s by its SCPs (not by this plan): %s", bs.AccountID, strings.Join(bs.Fix, "; ")))
	}
	if len(an.Policies) > 0 || len(an.RootSessionsBlocked) > 0 {
		b.p.Analysis = an
	}
	return nil
}

// expect runs every check over the snapshot as it was and as the plan will
// leave it, and records the findings that change. A finding the plan would
// make worse is a warning.
func (b *builder) expect(cfg checks.Config) error {
	after, err := project(b.s, b.p.Changes)
	if err != nil {
		return err
	}
	for _, c := range b.p.Changes {
		for _, st := range evalConditions(after, c.Post) {
			if !st.Holds {
				return fmt.Errorf("plan: change %s: its postcondition %q does not hold on the projected state (observed %q%s); this is a rootguard bug", c.ID, st.Condition.Text, st.Observed, st.Unknown)
			}
		}
	}
	if cfg.Now.IsZero() {
		cfg.Now = b.s.CollectedAt
	}
	reg := checks.Default()
	was, will := reg.Assess(b.s, cfg), reg.Assess(after, cfg)
	if len(was) != len(will) {
		return fmt.Errorf("plan: %d findings before and %d after the projected changes", len(was), len(will))
	}
	type move struct{ check, from, to string }
	worse := map[move][]string{}
	var order []move
	for i := range was {
		if was[i].Status == will[i].Status {
			continue
		}
		e := ExpectedFinding{CheckID: was[i].CheckID, AccountID: was[i].AccountID, From: string(was[i].Status), To: string(will[i].Status)}
		b.p.Expected = append(b.p.Expected, e)
		if will[i].Status != checks.Pass && will[i].Status != checks.NotApplicable {
			m := move{e.CheckID, e.From, e.To}
			if _, seen := worse[m]; !seen {
				order = append(order, m)
			}
			worse[m] = append(worse[m], e.AccountID)
		}
	}
	for _, m := range order {
		b.p.Warnings = append(b.p.Warnings, fmt.Sprintf("%s is expected to go from %s to %s in %s", m.check, m.from, m.to, countList(worse[m])))
	}
	slices.SortStableFunc(b.p.Expected, func(x, y ExpectedFinding) int {
		return cmp.Or(strings.Compare(x.To, y.To), strings.Compare(x.CheckID, y.CheckID), strings.Compare(x.AccountID, y.AccountID))
	})
	b.notes(after, will)
	return nil
}

// notes marks the changes whose fixed checks are expected to stay failing
// once the plan is applied. A root-activity-alerting that fails because
// the configured subscription waits for confirmation says so; any other
// check names its status after the plan.
func (b *builder) notes(after *inventory.Snapshot, will []checks.Finding) {
	type key struct{ check, account string }
	status := make(map[key]checks.Status, len(will))
	for _, f := range will {
		status[key{f.CheckID, f.AccountID}] = f.Status
	}
	pending := b.pendingSubscription(after)
	for i := range b.p.Changes {
		c := &b.p.Changes[i]
		var parts []string
		for _, id := range c.Fixes {
			st, ok := status[key{id, c.AccountID}]
			if !ok || st == checks.Pass || st == checks.NotApplicable {
				continue
			}
			if id == checks.RootActivityAlerting.ID && st == checks.Fail && pending != nil {
				note := fmt.Sprintf("%s stays FAIL until the %s subscription of %s is confirmed", id, pending.Protocol, pending.Endpoint)
				if q, ok := delivery.ParseARN(pending.Endpoint); ok && pending.Protocol == "sqs" {
					// Made from the topic's account, as plan does only
					// when it found it so.
					note += " in account " + q.Account + ", whose queue receives the confirmation"
				}
				parts = append(parts, note)
				continue
			}
			parts = append(parts, fmt.Sprintf("%s stays %s once applied (see the expected findings)", id, st))
		}
		c.Note = strings.Join(parts, "; ")
	}
}

// pendingSubscription returns the configured alert subscription when, on
// the projected state, it exists on the central topic but waits for
// confirmation.
func (b *builder) pendingSubscription(after *inventory.Snapshot) *inventory.Subscription {
	al := b.st.Alerting
	if al == nil || al.Subscription == nil {
		return nil
	}
	a := after.Account(al.AccountID)
	if a == nil {
		return nil
	}
	for _, t := range a.Detective.Topics.Value {
		if t.ARN != al.TopicARN {
			continue
		}
		for _, s := range t.Subscriptions {
			if s.Protocol == al.Subscription.Protocol && s.Endpoint == al.Subscription.Endpoint && !s.Confirmed {
				return &s
			}
		}
	}
	return nil
}

// addTarget adds a target with its role ("" for none) as PutTargets
// leaves it: the central bus grants each account by account, so only a
// Region's forwarding to it needs a role.
func addTarget(r *inventory.EventRule, arn, role string) {
	r.Targets = append(r.Targets, arn)
	if r.TargetRoles == nil {
		r.TargetRoles = map[string]string{}
	}
	r.TargetRoles[arn] = role
}

// project returns a copy of s as it will be once changes are applied: every
// change's postcondition made true, with what the calls carry (policy
// content, contact, pattern).
func project(s *inventory.Snapshot, changes []Change) (*inventory.Snapshot, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("project snapshot: %w", err)
	}
	var out inventory.Snapshot
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("project snapshot: %w", err)
	}
	for _, c := range changes {
		if err := projectChange(&out, c); err != nil {
			return nil, fmt.Errorf("project change %s: %w", c.ID, err)
		}
	}
	return &out, nil
}

func projectChange(s *inventory.Snapshot, c Change) error {
	org := s.Organization
	p := c.Calls[0].Params
	acct := func() (*inventory.Account, error) {
		a := s.Account(c.AccountID)
		if a == nil {
			return nil, fmt.Errorf("account %s is not in the snapshot", c.AccountID)
		}
		return a, nil
	}
	switch c.Kind {
	case KindEnableTrustedAccess:
		org.TrustedServices.Value = append(org.TrustedServices.Value, p["ServicePrincipal"])
		if p["ServicePrincipal"] == ServiceIAM {
			featuresReadable(org)
		}
	case KindEnableFeature:
		featuresReadable(org)
		org.Features.Value = append(org.Features.Value, c.Post[0].Fact.Name)
	case KindEnablePolicyType:
		for i := range org.Units.Value {
			u := &org.Units.Value[i]
			if u.ID == p["RootId"] {
				u.PolicyTypes = append(u.PolicyTypes, p["PolicyType"])
			}
		}
		if policyNamed(org, "FullAWSAccess") == nil {
			all := []string{}
			for _, u := range org.Units.Value {
				all = append(all, u.ID)
			}
			for _, a := range s.Accounts {
				all = append(all, a.ID)
			}
			org.Policies.Value = append(org.Policies.Value, inventory.OrgPolicy{ID: "p-FullAWSAccess", Name: "FullAWSAccess", AWSManaged: true, Content: fullAWSAccess, Targets: all})
		}
	case KindCreatePolicy:
		org.Policies.Value = append(org.Policies.Value, inventory.OrgPolicy{ID: "planned:" + p["Name"], Name: p["Name"], Description: p["Description"], Content: p["Content"], Targets: []string{}})
	case KindAttachPolicy:
		op := policyNamed(org, c.Post[0].Fact.Name)
		if op == nil {
			return fmt.Errorf("policy %s is neither in the snapshot nor created earlier in the plan", c.Post[0].Fact.Name)
		}
		op.Targets = append(op.Targets, p["TargetId"])
	case KindPutAlternateContact:
		a, err := acct()
		if err != nil {
			return err
		}
		if a.Contacts.Alternates == nil {
			a.Contacts.Alternates = map[string]inventory.Fact[*inventory.AlternateContact]{}
		}
		f := a.Contacts.Alternates[p["AlternateContactType"]]
		f.Value = &inventory.AlternateContact{Name: p["Name"], Title: p["Title"], EmailAddress: p["EmailAddress"], PhoneNumber: p["PhoneNumber"]}
		a.Contacts.Alternates[p["AlternateContactType"]] = f
	case KindCreateTopic:
		a, err := acct()
		if err != nil {
			return err
		}
		// The topic is created with its policy, as a later
		// sns:GetTopicAttributes would read it.
		at := &inventory.Fact[inventory.TopicAttributes]{Value: inventory.TopicAttributes{Policy: p["Attributes.Policy"]},
			Source: inventory.Source{API: "sns:GetTopicAttributes", At: a.Detective.Topics.Source.At}}
		a.Detective.Topics.Value = append(a.Detective.Topics.Value, inventory.Topic{ARN: c.Post[0].Fact.Name, Subscriptions: []inventory.Subscription{}, Attributes: at})
	case KindSubscribe:
		a, err := acct()
		if err != nil {
			return err
		}
		for i := range a.Detective.Topics.Value {
			t := &a.Detective.Topics.Value[i]
			if t.ARN == p["TopicArn"] {
				t.Subscriptions = append(t.Subscriptions, inventory.Subscription{Protocol: p["Protocol"], Endpoint: p["Endpoint"],
					Confirmed: subscriptionConfirms(c.Calls[0], s.Caller.Value.AccountID)})
			}
		}
	case KindPutRule:
		a, err := acct()
		if err != nil {
			return err
		}
		rules := &a.Detective.EventRules.Value
		region := c.Calls[0].Region
		i := slices.IndexFunc(*rules, func(r inventory.EventRule) bool {
			return r.Name == p["Name"] && r.Region == region && delivery.DefaultBus(r.EventBusName)
		})
		if i < 0 { // a new rule; PutRule on an existing one keeps its targets
			*rules = append(*rules, inventory.EventRule{Name: p["Name"], Region: region, EventBusName: "default", Targets: []string{}})
			i = len(*rules) - 1
		}
		(*rules)[i].State, (*rules)[i].EventPattern = p["State"], p["EventPattern"]
	case KindPutTargets:
		a, err := acct()
		if err != nil {
			return err
		}
		for i := range a.Detective.EventRules.Value {
			r := &a.Detective.EventRules.Value[i]
			if r.Name == p["Rule"] && r.Region == c.Calls[0].Region && delivery.DefaultBus(r.EventBusName) {
				addTarget(r, p["Targets.1.Arn"], "")
			}
		}
	case KindPutPermission:
		a, err := acct()
		if err != nil {
			return err
		}
		region, name := c.Calls[0].Region, p["EventBusName"]
		for i := range a.Detective.EventBuses.Value {
			bus := &a.Detective.EventBuses.Value[i]
			if bus.Region == region && bus.Name == name {
				doc, err := grantStatement(bus.Policy, p["StatementId"], p["Principal"], bus.ARN)
				if err != nil {
					return err
				}
				bus.Policy = doc
				return nil
			}
		}
		return fmt.Errorf("event bus %s of %s in %s is not in the snapshot", name, a.ID, region)
	case KindForwardRootActivity:
		a, err := acct()
		if err != nil {
			return err
		}
		rp, tp := c.Calls[0].Params, c.Calls[1].Params
		region := c.Calls[0].Region
		rules := &a.Detective.EventRules.Value
		i := slices.IndexFunc(*rules, func(r inventory.EventRule) bool {
			return r.Name == rp["Name"] && r.Region == region && delivery.DefaultBus(r.EventBusName)
		})
		if i < 0 {
			*rules = append(*rules, inventory.EventRule{Name: rp["Name"], Region: region, EventBusName: "default", Targets: []string{}})
			i = len(*rules) - 1
		}
		r := &(*rules)[i]
		r.State, r.EventPattern = rp["State"], rp["EventPattern"]
		addTarget(r, tp["Targets.1.Arn"], tp["Targets.1.RoleArn"])
	case KindGrantTopicPublish:
		a, err := acct()
		if err != nil {
			return err
		}
		for i := range a.Detective.Topics.Value {
			t := &a.Detective.Topics.Value[i]
			if t.ARN == p["TopicArn"] && t.Attributes != nil {
				at := *t.Attributes
				at.Value.Policy = p["AttributeValue"]
				t.Attributes = &at
				return nil
			}
		}
		return fmt.Errorf("topic %s of %s is not in the snapshot", p["TopicArn"], a.ID)
	case KindCreateForwardRole:
		a, err := acct()
		if err != nil {
			return err
		}
		pp := c.Calls[1].Params
		role := inventory.Principal{Kind: inventory.PrincipalRole,
			ARN: "arn:aws:iam::" + a.ID + ":role/" + p["RoleName"], Trust: p["AssumeRolePolicyDocument"],
			Policies: []inventory.NamedPolicy{{Name: pp["PolicyName"], Document: pp["PolicyDocument"]}}}
		a.IAM.Principals.Value = append(a.IAM.Principals.Value, role)
		if a.IAM.ForwardRole.Value.Name == p["RoleName"] {
			a.IAM.ForwardRole.Value.Role = &role
		}
	case KindDeleteLoginProfile, KindDeleteAccessKey, KindDeleteSigningCert, KindDeactivateMFADevice:
		a, err := acct()
		if err != nil {
			return err
		}
		id := c.Post[0].Fact.Name
		switch c.Kind {
		case KindDeactivateMFADevice:
			orphanVirtualMFA(a, id)
		case KindDeleteAccessKey:
			keepLastUse(a, c, s.CollectedAt)
		}
		removeCredential(&a.Root, c.Kind, id)
	default:
		return fmt.Errorf("unknown kind %q", c.Kind)
	}
	return nil
}

// featuresReadable projects iam:ListOrganizationsFeatures once IAM has
// trusted access: where it answered ServiceAccessNotEnabled, it now answers
// with no feature enabled yet.
func featuresReadable(org *inventory.Organization) {
	if featuresNeedTrustedAccess(org.Features) {
		org.Features = inventory.Fact[[]string]{Value: []string{}, Source: inventory.Source{API: org.Features.Source.API, At: org.Features.Source.At}}
	}
}

// orphanVirtualMFA projects a root virtual MFA device's deactivation: the
// root task policy cannot delete it, so it stays in the account, assigned
// to nobody.
func orphanVirtualMFA(a *inventory.Account, serial string) {
	f := &a.IAM.UnassignedVirtualMFA
	virtual := slices.ContainsFunc(a.Root.MFADevices.Value, func(m inventory.MFADevice) bool {
		return m.Serial == serial && m.Type == inventory.MFAVirtual
	})
	if virtual && f.Known() && !slices.Contains(f.Value, serial) {
		f.Value = append(f.Value, serial)
	}
}

// removeCredential takes one credential off the root user, with the
// account summary counts AWS keeps in step.
func removeCredential(r *inventory.RootCredentials, kind, id string) {
	sum := &r.Summary.Value
	switch kind {
	case KindDeleteLoginProfile:
		r.LoginProfile.Value = inventory.LoginProfile{}
		sum.AccountPasswordPresent = 0
	case KindDeleteAccessKey:
		r.AccessKeys.Value = slices.DeleteFunc(r.AccessKeys.Value, func(k inventory.AccessKey) bool { return k.ID == id })
		sum.AccountAccessKeysPresent = min(sum.AccountAccessKeysPresent, len(r.AccessKeys.Value))
		if len(r.AccessKeys.Value) > 0 {
			sum.AccountAccessKeysPresent = 1
		}
	case KindDeleteSigningCert:
		r.SigningCertificates.Value = slices.DeleteFunc(r.SigningCertificates.Value, func(c inventory.SigningCertificate) bool { return c.ID == id })
		sum.AccountSigningCertificatesPresent = min(sum.AccountSigningCertificatesPresent, len(r.SigningCertificates.Value))
		if len(r.SigningCertificates.Value) > 0 {
			sum.AccountSigningCertificatesPresent = 1
		}
	case KindDeactivateMFADevice:
		n := len(r.MFADevices.Value)
		r.MFADevices.Value = slices.DeleteFunc(r.MFADevices.Value, func(m inventory.MFADevice) bool { return m.Serial == id })
		sum.MFADevicesInUse = max(0, sum.MFADevicesInUse-(n-len(r.MFADevices.Value)))
		if len(r.MFADevices.Value) == 0 {
			sum.AccountMFAEnabled = 0
		}
	}
}

// grantStatement adds to an event bus policy the statement PutPermission
// writes for an account (replacing one with the same Sid).
func grantStatement(policy, sid, account, busARN string) (string, error) {
	doc := struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}{Version: "2012-10-17"}
	if policy != "" {
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			return "", fmt.Errorf("event bus policy: %w", err)
		}
	}
	st, err := json.Marshal(map[string]any{"Sid": sid, "Effect": "Allow", "Principal": map[string]string{"AWS": "arn:aws:iam::" + account + ":root"},
		"Action": "events:PutEvents", "Resource": busARN})
	if err != nil {
		return "", err
	}
	doc.Statement = slices.DeleteFunc(doc.Statement, func(s json.RawMessage) bool {
		var x struct{ Sid string }
		return json.Unmarshal(s, &x) == nil && x.Sid == sid
	})
	doc.Statement = append(doc.Statement, st)
	out, err := json.Marshal(doc)
	return string(out), err
}
