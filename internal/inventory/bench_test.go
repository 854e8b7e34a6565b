package inventory_test

import (
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/sim"
)

// BenchmarkCollect1000 collects a generated organization of 1,000 accounts
// with 20 ms of latency on every call, at the default concurrency, and
// reports accounts per second and AWS calls per account.
func BenchmarkCollect1000(b *testing.B) {
	scn := sim.Generate(1000, 1)
	scn.Latency = sim.Duration(20 * time.Millisecond)
	srv, cfg := startSim(b, scn, sim.Options{Now: time.Now})
	b.ResetTimer()
	var accounts int
	for b.Loop() {
		snap, err := inventory.Collect(b.Context(), cfg, inventory.CollectOptions{Org: true})
		if err != nil {
			b.Fatal(err)
		}
		accounts += len(snap.Accounts)
	}
	b.StopTimer()
	b.ReportMetric(float64(accounts)/b.Elapsed().Seconds(), "accounts/s")
	b.ReportMetric(float64(len(srv.Calls()))/float64(accounts), "calls/account")
}
