package detect

import (
	"sync"
	"time"
)

// Config tunes the aggregate rules.
type Config struct {
	// BruteForceThreshold is how many failed root sign-ins for one account, within
	// BruteForceWindow, make a burst.
	BruteForceThreshold int
	BruteForceWindow    time.Duration
}

// DefaultConfig returns 5 failures within 15 minutes.
func DefaultConfig() Config {
	return Config{BruteForceThreshold: 5, BruteForceWindow: 15 * time.Minute}
}

// Engine runs the rules. It is safe for concurrent use by several goroutines.
type Engine struct {
	cfg Config

	mu       sync.Mutex
	failures map[string][]failure      // account ID → root sign-in failures
	calls    map[string]assumeRootCall // access key ID → the AssumeRoot call that issued it
	sessions []Alert                   // assume-root-session alerts held for the join
	flushed  bool
}

// NewEngine returns an engine; zero fields of cfg take their DefaultConfig value.
func NewEngine(cfg Config) *Engine {
	d := DefaultConfig()
	if cfg.BruteForceThreshold <= 0 {
		cfg.BruteForceThreshold = d.BruteForceThreshold
	}
	if cfg.BruteForceWindow <= 0 {
		cfg.BruteForceWindow = d.BruteForceWindow
	}
	return &Engine{
		cfg:      cfg,
		failures: map[string][]failure{},
		calls:    map[string]assumeRootCall{},
	}
}

// Observe runs every rule on r and returns the alerts decidable now, in registry order. It keeps
// what the aggregate and join rules need for Flush. A nil record gives no alerts.
func (e *Engine) Observe(r *Record, src Source) []Alert {
	return e.observe(r, src)
}

// Flush returns the aggregate alerts (root sign-in failure bursts) and the alerts held for joins
// (assume-root-session), sorted by event time then event ID, and resets that state. Call it once
// after the last Observe.
func (e *Engine) Flush() []Alert {
	return e.flush()
}
