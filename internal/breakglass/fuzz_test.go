package breakglass_test

import (
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/breakglass"
)

// FuzzNormalizeIdentity: any caller ARN either normalises to a principal that normalises to
// itself (and resolves to the same person), or is refused with one line.
func FuzzNormalizeIdentity(f *testing.F) {
	for _, s := range []string{
		"arn:aws:sts::111122223333:assumed-role/Admin/alice", "arn:aws:iam::111122223333:role/a/b/Admin",
		"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:root", "arn:aws-cn:sts::111122223333:assumed-role/R/s1",
		"arn:aws:sts::111122223333:assumed-role/Admin/", "alice", "",
		"oidc:https://idp.example.com/realms/acme#248289761001", "oidc:http://127.0.0.1:8080#bob", "oidc:https://idp#", "oidc:https://a#b#c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		n, err := breakglass.NormalizeIdentity(arn)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		again, err := breakglass.NormalizeIdentity(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeIdentity(%q) = %q, which normalises to %q, %v", arn, n, again, err)
		}
		reg := breakglass.Registry{Persons: map[string]breakglass.Person{"p": {ID: "p"}}, Mappings: []breakglass.Mapping{{Identity: n, Person: "p"}}}
		if p, err := reg.Resolve(arn); err != nil || p.ID != "p" {
			t.Fatalf("Resolve(%q) with %q mapped = %+v, %v", arn, n, p, err)
		}
	})
}
