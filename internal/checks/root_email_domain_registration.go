package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// RootEmailDomainRegistration fails when the root email's domain, registered
// through Route 53 Domains, could lapse or be transferred away.
var RootEmailDomainRegistration = &Check{
	ID:       "root-email-domain-registration",
	Title:    "The root email's registered domain renews itself, is transfer-locked and is not about to expire",
	Severity: High,
	Doc: `Checks the registration of the root email's domain (or the parent domain
that covers it) wherever it is registered through Route 53 Domains in the
organization: auto-renew is on, the transfer lock is on (status
clientTransferProhibited) and the registration does not expire within the
configured window (scan --domain-expiry-window, default 60 days).

A domain that lapses is released to whoever registers it next: they receive
the root email, and with it the password reset and AWS's account recovery.
An unlocked domain can be transferred away by anyone who gets into the
registrar account. Either hands root recovery to someone else.

Facts: route53domains:ListDomains (AutoRenew, TransferLock, Expiry) in every
account, organizations:ListAccounts for the root email.

PASS: every registration of the domain has auto-renew and the transfer lock
on, and expires after the window.
FAIL: a registration has auto-renew or the transfer lock off, or expires
within the window (the detail names the account and the date).
UNKNOWN: the root email could not be read; no readable account registers the
domain while an account's registrations could not be read; or a
registration's flags or expiry were not returned.
NOT_APPLICABLE: no account registers the domain (its registrar is outside
AWS, listed as evidence; the registrar's own settings are for a person to
confirm), or the account is suspended or closing.`,
	Remediation: `Turn auto-renew and the transfer lock on, and renew a registration close to
expiry, in the account that registers the domain (us-east-1):
  aws route53domains enable-domain-auto-renew --region us-east-1 --domain-name DOMAIN
  aws route53domains enable-domain-transfer-lock --region us-east-1 --domain-name DOMAIN
  aws route53domains renew-domain --region us-east-1 --domain-name DOMAIN --current-expiry-year YEAR`,
	References: References{SEC01BP02: stepCircular},
	Run:        activeOnly(runRootEmailDomainRegistration),
}

func runRootEmailDomainRegistration(in Input) Result {
	a := in.Account
	email, domain, src, r, ok := rootEmailDomain(a)
	if !ok {
		return r
	}
	ev := map[string]any{"email": email, "domain": domain}
	const api = "route53domains:ListDomains"
	var fails, gaps, unreadAccts, failed []string
	var regs []map[string]any
	unread := 0
	window := in.Config.DomainExpiryWindow
	for i := range in.Snapshot.Accounts {
		o := &in.Snapshot.Accounts[i]
		f := o.Mail.Registrations
		if !f.Known() {
			// In an organization of a thousand accounts not read, list the
			// first few and count them all.
			if o.Skipped == "" {
				if unread++; unread <= maxListed {
					unreadAccts = append(unreadAccts, o.ID+" ("+f.Reason()+")")
					failed = append(failed, failedOf(f)...)
				}
			}
			continue
		}
		for _, reg := range f.Value {
			if !inDomain(domain, reg.Domain) {
				continue
			}
			where := fmt.Sprintf("%s in account %s", reg.Domain, o.ID)
			regs = append(regs, registrationEvidence(o.ID, reg))
			flag := func(v *bool, what string) {
				switch {
				case v == nil:
					gaps = append(gaps, where+": "+what+" not returned")
				case !*v:
					fails = append(fails, where+": "+what+" is off")
				}
			}
			flag(reg.AutoRenew, "auto-renew")
			flag(reg.TransferLock, "transfer lock")
			if reg.Expiry == nil {
				gaps = append(gaps, where+": expiry not returned")
			} else if left := reg.Expiry.Sub(in.Config.Now); left < window {
				fails = append(fails, fmt.Sprintf("%s: expires %s, in %d days (window %d days)", where, stamp(*reg.Expiry), days(left), days(window)))
			}
		}
	}
	if len(regs) > 0 {
		ev["registrations"] = regs
		ev["source_api"] = sourceList(src, api)
	}
	switch {
	case len(fails) > 0:
		return Result{Status: Fail, Detail: "the root email's domain registration could lapse or be transferred away:" + bullets(fails), Evidence: ev}
	case len(gaps) > 0:
		return unknownFrom("the registration of "+domain+" is not fully known: "+strings.Join(gaps, "; "), []string{api}, ev)
	case len(regs) > 0:
		return Result{Status: Pass, Detail: fmt.Sprintf("every registration of %s has auto-renew and the transfer lock on and expires after %d days", domain, days(window)), Evidence: ev}
	case unread > 0:
		ev["not_known"] = unreadAccts
		list := strings.Join(unreadAccts, "; ")
		if unread > len(unreadAccts) {
			list += fmt.Sprintf("; and %d more", unread-len(unreadAccts))
		}
		return unknownFrom(fmt.Sprintf("no readable account registers %s, and the registrations of %d account(s) were not read: %s",
			domain, unread, list), dedupe(failed), ev)
	}
	ev["registrar"] = "outside AWS"
	return Result{Status: NotApplicable, Detail: fmt.Sprintf("no account of the %d registers %s through Route 53 Domains: its registrar is outside AWS",
		len(in.Snapshot.Accounts), domain), Evidence: ev}
}

func registrationEvidence(acct string, r inventory.Registration) map[string]any {
	m := map[string]any{"account_id": acct, "domain": r.Domain}
	if r.AutoRenew != nil {
		m["auto_renew"] = *r.AutoRenew
	}
	if r.TransferLock != nil {
		m["transfer_lock"] = *r.TransferLock
	}
	if r.Expiry != nil {
		m["expiry"] = stamp(*r.Expiry)
	}
	return m
}
