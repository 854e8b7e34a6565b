package checks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// seedStrings collects every string value of key from the testdata cases.
func seedStrings(f *testing.F, key string) []string {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no testdata cases: %v", err)
	}
	re := regexp.MustCompile(`"` + key + `":\s*"((?:[^"\\]|\\.)*)"`)
	var out []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

var mailboxRules = map[string]bool{ // rule → shared
	"configured-pattern": true, "role-word": true, "plus-tag": true,
	"person-name": false, "single-word": false, "unrecognized": false,
}

// FuzzClassifyMailbox: any address gets exactly one known rule whose
// verdict matches the rule, the same one every time, and an address listed
// literally in shared_mailbox_patterns always passes.
func FuzzClassifyMailbox(f *testing.F) {
	for _, s := range seedStrings(f, "email_address") {
		f.Add(s)
	}
	f.Add("aws-root+prod@example.com")
	f.Add("jane.doe@example.com")
	f.Add("@@")
	f.Add("a+@b")
	f.Fuzz(func(t *testing.T, addr string) {
		v := classifyMailbox(addr, nil)
		shared, known := mailboxRules[v.rule]
		if !known || v.err != nil {
			t.Fatalf("classifyMailbox(%q) = %+v: unknown rule or error without patterns", addr, v)
		}
		if shared != v.shared {
			t.Fatalf("classifyMailbox(%q): rule %s gave shared=%v", addr, v.rule, v.shared)
		}
		if again := classifyMailbox(addr, nil); again != v {
			t.Fatalf("classifyMailbox(%q) not deterministic: %+v then %+v", addr, v, again)
		}
		literal := globEscape.Replace(strings.ToLower(strings.TrimSpace(addr)))
		if lv := classifyMailbox(addr, []string{literal}); !lv.shared || lv.rule != "configured-pattern" {
			t.Fatalf("classifyMailbox(%q, [%q]) = %+v, want configured-pattern", addr, literal, lv)
		}
	})
}

var globEscape = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)

// FuzzPhoneProblem: a number judged valid is E.164 after normalization,
// and normalization removes every formatting character.
func FuzzPhoneProblem(f *testing.F) {
	for _, s := range seedStrings(f, "phone_number") {
		f.Add(s)
	}
	f.Add("+1 (206) 555-0100")
	f.Add("+0")
	f.Add("")
	f.Fuzz(func(t *testing.T, number string) {
		n, problem := phoneProblem(number)
		if strings.ContainsAny(n, " -./()\t\u00a0") {
			t.Fatalf("phoneProblem(%q): normalized %q still holds formatting", number, n)
		}
		if problem == "" && !e164.MatchString(n) {
			t.Fatalf("phoneProblem(%q): valid but %q is not E.164", number, n)
		}
		if problem != "" && e164.MatchString(n) {
			t.Fatalf("phoneProblem(%q): %q is E.164 but judged %q", number, n, problem)
		}
	})
}

// FuzzJudgeBusPolicy: any event bus policy text gets exactly one verdict
// (allowed, not allowed with a reason, or not known with a reason), the
// same every time; an allowed verdict names its statement and how it
// grants the account.
func FuzzJudgeBusPolicy(f *testing.F) {
	for _, s := range seedStrings(f, "policy") {
		var doc string
		if json.Unmarshal([]byte(`"`+s+`"`), &doc) == nil {
			f.Add(doc, "222222222222", "o-abc123def4")
		}
	}
	f.Add(`{"Statement": {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "events:PutEvents", "Resource": "*"}}`, "222222222222", "")
	f.Add(`{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "NotAction": "events:PutEvents", "Resource": "*"}]}`, "222222222222", "")
	f.Add(`{"Statement": [`, "", "")
	f.Fuzz(func(t *testing.T, doc, account, org string) {
		g := judgeBusPolicy(doc, testBus, account, org)
		verdicts := 0
		for _, v := range []bool{g.Allowed, g.Why != "", g.Unknown != ""} {
			if v {
				verdicts++
			}
		}
		if verdicts != 1 {
			t.Fatalf("judgeBusPolicy(%q, %q, %q) = %+v: want exactly one verdict", doc, account, org, g)
		}
		if g.Allowed && (g.Statement == "" || g.By == "") {
			t.Fatalf("judgeBusPolicy(%q, %q, %q) allows without naming its statement: %+v", doc, account, org, g)
		}
		if again := judgeBusPolicy(doc, testBus, account, org); again != g {
			t.Fatalf("judgeBusPolicy(%q) not deterministic: %+v then %+v", doc, g, again)
		}
	})
}
