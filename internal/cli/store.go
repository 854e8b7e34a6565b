package cli

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/store"
)

// EnvDB names the store when --db does not.
const EnvDB = "ROOTGUARD_DB"

// openStore opens the store --db names, else ROOTGUARD_DB's, else the
// SQLite file in the state directory (see docs/store.md). Commands open
// it before they read from AWS, so that a database that is unreachable or
// locked stops them first.
func (e *env) openStore(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, e.dsn())
}

// dsn is --db, else ROOTGUARD_DB; "" when neither names a store.
func (e *env) dsn() string { return cmp.Or(e.db, os.Getenv(EnvDB)) }

// namedStore opens the store when --db or ROOTGUARD_DB names one, and is
// nil otherwise: commands whose state has a file of its own (apply's lock,
// the audit log's head) keep it in the store only when told to.
func (e *env) namedStore(ctx context.Context) (*store.Store, error) {
	if e.dsn() == "" {
		return nil, nil
	}
	return e.openStore(ctx)
}

// auditAnchor is the audit head row in db for the log at logPath, named by
// the host and the log's absolute path: hosts that share one server each
// keep their own log.
func auditAnchor(db *store.Store, logPath string) (audit.Anchor, error) {
	host, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("audit head anchor: %w", err)
	}
	abs, err := filepath.Abs(logPath)
	if err != nil {
		return nil, fmt.Errorf("audit head anchor: %w", err)
	}
	return db.AuditAnchor(host + ":" + abs), nil
}
