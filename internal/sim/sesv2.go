package sim

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SES v2 (restJson1, signed as ses like SES's classic API, told apart by
// its /v2/ paths): SendEmail. The endpoint delivers nothing; it keeps each
// message it accepts (Server.SentEmails), so that a test reads back what
// rootguard sent, such as a verification token.

// sesv2 serves the /v2/ paths of the ses signing name.
var sesv2 = &service{
	name:   "ses",
	proto:  protoRESTRoutes,
	routes: []route{{method: http.MethodPost, pattern: "/v2/email/outbound-emails", op: "SendEmail"}},
	ops: map[string]*operation{
		"SendEmail": {write: true, handle: sesv2SendEmail},
	},
}

// Email is one message SendEmail accepted.
type Email struct {
	// Account is the sending account.
	Account string
	From    string
	To      []string
	// Raw is the raw message (Content.Raw); for a simple message, its
	// subject and text body.
	Raw []byte
	At  time.Time
}

// SentEmails returns the messages SendEmail accepted, in order.
func (s *Server) SentEmails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

type sendEmailInput struct {
	FromEmailAddress string `json:"FromEmailAddress"`
	Destination      *struct {
		ToAddresses  []string `json:"ToAddresses"`
		CcAddresses  []string `json:"CcAddresses"`
		BccAddresses []string `json:"BccAddresses"`
	} `json:"Destination"`
	Content struct {
		Raw *struct {
			Data []byte `json:"Data"`
		} `json:"Raw"`
		Simple *struct {
			Subject struct {
				Data string `json:"Data"`
			} `json:"Subject"`
			Body struct {
				Text *struct {
					Data string `json:"Data"`
				} `json:"Text"`
			} `json:"Body"`
		} `json:"Simple"`
	} `json:"Content"`
}

// sesv2SendEmail accepts a raw or simple message to at least one
// recipient, from FromEmailAddress or, for a raw message, its From header.
func sesv2SendEmail(r *request) (any, error) {
	var in sendEmailInput
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errf("BadRequestException", http.StatusBadRequest, "request body: %v", err)
	}
	e := Email{Account: r.sess.account, From: in.FromEmailAddress, At: r.now}
	if d := in.Destination; d != nil {
		e.To = slices.Concat(d.ToAddresses, d.CcAddresses, d.BccAddresses)
	}
	switch c := in.Content; {
	case c.Raw != nil && len(c.Raw.Data) > 0:
		e.Raw = c.Raw.Data
		if e.From == "" {
			if m, err := mail.ReadMessage(strings.NewReader(string(e.Raw))); err == nil {
				e.From = m.Header.Get("From")
			}
		}
	case c.Simple != nil && c.Simple.Body.Text != nil:
		e.Raw = []byte("Subject: " + c.Simple.Subject.Data + "\r\n\r\n" + c.Simple.Body.Text.Data)
	default:
		return nil, errf("BadRequestException", http.StatusBadRequest, "Content: give Raw data or a Simple message with a text body")
	}
	switch {
	case len(e.To) == 0:
		return nil, errf("BadRequestException", http.StatusBadRequest, "Destination: at least one recipient is required")
	case e.From == "":
		return nil, errf("BadRequestException", http.StatusBadRequest, "FromEmailAddress: required unless the raw message has a From header")
	}
	r.srv.mu.Lock()
	r.srv.sent = append(r.srv.sent, e)
	n := len(r.srv.sent)
	r.srv.mu.Unlock()
	return map[string]string{"MessageId": hexID(r.reqID+"/"+strconv.Itoa(n), 32)}, nil
}
