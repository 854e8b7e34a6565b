package contacts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/inventory"
)

func TestAssess(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	target := contacts.Target{AccountID: "111122223333", Kind: contacts.RootEmail, Address: "aws-root@example.com"}
	confirmed := func(addr string, sentAgo, confirmedAgo time.Duration) contacts.Verification {
		return contacts.Verification{AccountID: "111122223333", Kind: contacts.RootEmail, Address: addr, Method: contacts.ByToken,
			SentAt: now.Add(-sentAgo), ConfirmedAt: now.Add(-confirmedAgo)}
	}
	waiting := func(sentAgo time.Duration) contacts.Verification {
		return contacts.Verification{AccountID: "111122223333", Kind: contacts.RootEmail, Address: "aws-root@example.com", Method: contacts.ByToken, SentAt: now.Add(-sentAgo)}
	}
	tests := []struct {
		name    string
		target  contacts.Target
		history []contacts.Verification
		want    contacts.State
	}{
		{"never", target, nil, contacts.Never},
		{"verified", target, []contacts.Verification{confirmed("aws-root@example.com", 11*day, 10*day)}, contacts.Verified},
		{"address case does not matter", target, []contacts.Verification{confirmed("AWS-Root@Example.com", 11*day, 10*day)}, contacts.Verified},
		{"stale", target, []contacts.Verification{confirmed("aws-root@example.com", 101*day, 100*day)}, contacts.Stale},
		{"pending", target, []contacts.Verification{waiting(day)}, contacts.Pending},
		{"overdue", target, []contacts.Verification{waiting(4 * day)}, contacts.Overdue},
		{"overdue after an older confirmation: nobody reads the inbox now", target,
			[]contacts.Verification{confirmed("aws-root@example.com", 30*day, 29*day), waiting(4 * day)}, contacts.Overdue},
		{"an older unconfirmed attempt does not matter", target,
			[]contacts.Verification{waiting(30 * day), confirmed("aws-root@example.com", 10*day, 9*day)}, contacts.Verified},
		{"the address changed since", target, []contacts.Verification{confirmed("old@example.com", 11*day, 10*day)}, contacts.Changed},
		{"another account's verification does not count", target,
			[]contacts.Verification{{AccountID: "444455556666", Kind: contacts.RootEmail, Address: "aws-root@example.com", SentAt: now, ConfirmedAt: now}}, contacts.Never},
		{"no contact set", contacts.Target{AccountID: "1", Kind: contacts.SecurityEmail, Missing: "no security contact is set"}, nil, contacts.NoAddress},
		{"contact unreadable", contacts.Target{AccountID: "1", Kind: contacts.SecurityEmail, Missing: "AccessDenied"}, nil, contacts.Unreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := contacts.Assess(tc.target, tc.history, now, contacts.Policy{}); got.State != tc.want {
				t.Errorf("state %s, want %s", got.State, tc.want)
			}
		})
	}
}

func TestTargets(t *testing.T) {
	snap := &inventory.Snapshot{Accounts: []inventory.Account{{
		ID: "111122223333", Name: "prod",
		RootEmail: inventory.Fact[string]{Value: "aws-root@example.com", Source: inventory.Source{API: "organizations:ListAccounts"}},
		Contacts: inventory.Contacts{
			Primary: inventory.Fact[*inventory.ContactInformation]{Value: &inventory.ContactInformation{PhoneNumber: "+15550100"}, Source: inventory.Source{API: "account:GetContactInformation"}},
			Alternates: map[string]inventory.Fact[*inventory.AlternateContact]{
				"SECURITY": {Value: &inventory.AlternateContact{EmailAddress: "sec@example.com"}, Source: inventory.Source{API: "account:GetAlternateContact"}},
				"BILLING":  {Source: inventory.Source{API: "account:GetAlternateContact"}},
			},
		},
	}, {ID: "444455556666", Skipped: "SUSPENDED"}}}
	got := map[string]string{}
	for _, tg := range contacts.Targets(snap, nil, nil) {
		got[tg.AccountID+" "+string(tg.Kind)] = tg.Address + "|" + tg.Missing
	}
	want := map[string]string{
		"111122223333 root-email":       "aws-root@example.com|",
		"111122223333 security-email":   "sec@example.com|",
		"111122223333 operations-email": "|the operations contact was not collected",
		"111122223333 billing-email":    "|no billing contact is set",
		"111122223333 phone":            "+15550100|",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if v := got["444455556666 root-email"]; !strings.Contains(v, "not assessed") {
		t.Errorf("skipped account: %q", v)
	}
	if n := len(contacts.Targets(snap, []string{"111122223333"}, []contacts.Kind{contacts.Phone})); n != 1 {
		t.Errorf("filtered targets: %d, want 1", n)
	}
}

func TestClassifyMX(t *testing.T) {
	snap := &inventory.Snapshot{Accounts: []inventory.Account{{
		ID: "111122223333",
		Mail: inventory.MailFacts{
			HostedZones:   inventory.Fact[[]inventory.HostedZone]{Value: []inventory.HostedZone{{Name: "example.com."}, {Name: "internal.example.", Private: true}}},
			SESRecipients: inventory.Fact[[]string]{Value: []string{"ses.example.org"}},
		},
	}}}
	hosts := []string{"mx.example.com.", "inbound-smtp.us-east-1.amazonaws.com", "aspmx.l.google.com", "mx.internal.example", "mail.elsewhere.net"}
	got := contacts.ClassifyMX("root@ses.example.org", hosts, snap, []string{"*.google.com"})
	want := []string{
		"account 111122223333 (Route 53 zone example.com.)",
		"account 111122223333 (SES receipt)",
		"provider *.google.com",
		"", // a private zone serves no one outside the VPC
		"",
	}
	for i, h := range got {
		if h.Where != want[i] {
			t.Errorf("%s: %q, want %q", h.Host, h.Where, want[i])
		}
	}
	// SES inbound for a domain SES does not receive for is outside.
	if got := contacts.ClassifyMX("root@other.org", []string{"inbound-smtp.us-east-1.amazonaws.com"}, snap, nil); !got[0].Outside() {
		t.Errorf("SES inbound for a domain no account receives: %q", got[0].Where)
	}
}

func TestToken(t *testing.T) {
	tok, hash, err := contacts.NewToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "RG-") || len(tok) != 3+26 || contacts.HashToken(" "+strings.ToLower(tok)+"\n") != hash {
		t.Errorf("token %q hash %q", tok, hash)
	}
	tok2, _, _ := contacts.NewToken(nil)
	if tok2 == tok {
		t.Error("two tokens are equal")
	}
}
