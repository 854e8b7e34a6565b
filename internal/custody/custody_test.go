package custody

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readExample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseExample(t *testing.T) {
	r, err := Parse("example.yaml", readExample(t))
	if err != nil {
		t.Fatal(err)
	}
	a := r.Lookup("111111111111")
	if a == nil || a.Password.Holder != "alice" || a.Device("GAHT10000001").Holder != "bob" || a.Password.Storage.AWSAccount != "222222222222" {
		t.Fatalf("account decoded as %+v", a)
	}
	if r.Lookup("333333333333") != nil {
		t.Error("an unrecorded account was found")
	}
	if got := r.Person("bob"); got != "Bob Example" {
		t.Errorf("Person(bob) = %q", got)
	}
}

// TestParseRefuses names each refused input and a part of its one-line
// error.
func TestParseRefuses(t *testing.T) {
	const head = "schema: rootguard.custody/v1\n"
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"no schema", "accounts: []\n", `schema "": want "rootguard.custody/v1"`},
		{"other schema", "schema: rootguard.custody/v2\n", `want "rootguard.custody/v1"`},
		{"unknown key", head + "acounts: []\n", "did you mean accounts?"},
		{"unknown nested key", head + "accounts: [{account: '111111111111', phone_line: {kind: person, nam: x}}]\n", "did you mean name?"},
		{"bad account", head + "accounts: [{account: '1234'}]\n", `accounts[0]: account "1234": want a 12-digit account ID`},
		{"account twice", head + "accounts: [{account: '111111111111'}, {account: '111111111111'}]\n", "accounts[1]: account 111111111111 recorded twice"},
		{"bad person", head + "accounts: [{account: '111111111111', password: {holder: 'Alice Smith'}}]\n", `password.holder "Alice Smith": want a person ID`},
		{"person not listed", head + "people: [{id: alice}]\naccounts: [{account: '111111111111', password: {holder: alise}}]\n", `password.holder "alise" is not in people (did you mean alice?)`},
		{"person twice", head + "people: [{id: alice}, {id: alice}]\naccounts: []\n", `people[1]: person "alice" listed twice`},
		{"storage kind", head + "accounts: [{account: '111111111111', password: {storage: {kind: vaut}}}]\n", "(did you mean vault?)"},
		{"storage account", head + "accounts: [{account: '111111111111', password: {storage: {kind: vault, aws_account: '12'}}}]\n", `aws_account "12"`},
		{"empty attestation", head + "accounts: [{account: '111111111111', password: {generation: {method: ' '}}}]\n", "say how the password was generated"},
		{"device twice", head + "accounts: [{account: '111111111111', mfa: [{serial: S1, holder: a}, {serial: S1, holder: b}]}]\n", `mfa[1]: device "S1" recorded twice`},
		{"device without holder", head + "accounts: [{account: '111111111111', mfa: [{serial: S1}]}]\n", `mfa[0].holder ""`},
		{"device serial with space", head + "accounts: [{account: '111111111111', mfa: [{serial: 'a b', holder: x}]}]\n", `serial "a b"`},
		{"owner kind", head + "accounts: [{account: '111111111111', email_list: {kind: org}}]\n", "want organization or person"},
		{"control character", head + "accounts: [{account: '111111111111', email_list: {kind: person, name: \"a\\tb\"}}]\n", "control characters"},
		{"long name", head + "accounts: [{account: '111111111111', email_list: {kind: person, name: " + strings.Repeat("x", 600) + "}}]\n", "longer than 512 bytes"},
		{"two documents", head + "---\n" + head, "custody f.yaml:"},
		{"billion laughs", head + "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", "custody f.yaml:"},
		{"not a map", "- a\n", "custody f.yaml:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "custody f.yaml: ") || strings.Contains(msg, "\n") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q: want one line starting with the file name and containing %q", msg, c.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse("big.yaml", bytes.Repeat([]byte("#"), MaxSize+1))
	if err == nil || !strings.Contains(err.Error(), "custody big.yaml: larger than") {
		t.Fatalf("err = %v", err)
	}
}

// TestMarshalDeterministic: the export is sorted and stable, and reads
// back as the same registry.
func TestMarshalDeterministic(t *testing.T) {
	r := &Registry{Schema: Schema, Accounts: []Account{
		{Account: "222222222222", MFA: []Device{{Serial: "S2", Holder: "b"}, {Serial: "S1", Holder: "a"}}},
		{Account: "111111111111", EmailList: &Owner{Kind: OwnerPerson, Name: "Maria"}},
	}}
	first, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if r.Accounts[0].Account != "222222222222" {
		t.Error("Marshal reordered the registry it was given")
	}
	back, err := Parse("export", first)
	if err != nil {
		t.Fatalf("export does not read back: %v\n%s", err, first)
	}
	if back.Accounts[0].Account != "111111111111" || back.Accounts[1].MFA[0].Serial != "S1" {
		t.Errorf("export not sorted:\n%s", first)
	}
	again, err := back.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(first), string(again)); diff != "" {
		t.Errorf("second export differs (-first +second):\n%s", diff)
	}
}

func TestSet(t *testing.T) {
	r, err := Parse("example.yaml", readExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Set(Account{Account: "333333333333", Password: &Password{Holder: "carol"}}); err == nil {
		t.Fatal("a holder missing from people was accepted")
	}
	if r.Lookup("333333333333") != nil {
		t.Fatal("a refused Set changed the registry")
	}
	a := r.Lookup("111111111111").Clone()
	a.Password.Holder = "bob"
	if err := r.Set(a); err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup("111111111111").Password.Holder; got != "bob" || len(r.Accounts) != 1 {
		t.Errorf("holder = %q, %d accounts; want bob, 1", got, len(r.Accounts))
	}
}

func TestDemo(t *testing.T) {
	r := Demo()
	if len(r.Accounts) < 10 || r.Lookup("444444444444") == nil {
		t.Fatalf("demo registry: %d accounts", len(r.Accounts))
	}
	r.Accounts = nil
	if Demo().Accounts == nil {
		t.Error("Demo returned a shared registry")
	}
}

// TestRecordsRoundTrip: the stored rows rebuild the same registry, and
// Diff finds exactly the records that changed.
func TestRecordsRoundTrip(t *testing.T) {
	r := Demo()
	back, err := FromRecords(r.Records())
	if err != nil {
		t.Fatal(err)
	}
	want := r.Clone()
	want.Normalize()
	if diff := cmp.Diff(want, back); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if d := Diff(r, back); len(d) != 0 {
		t.Errorf("Diff of equal registries: %+v", d)
	}
	next := r.Clone()
	next.Accounts = next.Accounts[1:]
	next.Accounts[0].PhoneLine = &Owner{Kind: OwnerPerson, Name: "x"}
	next.People = append(next.People, Person{ID: "zed"})
	got := Diff(r, next)
	var keys []string
	for _, c := range got {
		keys = append(keys, c.Kind+":"+c.Key)
		if (c.Before == "") == (c.After == "") && c.Before == c.After {
			t.Errorf("change %s:%s changes nothing", c.Kind, c.Key)
		}
	}
	if diff := cmp.Diff([]string{"person:zed", "account:111111111111", "account:222222222222"}, keys); diff != "" {
		t.Errorf("Diff keys (-want +got):\n%s", diff)
	}
	if _, err := FromRecords([]Record{{Kind: "thing", Key: "x", Body: "{}"}}); err == nil {
		t.Error("an unknown record kind was accepted")
	}
}
