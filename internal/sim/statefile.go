package sim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The demo's state lifecycle: a served organization is kept in a state
// file between commands, so that what apply changed is what the next scan
// sees. A command starts from the state file when there is one (else from
// its starting scenario), may fix the starting scenario's relative dates
// in it first (Materialize), and saves the world back when it is done.

// DemoStatePath is where the demo keeps its state:
// $XDG_STATE_HOME/rootguard/demo-state.yaml, else
// ~/.local/state/rootguard/demo-state.yaml.
func DemoStatePath(getenv func(string) string) (string, error) {
	if s := getenv("XDG_STATE_HOME"); s != "" && filepath.IsAbs(s) {
		return filepath.Join(s, "rootguard", "demo-state.yaml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("no place for the demo state: give --state, or set XDG_STATE_HOME or HOME")
	}
	return filepath.Join(home, ".local", "state", "rootguard", "demo-state.yaml"), nil
}

// StateFile is the file a served organization is kept in; "" keeps none.
type StateFile string

// Reset removes the state file, so the next command starts afresh.
func (f StateFile) Reset() error {
	if f == "" {
		return nil
	}
	if err := os.Remove(string(f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Load returns the organization kept in the state file, or nil when there
// is none.
func (f StateFile) Load() (*Scenario, error) {
	if f == "" {
		return nil, nil
	}
	scn, err := LoadScenario(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return scn, err
}

// Save writes scn to the state file, creating its directory.
func (f StateFile) Save(scn *Scenario) error {
	if err := os.MkdirAll(filepath.Dir(string(f)), 0o700); err != nil {
		return fmt.Errorf("save scenario %s: %w", f, err)
	}
	return SaveScenario(string(f), scn)
}

// Materialize saves scn as the state file with its relative dates fixed
// (FixDates), so that "3 days ago" stays the same day for every later
// command, and returns the organization as the state file now holds it.
func (f StateFile) Materialize(scn *Scenario) (*Scenario, error) {
	fixed, err := FixDates(scn)
	if err != nil {
		return nil, err
	}
	if err := f.Save(fixed); err != nil {
		return nil, err
	}
	return LoadScenario(string(f))
}

// FixDates returns scn with the dates it gives relative to now (and the
// defaults of unset ones) resolved against now, as Server.Scenario does:
// served from the result, the organization answers the same dates for as
// long as it runs.
func FixDates(scn *Scenario) (*Scenario, error) {
	srv, err := New(scn, Options{})
	if err != nil {
		return nil, err
	}
	return srv.Scenario(), nil
}
