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

// Message is the verification mail carrying token to the address the
// targets share (one or more contacts of one or more accounts): RFC 5322
// headers and a plain-text body. Every value that comes from AWS (account
// names, the address) is checked or escaped, so none can add a header.
func Message(from string, targets []Target, token string, validFor time.Duration, now time.Time) ([]byte, error) {
	if len(targets) == 0 {
		return nil, fmt.Errorf("no contact to verify")
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("--from %q: %w", from, err)
	}
	t0 := targets[0]
	to, err := mail.ParseAddress(t0.Address)
	if err != nil {
		return nil, fmt.Errorf("account %s %s %q: %w", t0.AccountID, t0.Kind, termsafe.Escape(t0.Address, false), err)
	}
	var uses []string
	for _, t := range targets {
		uses = append(uses, "  - "+what[t.Kind]+" of AWS account "+account(t))
	}
	subject := "Verify " + what[t0.Kind] + " of AWS account " + account(t0)
	if len(targets) > 1 {
		subject = fmt.Sprintf("Verify a contact address of %d AWS account contacts", len(targets))
	}
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
	body := fmt.Sprintf(`This address is

%s

AWS sends security notifications and account recovery mail here, so
someone must read it. To confirm that this mail reached a person, run

    rootguard contacts confirm %s

or send this token to whoever runs rootguard for your organization.
The token is valid for %s. If nobody confirms it, rootguard reports
that this inbox is not watched.

If you do not know why you received this, tell your security team.
`, strings.Join(uses, "\n"), token, hours(validFor))
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String()), nil
}

// account names an account in a sentence: its ID, and its name escaped.
func account(t Target) string {
	if name := termsafe.Escape(t.AccountName, false); name != "" {
		return t.AccountID + " (" + name + ")"
	}
	return t.AccountID
}

// hours writes a duration of whole hours as "72 hours".
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
