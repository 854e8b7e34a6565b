package guardrail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
)

// Fact kinds: what observe can read from a snapshot.
const (
	FactTrustedService  = "trusted-service"          // Name: service principal → enabled | disabled
	FactFeature         = "root-access-feature"      // Name: feature → enabled | disabled
	FactPolicyType      = "policy-type"              // Name: root ID, Target: type → enabled | disabled
	FactSCP             = "scp"                      // Name: policy name → absent | content sha256:…
	FactSCPAttachment   = "scp-attachment"           // Name: policy name, Target: root/OU/account → attached | detached
	FactAlternate       = "alternate-contact"        // Name: type → set | unset
	FactRootPassword    = "root-password"            // → present | absent
	FactRootAccessKey   = "root-access-key"          // Name: key ID → absent | present, status, last use
	FactRootSigningCert = "root-signing-certificate" // Name: certificate ID → present | absent
	FactRootMFADevice   = "root-mfa-device"          // Name: serial → present | absent
	FactTopic           = "sns-topic"                // Name: topic ARN → present | absent
	FactSubscription    = "sns-subscription"         // Name: topic ARN, Target: protocol:endpoint → present | absent
	FactEventRule       = "event-rule"               // Name: rule → absent | ENABLED/DISABLED, pattern sha256:…
	FactEventTarget     = "event-rule-target"        // Name: rule, Target: ARN → present | absent
	FactTopicPolicy     = "sns-topic-policy"         // Name: topic ARN → absent | content sha256:…
	// FactBusGrant: Name: bus, Target: account → allowed | not allowed |
	// denied (whether the bus policy lets that account put events, by
	// account; denied when a Deny statement covers it).
	FactBusGrant = "event-bus-grant"
	// FactForwarding: Name: rule, Target: bus ARN → forwarding | not
	// forwarding (no rule, or the root-activity rule without that target)
	// | another rule's state and pattern.
	FactForwarding = "root-activity-forwarding"
	// FactRole: Name: role, Target: inline policy name → absent | trust and
	// policy sha256:… (iam:GetAccountAuthorizationDetails).
	FactRole = "iam-role"
)

// Fact values.
const (
	valEnabled  = "enabled"
	valDisabled = "disabled"
	valPresent  = "present"
	valAbsent   = "absent"
	valAttached = "attached"
	valDetached = "detached"
	valSet      = "set"
	valUnset    = "unset"
	valAllowed  = "allowed"
	valNotAllow = "not allowed"
	valDenied   = "denied"
	valForward  = "forwarding"
	valNoFwd    = "not forwarding"
)

// unknownFact is a fact the snapshot cannot answer: not collected, or its
// call failed.
type unknownFact struct{ reason string }

func (u *unknownFact) Error() string { return u.reason }

func notKnown(format string, a ...any) error { return &unknownFact{fmt.Sprintf(format, a...)} }

// observe reads one fact from a snapshot. The error says why it is not
// known.
func observe(s *inventory.Snapshot, f Fact) (string, error) {
	org := s.Organization
	switch f.Kind {
	case FactTrustedService, FactFeature, FactPolicyType, FactSCP, FactSCPAttachment:
		if org == nil {
			return "", notKnown("the organization was not collected")
		}
	}
	switch f.Kind {
	case FactTrustedService:
		return listed(org.TrustedServices, f.Name, valEnabled, valDisabled)
	case FactFeature:
		if featuresNeedTrustedAccess(org.Features) {
			return valDisabled, nil
		}
		return listed(org.Features, f.Name, valEnabled, valDisabled)
	case FactPolicyType:
		if !org.Units.Known() {
			return "", notKnown("organization roots: %s", org.Units.Reason())
		}
		for _, u := range org.Units.Value {
			if u.ID == f.Name {
				return enabled(slices.Contains(u.PolicyTypes, f.Target)), nil
			}
		}
		return "", notKnown("root %s is not in the organization", f.Name)
	case FactSCP, FactSCPAttachment:
		if !org.Policies.Known() {
			return "", notKnown("service control policies: %s", org.Policies.Reason())
		}
		p := policyNamed(org, f.Name)
		if f.Kind == FactSCP {
			if p == nil {
				return valAbsent, nil
			}
			return contentValue(p.Content), nil
		}
		if p != nil && slices.Contains(p.Targets, f.Target) {
			return valAttached, nil
		}
		return valDetached, nil
	}

	a := s.Account(f.AccountID)
	if a == nil {
		return "", notKnown("account %s is not in the snapshot", f.AccountID)
	}
	r := &a.Root
	switch f.Kind {
	case FactAlternate:
		c, ok := a.Contacts.Alternates[f.Name]
		switch {
		case !ok:
			return "", notKnown("%s alternate contact: not collected", f.Name)
		case !c.Known():
			return "", notKnown("%s alternate contact: %s", f.Name, c.Reason())
		case c.Value == nil:
			return valUnset, nil
		}
		return valSet, nil
	case FactRootPassword:
		if !r.LoginProfile.Known() {
			return "", notKnown("root password: %s", r.LoginProfile.Reason())
		}
		return present(r.LoginProfile.Value.Exists), nil
	case FactRootAccessKey:
		if !r.AccessKeys.Known() {
			return "", notKnown("root access keys: %s", r.AccessKeys.Reason())
		}
		for _, k := range r.AccessKeys.Value {
			if k.ID == f.Name {
				return keyValue(k), nil
			}
		}
		return valAbsent, nil
	case FactRootSigningCert:
		if !r.SigningCertificates.Known() {
			return "", notKnown("root signing certificates: %s", r.SigningCertificates.Reason())
		}
		return present(slices.ContainsFunc(r.SigningCertificates.Value, func(c inventory.SigningCertificate) bool { return c.ID == f.Name })), nil
	case FactRootMFADevice:
		if !r.MFADevices.Known() {
			return "", notKnown("root MFA devices: %s", r.MFADevices.Reason())
		}
		return present(slices.ContainsFunc(r.MFADevices.Value, func(m inventory.MFADevice) bool { return m.Serial == f.Name })), nil
	case FactTopic, FactSubscription:
		ts := a.Detective.Topics
		if !ts.Known() {
			return "", notKnown("SNS topics of %s: %s", a.ID, ts.Reason())
		}
		for _, t := range ts.Value {
			if t.ARN != f.Name {
				continue
			}
			if f.Kind == FactTopic {
				return valPresent, nil
			}
			return present(slices.ContainsFunc(t.Subscriptions, func(s inventory.Subscription) bool {
				return s.Protocol+":"+s.Endpoint == f.Target
			})), nil
		}
		return valAbsent, nil
	case FactTopicPolicy:
		ts := a.Detective.Topics
		if !ts.Known() {
			return "", notKnown("SNS topics of %s: %s", a.ID, ts.Reason())
		}
		for _, t := range ts.Value {
			switch {
			case t.ARN != f.Name:
			case t.Attributes == nil:
				return "", notKnown("the policy of topic %s: not collected", t.ARN)
			case !t.Attributes.Known():
				return "", notKnown("the policy of topic %s: %s", t.ARN, t.Attributes.Reason())
			default:
				return contentValue(t.Attributes.Value.Policy), nil
			}
		}
		return valAbsent, nil
	case FactEventRule, FactEventTarget:
		rs := a.Detective.EventRules
		if !rs.Known() {
			return "", notKnown("EventBridge rules of %s: %s", a.ID, rs.Reason())
		}
		for _, rule := range rs.Value {
			if rule.Name != f.Name || rule.Region != f.Region || !delivery.DefaultBus(rule.EventBusName) {
				continue
			}
			if f.Kind == FactEventRule {
				return ruleValue(rule.State, rule.EventPattern), nil
			}
			return present(slices.Contains(rule.Targets, f.Target)), nil
		}
		return valAbsent, nil
	case FactBusGrant:
		bs := a.Detective.EventBuses
		if !bs.Known() {
			return "", notKnown("event buses of %s: %s", a.ID, bs.Reason())
		}
		for _, b := range bs.Value {
			if b.Region == f.Region && b.Name == f.Name {
				return busGrant(s, a, b, f.Target)
			}
		}
		return "", notKnown("event bus %s of %s in %s was not collected", f.Name, a.ID, f.Region)
	case FactRole:
		var p *inventory.Principal
		switch ps, fr := a.IAM.Principals, a.IAM.ForwardRole; {
		case ps.Known():
			i := slices.IndexFunc(ps.Value, func(p inventory.Principal) bool { return p.Kind == inventory.PrincipalRole && p.Name() == f.Name })
			if i >= 0 {
				p = &ps.Value[i]
			}
		case fr.Collected() && !fr.Known():
			return "", notKnown("IAM role %s of %s: %s", f.Name, a.ID, fr.Reason())
		case fr.Known() && fr.Value.Name == f.Name:
			p = fr.Value.Role
		case fr.Known():
			return "", notKnown("IAM role %s of %s: rootguard reads the forwarding role by the name %s only", f.Name, a.ID, fr.Value.Name)
		default:
			return "", notKnown("IAM roles of %s: %s", a.ID, ps.Reason())
		}
		if p == nil {
			return valAbsent, nil
		}
		doc := ""
		for _, np := range p.Policies {
			if np.Name == f.Target {
				doc = np.Document
			}
		}
		return roleValue(p.Trust, doc), nil
	case FactForwarding:
		rs := a.Detective.EventRules
		if !rs.Known() {
			return "", notKnown("EventBridge rules of %s: %s", a.ID, rs.Reason())
		}
		for _, rule := range rs.Value {
			if rule.Name != f.Name || rule.Region != f.Region || !delivery.DefaultBus(rule.EventBusName) {
				continue
			}
			// rootguard's rule in either running state forwards: a plain
			// ENABLED one is brought to RuleState by its own change.
			if v := ruleValue(rule.State, rule.EventPattern); v != ruleValue(RuleState, RootActivityPattern) && v != ruleValue(delivery.RuleEnabled, RootActivityPattern) {
				return "another rule: " + v, nil
			}
			if slices.Contains(rule.Targets, f.Target) {
				return valForward, nil
			}
			return valNoFwd, nil
		}
		return valNoFwd, nil
	}
	return "", notKnown("unknown fact kind %q", f.Kind)
}

// busGrant judges whether bus b of holder lets account put events on it,
// as the alerting checks judge it (package delivery): allowed by a
// statement naming the account, denied when a Deny statement covers it. A
// grant to the whole organization does not count, since it needs an IAM
// role on the sender's target, which the plan's forwarding does not put.
func busGrant(s *inventory.Snapshot, holder *inventory.Account, b inventory.EventBus, account string) (string, error) {
	arn := b.ARN
	if arn == "" {
		arn = "arn:aws:events:" + b.Region + ":" + holder.ID + ":event-bus/" + b.Name
	}
	orgID := ""
	if s.Organization != nil {
		orgID = s.Organization.ID
	}
	switch g := delivery.JudgeBusPolicy(b.Policy, arn, account, orgID); {
	case g.Unknown != "":
		return "", notKnown("whether event bus %s lets %s put events: its policy %s", arn, account, g.Unknown)
	case g.Denied:
		return valDenied, nil
	case g.Allowed && !g.Org:
		return valAllowed, nil
	}
	return valNotAllow, nil
}

func listed(f inventory.Fact[[]string], name, yes, no string) (string, error) {
	if !f.Known() {
		return "", notKnown("%s", f.Reason())
	}
	if slices.Contains(f.Value, name) {
		return yes, nil
	}
	return no, nil
}

// featuresNeedTrustedAccess reports whether iam:ListOrganizationsFeatures
// answered ServiceAccessNotEnabled: IAM has no trusted access in the
// organization, and without it no centralized root access feature can be
// on. That answer proves the features are disabled (as the check
// centralized-root-access-enabled reads it), so the plan enables them after
// trusted access instead of leaving them a gap.
func featuresNeedTrustedAccess(f inventory.Fact[[]string]) bool {
	return f.Source.Error != nil && strings.TrimSuffix(f.Source.Error.Code, "Exception") == "ServiceAccessNotEnabled"
}

func enabled(b bool) string {
	if b {
		return valEnabled
	}
	return valDisabled
}

func present(b bool) string {
	if b {
		return valPresent
	}
	return valAbsent
}

func policyNamed(org *inventory.Organization, name string) *inventory.OrgPolicy {
	for i := range org.Policies.Value {
		if org.Policies.Value[i].Name == name {
			return &org.Policies.Value[i]
		}
	}
	return nil
}

// contentValue identifies a policy document by the hash of its canonical
// JSON, so that AWS's own formatting does not make it differ.
func contentValue(doc string) string { return "content sha256:" + canonicalHash(doc) }

// roleValue is a role's trust policy and one inline policy, by their
// canonical hashes.
func roleValue(trust, policy string) string {
	return fmt.Sprintf("trust sha256:%s, policy sha256:%s", canonicalHash(trust), canonicalHash(policy))
}

func ruleValue(state, pattern string) string {
	return fmt.Sprintf("%s, pattern sha256:%s", strings.ToUpper(state), canonicalHash(pattern))
}

// canonicalHash is the SHA-256 of a JSON document re-encoded with sorted
// keys and no space (the text itself when it is not JSON), 16 hex digits.
func canonicalHash(doc string) string {
	var v any
	b := []byte(doc)
	if err := json.Unmarshal(b, &v); err == nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// keyValue describes a present access key by what would make deleting it
// a different decision: its status and its last use.
func keyValue(k inventory.AccessKey) string {
	v := "present, " + k.Status
	switch lu := k.LastUsed; {
	case lu == nil || lu.Error != nil:
		v += ", last use unknown"
	case lu.Date == nil:
		v += ", never used"
	default:
		v += ", last used " + lu.Date.UTC().Format(time.RFC3339)
		if lu.Service != "" {
			v += " by " + lu.Service
		}
		if lu.Region != "" {
			v += " in " + lu.Region
		}
	}
	return v
}

// ConditionState is how a condition compares with a snapshot.
type ConditionState struct {
	Condition Condition
	// Observed is the value in the snapshot; empty when Unknown is set.
	Observed string
	Unknown  string
	Holds    bool
}

func evalConditions(s *inventory.Snapshot, cs []Condition) []ConditionState {
	out := make([]ConditionState, len(cs))
	for i, c := range cs {
		v, err := observe(s, c.Fact)
		out[i] = ConditionState{Condition: c, Observed: v, Holds: err == nil && v == c.Value}
		if err != nil {
			out[i].Unknown = err.Error()
		}
	}
	return out
}

func allHold(cs []ConditionState) bool {
	for _, c := range cs {
		if !c.Holds {
			return false
		}
	}
	return true
}
