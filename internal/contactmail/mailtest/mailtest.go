// Package mailtest starts real mail infrastructure on loopback for tests:
// a DNS server (github.com/miekg/dns) answering MX and A queries from a
// table, and an SMTP server (github.com/emersion/go-smtp) that keeps every
// message it accepts.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/miekg/dns"
)

// MX is one MX record: a preference and a host.
type MX struct {
	Pref uint16
	Host string
}

// Zone is what the DNS server answers: MX records and A addresses by
// domain (without the trailing dot). A domain in neither map is NXDOMAIN.
type Zone struct {
	MX map[string][]MX
	A  map[string][]string
}

// StartDNS serves zone over UDP and TCP on one loopback port and returns
// its HOST:PORT. The servers stop at the test's cleanup.
func StartDNS(t testing.TB, zone Zone) string {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		known := false
		for _, q := range req.Question {
			name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
			mxs, hasMX := zone.MX[name]
			as, hasA := zone.A[name]
			known = known || hasMX || hasA
			switch q.Qtype {
			case dns.TypeMX:
				for _, mx := range mxs {
					m.Answer = append(m.Answer, &dns.MX{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeMX, Class: dns.ClassINET, Ttl: 60},
						Preference: mx.Pref, Mx: dns.Fqdn(mx.Host)})
				}
			case dns.TypeA:
				for _, a := range as {
					m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(a)})
				}
			}
		}
		if !known {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m) //nolint:errcheck // a lost answer is the client's timeout.
	})
	// DNS answers on one port over both UDP and TCP; a free UDP port may
	// be taken for TCP, so try a few.
	var pc net.PacketConn
	var l net.Listener
	var err error
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if l, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatalf("no loopback port free for both UDP and TCP: %v", err)
	}
	addr := pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	go udp.ActivateAndServe() //nolint:errcheck // stops at Shutdown.
	go tcp.ActivateAndServe() //nolint:errcheck // stops at Shutdown.
	t.Cleanup(func() {
		udp.Shutdown() //nolint:errcheck // the test is over.
		tcp.Shutdown() //nolint:errcheck // the test is over.
	})
	return addr
}

// Message is one message the SMTP server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
}

// SMTP is a running SMTP server.
type SMTP struct {
	Addr string

	mu   sync.Mutex
	msgs []Message
	// Refuse makes the server refuse every recipient (a 550).
	refuse bool
}

// Messages returns the messages accepted so far.
func (s *SMTP) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// RefuseRecipients makes the server answer 550 to every RCPT TO.
func (s *SMTP) RefuseRecipients() {
	s.mu.Lock()
	s.refuse = true
	s.mu.Unlock()
}

type session struct {
	s   *SMTP
	msg Message
}

func (x *session) Reset()        { x.msg = Message{} }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.msg.From = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refuse := x.s.refuse
	x.s.mu.Unlock()
	if refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	x.msg.Data = b.Bytes()
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, x.msg)
	x.s.mu.Unlock()
	return nil
}

// StartSMTP starts an SMTP server on loopback without TLS (clients need
// their plaintext option) and stops it at the test's cleanup.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	s := &SMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtp server: %v", err)
		}
	}()
	t.Cleanup(func() {
		srv.Close() //nolint:errcheck // the test is over.
		<-done
	})
	return s
}
