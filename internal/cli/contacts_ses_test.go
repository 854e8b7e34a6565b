package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/contactmail/mailtest"
	"github.com/rootguard/rootguard/internal/sim"
)

var sesTokenRe = regexp.MustCompile(`rootguard contacts confirm (RG-[A-Z2-7]{26})`)

// DemoMailZone is what the loopback DNS server answers for the demo organization's mail domains
// (exported for the package's external tests).
var DemoMailZone = mailtest.Zone{MX: map[string][]mailtest.MX{
	"acme.example":           {{Pref: 10, Host: "mx1.mail-host.example"}},
	"dev.acme.example":       {{Pref: 10, Host: "mx1.mail-host.example"}},
	"analytics.acme.example": {{Pref: 10, Host: "mx1.mail-host.example"}},
	"prod-mail.acme.example": {{Pref: 10, Host: "inbound-smtp.us-east-1.amazonaws.com"}},
	"gmail.com":              {{Pref: 5, Host: "gmail-smtp-in.l.google.com"}},
}}

// contacts verify --ses sends each verification through the real SES v2 client to the demo's
// endpoint, which keeps what it was sent: each message is in the audit log before it is sent, its
// token confirms the address, and without an audit log nothing is sent.
func TestContactsVerifyThroughSES(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	t.Setenv("ROOTGUARD_DB", "")
	t.Setenv("ROOTGUARD_AUDIT_LOG", "")
	t.Setenv("ROOTGUARD_DEMO_IDENTITY", "")
	dns := mailtest.StartDNS(t, DemoMailZone)
	db := "sqlite:" + filepath.Join(dir, "rootguard.db")
	log := filepath.Join(dir, "audit.log")
	verify := []string{"contacts", "verify", "--demo", "--db", db, "--dns-server", dns, "--kind", "root-email",
		"--ses", "--ses-from", "rootguard@acme.example", "--audit-log", log}
	sent := func(srvs *servers) (mails []sim.Email, sends int) {
		srvs.mu.Lock()
		for _, srv := range srvs.list {
			mails = append(mails, srv.SentEmails()...)
		}
		srvs.mu.Unlock()
		for _, c := range srvs.take() {
			if c.Service == "ses" && c.Operation == "SendEmail" {
				sends++
			}
		}
		return mails, sends
	}

	// No audit log, no mail: the log's path is under a file.
	srvs := captureServers(t)
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	noLog := append(verify[:len(verify)-1:len(verify)-1], filepath.Join(blocker, "audit.log"))
	if code, _, stderr := run(t, noLog...); code != ExitError || !strings.Contains(stderr, "no audit log, no mail through SES") {
		t.Fatalf("verify without an audit log: exit %d %s", code, stderr)
	}
	if mails, sends := sent(srvs); len(mails) != 0 || sends != 0 {
		t.Fatalf("without an audit log %d mails were sent (%d SendEmail calls)", len(mails), sends)
	}

	code, stdout, stderr := run(t, verify...)
	if code != ExitOK {
		t.Fatalf("verify --ses: exit %d\n%s\n%s", code, stdout, stderr)
	}
	mails, sends := sent(srvs)
	if len(mails) == 0 || sends != len(mails) {
		t.Fatalf("%d mails kept by the endpoint, %d SendEmail calls", len(mails), sends)
	}
	tokens := map[string]string{}
	for _, m := range mails {
		tok := sesTokenRe.FindStringSubmatch(string(m.Raw))
		if tok == nil || len(m.To) != 1 || m.From != "rootguard@acme.example" || m.Account != "111111111111" {
			t.Fatalf("mail from %s in %s to %v without one recipient and a token:\n%s", m.From, m.Account, m.To, m.Raw)
		}
		tokens[m.To[0]] = tok[1]
	}
	if tokens["aws-root@acme.example"] == "" {
		t.Fatalf("no verification mail to the management account's root email; sent to %v", tokens)
	}

	// Every send is in the log (the addresses as HMACs), its intent before its result, and the
	// chain verifies.
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	phases := map[string]string{} // change ID -> its phases in log order
	for line := range strings.Lines(string(data)) {
		var r struct {
			ChangeID  string            `json:"change_id"`
			Operation string            `json:"operation"`
			Phase     string            `json:"phase"`
			Outcome   string            `json:"outcome"`
			HMAC      map[string]string `json:"hmac"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Operation == "ses:SendEmail" && r.HMAC["to"] != "" {
			phases[r.ChangeID] += r.Phase + r.Outcome + " "
		}
	}
	if len(phases) != len(mails) {
		t.Errorf("%d sends in the audit log for %d mails", len(phases), len(mails))
	}
	for id, p := range phases {
		if p != "intent resultok " {
			t.Errorf("audit log of %s: %q, want the intent, then the result", id, p)
		}
	}
	if code, stdout, stderr := run(t, "audit", "verify", "--log", log); code != ExitOK {
		t.Errorf("audit verify: exit %d\n%s%s", code, stdout, stderr)
	}

	// The token read back from SES confirms the address.
	code, stdout, stderr = run(t, "contacts", "confirm", "--db", db, "--by", "dana", tokens["aws-root@acme.example"])
	if code != ExitOK || !strings.Contains(stdout, "confirmed: aws-root@acme.example") {
		t.Fatalf("confirm: exit %d\n%s%s", code, stdout, stderr)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"contacts", "verify", "--demo", "--ses", "--smtp", "127.0.0.1:25", "--from", "a@b.example"}, "it excludes --smtp and --mx-only"},
		{[]string{"contacts", "verify", "--demo", "--ses-from", "a@b.example", "--smtp", "127.0.0.1:25", "--from", "a@b.example"}, "applies with --ses only"},
		{[]string{"contacts", "verify", "--demo", "--ses"}, "not an email address"},
	} {
		if code, _, stderr := run(t, tc.args...); code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %s; want %q", tc.args, code, stderr, tc.want)
		}
	}
}
