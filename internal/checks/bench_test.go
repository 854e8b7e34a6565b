package checks

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rootguard/rootguard/internal/inventory"
)

// orgOf builds an organization of n accounts by repeating the accounts of
// the testdata cases under fresh IDs and root emails.
func orgOf(b *testing.B, n int) *inventory.Snapshot {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	var proto []inventory.Account
	var org *inventory.Organization
	for _, file := range files {
		tc, snap := loadCaseTB(b, file)
		_ = tc
		proto = append(proto, snap.Accounts...)
		if org == nil && snap.Organization != nil {
			org = snap.Organization
		}
	}
	s := &inventory.Snapshot{Schema: inventory.Schema, Mode: inventory.ModeOrganization, Organization: org}
	for i := range n {
		a := proto[i%len(proto)]
		a.ID = fmt.Sprintf("%012d", 100000000000+i)
		a.RootEmail.Value = fmt.Sprintf("aws-root+%d@example.com", i)
		s.Accounts = append(s.Accounts, a)
	}
	return s
}

func BenchmarkAssess(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			s := orgOf(b, n)
			reg := Default()
			cfg := Config{Now: testNow}
			b.ReportAllocs()
			for b.Loop() {
				if got := len(reg.Assess(s, cfg)); got != n*len(reg.Checks()) {
					b.Fatalf("%d findings, want %d", got, n*len(reg.Checks()))
				}
			}
		})
	}
}
