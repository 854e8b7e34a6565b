package sim_test

import (
	"testing"

	"github.com/rootguard/rootguard/internal/sim"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:4566", true},
		{"127.0.0.1:0", true},
		{"127.1.2.3:80", true},
		{"[::1]:4566", true},
		{"localhost:4566", true},
		{"0.0.0.0:4566", false},
		{":4566", false},
		{"192.168.1.10:4566", false},
		{"[::]:4566", false},
		{"example.com:4566", false},
		{"127.0.0.1", false},
		{"127.0.0.1:http", false},
		{"127.0.0.1:70000", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			if err := sim.CheckLoopback(tc.addr); (err == nil) != tc.ok {
				t.Errorf("CheckLoopback(%q) = %v, want ok %v", tc.addr, err, tc.ok)
			}
		})
	}
}

func TestStartRefusesAnOpenAddress(t *testing.T) {
	if srv, err := sim.Start(sim.Demo(), sim.Options{Addr: "0.0.0.0:0"}); err == nil {
		srv.Close()
		t.Fatal("Start listened on 0.0.0.0")
	}
}
