package custody

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzParse: no input panics or gives a multi-line error, and what is
// accepted exports to YAML that reads back as the same registry.
func FuzzParse(f *testing.F) {
	f.Add(readExample(f))
	f.Add([]byte("schema: rootguard.custody/v1\naccounts: [&a {account: '111111111111'}, *a]\n"))
	f.Add([]byte("schema: rootguard.custody/v1\naccounts: [{account: '111111111111', mfa: [{serial: !!str, holder: a}]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("f.yaml", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		out, err := r.Marshal()
		if err != nil {
			t.Fatalf("accepted registry does not export: %v", err)
		}
		back, err := Parse("export", out)
		if err != nil {
			t.Fatalf("export does not read back: %v\n%s", err, out)
		}
		want := r.Clone()
		want.Normalize()
		if diff := cmp.Diff(want, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}
