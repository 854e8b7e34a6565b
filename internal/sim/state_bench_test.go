package sim_test

import (
	"testing"

	"github.com/rootguard/rootguard/internal/sim"
)

// BenchmarkSaveState takes the world of a 1,000-account organization as a
// scenario and encodes it, as the CLI does after each demo command.
func BenchmarkSaveState(b *testing.B) {
	srv, err := sim.New(sim.Generate(1000, 1), sim.Options{Writable: true})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		out, err := srv.Scenario().Marshal()
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/state")
}

// BenchmarkLoadState parses the saved state of a 1,000-account
// organization.
func BenchmarkLoadState(b *testing.B) {
	srv, err := sim.New(sim.Generate(1000, 1), sim.Options{Writable: true})
	if err != nil {
		b.Fatal(err)
	}
	data, err := srv.Scenario().Marshal()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := sim.ParseScenario("state.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
