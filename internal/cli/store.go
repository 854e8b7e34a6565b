package cli

import (
	"context"
	"os"

	"github.com/rootguard/rootguard/internal/store"
)

// EnvDB names the store when --db does not.
const EnvDB = "ROOTGUARD_DB"

// openStore opens the store --db names, else ROOTGUARD_DB's, else the
// SQLite file in the state directory (see docs/store.md). Commands open
// it before they read from AWS, so that a database that is unreachable or
// locked stops them first.
func (e *env) openStore(ctx context.Context) (*store.Store, error) {
	dsn := e.db
	if dsn == "" {
		dsn = os.Getenv(EnvDB)
	}
	return store.Open(ctx, dsn)
}
