package policy_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/policy"
)

// fuzzRequests are evaluated against every policy the fuzzer parses.
var fuzzRequests = []policy.Request{
	policy.RootRequest("111111111111", "iam:CreateAccessKey"),
	policy.AssumedRootRequest("111111111111", "iam:DeleteAccessKey"),
	policy.RootRequest("222222222222", "s3:GetObject"),
	{Action: "ec2:RunInstances", Resource: "arn:aws:ec2:eu-west-1:111111111111:instance/i-1",
		Context: map[string][]string{"aws:RequestedRegion": {"eu-west-1"}, "aws:TagKeys": {"env", "owner"},
			"aws:SourceIp": {"192.0.2.9"}, "aws:CurrentTime": {"2026-06-01T00:00:00Z"}, "s3:max-keys": {"5"}}},
}

// FuzzParse checks, from seeds taken from every conformance case: Parse never
// panics; a rejected document yields a one-line *policy.Error with a code and
// a location; an accepted one marshals to a document that parses to an equal
// policy which evaluates the same way.
func FuzzParse(f *testing.F) {
	for _, c := range loadCases(f) {
		for _, doc := range c.documents() {
			f.Add([]byte(doc))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := policy.Parse("fuzz", doc)
		if err != nil {
			var pe *policy.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %v is not a *policy.Error", err)
			}
			if pe.Code == "" || pe.Location == "" || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("malformed error %#v: %q", pe, err.Error())
			}
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := policy.Parse("fuzz", out)
		if err != nil {
			t.Fatalf("parse of normalized form %s: %v", out, err)
		}
		if diff := cmp.Diff(p, again, cmpopts.IgnoreUnexported(policy.Statement{}, policy.Condition{})); diff != "" {
			t.Fatalf("round trip through %s changed the policy (-first +second):\n%s", out, diff)
		}
		for _, r := range fuzzRequests {
			d1, d2 := policy.Evaluate(p, r), policy.Evaluate(again, r)
			if diff := cmp.Diff(d1, d2); diff != "" {
				t.Fatalf("evaluation of %s differs after round trip (-first +second):\n%s", r.Action, diff)
			}
			if diff := cmp.Diff(d1, policy.Evaluate(p, r)); diff != "" {
				t.Fatalf("evaluation of %s is not deterministic:\n%s", r.Action, diff)
			}
		}
	})
}

// FuzzWildMatch compares the wildcard matcher with a regular expression
// built from the same pattern.
func FuzzWildMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"arn:aws:iam::*:root", "arn:aws:iam::123456789012:root"},
		{"iam:*key*", "iam:createaccesskey"},
		{"a*b*c", "aXbYbZ"},
		{"s3:?etobject", "s3:getobject"},
		{"**a?", "bab"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			t.Skip()
		}
		var re strings.Builder
		re.WriteString(`^(?s:`)
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(`.*`)
			case '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString(`)$`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := policy.WildMatch(pattern, s, false); got != want {
			t.Fatalf("WildMatch(%q, %q) = %v, regexp %s says %v", pattern, s, got, re.String(), want)
		}
		if got := policy.GlobMatch(pattern, s); got != want {
			t.Fatalf("compiled glob %q on %q = %v, regexp says %v", pattern, s, got, want)
		}
	})
}
