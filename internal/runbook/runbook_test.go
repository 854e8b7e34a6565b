package runbook

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/recovery"
)

func known[T any](v T, api string) inventory.Fact[T] {
	return inventory.Fact[T]{Value: v, Source: inventory.Source{API: api}}
}

// hostile is an account whose name, email and custodian carry markup.
func hostile() Input {
	s := &inventory.Snapshot{Accounts: []inventory.Account{{
		ID: "111111111111", Name: "<script>alert(1)</script> | **x**", Role: inventory.RoleManagement, State: "ACTIVE",
		RootEmail: known("root+<b>@corp.example", "organizations:ListAccounts"),
		Root: inventory.RootCredentials{
			LoginProfile: known(inventory.LoginProfile{Exists: true}, "iam:GetLoginProfile"),
			MFADevices:   known([]inventory.MFADevice{{Serial: "GAHT1"}}, "iam:ListMFADevices"),
		},
	}}}
	secrets := []recovery.Secret{
		{Account: "111111111111", Kind: recovery.KindPassword, Holder: "Eve <img src=x onerror=alert(2)>", StoredAt: "vault [x](javascript:y)"},
		{Account: "111111111111", Kind: recovery.KindMFA, Name: "GAHT1", Holder: "Sam"},
	}
	findings := []checks.Finding{{CheckID: "root-mfa-enabled", AccountID: "111111111111", Status: checks.Pass, Detail: "MFA <on>\nsecond line"}}
	return Input{Snapshot: s, Account: "111111111111", Findings: findings, Graph: recovery.Build(s, recovery.Options{Secrets: secrets}), Secrets: secrets}
}

func TestBuild(t *testing.T) {
	rb, err := Build(hostile())
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rb); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		`Password: set; held by Eve &lt;img src=x onerror=alert(2)&gt;, stored in vault \[x\](javascript:y)`,
		"MFA device GAHT1 (hardware-totp): held by Sam",
		"Confirm with the custodians (Eve",
		"| `root-mfa-enabled` | PASS | MFA &lt;on&gt; |",
		"Sign in as the root user",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "<img") || strings.Contains(out, "second line") {
		t.Errorf("markdown carries raw markup or a finding's second line:\n%s", out)
	}
}

func TestHTMLEscapes(t *testing.T) {
	rb, err := Build(hostile())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, "html", rb); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "<script>") || strings.Contains(out, "<img") {
		t.Errorf("the page holds raw markup from the input:\n%s", out)
	}
	if !strings.Contains(out, "Eve &lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("the custodian's name is not escaped text:\n%s", out)
	}
}

func TestUnknownAccountAndFormat(t *testing.T) {
	in := hostile()
	in.Account = "999999999999"
	if _, err := Build(in); err == nil || !strings.Contains(err.Error(), "999999999999") {
		t.Errorf("err = %v, want one naming the account", err)
	}
	if err := Write(&bytes.Buffer{}, "pdf", &Runbook{}); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("err = %v, want one naming pdf", err)
	}
}
