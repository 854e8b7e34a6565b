package inventory

import "strings"

// SplitEmail returns the lower-cased local part and domain of an address.
func SplitEmail(addr string) (local, domain string, ok bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return "", "", false
	}
	return addr[:i], addr[i+1:], true
}

// Mailbox is the mailbox an address delivers to, as mail systems route it:
// lower-cased, with a "+tag" dropped from the local part, so aws+prod@d and
// AWS@d are both aws@d. An address without a domain is returned trimmed and
// lower-cased.
func Mailbox(addr string) string {
	local, domain, ok := SplitEmail(addr)
	if !ok {
		return strings.ToLower(strings.TrimSpace(addr))
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// SESReceives reports whether an SES receipt rule recipient receives mail
// for email (at domain), as SES matches them: an address also receives its
// plus-addressed variants (user@d gets user+tag@d), a domain only itself
// (example.com), a domain with a leading dot only its subdomains
// (.example.com).
func SESReceives(recipient, email, domain string) bool {
	r := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(recipient)), ".")
	if strings.Contains(r, "@") {
		e := strings.ToLower(strings.TrimSpace(email))
		return r == e || (!strings.Contains(r, "+") && r == Mailbox(e))
	}
	if sub, ok := strings.CutPrefix(r, "."); ok {
		return sub != "" && strings.HasSuffix(domain, r)
	}
	return r != "" && domain == r
}

// InDomain reports whether domain d is host or a subdomain of it (host may
// carry a trailing or leading dot, as zone names and SES recipients do).
func InDomain(d, host string) bool {
	host = strings.TrimPrefix(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), "."), ".")
	return host != "" && (d == host || strings.HasSuffix(d, "."+host))
}
