package policy_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/policy"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

func TestWildMatch(t *testing.T) {
	tests := []struct {
		name       string
		pattern, s string
		esc        bool
		want       bool
	}{
		{"star matches empty", "*", "", false, true},
		{"exact", "iam:createuser", "iam:createuser", false, true},
		{"exact mismatch", "iam:createuser", "iam:createusers", false, false},
		{"prefix", "iam:create*", "iam:createaccesskey", false, true},
		{"suffix", "*loginprofile", "iam:deleteloginprofile", false, true},
		{"middle", "iam:*key*", "iam:createaccesskey", false, true},
		{"question one char", "s3:?etobject", "s3:getobject", false, true},
		{"question needs a char", "s3:?etobject", "s3:etobject", false, false},
		{"question is one rune", "a?c", "aéc", false, true},
		{"backtracking", "a*b*c", "aXbYbZc", false, true},
		{"backtracking fails", "a*b*c", "aXbYbZ", false, false},
		{"many stars", "**a**", "bab", false, true},
		{"escaped star is literal", `a\*`, "ab", true, false},
		{"escaped star matches star", `a\*`, "a*", true, true},
		{"backslash literal without esc", `a\*`, `a\bc`, false, true},
		{"escaped backslash", `a\\b`, `a\b`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.WildMatch(tt.pattern, tt.s, tt.esc); got != tt.want {
				t.Errorf("WildMatch(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.esc, got, tt.want)
			}
		})
	}
}

func TestMatchARN(t *testing.T) {
	tests := []struct {
		name, pattern, value string
		want                 bool
	}{
		{"root of any account", "arn:aws:iam::*:root", "arn:aws:iam::123456789012:root", true},
		{"role is not root", "arn:aws:iam::*:root", "arn:aws:iam::123456789012:role/root", false},
		{"resource keeps colons", "arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:*", true},
		{"star does not cross components", "arn:aws:*:root", "arn:aws:iam::1:root", false},
		{"value not an ARN", "arn:aws:iam::*:root", "root", false},
		{"pattern not an ARN", "*", "arn:aws:iam::1:root", false},
		{"partition wildcard", "arn:*:iam::*:root", "arn:aws-us-gov:iam::1:root", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.MatchARN(tt.pattern, tt.value); got != tt.want {
				t.Errorf("MatchARN(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
			}
		})
	}
}

func TestExpandVariables(t *testing.T) {
	ctx := map[string][]string{
		"aws:principalaccount": {"111111111111"},
		"aws:principaltag/p":   {"a*b"},
		"aws:tagkeys":          {"x", "y"},
	}
	tests := []struct {
		name, in string
		forGlob  bool
		want     string
		wantOK   bool
	}{
		{"plain", "arn:aws:s3:::b-${aws:PrincipalAccount}/*", true, "arn:aws:s3:::b-111111111111/*", true},
		{"value wildcard escaped", "${aws:PrincipalTag/p}", true, `a\*b`, true},
		{"value kept for equality", "${aws:PrincipalTag/p}", false, "a*b", true},
		{"literal star", "a${*}", true, `a\*`, true},
		{"default", "${aws:username, 'nobody'}", false, "nobody", true},
		{"absent without default", "${aws:username}", false, "", false},
		{"multivalued", "${aws:TagKeys}", false, "", false},
		{"unterminated is literal", "a${b", false, "a${b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := policy.ExpandVars(tt.in, ctx, tt.forGlob)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("expand(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestErrorIsOneLine(t *testing.T) {
	_, err := policy.Parse("p-evil", []byte(`{"Statement": {"Effect": "Allow", "Action": "*", "Bad\nKey": 1}}`))
	var pe *policy.Error
	if !errors.As(err, &pe) {
		t.Fatalf("Parse error = %v, want *policy.Error", err)
	}
	want := &policy.Error{Code: policy.CodeUnknownField, Policy: "p-evil", Location: `Statement["Bad\nKey"]`, Message: "unknown statement element \"Bad\\nKey\""}
	if diff := cmp.Diff(want, pe); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), `policy "p-evil": Statement["Bad\nKey"]: unknown statement element "Bad\nKey" (unknown-field)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestCacheSharesPolicies(t *testing.T) {
	var c policy.Cache
	doc := []byte(`{"Statement": {"Effect": "Allow", "Action": "*"}}`)
	var wg sync.WaitGroup
	got := make([]*policy.Policy, 8)
	for i := range got {
		wg.Go(func() {
			p, err := c.Parse("FullAWSAccess", doc)
			if err != nil {
				t.Error(err)
			}
			got[i] = p
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("Parse %d returned a different *Policy", i)
		}
	}
	if _, err := c.Parse("Broken", []byte("{")); err == nil {
		t.Error("Parse of a broken document through the cache succeeded")
	}
	if c.Len() != 2 {
		t.Errorf("Len() = %d, want 2", c.Len())
	}
}

// TestEvidenceGolden pins the JSON that checks will put in evidence: the
// normalized policy, an SCP result, root-deny coverage with a NotAction hole
// and root-task access blocked by a control without the AssumedRoot
// exemption. Refresh with -update.
func TestEvidenceGolden(t *testing.T) {
	full := policy.MustParse("p-FullAWSAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	ct := policy.MustParse("p-ct-restrict-root", `{"Version":"2012-10-17","Statement":[{"Sid":"GRRESTRICTROOTUSER","Effect":"Deny","Action":"*","Resource":["*"],
		"Condition":{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`)
	hole := policy.MustParse("p-root-except-s3", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootExceptS3Policy","Effect":"Deny",
		"NotAction":["s3:DeleteBucketPolicy","s3:PutBucketPolicy"],"Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`)
	holeLevels := []policy.Level{
		{Name: "root r-abcd", Policies: []*policy.Policy{full}},
		{Name: "ou ou-prod", Policies: []*policy.Policy{full, hole}},
		{Name: "account 222222222222", Policies: []*policy.Policy{full}},
	}
	ctLevels := []policy.Level{
		{Name: "root r-abcd", Policies: []*policy.Policy{full, ct}},
		{Name: "account 333333333333", Policies: []*policy.Policy{full}},
	}
	evidence := map[string]any{
		"normalized":   hole,
		"levels":       holeLevels,
		"scp_result":   policy.EvaluateSCPs(ctLevels, policy.RootRequest("333333333333", "iam:CreateAccessKey")),
		"coverage":     policy.RootDenyCoverage(holeLevels, "222222222222", []string{"iam:CreateAccessKey", "s3:PutBucketPolicy"}),
		"task_access":  policy.RootTaskAccess(ctLevels, "333333333333", []string{"iam:DeleteAccessKey"}),
		"task_working": policy.RootTaskAccess(holeLevels, "222222222222", []string{"s3:DeleteBucketPolicy"}),
	}
	got, err := json.MarshalIndent(evidence, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", "evidence.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("evidence JSON mismatch (-want +got):\n%s", diff)
	}
}

func TestReasonString(t *testing.T) {
	tests := []struct {
		name string
		r    policy.Reason
		want string
	}{
		{"deny with sid", policy.Reason{Level: "root r-abcd", Statement: policy.StatementRef{Policy: "p-1", Statement: 0, Sid: "DenyRoot", Effect: policy.Deny}},
			`denied by statement "DenyRoot" of policy p-1 attached to root r-abcd`},
		{"allow without sid", policy.Reason{Level: "ou ou-prod", Statement: policy.StatementRef{Policy: "p-FullAWSAccess", Statement: 2, Effect: policy.Allow}},
			"allowed at ou ou-prod by statement 2 of policy p-FullAWSAccess"},
		{"level lacking an allow", policy.Reason{Level: "ou ou-x", Explanation: "no policy attached to ou ou-x allows s3:GetObject (1 attached)"},
			"no policy attached to ou ou-x allows s3:GetObject (1 attached)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
