package contactmail_test

import (
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/contactmail"
	"github.com/rootguard/rootguard/internal/contactmail/mailtest"
	"github.com/rootguard/rootguard/internal/contacts"
)

func TestMX(t *testing.T) {
	dns := mailtest.StartDNS(t, mailtest.Zone{
		MX: map[string][]mailtest.MX{
			"example.com":  {{Pref: 20, Host: "mx2.example.com"}, {Pref: 10, Host: "mx1.example.com"}},
			"nomail.org":   {{Pref: 0, Host: "."}},
			"implicit.net": nil,
		},
		A: map[string][]string{"implicit.net": {"192.0.2.1"}},
	})
	r := contactmail.NewResolver(dns)
	tests := []struct {
		domain       string
		want         []string
		wantImplicit bool
		wantErr      string
	}{
		{domain: "example.com", want: []string{"mx1.example.com", "mx2.example.com"}},
		{domain: "implicit.net", want: []string{"implicit.net"}, wantImplicit: true},
		{domain: "nomail.org", wantErr: "null MX"},
		{domain: "missing.example", wantErr: "no MX record and no address"},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			hosts, implicit, err := r.MX(t.Context(), tc.domain)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(hosts, tc.want) || implicit != tc.wantImplicit {
				t.Fatalf("got %v implicit %v err %v; want %v implicit %v", hosts, implicit, err, tc.want, tc.wantImplicit)
			}
		})
	}
}

func TestSend(t *testing.T) {
	srv := mailtest.StartSMTP(t)
	target := contacts.Target{AccountID: "111122223333", AccountName: "prod\r\nBcc: evil@example.net", Kind: contacts.RootEmail, Address: "aws-root@example.com"}
	msg, err := contacts.Message("rootguard@example.com", []contacts.Target{target}, "RG-TOKEN", 72*time.Hour, time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// A server without STARTTLS is refused unless plaintext is allowed.
	err = contactmail.SMTP{Addr: srv.Addr}.Send(t.Context(), "rootguard@example.com", target.Address, msg)
	if err == nil || !strings.Contains(err.Error(), "offers no STARTTLS") {
		t.Fatalf("plaintext server: %v", err)
	}
	if err := (contactmail.SMTP{Addr: srv.Addr, Plaintext: true}).Send(t.Context(), "rootguard@example.com", target.Address, msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != "rootguard@example.com" || !slices.Equal(got[0].To, []string{"aws-root@example.com"}) {
		t.Fatalf("messages: %+v", got)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(got[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" || strings.Contains(m.Header.Get("Subject"), "\n") {
		t.Errorf("the account name added a header: %v", m.Header)
	}
	if !strings.Contains(m.Header.Get("Subject"), "111122223333") {
		t.Errorf("subject: %q", m.Header.Get("Subject"))
	}
	// Authentication never goes out in clear.
	err = contactmail.SMTP{Addr: srv.Addr, Plaintext: true, Username: "u", Password: "secret"}.Send(t.Context(), "rootguard@example.com", target.Address, msg)
	if err == nil || !strings.Contains(err.Error(), "no authentication without TLS") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("auth without TLS: %v", err)
	}
	// A refused recipient is an error naming the step.
	srv.RefuseRecipients()
	err = contactmail.SMTP{Addr: srv.Addr, Plaintext: true}.Send(t.Context(), "rootguard@example.com", target.Address, msg)
	if err == nil || !strings.Contains(err.Error(), "RCPT TO") {
		t.Fatalf("refused recipient: %v", err)
	}
}
