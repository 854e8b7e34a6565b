package guardrail_test

import (
	"fmt"
	"testing"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

// largeOrg grows the demo organization to n accounts by copying its member
// accounts (with their credentials and contacts) under new IDs in the same
// OUs.
func largeOrg(b *testing.B, n int) *inventory.Snapshot {
	s := snapshot(b, "demo")
	var members []inventory.Account
	for _, a := range s.Accounts {
		if a.Role == inventory.RoleMember {
			members = append(members, a)
		}
	}
	for i := len(s.Accounts); i < n; i++ {
		a := members[i%len(members)]
		a.ID = fmt.Sprintf("%012d", 300000000000+i)
		s.Accounts = append(s.Accounts, a)
	}
	s.Sort()
	return s
}

// BenchmarkDesired computes the desired state of a 1,000-account
// organization with every section configured and exemptions that split the
// attachments.
func BenchmarkDesired(b *testing.B) {
	s := largeOrg(b, 1000)
	cfg := loadConfig(b, "full")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := guardrail.Desired(cfg, s); err != nil {
			b.Fatal(err)
		}
	}
}
