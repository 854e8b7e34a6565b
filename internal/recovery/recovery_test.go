package recovery

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func known[T any](v T, api string) inventory.Fact[T] {
	return inventory.Fact[T]{Value: v, Source: inventory.Source{API: api}}
}

func failed[T any](api, code string) inventory.Fact[T] {
	return inventory.Fact[T]{Source: inventory.Source{API: api, Error: &inventory.CallError{Code: code}}}
}

// mail is an account's mail facts: zones and registered domains,
// SES recipients and WorkMail domains, every one read.
func mail(zones, regs, ses, workmail []string) inventory.MailFacts {
	var hz []inventory.HostedZone
	for i, z := range zones {
		hz = append(hz, inventory.HostedZone{ID: fmt.Sprintf("Z%d%s", i, strings.ToUpper(z[:1])), Name: z + "."})
	}
	return inventory.MailFacts{
		HostedZones:     known(hz, "route53:ListHostedZones"),
		Domains:         known(regs, "route53domains:ListDomains"),
		SESRecipients:   known(ses, "ses:DescribeActiveReceiptRuleSet"),
		WorkMailDomains: known(workmail, "workmail:ListMailDomains"),
	}
}

func account(id, name, role, email string, m inventory.MailFacts) inventory.Account {
	return inventory.Account{ID: id, Name: name, Role: role, State: "ACTIVE",
		RootEmail: known(email, "organizations:ListAccounts"), Mail: m}
}

// org is a small organization with one of everything the graph finds: a
// two-account cycle (A's domain hosted in B, B's in A), a mailbox two roots
// share whose mail an SES rule in a third account receives, one person
// holding every MFA device of two roots, a password stored in the account
// it unlocks' neighbour, and an account whose mail facts were not read.
func org() (*inventory.Snapshot, Options) {
	mgmt := account("111111111111", "management", inventory.RoleManagement, "aws-root@corp.example", mail(nil, nil, nil, nil))
	mgmt.Root.LoginProfile = known(inventory.LoginProfile{Exists: true}, "iam:GetLoginProfile")
	mgmt.Contacts.Primary = known(&inventory.ContactInformation{PhoneNumber: "+12065550100"}, "account:GetContactInformation")
	a := account("222222222222", "alpha", inventory.RoleMember, "root@a.corp.example", mail([]string{"b.corp.example"}, nil, nil, nil))
	b := account("333333333333", "beta", inventory.RoleMember, "root@b.corp.example", mail([]string{"a.corp.example"}, nil, nil, nil))
	c := account("444444444444", "shared-1", inventory.RoleMember, "aws-list@corp.example", mail(nil, nil, nil, nil))
	d := account("555555555555", "shared-2", inventory.RoleMember, "AWS-List+two@corp.example", mail(nil, nil, nil, nil))
	mailer := account("666666666666", "mail", inventory.RoleMember, "root@mail.corp.example",
		mail(nil, []string{"mail.corp.example"}, []string{"aws-list@corp.example"}, nil))
	dark := account("777777777777", "partner", inventory.RoleMember, "root@partner.example", inventory.MailFacts{
		HostedZones:     failed[[]inventory.HostedZone]("route53:ListHostedZones", "AccessDenied"),
		Domains:         failed[[]string]("route53domains:ListDomains", "AccessDenied"),
		SESRecipients:   failed[[]string]("ses:DescribeActiveReceiptRuleSet", "AccessDenied"),
		WorkMailDomains: failed[[]string]("workmail:ListMailDomains", "AccessDenied"),
	})
	s := &inventory.Snapshot{Schema: "rootguard.snapshot/v1", Mode: inventory.ModeOrganization,
		Accounts: []inventory.Account{mgmt, a, b, c, d, mailer, dark}}
	opt := Options{Secrets: []Secret{
		{Account: "111111111111", Kind: KindPassword, Holder: "Dana <ops>", StoredIn: "666666666666", StoredAt: "vault \"root\""},
		{Account: "111111111111", Kind: KindMFA, Name: "key-1", Holder: "Sam"},
		{Account: "111111111111", Kind: KindMFA, Name: "key-2", Holder: "Sam"},
		{Account: "666666666666", Kind: KindMFA, Name: "key-3", Holder: "Sam"},
	}}
	return s, opt
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/recovery -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	s, opt := org()
	g := Build(s, opt)
	for _, f := range []string{"dot", "json", "mermaid"} {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, g); err != nil {
				t.Fatal(err)
			}
			golden(t, "org."+f, buf.Bytes())
		})
	}
}

func TestFindings(t *testing.T) {
	s, opt := org()
	g := Build(s, opt)
	wantCycles := [][]string{{
		"account:222222222222", "account:333333333333", "domain:a.corp.example", "domain:b.corp.example",
		"mailbox:root@a.corp.example", "mailbox:root@b.corp.example", "root:222222222222", "root:333333333333",
		"zone:222222222222:Z0B", "zone:333333333333:Z0A",
	}, {
		// The mail account registers its own root email's domain.
		"account:666666666666", "domain:mail.corp.example", "mailbox:root@mail.corp.example",
		"registration:666666666666:mail.corp.example", "root:666666666666",
	}}
	if diff := cmp.Diff(wantCycles, g.Cycles); diff != "" {
		t.Errorf("cycles (-want +got):\n%s", diff)
	}
	wantPath := []string{"root:222222222222", "mailbox:root@a.corp.example", "domain:a.corp.example", "zone:333333333333:Z0A",
		"account:333333333333", "root:333333333333", "mailbox:root@b.corp.example", "domain:b.corp.example",
		"zone:222222222222:Z0B", "account:222222222222", "root:222222222222"}
	if diff := cmp.Diff(wantPath, g.CycleThrough("root:222222222222")); diff != "" {
		t.Errorf("cycle through alpha (-want +got):\n%s", diff)
	}
	if p := g.CycleThrough("root:444444444444"); p != nil {
		t.Errorf("shared-1 is in no cycle, got %v", p)
	}
	var spof []string
	for _, p := range g.SinglePoints {
		spof = append(spof, p.Node+" "+strings.Join(p.Accounts, ","))
	}
	want := []string{
		// The management account's password is stored in the mail
		// account, which receives the shared list's mail.
		"account:666666666666 111111111111,444444444444,555555555555",
		"mailbox:aws-list@corp.example 444444444444,555555555555",
		// The mail account's root mailbox, and Sam who holds every
		// device of the roots that lead there.
		"mailbox:root@mail.corp.example 111111111111,444444444444,555555555555,666666666666",
		"person:Sam 111111111111,444444444444,555555555555,666666666666",
	}
	if diff := cmp.Diff(want, spof); diff != "" {
		t.Errorf("single points (-want +got):\n%s", diff)
	}
	var unread []string
	for _, u := range g.Unread {
		unread = append(unread, u.Account+" "+u.What)
	}
	if !slices.Contains(unread, "777777777777 hosted zones") {
		t.Errorf("unread = %v, want the partner's hosted zones", unread)
	}
	// Requires: the person holding every MFA device is needed; a person
	// holding two of three is not (once the password is stored outside
	// AWS, so that the mail account's root is not on the way).
	if !slices.Contains(g.Requires("111111111111"), "person:Sam") {
		t.Error("Sam holds every device of the management root, yet is not required")
	}
	s.Accounts[0].Root.MFADevices = known([]inventory.MFADevice{{Serial: "key-9"}}, "iam:ListMFADevices")
	opt.Secrets[0].StoredIn = ""
	g = Build(s, opt)
	if slices.Contains(g.Requires("111111111111"), "person:Sam") {
		t.Error("Sam holds two of three devices of the management root, yet is required")
	}
}

// TestLongCycle: a cycle through many accounts is found, in linear time
// and without deep recursion.
func TestLongCycle(t *testing.T) {
	const n = 400
	s := &inventory.Snapshot{}
	for i := range n {
		// Account i's root email is on d<i>.example, hosted in account i+1.
		s.Accounts = append(s.Accounts, account(fmt.Sprintf("%012d", i), "", inventory.RoleMember,
			fmt.Sprintf("root@d%d.example", i), mail([]string{fmt.Sprintf("d%d.example", (i+n-1)%n)}, nil, nil, nil)))
	}
	g := Build(s, Options{})
	if len(g.Cycles) != 1 {
		t.Fatalf("%d cycles, want 1", len(g.Cycles))
	}
	if p := g.CycleThrough(RootNode(fmt.Sprintf("%012d", 7))); len(p) != 5*n+1 {
		t.Errorf("cycle through account 7 has %d nodes, want %d", len(p), 5*n+1)
	}
}

type svgDoc struct {
	Groups []struct {
		Class string `xml:"class,attr"`
		ID    string `xml:"data-id,attr"`
		From  string `xml:"data-from,attr"`
		To    string `xml:"data-to,attr"`
		Cycle string `xml:"data-cycle,attr"`
		SPOF  string `xml:"data-single-point,attr"`
		Title string `xml:"title"`
	} `xml:"g"`
}

// TestSVG parses the SVG and checks that every node and edge of the JSON
// form is drawn, with the cycle's edges and the single points marked.
func TestSVG(t *testing.T) {
	s, opt := org()
	g := Build(s, opt)
	var js, svg bytes.Buffer
	if err := WriteJSON(&js, g); err != nil {
		t.Fatal(err)
	}
	if err := WriteSVG(&svg, g); err != nil {
		t.Fatal(err)
	}
	var fromJSON Graph
	if err := json.Unmarshal(js.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	if err := xml.Unmarshal(svg.Bytes(), &doc); err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	nodes, edges := map[string]string{}, map[string]string{}
	for _, gr := range doc.Groups {
		switch gr.Class {
		case "node":
			nodes[gr.ID] = gr.Cycle + "/" + gr.SPOF + "/" + gr.Title
		case "edge":
			edges[gr.From+" -> "+gr.To] = gr.Cycle
		}
	}
	if len(nodes) != len(fromJSON.Nodes) || len(edges) != len(fromJSON.Edges) {
		t.Errorf("SVG draws %d nodes and %d edges, the JSON has %d and %d", len(nodes), len(edges), len(fromJSON.Nodes), len(fromJSON.Edges))
	}
	for _, n := range fromJSON.Nodes {
		want := fmt.Sprintf("%s/%s/%s", mark(n.Cycle), mark(n.SinglePoint), n.Label)
		if got, ok := nodes[n.ID]; !ok || got != want {
			t.Errorf("node %s drawn as %q, want %q", n.ID, got, want)
		}
	}
	cycleEdges := 0
	for _, e := range fromJSON.Edges {
		got, ok := edges[e.From+" -> "+e.To]
		if !ok || got != mark(e.Cycle) {
			t.Errorf("edge %s -> %s: drawn %v, cycle mark %q, want %q", e.From, e.To, ok, got, mark(e.Cycle))
		}
		if e.Cycle {
			cycleEdges++
		}
	}
	if cycleEdges != 15 {
		t.Errorf("%d cycle edges, want the 10 of alpha and beta's cycle and the 5 of the mail account's", cycleEdges)
	}
}

func mark(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func TestSubgraph(t *testing.T) {
	s, opt := org()
	sub := Build(s, opt).Subgraph("444444444444")
	var ids []string
	for _, n := range sub.Nodes {
		ids = append(ids, n.ID)
	}
	for _, want := range []string{"root:444444444444", "mailbox:aws-list@corp.example", "ses:666666666666:aws-list@corp.example", "root:666666666666", "person:Sam"} {
		if !slices.Contains(ids, want) {
			t.Errorf("subgraph of shared-1 lacks %s: %v", want, ids)
		}
	}
	if slices.Contains(ids, "root:222222222222") {
		t.Errorf("subgraph of shared-1 reaches alpha: %v", ids)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "png", &Graph{}); err == nil || !strings.Contains(err.Error(), `"png"`) {
		t.Errorf("err = %v, want one naming png", err)
	}
}
