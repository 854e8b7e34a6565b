package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rootguard/rootguard/internal/contactmail"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// SNSAPI is the part of the SNS client the dispatcher uses.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// sender sends one message to one destination.
type sender interface {
	send(ctx context.Context, m Message) error
}

// permanentError is a refusal that trying again cannot change (a webhook
// that no longer exists, credentials refused): the delivery is given up at
// once.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Headers of the HTTP destinations.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderPossibleRepeat = "Rootguard-Possible-Repeat"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256 of the body
	// under the webhook's secret.
	HeaderSignature = "Rootguard-Signature"
)

// httpSender posts a message's JSON (Slack's or the generic one) to a URL.
type httpSender struct {
	client *http.Client
	url    string // a secret for Slack: never in an error
	secret []byte // signs the body when set
	body   func(Message) []byte
}

func (h httpSender) send(ctx context.Context, m Message) error {
	body := h.body(m)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderIdempotencyKey, m.Key)
	req.Header.Set(HeaderPossibleRepeat, strconv.FormatBool(m.PossibleRepeat))
	if h.secret != nil {
		mac := hmac.New(sha256.New, h.secret)
		mac.Write(body)
		req.Header.Set(HeaderSignature, "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		// url.Error quotes the URL, which may be a secret.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // draining for reuse only.
	if resp.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("POST answered %s: %s", resp.Status, termsafe.Shorten(termsafe.Escape(string(snippet), false), 200))
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return permanentError{err}
	}
	return err
}

// snsSender publishes to a topic: the text as the message, the idempotency
// key and repeat mark as message attributes, and on a FIFO topic the key
// as the deduplication ID (SNS drops a repeat within five minutes).
type snsSender struct {
	api           SNSAPI
	topic, region string
}

func (s snsSender) send(ctx context.Context, m Message) error {
	in := &sns.PublishInput{
		TopicArn: aws.String(s.topic),
		Subject:  aws.String(snsSubject(m.title())),
		Message:  aws.String(m.Text()),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"idempotency_key": {DataType: aws.String("String"), StringValue: aws.String(m.Key)},
			"possible_repeat": {DataType: aws.String("String"), StringValue: aws.String(strconv.FormatBool(m.PossibleRepeat))},
		},
	}
	if strings.HasSuffix(s.topic, ".fifo") {
		in.MessageGroupId, in.MessageDeduplicationId = aws.String("rootguard"), aws.String(m.Key)
	}
	// The topic's Region, whatever the client's.
	_, err := s.api.Publish(ctx, in, func(o *sns.Options) { o.Region = s.region })
	return err
}

// snsSubject is what SNS accepts as a subject: printable ASCII, at most
// 100 characters.
func snsSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > 100 {
		s = s[:99] + "~"
	}
	return s
}

// mailSender submits the text to each recipient through contactmail's
// SMTP client (STARTTLS required unless plaintext is allowed).
type mailSender struct {
	smtp     contactmail.SMTP
	from     string
	to       []string
	clock    func() time.Time
	hostname string // the Message-ID's right-hand side
}

func (s mailSender) send(ctx context.Context, m Message) error {
	msg := s.message(m)
	for _, to := range s.to {
		if err := s.smtp.Send(ctx, s.from, to, msg); err != nil {
			return err
		}
	}
	return nil
}

// message is the mail: headers from the configuration and the key (no
// untrusted text but the subject, made one safe line and encoded), the
// text quoted-printable.
func (s mailSender) message(m Message) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", s.from)
	h("To", strings.Join(s.to, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", m.title()))
	h("Date", s.clock().UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+m.Key+"@"+s.hostname+">")
	h("Rootguard-Idempotency-Key", m.Key)
	h(HeaderPossibleRepeat, strconv.FormatBool(m.PossibleRepeat))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Text(), "\n", "\r\n"))) //nolint:errcheck // a bytes.Buffer does not fail.
	qp.Close()                                                   //nolint:errcheck // a bytes.Buffer does not fail.
	return b.Bytes()
}
