// Package contactmail is the network side of contact verification: it
// looks up a domain's mail exchangers in DNS and hands a verification mail
// to an SMTP server. What to send and what the answers mean is package
// contacts'.
package contactmail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"slices"
	"strings"
	"time"
)

// Resolver looks up MX records, through the system's resolver or one DNS
// server.
type Resolver struct {
	r *net.Resolver
}

// NewResolver asks server (HOST:PORT, over UDP then TCP as DNS does) when
// it is given, else the system's resolver.
func NewResolver(server string) *Resolver {
	if server == "" {
		return &Resolver{r: net.DefaultResolver}
	}
	return &Resolver{r: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}}
}

// ErrNullMX is a domain that publishes a null MX (RFC 7505): it accepts no mail.
var ErrNullMX = errors.New("the domain publishes a null MX record: it accepts no mail")

// MX returns the domain's mail exchangers in order of preference, without
// the trailing dot. A domain without MX records receives mail at its own
// address (the implicit MX of RFC 5321 section 5.1) when it has one: then
// the domain itself is returned and implicit is true.
func (r *Resolver) MX(ctx context.Context, domain string) (hosts []string, implicit bool, err error) {
	mxs, err := r.r.LookupMX(ctx, domain)
	var dnsErr *net.DNSError
	switch {
	case err == nil && len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == ""):
		return nil, false, fmt.Errorf("%s: %w", domain, ErrNullMX)
	case err == nil && len(mxs) > 0:
		slices.SortStableFunc(mxs, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
		for _, m := range mxs {
			hosts = append(hosts, strings.TrimSuffix(m.Host, "."))
		}
		return hosts, false, nil
	case err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound):
		return nil, false, fmt.Errorf("MX lookup of %s: %w", domain, err)
	}
	if addrs, err := r.r.LookupHost(ctx, domain); err == nil && len(addrs) > 0 {
		return []string{domain}, true, nil
	}
	return nil, false, fmt.Errorf("%s has no MX record and no address: mail to it cannot be delivered", domain)
}

// SMTP is a mail server rootguard submits verification mail to.
type SMTP struct {
	// Addr is HOST:PORT.
	Addr string
	// Username and Password authenticate (PLAIN), only over TLS.
	Username, Password string
	// Plaintext allows a server that offers no STARTTLS (a local relay).
	// Without it such a server is refused, so that mail and credentials
	// never cross a network in clear.
	Plaintext bool
	// TLS configures STARTTLS (nil: verify the server's certificate for
	// the host of Addr).
	TLS *tls.Config
	// Timeout bounds the whole submission (default 30 s).
	Timeout time.Duration
}

// Send submits msg from the envelope sender from to the recipient to.
func (s SMTP) Send(ctx context.Context, from, to string, msg []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline) //nolint:errcheck // a failed deadline shows as a later error.
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("smtp %s: EHLO: %w", s.Addr, err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("smtp %s: STARTTLS: %w", s.Addr, err)
		}
	} else if !s.Plaintext {
		return fmt.Errorf("smtp %s offers no STARTTLS: mail would cross the network in clear (--smtp-plaintext allows it for a local relay)", s.Addr)
	}
	if s.Username != "" {
		if _, isTLS := c.TLSConnectionState(); !isTLS {
			return fmt.Errorf("smtp %s: no authentication without TLS", s.Addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("smtp %s: AUTH: %w", s.Addr, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM: %w", s.Addr, err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp %s: RCPT TO: %w", s.Addr, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", s.Addr, err)
	}
	if _, err := io.Copy(w, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", s.Addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: message refused: %w", s.Addr, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("smtp %s: QUIT: %w", s.Addr, err)
	}
	return nil
}
