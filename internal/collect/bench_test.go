package collect_test

import (
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/sim"
)

// BenchmarkCollect1000 collects a generated organization of 1,000 accounts
// with 20 ms of latency on every call, at the default concurrency, and
// reports accounts per second and AWS calls per account. Each account costs
// its root and contact calls, an sts:AssumeRole, two global calls (Route 53,
// Route 53 Domains) and seven list calls per collected Region.
//
// Measured on the shared 2-core development machine, one run each
// (go test ./internal/collect -run '^$' -bench Collect1000 -benchtime 1x):
// before the detective and mail facts, 11.6 s at 10.9 calls/account; with
// them, 7.0-9.9 s at 20.7 calls/account in one Region and 12.2 s at 27.5
// calls/account in two. The machine's load moves these by a few seconds.
func BenchmarkCollect1000(b *testing.B) {
	for _, bc := range []struct {
		name    string
		regions []string
	}{
		{name: "regions=1", regions: []string{"us-east-1"}},
		{name: "regions=2", regions: []string{"us-east-1", "eu-west-1"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			scn := sim.Generate(1000, 1)
			scn.Latency = sim.Duration(20 * time.Millisecond)
			srv, cfg := startSim(b, scn, sim.Options{Now: time.Now})
			b.ResetTimer()
			var accounts int
			for b.Loop() {
				snap, err := collect.Run(b.Context(), cfg, collect.Options{Org: true, Regions: bc.regions})
				if err != nil {
					b.Fatal(err)
				}
				accounts += len(snap.Accounts)
			}
			b.StopTimer()
			b.ReportMetric(float64(accounts)/b.Elapsed().Seconds(), "accounts/s")
			b.ReportMetric(float64(len(srv.Calls()))/float64(accounts), "calls/account")
		})
	}
}
