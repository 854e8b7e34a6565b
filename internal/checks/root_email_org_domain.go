package checks

import (
	"fmt"
	"strings"
)

// RootEmailOrgDomain fails when the root email is not in one of the
// organization's own domains (or, without configuration, is at a consumer
// mail provider).
var RootEmailOrgDomain = &Check{
	ID:       "root-email-org-domain",
	Title:    "The root email address is in a domain the organization owns",
	Severity: High,
	Doc: `Checks that the root user's email address is in one of the organization's own
domains (given with scan's --org-domain), or a subdomain of one.

Whoever controls the root email's mailbox can reset the root password. An
address at a consumer provider (gmail.com, outlook.com, …) is controlled by
one person and that provider's account recovery, not by the organization; it
leaves with the employee. An address in the organization's domain stays
under its own identity, retention and offboarding controls.

Without --org-domain, the check can only recognize consumer mail
providers: it fails those, passes other domains, and says in the detail
that ownership of the domain was not verified.

Facts: the account's email from organizations:ListAccounts (or
account:GetPrimaryEmail).

PASS: the domain is an organization domain or a subdomain of one (or, with
no --org-domain given, it is not a consumer mail provider).
FAIL: the domain is not an organization domain, is a consumer mail provider,
or the address is malformed.
UNKNOWN: the root email could not be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Create a distribution list in the organization's domain (e.g.
aws-root+ACCOUNT@example.com) and change the root email to it.
Member account, from the management account:
  aws account start-primary-email-update --account-id ACCOUNT_ID --primary-email NEW
  aws account accept-primary-email-update --account-id ACCOUNT_ID --primary-email NEW --otp CODE
Management or standalone account: sign in as root, account menu > Account >
Account details > Edit, and change the email address.
Give the organization's domains to scan with --org-domain (repeatable) so this check can verify them.`,
	References: References{SEC01BP02: stepContacts},
	Run:        activeOnly(runRootEmailOrgDomain),
}

// consumerDomains are public mail providers. A trailing ".*" stands for a
// country or generic suffix of one or two short labels (yahoo.co.uk).
var consumerDomains = []string{
	"gmail.com", "googlemail.com", "outlook.*", "hotmail.*", "live.*", "msn.com",
	"yahoo.*", "ymail.com", "rocketmail.com", "aol.com", "icloud.com", "me.com", "mac.com",
	"proton.me", "protonmail.com", "protonmail.ch", "pm.me", "gmx.*", "web.de", "mail.com",
	"zoho.com", "zohomail.com", "yandex.*", "mail.ru", "qq.com", "163.com", "126.com",
	"fastmail.com", "fastmail.fm", "tutanota.com", "tuta.io", "hey.com", "naver.com",
}

// consumerProvider reports the consumer provider entry a domain matches.
func consumerProvider(domain string) (string, bool) {
	for _, c := range consumerDomains {
		if base, ok := strings.CutSuffix(c, ".*"); ok {
			rest, found := strings.CutPrefix(domain, base+".")
			if found && shortSuffix(rest) {
				return c, true
			}
			continue
		}
		if domain == c {
			return c, true
		}
	}
	return "", false
}

// shortSuffix reports whether s looks like a public suffix: one or two
// labels of two or three letters ("com", "co.uk", "com.au").
func shortSuffix(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) > 2 {
		return false
	}
	for _, l := range labels {
		if len(l) < 2 || len(l) > 3 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	return true
}

// orgDomain returns the configured domain that domain equals or is a
// subdomain of.
func orgDomain(domain string, orgDomains []string) (string, bool) {
	for _, d := range orgDomains {
		d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), "@.")
		if d == "" {
			continue
		}
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return d, true
		}
	}
	return "", false
}

func runRootEmailOrgDomain(in Input) Result {
	email, src, r, ok := rootEmail(in.Account)
	if !ok {
		return r
	}
	ev := map[string]any{"source_api": src, "email": email}
	_, domain, ok := splitEmail(email)
	if !ok {
		return Result{Status: Fail, Detail: fmt.Sprintf("the root email %q is not a valid address", email), Evidence: ev}
	}
	ev["domain"] = domain
	provider, consumer := consumerProvider(domain)
	if consumer {
		ev["consumer_provider"] = provider
	}
	if len(in.Config.OrgDomains) == 0 {
		ev["org_domains_configured"] = false
		if consumer {
			return Result{Status: Fail, Detail: fmt.Sprintf("the root email is at %s, a consumer mail provider; organization domains are not configured (--org-domain), so only consumer providers are detected", domain), Evidence: ev}
		}
		return Result{Status: Pass, Detail: fmt.Sprintf("%s is not a known consumer mail provider; organization domains are not configured (--org-domain), so ownership of the domain was not verified", domain), Evidence: ev}
	}
	ev["org_domains_configured"] = true
	if d, ok := orgDomain(domain, in.Config.OrgDomains); ok {
		ev["matched_org_domain"] = d
		return Result{Status: Pass, Detail: fmt.Sprintf("the root email is in the organization's domain %s", d), Evidence: ev}
	}
	detail := fmt.Sprintf("the root email's domain %s is not one of the organization's domains (%s)", domain, strings.Join(in.Config.OrgDomains, ", "))
	if consumer {
		detail += "; it is a consumer mail provider"
	}
	return Result{Status: Fail, Detail: detail, Evidence: ev}
}
