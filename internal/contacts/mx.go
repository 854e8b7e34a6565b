package contacts

import (
	"path"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// MXHost is one mail exchanger of a contact's domain and where it is.
type MXHost struct {
	Host string `json:"host"`
	// Where says who runs it: "account 111122223333 (Route 53 zone example.com.)",
	// "account … (SES receipt)", "provider *.google.com", or "" when it is
	// in no account of the organization and on no provider list.
	Where string `json:"where,omitempty"`
}

// Outside reports whether the host is in no account and on no provider list.
func (h MXHost) Outside() bool { return h.Where == "" }

// sesInbound is the host name AWS gives SES and WorkMail inbound endpoints:
// inbound-smtp.REGION.amazonaws.com.
func sesInbound(host string) bool {
	return strings.HasPrefix(host, "inbound-smtp.") && strings.HasSuffix(host, ".amazonaws.com")
}

// ClassifyMX says where each MX host of address's domain is: in an account
// of the snapshot (a public hosted zone that holds the host's name, or SES
// or WorkMail receiving for the address when the host is their inbound
// endpoint), on one of the providers (path.Match patterns against the
// lower-cased host, such as "*.google.com"), or outside.
func ClassifyMX(address string, hosts []string, snap *inventory.Snapshot, providers []string) []MXHost {
	out := make([]MXHost, 0, len(hosts))
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		m := MXHost{Host: h}
		m.Where = inOrg(address, h, snap)
		if m.Where == "" {
			for _, p := range providers {
				if ok, _ := path.Match(strings.ToLower(p), h); ok { //nolint:errcheck // a bad pattern matches nothing; flags are checked on input.
					m.Where = "provider " + p
					break
				}
			}
		}
		out = append(out, m)
	}
	return out
}

func inOrg(address, host string, snap *inventory.Snapshot) string {
	domain, err := Domain(address)
	if snap == nil || err != nil {
		return ""
	}
	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		if sesInbound(host) {
			if slices.ContainsFunc(a.Mail.SESRecipients.Value, func(r string) bool { return receives(r, address, domain) }) {
				return "account " + a.ID + " (SES receipt)"
			}
			if slices.ContainsFunc(a.Mail.WorkMailDomains.Value, func(d string) bool { return strings.EqualFold(d, domain) }) {
				return "account " + a.ID + " (WorkMail)"
			}
			continue
		}
		for _, z := range a.Mail.HostedZones.Value {
			zone := strings.ToLower(strings.TrimSuffix(z.Name, "."))
			if !z.Private && (host == zone || strings.HasSuffix(host, "."+zone)) {
				return "account " + a.ID + " (Route 53 zone " + z.Name + ")"
			}
		}
	}
	return ""
}

// receives reports whether an SES receipt recipient (an address, a domain,
// or ".domain" for its subdomains) covers mail to address, whose domain is
// domain.
func receives(recipient, address, domain string) bool {
	r := strings.ToLower(recipient)
	switch {
	case strings.Contains(r, "@"):
		return r == strings.ToLower(address)
	case strings.HasPrefix(r, "."):
		return strings.HasSuffix(domain, r)
	}
	return r == domain
}
