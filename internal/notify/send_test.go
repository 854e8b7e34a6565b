package notify_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootguard/rootguard/internal/contactmail/mailtest"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
	"github.com/rootguard/rootguard/internal/store"
)

func TestSlackDelivery(t *testing.T) {
	st := sqliteStore(t)
	h := newHook(t)
	const secretPath = "/services/T000/B000/XXXXSECRET"
	cfg := "schema: rootguard.notify/v1\ndestinations:\n  - name: chat\n    slack: {webhook_url_env: SLACK_URL}\ndefault: [chat]\n"
	d := newDispatcher(t, st, cfg, notify.Options{Clock: newClock().now, Getenv: env(map[string]string{"SLACK_URL": h.URL + secretPath})})
	a := rootSignIn("ev-slack")
	a.Principal = "<!channel> see <https://evil.example|this>"
	if err := d.Enqueue(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	dispatch(t, d)
	got := h.requests()
	if len(got) != 1 || got[0].path != secretPath || got[0].header.Get(notify.HeaderIdempotencyKey) != notify.Key("ev-slack", "chat") {
		t.Fatalf("requests %+v", got)
	}
	var body struct {
		Text   string
		Blocks []struct {
			Type string
			Text struct{ Type, Text string }
		}
	}
	if err := json.Unmarshal(got[0].body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Blocks) != 2 || body.Blocks[0].Type != "header" || body.Blocks[0].Text.Type != "plain_text" ||
		body.Blocks[1].Text.Type != "mrkdwn" || !strings.HasPrefix(body.Text, "[CRITICAL] Root user signed in without MFA") {
		t.Fatalf("payload %s", got[0].body)
	}
	section := body.Blocks[1].Text.Text
	for _, want := range []string{"*Account*: `111111111111`", "*Principal*: `&lt;!channel&gt; see &lt;https://evil.example|this&gt;`",
		"*Break-glass window*: `OUTSIDE every approved break-glass window of the account`", "*Idempotency key*: `" + notify.Key("ev-slack", "chat") + "`"} {
		if !strings.Contains(section, want) {
			t.Errorf("section lacks %q:\n%s", want, section)
		}
	}

	// Slack unreachable: the error recorded and logged never shows the URL.
	var logs bytes.Buffer
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + secretPath
	l.Close()
	st2 := sqliteStore(t)
	d2 := newDispatcher(t, st2, cfg, notify.Options{Clock: newClock().now, Getenv: env(map[string]string{"SLACK_URL": closed}), Logger: newLogger(&logs)})
	if err := d2.Enqueue(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	dispatch(t, d2)
	ds, _ := st2.Deliveries(t.Context())
	if ds[0].State != store.DeliveryFailed || ds[0].LastError == "" {
		t.Fatalf("unreachable Slack: %+v", ds[0])
	}
	if strings.Contains(ds[0].LastError, "SECRET") || strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "will retry") {
		t.Errorf("the URL leaked: error %q, logs %s", ds[0].LastError, logs.String())
	}
}

func TestMailDelivery(t *testing.T) {
	srv := mailtest.StartSMTP(t)
	host, port, _ := net.SplitHostPort(srv.Addr)
	cfg := func(plaintext bool) string {
		p := "false"
		if plaintext {
			p = "true"
		}
		return "schema: rootguard.notify/v1\ndestinations:\n  - name: mail\n    email: {host: " + host + ", port: " + port +
			", from: rootguard@example.com, to: [oncall@example.com, security@example.com], plaintext: " + p + "}\ndefault: [mail]\n"
	}
	st := sqliteStore(t)
	d := newDispatcher(t, st, cfg(true), notify.Options{Clock: newClock().now})
	a := rootSignIn("ev-mail")
	a.Title = "Root sign-in\r\nBcc: victim@example.com"
	a.EventName = "ConsoleLogin\nX-Injected: yes"
	if err := d.Enqueue(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	dispatch(t, d)
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[0].To[0] != "oncall@example.com" || msgs[1].To[0] != "security@example.com" || msgs[0].From != "rootguard@example.com" {
		t.Fatalf("messages %+v", msgs)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	key := notify.Key("ev-mail", "mail")
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Message-Id") != "<"+key+"@example.com>" || m.Header.Get("Rootguard-Idempotency-Key") != key ||
		m.Header.Get("Bcc") != "" || m.Header.Get("X-Injected") != "" || !strings.HasPrefix(subject, `[CRITICAL] Root sign-in\r\nBcc: victim@example.com`) {
		t.Errorf("headers %v (subject %q)", m.Header, subject)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Idempotency key: " + key + "\r\n", `Event: ConsoleLogin\nX-Injected: yes (signin.amazonaws.com)`, "Break-glass window: OUTSIDE"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}

	// Without plaintext, a server that offers no STARTTLS is refused: the
	// delivery fails and waits for a retry.
	st2 := sqliteStore(t)
	d2 := newDispatcher(t, st2, cfg(false), notify.Options{Clock: newClock().now})
	if err := d2.Enqueue(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	dispatch(t, d2)
	ds, _ := st2.Deliveries(t.Context())
	if ds[0].State != store.DeliveryFailed || !strings.Contains(ds[0].LastError, "offers no STARTTLS") || len(srv.Messages()) != 2 {
		t.Errorf("without STARTTLS: %+v", ds[0])
	}
}

func TestSNSDelivery(t *testing.T) {
	srv, awsCfg := simtest.Start(t, sim.Demo(), sim.Options{})
	const topic = "arn:aws:sns:us-east-1:111111111111:root-activity-alerts"
	cfg := "schema: rootguard.notify/v1\ndestinations:\n  - name: topic\n    sns: {topic_arn: \"" + topic + "\"}\ndefault: [topic]\n"
	st := sqliteStore(t)
	if _, err := notify.NewDispatcher(st, notify.DefaultConfig(), notify.Options{}); err == nil {
		t.Error("a configuration without destinations was accepted")
	}
	parsed, err := notify.Parse([]byte(cfg), "sns.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.NewDispatcher(st, parsed, notify.Options{}); err == nil || !strings.Contains(err.Error(), "no SNS client") {
		t.Errorf("an SNS destination without a client: %v", err)
	}
	d := newDispatcher(t, st, cfg, notify.Options{Clock: newClock().now, SNS: sns.NewFromConfig(awsCfg)})
	if err := d.Enqueue(t.Context(), rootSignIn("ev-sns")); err != nil {
		t.Fatal(err)
	}
	dispatch(t, d)
	got := srv.Published()
	if len(got) != 1 {
		t.Fatalf("published %+v", got)
	}
	p := got[0]
	if p.TopicArn != topic || p.Subject != "[CRITICAL] Root user signed in without MFA" ||
		p.Attributes["idempotency_key"] != notify.Key("ev-sns", "topic") || p.Attributes["possible_repeat"] != "false" ||
		!strings.Contains(p.Message, "Idempotency key: "+notify.Key("ev-sns", "topic")) {
		t.Errorf("published %+v", p)
	}
	if ds, _ := st.Deliveries(t.Context()); ds[0].State != store.DeliverySent {
		t.Errorf("outbox %+v", ds[0])
	}
}
