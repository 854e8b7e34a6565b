package delivery_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/delivery"
)

const testBus = "arn:aws:events:us-east-1:111111111111:event-bus/default"

func busPolicyDoc(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ", ") + `]}`
}

func TestJudgeBusPolicy(t *testing.T) {
	t.Parallel()
	grant := func(sid, principal string) string {
		return fmt.Sprintf(`{"Sid": %q, "Effect": "Allow", "Principal": %s, "Action": "events:PutEvents", "Resource": %q}`, sid, principal, testBus)
	}
	orgGrant := `{"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "` + testBus + `",
		"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}}`
	type want struct {
		Allowed   bool
		Denied    bool
		Statement string
		By        string
		Unknown   bool
		Why       string // substring of why or unknown
	}
	tests := []struct {
		name, doc, account, org string
		want                    want
	}{
		{"no policy", "", "222222222222", "o-abc123def4",
			want{Why: "has no policy"}},
		{"account root ARN", busPolicyDoc(grant("rootguard-222222222222", `{"AWS": "arn:aws:iam::222222222222:root"}`)), "222222222222", "",
			want{Allowed: true, Statement: `"rootguard-222222222222"`, By: "account"}},
		{"bare account ID", busPolicyDoc(grant("acct", `{"AWS": "222222222222"}`)), "222222222222", "",
			want{Allowed: true, Statement: `"acct"`, By: "account"}},
		{"account list", busPolicyDoc(grant("", `{"AWS": ["333333333333", "arn:aws:iam::222222222222:root"]}`)), "222222222222", "",
			want{Allowed: true, Statement: "#0", By: "account"}},
		{"another account only", busPolicyDoc(grant("other", `{"AWS": "arn:aws:iam::333333333333:root"}`)), "222222222222", "o-abc123def4",
			want{Why: "does not let 222222222222 (organization o-abc123def4) put events"}},
		{"organization condition", busPolicyDoc(orgGrant), "222222222222", "o-abc123def4",
			want{Allowed: true, Statement: `"org"`, By: "organization o-abc123def4"}},
		{"organization and account statements: the account one decides", busPolicyDoc(orgGrant, grant("acct", `{"AWS": "222222222222"}`)), "222222222222", "o-abc123def4",
			want{Allowed: true, Statement: `"acct"`, By: "account"}},
		{"organization condition, another organization", busPolicyDoc(orgGrant), "222222222222", "o-zzz999zzz9",
			want{Why: "does not let 222222222222"}},
		{"organization condition, account outside any organization", busPolicyDoc(orgGrant), "222222222222", "",
			want{Why: "does not let 222222222222 put events"}},
		{"everyone", busPolicyDoc(grant("public", `"*"`)), "222222222222", "",
			want{Allowed: true, Statement: `"public"`, By: "account"}},
		{"events wildcard action", busPolicyDoc(`{"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "events:*", "Resource": "*"}`), "222222222222", "",
			want{Allowed: true, Statement: "#0", By: "account"}},
		{"another action only", busPolicyDoc(`{"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "events:DescribeRule", "Resource": "*"}`), "222222222222", "",
			want{Why: "does not let 222222222222"}},
		{"another bus", busPolicyDoc(`{"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:111111111111:event-bus/other"}`), "222222222222", "",
			want{Why: "does not let 222222222222"}},
		{"deny wins", busPolicyDoc(orgGrant, `{"Sid": "no-sandbox", "Effect": "Deny", "Principal": {"AWS": "222222222222"}, "Action": "events:PutEvents", "Resource": "*"}`), "222222222222", "o-abc123def4",
			want{Denied: true, Statement: `"no-sandbox"`, Why: `denies 222222222222 putting events (statement "no-sandbox")`}},
		{"deny for another account", busPolicyDoc(orgGrant, `{"Effect": "Deny", "Principal": {"AWS": "333333333333"}, "Action": "events:PutEvents", "Resource": "*"}`), "222222222222", "o-abc123def4",
			want{Allowed: true, Statement: `"org"`, By: "organization o-abc123def4"}},
		{"not principal", busPolicyDoc(`{"Effect": "Allow", "NotPrincipal": {"AWS": "333333333333"}, "Action": "events:PutEvents", "Resource": "*"}`), "222222222222", "",
			want{Allowed: true, Statement: "#0", By: "account"}},
		{"condition the snapshot cannot answer", busPolicyDoc(`{"Sid": "src", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*",
			"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:222222222222:rule/*"}}}`), "222222222222", "",
			want{Unknown: true, Statement: `"src"`, Why: "only under a condition on aws:SourceArn"}},
		{"unreadable policy", `{"Statement": [`, "222222222222", "",
			want{Unknown: true, Why: "could not be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := delivery.JudgeBusPolicy(tt.doc, testBus, tt.account, tt.org)
			got := want{Allowed: g.Allowed, Denied: g.Denied, Statement: g.Statement, By: g.By, Unknown: g.Unknown != ""}
			text := g.Why + g.Unknown
			if strings.Contains(text, tt.want.Why) {
				got.Why = tt.want.Why
			} else {
				got.Why = text
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("JudgeBusPolicy (-want +got):\n%s", diff)
			}
		})
	}
}
