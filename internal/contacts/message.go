package contacts

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/termsafe"
)

// what names a contact kind in a sentence.
var what = map[Kind]string{
	RootEmail:       "the root user's email address",
	SecurityEmail:   "the security contact",
	OperationsEmail: "the operations contact",
	BillingEmail:    "the billing contact",
}

// Message is the verification mail for t carrying token: RFC 5322 headers
// and a plain-text body. Every value that comes from AWS (the account's
// name, the address) is checked or escaped, so none can add a header.
func Message(from string, t Target, token string, validFor time.Duration, now time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("--from %q: %w", from, err)
	}
	to, err := mail.ParseAddress(t.Address)
	if err != nil {
		return nil, fmt.Errorf("account %s %s %q: %w", t.AccountID, t.Kind, t.Address, err)
	}
	name := termsafe.Escape(t.AccountName, false)
	account := t.AccountID
	if name != "" {
		account += " (" + name + ")"
	}
	subject := "Verify " + what[t.Kind] + " of AWS account " + account
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", (&mail.Address{Name: "rootguard", Address: fromAddr.Address}).String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := fmt.Sprintf(`This address is %s of AWS account %s.

AWS sends security notifications and account recovery mail here, so
someone must read it. To confirm that this mail reached a person, run

    rootguard contacts confirm %s

or send this token to whoever runs rootguard for your organization.
The token is valid for %s. If nobody confirms it, rootguard reports
that this inbox is not watched.

If you do not know why you received this, tell your security team.
`, what[t.Kind], account, token, hours(validFor))
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String()), nil
}

// hours writes a duration of whole hours as "72 hours".
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
