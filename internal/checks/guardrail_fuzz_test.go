package checks

import (
	"testing"

	"github.com/rootguard/rootguard/internal/inventory"
)

// FuzzMailIndex: the hosting index agrees with the plain definition: an
// account hosting zone host is found for an address on domain exactly when
// inDomain(domain, host).
func FuzzMailIndex(f *testing.F) {
	for _, s := range seedStrings(f, "email") {
		f.Add(s, "acme.example.")
	}
	f.Add("aws@mail.acme.example", "acme.example.")
	f.Add("aws@acme.example", ".example")
	f.Add("aws@a..b", ".")
	f.Fuzz(func(t *testing.T, email, host string) {
		_, domain, ok := splitEmail(email)
		if !ok {
			return
		}
		s := &inventory.Snapshot{Accounts: []inventory.Account{{
			ID:        "333333333333",
			RootEmail: known("dns@"+domain, "organizations:ListAccounts"),
			Mail: inventory.MailFacts{
				HostedZones:     known([]inventory.HostedZone{{ID: "Z1", Name: host}}, "route53:ListHostedZones"),
				Domains:         known([]string{}, "route53domains:ListDomains"),
				SESRecipients:   known([]string{}, "ses:DescribeActiveReceiptRuleSet"),
				WorkMailDomains: known([]string{}, "workmail:ListMailDomains"),
			},
		}}}
		found := len(newMailIndex(s).lookup(email, domain)) > 0
		if want := inDomain(domain, host); found != want {
			t.Fatalf("address %q, zone %q: index found %v, inDomain says %v", email, host, found, want)
		}
	})
}
