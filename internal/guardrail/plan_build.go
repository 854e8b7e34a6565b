package guardrail

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
)

// PlanOptions tune NewPlan.
type PlanOptions struct {
	// Now is the plan's creation time (default: the snapshot's collection
	// time, so the same snapshot gives the same plan).
	Now time.Time
	// CreatedBy is who makes the plan (default: the snapshot's caller).
	CreatedBy string
	// Tool is the rootguard version, for the record.
	Tool string
	// Checks configure the checks run over the snapshot as it will be
	// (Expected). Now defaults to the snapshot's collection time.
	Checks checks.Config
}

// ErrBreaksRootSessions is returned (wrapped) by NewPlan when a planned SCP
// attachment would deny centralized root sessions in an account where they
// work today.
var ErrBreaksRootSessions = errors.New("the plan would break centralized root sessions")

// phaseOf orders the changes. Apply goes through them in this order; the
// reasons, from first to last:
//
//  1. Trusted access, then the centralized root access features, and
//     turning SCPs on at the root: they change no account's behaviour by
//     themselves, and later changes need them (AssumeRoot needs
//     RootCredentialsManagement, attachments need the policy type,
//     PutAlternateContact with AccountId needs trusted access for the
//     Account Management service).
//  2. Policy creation: a policy attached nowhere restricts nothing.
//  3. Alternate contacts, before any attachment: once
//     protect-account-contacts is attached, only the admin roles may set a
//     member's contacts. From the management account that is harmless
//     (SCPs never apply to it), but an apply run from a delegated
//     administrator under another role would be denied its own contact
//     changes. Setting a contact is additive and restricts nothing.
//  4. Attachments, smallest blast radius first: to accounts, then OUs, then
//     the root; and within a target, deny-root-access-keys (one action)
//     before protect-account-contacts before deny-root-actions (every
//     action). If AWS refuses an attachment, or an operator interrupts
//     the apply, the policy has reached the fewest accounts.
//  5. The alerting stack (topic, subscription, rule, then the rule's
//     target, so the rule never points at a topic that does not exist),
//     then the hub's bus grants and each spoke's forwarding rule (so a
//     spoke never forwards to a bus that would drop its events or has no
//     rule onward): additive, and better in place before credentials
//     disappear, so that a surprise reaches someone. An account whose own
//     rule already targets its own topic gets the topic policy statement
//     that lets EventBridge publish there instead of forwarding (the
//     statement is added; the policy's others are kept).
//  6. Credential removal last: it is the only change that cannot be undone
//     (a deleted access key is gone), so it runs once every guardrail is in
//     place, and only after everything before it succeeded. Within an
//     account: password, access keys, signing certificates, then MFA (a
//     root user left with a password but no MFA would be worse than
//     before).
var phaseOf = map[string]int{
	KindEnableTrustedAccess: 10,
	KindEnableFeature:       11,
	KindEnablePolicyType:    12,
	KindCreatePolicy:        20,
	KindPutAlternateContact: 25,
	KindAttachPolicy:        30,
	KindCreateTopic:         50,
	KindSubscribe:           51,
	KindPutRule:             52,
	KindPutTargets:          53,
	KindPutPermission:       54,
	KindCreateForwardRole:   55,
	KindForwardRootActivity: 56,
	KindGrantTopicPublish:   57,
	KindDeleteLoginProfile:  60,
	KindDeleteAccessKey:     61,
	KindDeleteSigningCert:   62,
	KindDeactivateMFADevice: 63,
}

// ServiceAccount is Account Management's service principal: trusted access
// for it lets the management account set a member's alternate contacts.
const ServiceAccount = "account.amazonaws.com"

const policyTypeSCP = "SERVICE_CONTROL_POLICY"

// builder accumulates a plan.
type builder struct {
	s        *inventory.Snapshot
	st       *State
	cfg      Config
	p        *Plan
	mgmt     string
	planned  map[string]bool // change IDs
	policyID map[string]string
	parent   map[string]string // OU or root → its parent ("" for a root)
	// blocked are the accounts where centralized root sessions are denied
	// after the plan's SCP changes.
	blocked []BlockedSessions
	// busPolicy is the central bus policy as the planned grants leave it.
	busPolicy *string
}

// MaxBusPolicySize is the largest event bus policy EventBridge keeps, in
// bytes: about 50 account grants.
const MaxBusPolicySize = 10 * 1024

// NewPlan computes the changes that bring the snapshot's organization (or
// standalone account) to the desired guardrails of cfg. It makes no AWS
// call. Facts the snapshot lacks become Gaps, never guesses.
func NewPlan(cfg Config, s *inventory.Snapshot, opts PlanOptions) (*Plan, error) {
	st, err := Desired(cfg, s)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	b := &builder{
		s: s, st: st, cfg: cfg,
		mgmt:     st.ManagementAccountID,
		planned:  map[string]bool{},
		policyID: map[string]string{},
		parent:   unitParents(s.Organization),
		p: &Plan{
			Schema:    PlanSchema,
			CreatedAt: cmp.Or(opts.Now, s.CollectedAt).UTC().Truncate(time.Second),
			CreatedBy: cmp.Or(opts.CreatedBy, s.Caller.Value.ARN),
			Tool:      opts.Tool,
			Config:    cfg,
			Snapshot: PlanSource{
				CollectedAt: s.CollectedAt, Mode: s.Mode,
				OrganizationID: st.OrganizationID, ManagementAccountID: st.ManagementAccountID,
				Accounts: len(s.Accounts),
			},
			Changes:  []Change{},
			Expected: []ExpectedFinding{},
			Warnings: []string{},
			Gaps:     slices.Clone(st.Gaps),
		},
	}
	if b.mgmt == "" && len(s.Accounts) == 1 {
		b.mgmt = s.Accounts[0].ID
	}
	b.organization()
	if err := b.analyseSCPs(); err != nil {
		return nil, err
	}
	b.contacts()
	b.alerting()
	b.ruleStates()
	b.credentials()
	b.replanHint()
	b.finish()
	if err := b.expect(opts.Checks); err != nil {
		return nil, err
	}
	p := b.p
	p.Fingerprint = p.fingerprint()
	p.ID = planID(p.CreatedAt, p.Fingerprint)
	return p, nil
}

func (b *builder) gap(area, account, detail string) {
	b.p.Gaps = append(b.p.Gaps, Gap{Area: area, AccountID: account, Detail: detail})
}

func (b *builder) name(id string) string {
	if a := b.s.Account(id); a != nil {
		return a.Name
	}
	return ""
}

// add records a change after observing its precondition. A precondition
// that already differs (the change is not needed) drops it; one that cannot
// be observed becomes a gap.
func (b *builder) add(c Change) bool {
	for i, pre := range c.Pre {
		v, err := observe(b.s, pre.Fact)
		if err != nil {
			b.gap(areaOf(c.Kind), c.AccountID, c.Summary+": not planned, "+err.Error())
			return false
		}
		c.Pre[i].Value = v
	}
	c.AccountName = b.name(c.AccountID)
	if c.Fixes == nil {
		c.Fixes = []string{}
	}
	for _, d := range c.DependsOn {
		if !b.planned[d] {
			c.DependsOn = slices.DeleteFunc(c.DependsOn, func(x string) bool { return x == d })
		}
	}
	if len(c.DependsOn) == 0 {
		c.DependsOn = nil
	}
	b.planned[c.ID] = true
	b.p.Changes = append(b.p.Changes, c)
	return true
}

func areaOf(kind string) string {
	switch kind {
	case KindEnableTrustedAccess, KindEnableFeature:
		return AreaCentralizedRoot
	case KindEnablePolicyType, KindCreatePolicy, KindAttachPolicy:
		return AreaSCP
	case KindPutAlternateContact:
		return AreaContacts
	case KindCreateTopic, KindSubscribe, KindPutRule, KindPutTargets, KindPutPermission, KindCreateForwardRole, KindForwardRootActivity, KindGrantTopicPublish:
		return AreaAlerting
	}
	return AreaMemberCredentials
}

// needs observes f and reports whether it differs from want (a change is
// needed). An unknown fact is a gap and no change.
func (b *builder) needs(f Fact, want, what string) bool {
	v, err := observe(b.s, f)
	if err != nil {
		b.gap(areaOf(kindForFact(f.Kind)), f.AccountID, what+": not known ("+err.Error()+"), not planned")
		return false
	}
	return v != want
}

func kindForFact(k string) string {
	switch k {
	case FactTrustedService, FactFeature:
		return KindEnableFeature
	case FactPolicyType, FactSCP, FactSCPAttachment:
		return KindAttachPolicy
	case FactAlternate:
		return KindPutAlternateContact
	case FactTopic, FactSubscription, FactEventRule, FactEventTarget, FactBusGrant, FactForwarding, FactRole:
		return KindPutRule
	case FactTopicPolicy:
		return KindGrantTopicPublish
	}
	return KindDeleteAccessKey
}

func cond(f Fact, value, text string) Condition { return Condition{Fact: f, Value: value, Text: text} }

// organization plans trusted access, the features, the SCP policy type,
// the policies and their attachments.
func (b *builder) organization() {
	st := b.st
	if b.s.Mode != inventory.ModeOrganization || b.s.Organization == nil || b.mgmt == "" {
		return
	}
	services := slices.Clone(st.TrustedAccess)
	for _, c := range st.Contacts {
		if c.PassAccountID && !slices.Contains(services, ServiceAccount) {
			services = append(services, ServiceAccount)
		}
	}
	for _, svc := range services {
		f := Fact{Kind: FactTrustedService, Name: svc}
		if !b.needs(f, valEnabled, "trusted access for "+svc) {
			continue
		}
		why := "centralized root access needs it"
		fixes := []string{"centralized-root-access-enabled"}
		if svc == ServiceAccount {
			why, fixes = "the management account sets members' alternate contacts through it", []string{}
		}
		b.add(Change{
			ID: KindEnableTrustedAccess + "/" + svc, AccountID: b.mgmt, Kind: KindEnableTrustedAccess, Action: "+",
			Summary: fmt.Sprintf("enable trusted access for %s in the organization", svc),
			Calls:   []Call{{Operation: "organizations:EnableAWSServiceAccess", Session: SessionCaller, Params: map[string]string{"ServicePrincipal": svc}}},
			Fixes:   fixes,
			Risk:    "lets " + svc + " act across the organization; " + why,
			Pre:     []Condition{cond(f, "", "trusted access for "+svc+" is not enabled")},
			Post:    []Condition{cond(f, valEnabled, "trusted access for "+svc+" is enabled")},
		})
	}
	for _, feat := range st.Features {
		f := Fact{Kind: FactFeature, Name: feat}
		if !b.needs(f, valEnabled, "centralized root access feature "+feat) {
			continue
		}
		risk := "new member accounts get no root credentials; members can no longer recover their root password by themselves"
		if feat == FeatureRootSessions {
			risk = "lets the management account open root sessions in members to unlock misconfigured S3 bucket and SQS queue policies"
		}
		b.add(Change{
			ID: KindEnableFeature + "/" + feat, AccountID: b.mgmt, Kind: KindEnableFeature, Action: "+",
			Summary:   "enable centralized root access feature " + feat,
			Calls:     []Call{{Operation: "iam:EnableOrganizations" + feat, Session: SessionCaller, Params: map[string]string{}}},
			Fixes:     []string{"centralized-root-access-enabled"},
			Risk:      risk,
			Pre:       []Condition{cond(f, "", feat+" is not enabled")},
			Post:      []Condition{cond(f, valEnabled, feat+" is enabled")},
			DependsOn: []string{KindEnableTrustedAccess + "/" + ServiceIAM},
		})
	}
	if len(st.SCPs) == 0 || st.RootID == "" {
		return
	}
	typeID := KindEnablePolicyType + "/" + st.RootID
	ft := Fact{Kind: FactPolicyType, Name: st.RootID, Target: policyTypeSCP}
	if b.needs(ft, valEnabled, "service control policies on "+st.RootID) {
		b.add(Change{
			ID: typeID, AccountID: b.mgmt, Kind: KindEnablePolicyType, Action: "+",
			Summary: "enable service control policies on " + st.RootID + " (root)",
			Calls: []Call{{Operation: "organizations:EnablePolicyType", Session: SessionCaller,
				Params: map[string]string{"RootId": st.RootID, "PolicyType": policyTypeSCP}}},
			Risk: "AWS attaches FullAWSAccess to every root, OU and account, so nothing is denied until a deny policy is attached",
			Pre:  []Condition{cond(ft, "", "service control policies are not enabled on "+st.RootID)},
			Post: []Condition{cond(ft, valEnabled, "service control policies are enabled on "+st.RootID)},
		})
	}
	for _, scp := range st.SCPs {
		fp := Fact{Kind: FactSCP, Name: scp.Name}
		v, err := observe(b.s, fp)
		if err != nil {
			b.gap(AreaSCP, "", fmt.Sprintf("policy %s: not known (%s), not planned", scp.Name, err))
			continue
		}
		createID := KindCreatePolicy + "/" + scp.Key
		ref := "${policy:" + scp.Name + "}"
		switch v {
		case valAbsent:
			b.add(Change{
				ID: createID, AccountID: b.mgmt, Kind: KindCreatePolicy, Action: "+",
				Summary: fmt.Sprintf("create SCP %q (%d characters)", scp.Name, len(scp.Content)),
				Calls: []Call{{Operation: "organizations:CreatePolicy", Session: SessionCaller, Params: map[string]string{
					"Name": scp.Name, "Description": scp.Description, "Type": policyTypeSCP, "Content": scp.Content}}},
				Risk:      "none by itself: a policy restricts nothing until it is attached",
				Pre:       []Condition{cond(fp, "", "no SCP is named "+scp.Name)},
				Post:      []Condition{cond(fp, contentValue(scp.Content), "SCP "+scp.Name+" exists with the generated content")},
				DependsOn: []string{typeID},
			})
		case contentValue(scp.Content):
			ref = policyNamed(b.s.Organization, scp.Name).ID
		default:
			b.gap(AreaSCP, "", fmt.Sprintf("an SCP named %s exists with other content than rootguard generates; rootguard neither overwrites nor attaches it: rename it or review it against `rootguard export`", scp.Name))
			continue
		}
		b.policyID[scp.Name] = ref
		for _, t := range scp.Targets {
			fa := Fact{Kind: FactSCPAttachment, Name: scp.Name, Target: t.ID}
			if !b.needs(fa, valAttached, "attachment of "+scp.Name+" to "+t.ID) {
				continue
			}
			where := t.ID + " (" + t.Kind + ")"
			if t.Name != "" {
				where = fmt.Sprintf("%s (%s %s)", t.ID, t.Kind, t.Name)
			}
			b.add(Change{
				ID: KindAttachPolicy + "/" + scp.Key + "/" + t.ID, AccountID: b.mgmt, Kind: KindAttachPolicy, Action: "+",
				Summary:   fmt.Sprintf("attach SCP %q to %s", scp.Name, where),
				Calls:     []Call{{Operation: "organizations:AttachPolicy", Session: SessionCaller, Params: map[string]string{"PolicyId": ref, "TargetId": t.ID}}},
				Fixes:     slices.Clone(scp.Fixes),
				Risk:      attachRisk(scp, t, b.accountsUnder(t.ID)),
				Pre:       []Condition{cond(fa, "", "SCP "+scp.Name+" is not attached to "+t.ID)},
				Post:      []Condition{cond(fa, valAttached, "SCP "+scp.Name+" is attached to "+t.ID)},
				DependsOn: []string{typeID, createID},
			})
		}
	}
}

func attachRisk(scp SCP, t Target, n int) string {
	what := map[string]string{
		KeyDenyRootActions:    "denies every action to the root user signed in with its own credentials",
		KeyDenyRootAccessKeys: "denies root iam:CreateAccessKey",
		KeyProtectContacts:    "denies contact and primary email changes outside the admin roles",
	}[scp.Key]
	return fmt.Sprintf("%s in %d active member account(s) under %s; centralized root sessions stay allowed (see the SCP analysis)", cmp.Or(what, "restricts"), n, t.ID)
}

// unitParents maps each OU and root of org to its parent.
func unitParents(org *inventory.Organization) map[string]string {
	parent := map[string]string{}
	if org != nil {
		for _, u := range org.Units.Value {
			parent[u.ID] = u.ParentID
		}
	}
	return parent
}

// accountsUnder counts the active member accounts at or below id.
func (b *builder) accountsUnder(id string) int {
	parent := b.parent
	n := 0
	for i := range b.s.Accounts {
		a := &b.s.Accounts[i]
		if a.Role != inventory.RoleMember || !active(a) {
			continue
		}
		for x, hops := a.ID, 0; x != "" && hops <= len(parent)+1; hops++ {
			if x == id {
				n++
				break
			}
			if x == a.ID {
				x = a.ParentID
			} else {
				x = parent[x]
			}
		}
	}
	return n
}

// contacts plans the missing alternate contacts Desired found.
func (b *builder) contacts() {
	for _, c := range b.st.Contacts {
		f := Fact{Kind: FactAlternate, AccountID: c.AccountID, Name: c.Type}
		params := map[string]string{
			"AlternateContactType": c.Type, "Name": c.Contact.Name, "Title": c.Contact.Title,
			"EmailAddress": c.Contact.Email, "PhoneNumber": c.Contact.Phone,
		}
		var deps []string
		if c.PassAccountID {
			params["AccountId"] = c.AccountID
			deps = []string{KindEnableTrustedAccess + "/" + ServiceAccount}
		}
		b.add(Change{
			ID: KindPutAlternateContact + "/" + c.AccountID + "/" + c.Type, AccountID: c.AccountID, Kind: KindPutAlternateContact, Action: "~",
			Summary:   fmt.Sprintf("set %s contact on %s", c.Type, c.AccountID),
			Calls:     []Call{{Operation: "account:PutAlternateContact", Session: SessionCaller, Params: params}},
			Fixes:     slices.Clone(c.Fixes),
			Risk:      fmt.Sprintf("AWS sends %s notices for this account to %s", strings.ToLower(c.Type), c.Contact.Email),
			Pre:       []Condition{cond(f, "", "no "+c.Type+" alternate contact is set")},
			Post:      []Condition{cond(f, valSet, "a "+c.Type+" alternate contact is set")},
			DependsOn: deps,
		})
	}
}

// alerting plans the alerting stack (hub) where root-activity-alerting
// fails in its account or where another account will forward to it, then
// the forwarding (spokes) in every other account where the check fails.
func (b *builder) alerting() {
	al := b.st.Alerting
	if al == nil {
		return
	}
	a := b.s.Account(al.AccountID)
	if a == nil {
		return // Desired reported it
	}
	ccfg := checks.DefaultConfig(b.s.CollectedAt)
	status := func(x *inventory.Account) checks.Result {
		return checks.RootActivityAlerting.Run(checks.Input{Snapshot: b.s, Account: x, Config: ccfg})
	}
	var spokes []ForwardAccount
	if fw := al.Forwarding; fw != nil {
		for _, fa := range fw.Accounts {
			x := b.s.Account(fa.AccountID)
			switch res := status(x); res.Status {
			case checks.Fail:
				if !b.ownTopics(x, fa.RoleARN, fa.Regions) {
					spokes = append(spokes, fa)
				}
			case checks.Unknown:
				b.gap(AreaAlerting, fa.AccountID, "root-activity-alerting is UNKNOWN in "+fa.AccountID+" ("+firstLine(res.Detail)+"): forwarding not planned")
			}
		}
	}
	res := status(a)
	hubFails := res.Status == checks.Fail
	if hubFails && b.ownTopics(a, al.AssumeRoleARN, nil) {
		hubFails = false
	}
	switch {
	case res.Status == checks.Unknown:
		b.gap(AreaAlerting, a.ID, "root-activity-alerting is UNKNOWN in "+a.ID+" ("+firstLine(res.Detail)+"): alerting not planned")
		b.spokesGap(spokes, "the central account's own alerting is not known")
		return
	case !hubFails && len(spokes) == 0:
		return
	case al.Subscription == nil:
		what := "root-activity-alerting fails in " + a.ID
		if !hubFails {
			what = fmt.Sprintf("%d account(s) would forward root activity to %s", len(spokes), a.ID)
		}
		b.gap(AreaAlerting, a.ID, what+" but alerting.subscription is not configured: a topic nobody reads alerts nobody, so the stack is not planned")
		b.spokesGap(spokes, "the central stack is not planned")
		return
	}
	ids, ok := b.hubStack(a, hubFails, len(spokes))
	if !ok {
		b.spokesGap(spokes, "the central stack cannot be planned")
		return
	}
	granted := map[string]bool{}
	for _, fa := range spokes {
		granted[fa.AccountID] = b.forward(a, fa, ids)
	}
	if al.Regional == nil {
		return
	}
	b.regional(a, al.Regional.Regions, al.AssumeRoleARN, ids)
	for _, fa := range spokes {
		x := b.s.Account(fa.AccountID)
		if !granted[fa.AccountID] {
			if open := b.otherRegionsOpen(x, fa.Regions); len(open) > 0 {
				b.gap(AreaAlerting, fa.AccountID, "root API calls made in "+strings.Join(open, ", ")+" reach nobody, and forwarding them is not planned either: the central bus's grant to "+fa.AccountID+" is not")
			}
			continue
		}
		b.regional(x, fa.Regions, fa.RoleARN, append(slices.Clone(ids), KindPutPermission+"/"+a.ID+"/"+fa.AccountID))
	}
}

// otherRegionsOpen are the Regions of regions (collected Regions of
// account a other than us-east-1) where root API calls are proven to
// reach nobody.
func (b *builder) otherRegionsOpen(a *inventory.Account, regions []string) []string {
	rs := checks.RegionsWithoutAlerting(checks.Input{Snapshot: b.s, Account: a, Config: checks.DefaultConfig(b.s.CollectedAt)})
	return slices.DeleteFunc(rs, func(r string) bool { return r == AlertRegion || !slices.Contains(regions, r) })
}

// spokesGap reports the accounts whose forwarding is not planned.
func (b *builder) spokesGap(spokes []ForwardAccount, why string) {
	if len(spokes) == 0 {
		return
	}
	ids := make([]string, len(spokes))
	for i, fa := range spokes {
		ids[i] = fa.AccountID
	}
	b.gap(AreaAlerting, b.st.Alerting.AccountID, "root activity of "+countList(ids)+" is not forwarded: "+why)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(line, ":")
}

// call is one call of the stack in its account, through the role when that
// is not the caller's.
func (al *AlertStack) call(op string, params map[string]string) Call {
	return callAs(al.AssumeRoleARN, al.Region, op, params)
}

// callAs is a call in region through role, the caller's own session when
// role is "".
func callAs(role, region, op string, params map[string]string) Call {
	c := Call{Operation: op, Region: region, Session: SessionCaller, Params: params}
	if role != "" {
		c.Session, c.RoleARN = SessionAssumeRole, role
	}
	return c
}

// hubStack plans the topic, subscription, rule and target in the central
// account a; it returns the IDs of the changes forwarding depends on, and
// false when the rule cannot be planned (a gap says why).
func (b *builder) hubStack(a *inventory.Account, hubFails bool, spokes int) ([]string, bool) {
	al := b.st.Alerting
	topic := Fact{Kind: FactTopic, AccountID: a.ID, Region: al.Region, Name: al.TopicARN}
	topicID := KindCreateTopic + "/" + a.ID + "/" + al.TopicName
	if b.needs(topic, valPresent, "SNS topic "+al.TopicARN) {
		b.add(Change{
			ID: topicID, AccountID: a.ID, Kind: KindCreateTopic, Action: "+",
			Summary: fmt.Sprintf("create SNS topic %q in %s (%s) that only rule %q may publish to", al.TopicName, a.ID, al.Region, al.RuleName),
			// One call, so the topic never exists without its policy: a
			// rerun that finds the topic takes it as done.
			Calls: []Call{al.call("sns:CreateTopic", map[string]string{"Name": al.TopicName, "Attributes.Policy": al.TopicPolicy})},
			Risk:  "none: a new topic",
			Pre:   []Condition{cond(topic, "", "topic "+al.TopicARN+" does not exist")},
			Post:  []Condition{cond(topic, valPresent, "topic "+al.TopicARN+" exists")},
		})
	}
	endpoint := al.Subscription.Protocol + ":" + al.Subscription.Endpoint
	sub := Fact{Kind: FactSubscription, AccountID: a.ID, Region: al.Region, Name: al.TopicARN, Target: endpoint}
	subID := KindSubscribe + "/" + a.ID + "/" + al.TopicName
	if b.needs(sub, valPresent, "subscription of "+al.TopicARN) && b.queueMaySubscribe(a, topicID) {
		risk := "the endpoint receives every root activity alert"
		if needsConfirmation(al.Subscription.Protocol) {
			risk += "; AWS sends a confirmation to " + al.Subscription.Endpoint + " that someone must accept"
		}
		summary := fmt.Sprintf("subscribe %s to topic %q", endpoint, al.TopicName)
		params := map[string]string{"TopicArn": al.TopicARN, "Protocol": al.Subscription.Protocol, "Endpoint": al.Subscription.Endpoint}
		call := al.call("sns:Subscribe", params)
		if al.QueueAccountID != "" {
			// From the queue's account, which the topic policy lets in
			// (statement QueueSubscribeSid): SNS confirms it at once.
			call = callAs(al.QueueRoleARN, al.Region, "sns:Subscribe", params)
			summary += fmt.Sprintf(" from the queue's account %s, so SNS confirms it at once", al.QueueAccountID)
		}
		b.add(Change{
			ID: subID, AccountID: a.ID, Kind: KindSubscribe, Action: "+",
			Summary:   summary,
			Calls:     []Call{call},
			Risk:      risk,
			Pre:       []Condition{cond(sub, "", endpoint+" is not subscribed to "+al.TopicARN)},
			Post:      []Condition{cond(sub, valPresent, endpoint+" is subscribed to "+al.TopicARN)},
			DependsOn: []string{topicID},
		})
	}
	rule := Fact{Kind: FactEventRule, AccountID: a.ID, Region: al.Region, Name: al.RuleName}
	putRuleID := ruleID(a.ID, al.Region, al.RuleName)
	want := ruleValue(RuleState, al.EventPattern)
	if v, err := observe(b.s, rule); err != nil {
		b.gap(AreaAlerting, a.ID, "EventBridge rule "+al.RuleName+": not known ("+err.Error()+"), not planned")
		return nil, false
	} else if v == ruleValue(delivery.RuleEnabled, al.EventPattern) {
		b.upgradeRule(a.ID, al.Region, al.AssumeRoleARN, al.RuleName, al.EventPattern, hubRuleDescription)
	} else if v != valAbsent && v != want {
		b.gap(AreaAlerting, a.ID, fmt.Sprintf("EventBridge rule %s exists in %s with another pattern or state (%s); rootguard does not overwrite it: rename alerting.rule_name or fix the rule", al.RuleName, al.Region, v))
		return nil, false
	} else if v == valAbsent {
		b.add(Change{
			ID: putRuleID, AccountID: a.ID, Kind: KindPutRule, Action: "+",
			Summary: fmt.Sprintf("create EventBridge rule %q in %s (%s) on root API calls and root console sign-ins", al.RuleName, a.ID, al.Region),
			Calls: []Call{al.call("events:PutRule", map[string]string{"Name": al.RuleName, "EventPattern": al.EventPattern, "State": RuleState,
				"Description": hubRuleDescription})},
			Risk: "none: a rule only matches events",
			Pre:  []Condition{cond(rule, "", "no rule "+al.RuleName+" on the default bus")},
			Post: []Condition{cond(rule, want, "rule "+al.RuleName+" is enabled with the root activity pattern")},
		})
	}
	target := Fact{Kind: FactEventTarget, AccountID: a.ID, Region: al.Region, Name: al.RuleName, Target: al.TopicARN}
	targetID := KindPutTargets + "/" + a.ID + "/" + al.RuleName
	if b.needs(target, valPresent, "target of rule "+al.RuleName) {
		risk := "every root API call and root console sign-in in " + a.ID
		if spokes > 0 {
			risk += fmt.Sprintf(", and in the %d account(s) planned to forward theirs,", spokes)
		}
		var fixes []string
		if hubFails {
			fixes = slices.Clone(al.Fixes)
		}
		b.add(Change{
			ID: targetID, AccountID: a.ID, Kind: KindPutTargets, Action: "+",
			Summary: fmt.Sprintf("send rule %q to topic %q", al.RuleName, al.TopicName),
			Calls: []Call{al.call("events:PutTargets", map[string]string{"Rule": al.RuleName,
				"Targets.1.Id": "rootguard-sns", "Targets.1.Arn": al.TopicARN})},
			Fixes:     fixes,
			Risk:      risk + " is published to the topic",
			Pre:       []Condition{cond(target, "", "rule "+al.RuleName+" does not target "+al.TopicARN)},
			Post:      []Condition{cond(target, valPresent, "rule "+al.RuleName+" targets "+al.TopicARN)},
			DependsOn: []string{topicID, putRuleID, subID},
		})
	}
	return []string{subID, targetID}, true
}

// forward plans one spoke: the central bus's grant to it, then its rule
// and the rule's target, the central bus. The rule and its target are one
// change: forwarding is one fact, and a rerun after the target failed
// makes PutRule again, which leaves the rule as it was. It reports whether
// the grant is in place or planned.
func (b *builder) forward(hub *inventory.Account, fa ForwardAccount, hubIDs []string) bool {
	al := b.st.Alerting
	fw := al.Forwarding
	grant := Fact{Kind: FactBusGrant, AccountID: hub.ID, Region: al.Region, Name: "default", Target: fa.AccountID}
	grantID := KindPutPermission + "/" + hub.ID + "/" + fa.AccountID
	v, err := observe(b.s, grant)
	switch {
	case err != nil:
		b.gap(AreaAlerting, fa.AccountID, "forward root activity from "+fa.AccountID+": not planned, the central bus policy is not known ("+err.Error()+")")
		return false
	case v == valDenied:
		b.gap(AreaAlerting, fa.AccountID, "forward root activity from "+fa.AccountID+": not planned, the central bus policy of "+hub.ID+" denies it putting events; rootguard does not remove a Deny statement")
		return false
	}
	if v != valAllowed {
		if b.busPolicy == nil {
			cur := ""
			for _, bus := range hub.Detective.EventBuses.Value {
				if bus.Region == al.Region && bus.Name == "default" {
					cur = bus.Policy
				}
			}
			b.busPolicy = &cur
		}
		doc, err := grantStatement(*b.busPolicy, fa.StatementID, fa.AccountID, al.BusARN)
		if err != nil || len(doc) > MaxBusPolicySize {
			why := fmt.Sprintf("its grant would take the central bus policy past EventBridge's %d bytes", MaxBusPolicySize)
			if err != nil {
				why = "the central bus policy cannot be read: " + err.Error()
			}
			b.gap(AreaAlerting, fa.AccountID, "forward root activity from "+fa.AccountID+": not planned, "+why+
				"; grant the organization instead, with an IAM role on each account's forwarding target (rootguard export cloudformation: the StackSet template)")
			return false
		}
		*b.busPolicy = doc
	}
	if v != valAllowed && !b.add(Change{
		ID: grantID, AccountID: hub.ID, Kind: KindPutPermission, Action: "+",
		Summary: fmt.Sprintf("let %s put events on the default bus of %s (%s)", fa.AccountID, hub.ID, al.Region),
		Calls: []Call{al.call("events:PutPermission", map[string]string{"EventBusName": "default", "Action": "events:PutEvents",
			"Principal": fa.AccountID, "StatementId": fa.StatementID})},
		Risk: "the account can put any event on the bus; only rules without an account in their pattern (the root activity rule) see them",
		Pre:  []Condition{cond(grant, "", "the default bus of "+hub.ID+" does not let "+fa.AccountID+" put events")},
		Post: []Condition{cond(grant, valAllowed, "the default bus of "+hub.ID+" lets "+fa.AccountID+" put events")},
	}) {
		return false
	}
	f := Fact{Kind: FactForwarding, AccountID: fa.AccountID, Region: al.Region, Name: fw.RuleName, Target: fw.TargetARN}
	switch v, err := observe(b.s, f); {
	case err != nil:
		b.gap(AreaAlerting, fa.AccountID, "forward root activity from "+fa.AccountID+": not planned, "+err.Error())
		return true
	case v == valForward:
		return true
	case v != valNoFwd:
		b.gap(AreaAlerting, fa.AccountID, fmt.Sprintf("EventBridge rule %s exists in %s (%s) as %s; rootguard does not overwrite it: rename alerting.forward_rule_name or fix the rule", fw.RuleName, fa.AccountID, al.Region, v))
		return true
	}
	call := func(op string, params map[string]string) Call { return callAs(fa.RoleARN, al.Region, op, params) }
	b.add(Change{
		ID: KindForwardRootActivity + "/" + fa.AccountID + "/" + fw.RuleName, AccountID: fa.AccountID, Kind: KindForwardRootActivity, Action: "+",
		Summary: fmt.Sprintf("forward root activity from %s to the central bus (rule %q in %s → %s)", fa.AccountID, fw.RuleName, al.Region, fw.TargetARN),
		Calls: []Call{
			call("events:PutRule", map[string]string{"Name": fw.RuleName, "EventPattern": fw.EventPattern, "State": RuleState,
				"Description": forwardRuleDescription(hub.ID)}),
			call("events:PutTargets", map[string]string{"Rule": fw.RuleName, "Targets.1.Id": "rootguard-central-bus", "Targets.1.Arn": fw.TargetARN}),
		},
		Fixes:     slices.Clone(al.Fixes),
		Risk:      fmt.Sprintf("every root API call and root console sign-in in %s reaches %s's rule %q and its topic", fa.AccountID, hub.ID, al.RuleName),
		Pre:       []Condition{cond(f, valNoFwd, "rule "+fw.RuleName+" does not forward root activity to "+fw.TargetARN)},
		Post:      []Condition{cond(f, valForward, "rule "+fw.RuleName+" forwards root activity to "+fw.TargetARN)},
		DependsOn: append(slices.Clone(hubIDs), grantID),
	})
	return true
}

// regional plans, in each Region of regions (collected Regions of account
// a other than us-east-1) where root API calls reach nobody, a rule
// forwarding them to the central bus through the account's forwarding
// role (EventBridge needs one for another Region's bus), and that role
// where it is absent. Its calls go through role ("" for the caller's own
// session); the rules wait for deps (the central stack and, in a
// forwarding account, the bus's grant to it).
func (b *builder) regional(a *inventory.Account, regions []string, role string, deps []string) {
	al := b.st.Alerting
	rg := al.Regional
	open := b.otherRegionsOpen(a, regions)
	if len(open) == 0 {
		return
	}
	fact := Fact{Kind: FactRole, AccountID: a.ID, Name: rg.RoleName, Target: rg.RolePolicyName}
	want := roleValue(rg.TrustPolicy, rg.RolePolicy)
	roleID := KindCreateForwardRole + "/" + a.ID + "/" + rg.RoleName
	switch v, err := observe(b.s, fact); {
	case err != nil:
		b.gap(AreaAlerting, a.ID, fmt.Sprintf("root API calls made in %s reach nobody, but forwarding them is not planned: IAM role %s is not known (%s)", strings.Join(open, ", "), rg.RoleName, err))
		return
	case v == valAbsent:
		b.add(Change{
			ID: roleID, AccountID: a.ID, Kind: KindCreateForwardRole, Action: "+",
			Summary: fmt.Sprintf("create IAM role %q in %s that EventBridge assumes to put root activity on the central bus %s", rg.RoleName, a.ID, al.BusARN),
			Calls: []Call{
				callAs(role, al.Region, "iam:CreateRole", map[string]string{"RoleName": rg.RoleName, "AssumeRolePolicyDocument": rg.TrustPolicy,
					"Description": "rootguard: EventBridge forwards root activity to " + al.BusARN}),
				callAs(role, al.Region, "iam:PutRolePolicy", map[string]string{"RoleName": rg.RoleName, "PolicyName": rg.RolePolicyName, "PolicyDocument": rg.RolePolicy}),
			},
			Risk: "EventBridge may put events on the central bus, and nothing else, through this role",
			Pre:  []Condition{cond(fact, valAbsent, "no IAM role "+rg.RoleName)},
			Post: []Condition{cond(fact, want, "IAM role "+rg.RoleName+" lets EventBridge put events on "+al.BusARN)},
		})
	case v != want:
		b.gap(AreaAlerting, a.ID, fmt.Sprintf("IAM role %s exists in %s with another trust or %s policy; rootguard does not overwrite it: rename alerting.forward_rule_name or fix the role", rg.RoleName, a.ID, rg.RolePolicyName))
		return
	}
	for _, r := range open {
		f := Fact{Kind: FactForwarding, AccountID: a.ID, Region: r, Name: rg.RuleName, Target: al.BusARN}
		switch v, err := observe(b.s, f); {
		case err != nil:
			b.gap(AreaAlerting, a.ID, "forward root API calls made in "+r+": not planned, "+err.Error())
			continue
		case v != valNoFwd:
			b.gap(AreaAlerting, a.ID, fmt.Sprintf("EventBridge rule %s exists in %s (%s) as %s; rootguard does not overwrite it: rename alerting.forward_rule_name or fix the rule", rg.RuleName, a.ID, r, v))
			continue
		}
		b.add(Change{
			ID: KindForwardRootActivity + "/" + a.ID + "/" + r + "/" + rg.RuleName, AccountID: a.ID, Kind: KindForwardRootActivity, Action: "+",
			Summary: fmt.Sprintf("forward root API calls made in %s to the central bus (rule %q in %s → %s, role %s)", r, rg.RuleName, r, al.BusARN, rg.RoleName),
			Calls: []Call{
				callAs(role, r, "events:PutRule", map[string]string{"Name": rg.RuleName, "EventPattern": RootActivityPattern, "State": RuleState,
					"Description": regionalRuleDescription(r, al.BusARN)}),
				callAs(role, r, "events:PutTargets", map[string]string{"Rule": rg.RuleName, "Targets.1.Id": "rootguard-central-bus",
					"Targets.1.Arn": al.BusARN, "Targets.1.RoleArn": rg.RoleARN(a.ID)}),
			},
			Fixes:     slices.Clone(al.Fixes),
			Risk:      fmt.Sprintf("every root API call made in %s in %s reaches rule %q and its topic", r, a.ID, al.RuleName),
			Pre:       []Condition{cond(f, valNoFwd, "rule "+rg.RuleName+" in "+r+" does not forward root activity to "+al.BusARN)},
			Post:      []Condition{cond(f, valForward, "rule "+rg.RuleName+" in "+r+" forwards root activity to "+al.BusARN)},
			DependsOn: append(slices.Clone(deps), roleID),
		})
	}
}

// Descriptions of the rules rootguard deploys.
const hubRuleDescription = "rootguard: root API calls and root console sign-ins"

func forwardRuleDescription(hub string) string {
	return "rootguard: forward root API calls and root console sign-ins to " + hub
}

func regionalRuleDescription(region, bus string) string {
	return "rootguard: forward root API calls made in " + region + " to " + bus
}

// ruleID names the change that puts rule name in account.
func ruleID(account, region, name string) string { return stackID(KindPutRule, account, region, name) }

// stackID names a change of kind on name in account, naming region only
// when it is not the stack's Region.
func stackID(kind, account, region, name string) string {
	if region == AlertRegion {
		return kind + "/" + account + "/" + name
	}
	return kind + "/" + account + "/" + region + "/" + name
}

// ruleStates brings every rule rootguard deploys that already exists in
// plain ENABLED (deployed by an older rootguard) to RuleState: the
// stack's rule, each forwarding account's rule and each Region's
// forwarding rule, unless another change of the plan already puts it.
// root-activity-alerting passes through such a rule but names its partial
// coverage: in plain ENABLED it never receives read-only management
// events.
func (b *builder) ruleStates() {
	al := b.st.Alerting
	if al == nil || b.s.Account(al.AccountID) == nil {
		return
	}
	b.upgradeRule(al.AccountID, al.Region, al.AssumeRoleARN, al.RuleName, al.EventPattern, hubRuleDescription)
	rg := al.Regional
	regional := func(acct, role string, regions []string) {
		if rg == nil {
			return
		}
		for _, r := range regions {
			if !b.planned[KindForwardRootActivity+"/"+acct+"/"+r+"/"+rg.RuleName] {
				b.upgradeRule(acct, r, role, rg.RuleName, RootActivityPattern, regionalRuleDescription(r, al.BusARN))
			}
		}
	}
	if rg != nil {
		regional(al.AccountID, al.AssumeRoleARN, rg.Regions)
	}
	if fw := al.Forwarding; fw != nil {
		for _, fa := range fw.Accounts {
			if !b.planned[KindForwardRootActivity+"/"+fa.AccountID+"/"+fw.RuleName] {
				b.upgradeRule(fa.AccountID, al.Region, fa.RoleARN, fw.RuleName, fw.EventPattern, forwardRuleDescription(al.AccountID))
			}
			regional(fa.AccountID, fa.RoleARN, fa.Regions)
		}
	}
}

// upgradeRule plans setting rule name of account in region (through role)
// from plain ENABLED to RuleState when it exists on the default bus in
// plain ENABLED with pattern; any other value is left to the changes that
// judge it (or is not rootguard's rule).
func (b *builder) upgradeRule(account, region, role, name, pattern, description string) {
	id := ruleID(account, region, name)
	if b.planned[id] {
		return
	}
	f := Fact{Kind: FactEventRule, AccountID: account, Region: region, Name: name}
	was := ruleValue(delivery.RuleEnabled, pattern)
	if v, err := observe(b.s, f); err != nil || v != was {
		return
	}
	b.add(Change{
		ID: id, AccountID: account, Kind: KindPutRule, Action: "~",
		Summary: fmt.Sprintf("set EventBridge rule %q in %s (%s) to state %s", name, account, region, RuleState),
		Calls: []Call{callAs(role, region, "events:PutRule", map[string]string{"Name": name, "EventPattern": pattern, "State": RuleState,
			"Description": description})},
		Risk: "the rule also receives read-only management events, so root Get, List and Describe calls alert too (more alerts, and EventBridge bills the extra events it matches)",
		Pre:  []Condition{cond(f, was, "rule "+name+" is in state ENABLED with the root activity pattern")},
		Post: []Condition{cond(f, ruleValue(RuleState, pattern), "rule "+name+" is in state "+RuleState+" with the root activity pattern")},
	})
}

// queueMaySubscribe reports whether the queue's account may subscribe its
// queue to the alert topic of account a (always when the subscription is
// not an SQS queue of another account): the topic is created in this plan
// with a policy that lets it, or the existing topic's policy, as read,
// lets it. Otherwise a gap says what to do: rootguard does not rewrite an
// existing topic's policy for this, and a subscription made from the
// topic's account would stay pending confirmation.
func (b *builder) queueMaySubscribe(a *inventory.Account, topicID string) bool {
	al := b.st.Alerting
	if al.QueueAccountID == "" || b.planned[topicID] {
		return true
	}
	doc := ""
	if ts := a.Detective.Topics; ts.Known() {
		for _, t := range ts.Value {
			if t.ARN == al.TopicARN && t.Attributes != nil && t.Attributes.Known() {
				doc = t.Attributes.Value.Policy
			}
		}
	}
	if doc != "" && delivery.LetsSubscribe(doc, al.TopicARN, al.QueueAccountID, al.Subscription.Protocol, al.Subscription.Endpoint) {
		return true
	}
	b.gap(AreaAlerting, a.ID, fmt.Sprintf("topic %s exists and its policy, as read, does not let account %s subscribe queue %s: add statement %q (as rootguard creates the topic with), then plan again; made from %s, the subscription would stay pending until confirmed in %s",
		al.TopicARN, al.QueueAccountID, al.Subscription.Endpoint, QueueSubscribeSid, a.ID, al.QueueAccountID))
	return false
}

// subscriptionConfirms reports whether SNS confirms the subscription an
// sns:Subscribe call makes at once: not for an endpoint that must accept
// it, nor for an SQS queue in another account than the call's session
// (callerAccount's own, or its role's), whose owner must confirm it.
func subscriptionConfirms(c Call, callerAccount string) bool {
	p := c.Params
	if needsConfirmation(p["Protocol"]) {
		return false
	}
	if p["Protocol"] != "sqs" {
		return true
	}
	session := callerAccount
	if c.Session == SessionAssumeRole {
		if r, ok := delivery.ParseARN(c.RoleARN); ok {
			session = r.Account
		}
	}
	q, ok := delivery.ParseARN(p["Endpoint"])
	return ok && q.Account == session
}

// needsConfirmation reports whether an SNS protocol's subscription waits
// for the endpoint to confirm it.
func needsConfirmation(protocol string) bool {
	switch protocol {
	case "email", "email-json", "http", "https":
		return true
	}
	return false
}

// replanHint warns when the plan turns centralized root access on while
// member root credentials could not be read: sts:AssumeRoot needs the
// feature, so those credentials can be planned only by a plan made after
// this one is applied.
func (b *builder) replanHint() {
	if !b.planned[KindEnableFeature+"/"+FeatureRootCredentialsManagement] {
		return
	}
	var unread []string
	for _, g := range b.st.Gaps {
		if g.Area == AreaMemberCredentials && g.AccountID != "" && !slices.Contains(unread, g.AccountID) {
			unread = append(unread, g.AccountID)
		}
	}
	if len(unread) == 0 {
		return
	}
	b.p.Warnings = append(b.p.Warnings, fmt.Sprintf("this plan enables %s, which sts:AssumeRoot needs: the root credentials of %d member account(s) could not be read (see gaps); where centralized root access being off is why, run plan again once this plan is applied to plan their removal",
		FeatureRootCredentialsManagement, len(unread)))
}

// credentials plans the member root credential removals Desired found,
// except in accounts where centralized root sessions are blocked (the
// calls would be denied) or centralized root access is neither enabled nor
// planned.
func (b *builder) credentials() {
	if len(b.st.CredentialRemovals) == 0 {
		return
	}
	featID := KindEnableFeature + "/" + FeatureRootCredentialsManagement
	featOn, _ := observe(b.s, Fact{Kind: FactFeature, Name: FeatureRootCredentialsManagement})
	if featOn != valEnabled && !b.planned[featID] {
		accts := map[string]bool{}
		for _, c := range b.st.CredentialRemovals {
			accts[c.AccountID] = true
		}
		b.gap(AreaMemberCredentials, "", fmt.Sprintf("centralized root access (%s) is neither enabled nor planned: the root credentials of %d member account(s) cannot be removed; enable centralized_root", FeatureRootCredentialsManagement, len(accts)))
		return
	}
	blocked := map[string]BlockedSessions{}
	for _, bs := range b.blocked {
		blocked[bs.AccountID] = bs
	}
	reported := map[string]bool{}
	for _, r := range b.st.CredentialRemovals {
		if bs, ok := blocked[r.AccountID]; ok {
			if !reported[r.AccountID] {
				reported[r.AccountID] = true
				b.gap(AreaMemberCredentials, r.AccountID, fmt.Sprintf("centralized root sessions are denied in %s by its SCPs (%s): its root credentials cannot be removed until that is fixed: %s",
					r.AccountID, strings.Join(bs.Actions, ", "), strings.Join(bs.Fix, "; ")))
			}
			continue
		}
		var (
			kind, op, param string
			f               Fact
			action          = "-"
		)
		switch r.Kind {
		case KindPassword:
			kind, op = KindDeleteLoginProfile, "iam:DeleteLoginProfile"
			f = Fact{Kind: FactRootPassword, AccountID: r.AccountID}
		case KindAccessKey:
			kind, op, param = KindDeleteAccessKey, "iam:DeleteAccessKey", "AccessKeyId"
			f = Fact{Kind: FactRootAccessKey, AccountID: r.AccountID, Name: r.ID}
		case KindSigningCertificate:
			kind, op, param = KindDeleteSigningCert, "iam:DeleteSigningCertificate", "CertificateId"
			f = Fact{Kind: FactRootSigningCert, AccountID: r.AccountID, Name: r.ID}
		case KindMFADevice:
			kind, op, param = KindDeactivateMFADevice, "iam:DeactivateMFADevice", "SerialNumber"
			f = Fact{Kind: FactRootMFADevice, AccountID: r.AccountID, Name: r.ID}
		default:
			continue
		}
		id := kind + "/" + r.AccountID
		params := map[string]string{}
		what := "password"
		if param != "" {
			id += "/" + hashID(r.ID)
			params[param] = r.ID
			what = strings.ReplaceAll(r.Kind, "-", " ") + " " + r.ID
		}
		c := Change{
			ID: id, AccountID: r.AccountID, Kind: kind, Action: action,
			Summary: fmt.Sprintf("delete root %s in %s", what, r.AccountID),
			Calls: []Call{{Operation: op, Session: SessionAssumeRoot, TaskPolicy: TaskPolicyDeleteRootCredentials,
				Params: params}},
			Fixes:     slices.Clone(r.Fixes),
			Risk:      r.Risk,
			Pre:       []Condition{cond(f, "", "the root "+what+" exists")},
			Post:      []Condition{cond(f, valAbsent, "the root "+what+" is gone")},
			DependsOn: []string{featID},
		}
		if kind == KindDeactivateMFADevice {
			c.Summary = fmt.Sprintf("deactivate root MFA device %s in %s", r.ID, r.AccountID)
			c.Post[0].Text = "root MFA device " + r.ID + " is no longer assigned"
		}
		if r.RecentUse {
			c.RequiresFlag = FlagAllowRecentKeyDeletion
		}
		if kind == KindDeleteAccessKey {
			c.LastUsed = r.LastUsed
		}
		b.add(c)
	}
}

// KeyChangeSuffix ends the change ID of a write on root access key id
// (and of any other root credential), as ReadDeletedKeys matches it.
func KeyChangeSuffix(id string) string { return "/" + hashID(id) }

// hashID names a credential in a change ID without its identifier: change
// IDs reach the audit log in plain text, credential IDs only as HMACs.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// finish orders the changes (see phaseOf), with attachments narrowest
// first, fingerprints their preconditions and sorts the gaps. (add has
// dropped dependencies on changes that were not planned.)
func (b *builder) finish() {
	keyOrder := map[string]int{KeyDenyRootAccessKeys: 0, KeyProtectContacts: 1, KeyDenyRootActions: 2}
	targetOrder := map[string]int{TargetAccount: 0, TargetOU: 1, TargetRoot: 2}
	depth := b.depths()
	removal := phaseOf[KindDeleteLoginProfile]
	slices.SortStableFunc(b.p.Changes, func(x, y Change) int {
		px, py := phaseOf[x.Kind], phaseOf[y.Kind]
		if px >= removal && py >= removal {
			// Credential removals account by account.
			return cmp.Or(strings.Compare(x.AccountID, y.AccountID), cmp.Compare(px, py))
		}
		if px != py || x.Kind != KindAttachPolicy {
			return cmp.Compare(px, py)
		}
		tx, ty := x.Calls[0].Params["TargetId"], y.Calls[0].Params["TargetId"]
		kx, ky := strings.Split(x.ID, "/")[1], strings.Split(y.ID, "/")[1]
		return cmp.Or(
			cmp.Compare(targetOrder[kindOf(tx)], targetOrder[kindOf(ty)]),
			-cmp.Compare(depth[tx], depth[ty]), // deeper OUs first
			cmp.Compare(keyOrder[kx], keyOrder[ky]),
			strings.Compare(tx, ty))
	})
	for i := range b.p.Changes {
		c := &b.p.Changes[i]
		c.Fingerprint = fingerprintConditions(c.Pre)
	}
	slices.SortStableFunc(b.p.Gaps, func(x, y Gap) int {
		return cmp.Or(strings.Compare(x.Area, y.Area), strings.Compare(x.AccountID, y.AccountID), strings.Compare(x.Detail, y.Detail))
	})
	b.p.Gaps = slices.Compact(b.p.Gaps)
}

// depths returns each OU's depth below the root.
func (b *builder) depths() map[string]int {
	d := map[string]int{}
	parent := b.parent
	for id := range parent {
		n := 0
		for x := id; parent[x] != "" && n <= len(parent); x = parent[x] {
			n++
		}
		d[id] = n
	}
	return d
}

// ownTopics plans the statement that lets EventBridge publish on each of
// account x's own topics that its own root activity rules target but may
// not publish to (State.Alerting.TopicGrants), through role, when with
// them root-activity-alerting passes in x and no other Region of regions
// is left reaching nobody: it reports whether it did, and then x needs no
// forwarding to the central bus. A topic whose policy was not read is a
// gap; the account is then forwarded as any other.
func (b *builder) ownTopics(x *inventory.Account, role string, regions []string) bool {
	var ready []TopicGrant
	for _, g := range b.st.Alerting.TopicGrants {
		switch {
		case g.AccountID != x.ID:
		case g.Unread != "":
			b.gap(AreaAlerting, x.ID, fmt.Sprintf("topic %s has no policy statement that lets EventBridge rule(s) %s publish; adding it is not planned: its policy was not read (%s)",
				g.TopicARN, strings.Join(ruleNames(g.RuleARNs), ", "), g.Unread))
		default:
			ready = append(ready, g)
		}
	}
	if len(ready) == 0 {
		return false
	}
	// Judge the account with the statements in place, then put it back.
	topics := x.Detective.Topics.Value
	granted := slices.Clone(topics)
	for i := range granted {
		for _, g := range ready {
			if granted[i].ARN == g.TopicARN {
				at := *granted[i].Attributes
				at.Value.Policy = g.Granted
				granted[i].Attributes = &at
			}
		}
	}
	x.Detective.Topics.Value = granted
	in := checks.Input{Snapshot: b.s, Account: x, Config: checks.DefaultConfig(b.s.CollectedAt)}
	pass := checks.RootActivityAlerting.Run(in).Status == checks.Pass && len(b.otherRegionsOpen(x, regions)) == 0
	x.Detective.Topics.Value = topics
	if !pass {
		return false
	}
	planned := true
	for _, g := range ready {
		f := Fact{Kind: FactTopicPolicy, AccountID: x.ID, Region: g.Region, Name: g.TopicARN}
		name := g.TopicARN[strings.LastIndex(g.TopicARN, ":")+1:]
		id := stackID(KindGrantTopicPublish, x.ID, g.Region, name)
		rules := strings.Join(ruleNames(g.RuleARNs), ", ")
		planned = b.add(Change{
			ID: id, AccountID: x.ID, Kind: KindGrantTopicPublish, Action: "~",
			Summary: fmt.Sprintf("let EventBridge rule(s) %s publish to topic %q of %s (%s): add statement %q to its policy", rules, name, x.ID, g.Region, TopicGrantSid),
			Calls: []Call{callAs(role, g.Region, "sns:SetTopicAttributes", map[string]string{"TopicArn": g.TopicARN,
				"AttributeName": "Policy", "AttributeValue": g.Granted})},
			Fixes: slices.Clone(b.st.Alerting.Fixes),
			Risk: "EventBridge may publish to the topic on behalf of rule(s) " + rules + " only (aws:SourceArn); the policy's other statements are kept as read, " +
				"and the topic's subscribers receive the root activity alerts",
			Pre:  []Condition{cond(f, contentValue(g.Policy), "the policy of topic "+g.TopicARN+" is as read, without statement "+TopicGrantSid)},
			Post: []Condition{cond(f, contentValue(g.Granted), "the policy of topic "+g.TopicARN+" lets rule(s) "+rules+" publish (statement "+TopicGrantSid+")")},
		}) && planned
	}
	return planned
}

// ruleNames are the names of EventBridge rule ARNs.
func ruleNames(arns []string) []string {
	out := make([]string, len(arns))
	for i, arn := range arns {
		out[i] = arn[strings.LastIndex(arn, "/")+1:]
	}
	return out
}
