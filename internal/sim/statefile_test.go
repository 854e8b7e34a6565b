package sim_test

import (
	"path/filepath"
	"testing"

	"github.com/rootguard/rootguard/internal/sim"
)

func TestDemoStatePath(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "" for an error
	}{
		{"XDG_STATE_HOME", map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/rootguard/demo-state.yaml"},
		{"relative XDG_STATE_HOME is ignored", map[string]string{"XDG_STATE_HOME": "s", "HOME": "/h"}, "/h/.local/state/rootguard/demo-state.yaml"},
		{"HOME", map[string]string{"HOME": "/h"}, "/h/.local/state/rootguard/demo-state.yaml"},
		{"neither", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sim.DemoStatePath(func(k string) string { return tt.env[k] })
			if got != tt.want || (err == nil) != (tt.want != "") {
				t.Errorf("DemoStatePath = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestStateFile: no file loads as nothing; Materialize saves the starting
// scenario with its dates fixed and the schema version, Load reads it
// back; Reset removes it, twice without error.
func TestStateFile(t *testing.T) {
	f := sim.StateFile(filepath.Join(t.TempDir(), "nested", "state.yaml"))
	if scn, err := f.Load(); scn != nil || err != nil {
		t.Fatalf("Load of no file = %v, %v; want nothing", scn, err)
	}
	fixed, err := f.Materialize(sim.Demo())
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Schema != sim.ScenarioSchema {
		t.Errorf("materialized schema %q, want %q", fixed.Schema, sim.ScenarioSchema)
	}
	if d := fixed.Accounts[0].JoinedAt.String(); len(d) < 10 || d[0] == '-' {
		t.Errorf("materialized joined_at %q is not an absolute date", d)
	}
	loaded, err := f.Load()
	if err != nil || loaded == nil || loaded.Name != "demo" {
		t.Fatalf("Load after Materialize = %v, %v", loaded, err)
	}
	for range 2 {
		if err := f.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	if scn, err := f.Load(); scn != nil || err != nil {
		t.Errorf("Load after Reset = %v, %v; want nothing", scn, err)
	}
}
