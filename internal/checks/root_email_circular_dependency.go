package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootEmailCircularDependency fails when the mail for the root email address
// depends on the account it recovers.
var RootEmailCircularDependency = &Check{
	ID:       "root-email-circular-dependency",
	Title:    "The root email's domain is not hosted in the account it recovers",
	Severity: High,
	Doc: `Checks that the mail for the root email address does not depend on the
account itself: that its domain (or a parent domain) is not a Route 53 public
hosted zone, a Route 53 registered domain, an SES inbound recipient, or a
WorkMail mail domain in the same account.

The root email is how an account is recovered: password resets and AWS's
ownership questions go there. If the domain's DNS, registration or inbound
mail lives in the account, then losing the account (suspension, a locked-out
root, an attacker who deletes the hosted zone) also loses the mailbox that
would get it back. The same holds one step removed: if another account in
the organization hosts the domain and that account's own root email is on
it, losing that account loses both.

Matching is by domain: a zone example.com covers aws@example.com and
aws@mail.example.com. SES receipt rule recipients match as SES routes
mail: an address user@d also receives user+tag@d (case does not matter), a
domain example.com only that domain, .example.com only its subdomains.
An enabled rule without recipients receives for every verified domain of
the account.
Private hosted zones do not serve mail routing and are ignored.

Facts: route53:ListHostedZones, route53domains:ListDomains,
ses:DescribeActiveReceiptRuleSet (with ses:ListIdentities and
ses:GetIdentityVerificationAttributes for a rule without recipients),
workmail:ListOrganizations and ListMailDomains in each account;
organizations:ListAccounts for root emails.

PASS: none of the readable facts shows a dependency.
FAIL: the account hosts its own root email's domain (naming the zone,
registration, SES rule or WorkMail domain), or another account hosting it
has its own root email there (naming the account).
UNKNOWN: the root email, or one of the account's own mail facts, could not
be read and nothing else shows a dependency.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Move the root email to a domain whose DNS, registration and mailbox live outside
the account (a corporate domain managed elsewhere, or a dedicated
"security/identity" account that is itself recovered through another domain):
  aws account start-primary-email-update --account-id ACCOUNT_ID --primary-email NEW
  aws account accept-primary-email-update --account-id ACCOUNT_ID --primary-email NEW --otp CODE
(management or standalone account: sign in as root, Account settings > Edit).
Alternatively move the hosted zone, domain registration or inbound mail to
another account and record the dependency in the custody registry.`,
	References: References{SEC01BP02: stepCircular},
	Run:        activeOnly(runRootEmailCircularDependency),
}

// stepCircular is the SEC01-BP02 step about circular dependencies.
const stepCircular = "Circular dependencies: email domain DNS or mail in the same account"

// mailDependency is one fact that ties an address's mail to an account.
type mailDependency struct {
	kind   string // hosted zone, registered domain, SES recipient, WorkMail domain
	name   string // the zone, domain or recipient
	domain string // the domain it covers
	source string
}

func (m mailDependency) String() string { return fmt.Sprintf("%s %s", m.kind, m.name) }

// mailScan gathers mail dependencies from an account's facts, with the facts
// it could not read.
type mailScan struct {
	h                       *inventory.Account
	deps                    []mailDependency
	unread, failed, sources []string
}

// scanMail adds the items of f that match (match also describes the item;
// its source is f's API), or notes that f, the account's what, is unread.
func scanMail[T any](s *mailScan, what string, f inventory.Fact[[]T], match func(T) (mailDependency, bool)) {
	if !f.Known() {
		s.unread = append(s.unread, unreadWhy(s.h, what, f))
		s.failed = append(s.failed, failedOf(f)...)
		return
	}
	s.sources = append(s.sources, f.Source.API)
	for _, v := range f.Value {
		if d, ok := match(v); ok {
			d.source = f.Source.API
			s.deps = append(s.deps, d)
		}
	}
}

// mailDependencies finds what in account h the address email depends on,
// and which of h's mail facts could not be read.
func mailDependencies(h *inventory.Account, email, domain string) (deps []mailDependency, unread, failed, sources []string) {
	s := &mailScan{h: h}
	domainNamed := func(kind string) func(string) (mailDependency, bool) {
		return func(d string) (mailDependency, bool) {
			return mailDependency{kind: kind, name: d, domain: strings.ToLower(d)}, inDomain(domain, d)
		}
	}
	scanMail(s, "hosted zones", h.Mail.HostedZones, func(z inventory.HostedZone) (mailDependency, bool) {
		return mailDependency{kind: "Route 53 hosted zone", name: strings.TrimSuffix(z.Name, ".") + " (" + z.ID + ")",
			domain: strings.TrimSuffix(strings.ToLower(z.Name), ".")}, !z.Private && inDomain(domain, z.Name)
	})
	scanMail(s, "registered domains", h.Mail.Domains, domainNamed("registered domain"))
	scanMail(s, "SES receipt rules", h.Mail.SESRecipients, func(r string) (mailDependency, bool) {
		return sesDependency(r), sesReceives(r, email, domain)
	})
	scanMail(s, "WorkMail domains", h.Mail.WorkMailDomains, domainNamed("WorkMail mail domain"))
	return s.deps, dedupe(s.unread), dedupe(s.failed), s.sources
}

func runRootEmailCircularDependency(in Input) Result {
	a := in.Account
	email, domain, src, r, ok := rootEmailDomain(a)
	if !ok {
		return r
	}
	ev := map[string]any{"email": email, "domain": domain}
	own, unread, failed, sources := mailDependencies(a, email, domain)
	sources = append([]string{src}, sources...)
	var lines []string
	var deps []map[string]any
	for _, d := range own {
		lines = append(lines, d.String()+" in this account")
		deps = append(deps, map[string]any{"account_id": a.ID, "kind": d.kind, "name": d.name, "source_api": d.source})
	}
	// Another account hosting the domain whose own root email is on it.
	idx := in.cache().mail.get(func() *mailIndex { return newMailIndex(in.Snapshot) })
	for _, h := range idx.lookup(email, domain) {
		o := h.acct
		if o.ID == a.ID || !inDomain(h.ownerDomain, h.dep.domain) {
			continue
		}
		name := o.ID
		if o.Name != "" {
			name += " (" + o.Name + ")"
		}
		lines = append(lines, fmt.Sprintf("%s in account %s, whose own root email %s is on that domain", h.dep, name, o.RootEmail.Value))
		deps = append(deps, map[string]any{"account_id": o.ID, "kind": h.dep.kind, "name": h.dep.name, "source_api": h.dep.source,
			"account_root_email": o.RootEmail.Value})
		sources = append(sources, h.dep.source)
	}
	var othersUnread []string
	for _, id := range idx.unread {
		if id != a.ID && len(othersUnread) < maxListed {
			othersUnread = append(othersUnread, id)
		}
	}
	if len(othersUnread) > 0 {
		ev["other_accounts_partly_unread"] = othersUnread
	}
	if len(deps) > 0 {
		ev["source_api"] = sourceList(sources...)
		ev["dependencies"] = deps
		return Result{Status: Fail, Detail: fmt.Sprintf("the mail for the root email %s depends on infrastructure that losing "+
			"the account would take with it:%s", email, bullets(lines)), Evidence: ev}
	}
	if len(unread) > 0 {
		ev["not_known"] = unread
		return unknownFrom("no dependency found, but this account's mail facts were not all readable: "+strings.Join(unread, "; "), failed, ev)
	}
	ev["source_api"] = sourceList(sources...)
	return Result{Status: Pass, Detail: fmt.Sprintf("no hosted zone, registered domain, SES recipient or WorkMail domain in "+
		"this account covers %s, and no other account hosting it has its own root email there", domain), Evidence: ev}
}

// sesRecipientKind names an SES receipt rule recipient as a dependency.
const sesRecipientKind = "SES receipt rule recipient"

// sesDependency is the dependency an SES receipt rule recipient (an
// address, a domain or a .domain) creates on the domain it covers.
func sesDependency(r string) mailDependency {
	d := mailDependency{kind: sesRecipientKind, name: r}
	rl := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(r)), ".")
	if _, rd, isAddr := splitEmail(rl); isAddr {
		d.domain = rd
	} else {
		d.domain = strings.TrimPrefix(rl, ".")
	}
	return d
}

// hosting is one mail dependency another account offers: a domain it
// hosts (or an address its SES rules receive), with its own root email's
// domain.
type hosting struct {
	acct        *inventory.Account
	ownerDomain string
	dep         mailDependency
}

// mailIndex maps hosted domains and SES recipient addresses to the
// accounts hosting them, so each account's lookup walks only its own
// domain's parents instead of every other account.
type mailIndex struct {
	byDomain map[string][]hosting
	byAddr   map[string][]hosting
	unread   []string // accounts with a mail fact that could not be read
}

func newMailIndex(s *inventory.Snapshot) *mailIndex {
	idx := &mailIndex{byDomain: map[string][]hosting{}, byAddr: map[string][]hosting{}}
	for i := range s.Accounts {
		o := &s.Accounts[i]
		m := &o.Mail
		if !m.HostedZones.Known() || !m.Domains.Known() || !m.SESRecipients.Known() || !m.WorkMailDomains.Known() {
			idx.unread = append(idx.unread, o.ID)
		}
		if !o.RootEmail.Known() {
			continue
		}
		_, od, ok := splitEmail(o.RootEmail.Value)
		if !ok {
			continue
		}
		add := func(host string, d mailDependency) {
			host = strings.TrimPrefix(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), "."), ".")
			if host == "" {
				return
			}
			d.domain = host
			idx.byDomain[host] = append(idx.byDomain[host], hosting{o, od, d})
		}
		for _, z := range m.HostedZones.Value {
			if !z.Private {
				add(z.Name, mailDependency{kind: "Route 53 hosted zone", name: strings.TrimSuffix(z.Name, ".") + " (" + z.ID + ")",
					source: m.HostedZones.Source.API})
			}
		}
		for _, d := range m.Domains.Value {
			add(d, mailDependency{kind: "registered domain", name: d, source: m.Domains.Source.API})
		}
		for _, r := range m.SESRecipients.Value {
			dep := sesDependency(r)
			dep.source = m.SESRecipients.Source.API
			if strings.Contains(r, "@") {
				key := mailbox(r)
				idx.byAddr[key] = append(idx.byAddr[key], hosting{o, od, dep})
				continue
			}
			add(r, dep)
		}
		for _, d := range m.WorkMailDomains.Value {
			add(d, mailDependency{kind: "WorkMail mail domain", name: d, source: m.WorkMailDomains.Source.API})
		}
	}
	return idx
}

// lookup returns what hosts the address: SES rules receiving it, and
// every hosted domain that is the address's domain or a parent of it (an
// SES domain recipient only where SES would route the address to it).
func (idx *mailIndex) lookup(email, domain string) []hosting {
	var out []hosting
	for _, h := range idx.byAddr[mailbox(email)] {
		if sesReceives(h.dep.name, email, domain) {
			out = append(out, h)
		}
	}
	for d := domain; d != ""; {
		for _, h := range idx.byDomain[d] {
			if h.dep.kind != sesRecipientKind || sesReceives(h.dep.name, email, domain) {
				out = append(out, h)
			}
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return out
}
