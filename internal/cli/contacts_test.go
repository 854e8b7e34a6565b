package cli_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/contactmail/mailtest"
)

var tokenRe = regexp.MustCompile(`rootguard contacts confirm (RG-[A-Z2-7]{26})`)

// The contact verification round trip on the demo organization, through a
// real DNS server and a real SMTP server on loopback: verify looks up the
// MX records and mails one token per distinct address, confirm records the
// token that came back, attest records a phone call, and scan's
// contacts-verified-recent reads the store.
func TestContactsVerifyRoundTrip(t *testing.T) {
	dns := mailtest.StartDNS(t, cli.DemoMailZone)
	smtp := mailtest.StartSMTP(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "rootguard.db")
	verify := []string{"contacts", "verify", "--demo", "--db", db, "--dns-server", dns, "--smtp", smtp.Addr, "--smtp-plaintext",
		"--from", "rootguard@acme.example", "--mail-provider", "*.google.com"}

	code, stdout, stderr := run(t, "", verify...)
	if code != cli.ExitOK {
		t.Fatalf("verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	msgs := smtp.Messages()
	tokens := map[string]string{} // recipient -> token
	for _, m := range msgs {
		tok := tokenRe.FindStringSubmatch(string(m.Data))
		if tok == nil || len(m.To) != 1 {
			t.Fatalf("message without one recipient and a token:\n%s", m.Data)
		}
		if _, dup := tokens[m.To[0]]; dup {
			t.Errorf("%s got two mails; an address shared by several contacts gets one", m.To[0])
		}
		tokens[m.To[0]] = tok[1]
	}
	for _, addr := range []string{"aws-root@acme.example", "security@acme.example", "acme.marketing.team@gmail.com"} {
		if tokens[addr] == "" {
			t.Errorf("no verification mail to %s; sent to %v", addr, tokens)
		}
	}
	for _, want := range []string{"mx1.mail-host.example [OUTSIDE]", "[provider *.google.com]", "Mail hosts in no account of the organization",
		"mx1.mail-host.example (aws-root@acme.example)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, stdout)
		}
	}

	// Before any confirmation the management account's contacts wait.
	status := func() map[string]string {
		t.Helper()
		code, stdout, stderr := run(t, "", "contacts", "status", "--demo", "--db", db, "--format", "json")
		if code != cli.ExitOK {
			t.Fatalf("status: exit %d\n%s", code, stderr)
		}
		var doc struct {
			Contacts []struct {
				AccountID string `json:"account_id"`
				Kind      string `json:"kind"`
				State     string `json:"state"`
			} `json:"contacts"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range doc.Contacts {
			out[c.AccountID+" "+c.Kind] = c.State
		}
		return out
	}
	if got := status()["111111111111 root-email"]; got != "pending" {
		t.Errorf("management root email before confirmation: %s, want pending", got)
	}

	// Whoever reads the mail confirms; a token confirms once.
	for _, addr := range []string{"aws-root@acme.example", "security@acme.example"} {
		code, stdout, stderr := run(t, "", "contacts", "confirm", "--db", db, "--by", "dana", strings.ToLower(tokens[addr]))
		if code != cli.ExitOK || !strings.Contains(stdout, "confirmed: "+addr) {
			t.Fatalf("confirm %s: exit %d\n%s%s", addr, code, stdout, stderr)
		}
	}
	if code, _, stderr := run(t, "", "contacts", "confirm", "--db", db, tokens["aws-root@acme.example"]); code != cli.ExitError || !strings.Contains(stderr, "already confirmed") {
		t.Errorf("second confirmation: exit %d %s", code, stderr)
	}
	if code, _, stderr := run(t, "", "contacts", "confirm", "--db", db, "RG-AAAAAAAAAAAAAAAAAAAAAAAAAA"); code != cli.ExitError || !strings.Contains(stderr, "no verification was sent with this token") {
		t.Errorf("unknown token: exit %d %s", code, stderr)
	}

	findings := func() map[string]string {
		t.Helper()
		code, stdout, stderr := run(t, "", "scan", "--demo", "--db", db, "--format", "json", "--check", "contacts-verified-recent")
		if code != cli.ExitOK {
			t.Fatalf("scan: exit %d\n%s", code, stderr)
		}
		return statusByAccount(t, stdout)
	}
	got := findings()
	if f := got["111111111111"]; !strings.HasPrefix(f, "FAIL: phone: never verified") {
		t.Errorf("management account with both emails confirmed, phone not attested: %s", f)
	}
	if code, stdout, stderr := run(t, "", "contacts", "attest", "--demo", "--db", db, "--accounts", "111111111111", "--kind", "phone", "--by", "Dana Lee"); code != cli.ExitOK {
		t.Fatalf("attest: exit %d\n%s%s", code, stdout, stderr)
	}
	got = findings()
	if f := got["111111111111"]; !strings.HasPrefix(f, "PASS") {
		t.Errorf("management account after the phone call: %s", f)
	}
	// An account whose root email token waits is not verified, and not failed yet.
	if f := got["222222222222"]; !strings.HasPrefix(f, "UNKNOWN") && !strings.HasPrefix(f, "FAIL") {
		t.Errorf("account with a waiting token: %s", f)
	}
	if got := status()["111111111111 phone"]; got != "verified" {
		t.Errorf("status of the attested phone: %s", got)
	}
}

// A domain whose MX lookup fails gets no mail, and the run says so and exits 3.
func TestContactsVerifyLookupFails(t *testing.T) {
	dns := mailtest.StartDNS(t, mailtest.Zone{MX: map[string][]mailtest.MX{"acme.example": {{Pref: 10, Host: "mx1.mail-host.example"}}}})
	smtp := mailtest.StartSMTP(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "rootguard.db")
	code, stdout, stderr := run(t, "", "contacts", "verify", "--demo", "--db", db, "--dns-server", dns, "--smtp", smtp.Addr, "--smtp-plaintext",
		"--from", "rootguard@acme.example")
	if code != cli.ExitError || !strings.Contains(stderr, "addresses not verified") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "not sent: gmail.com has no MX record and no address") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, m := range smtp.Messages() {
		if strings.HasSuffix(m.To[0], "@gmail.com") {
			t.Errorf("mail sent to %s although its domain has no MX", m.To[0])
		}
	}
}

func TestContactsUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"contacts", "verify", "--demo"}, "--smtp HOST:PORT is required"},
		{[]string{"contacts", "verify", "--demo", "--smtp", "h:25", "--from", "nope"}, "--from \"nope\": not an email address"},
		{[]string{"contacts", "verify", "--demo", "--mx-only", "--kind", "phone"}, "a phone line is verified by a call"},
		{[]string{"contacts", "verify", "--demo", "--mx-only", "--valid-for", "10m"}, "--valid-for 10m0s: want 1h to 720h"},
		{[]string{"contacts", "attest", "--demo", "--accounts", "111111111111"}, "--by NAME is required"},
	}
	for _, tc := range tests {
		code, _, stderr := run(t, "", tc.args...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// statusByAccount reads a findings/v1 document of one check: each
// account's "STATUS: detail".
func statusByAccount(t *testing.T, doc string) map[string]string {
	t.Helper()
	var d struct {
		Findings []struct {
			AccountID string `json:"account_id"`
			Status    string `json:"status"`
			Detail    string `json:"detail"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range d.Findings {
		out[f.AccountID] = f.Status + ": " + f.Detail
	}
	return out
}
