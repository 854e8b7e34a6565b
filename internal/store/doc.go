// Package store keeps rootguard's state in a database: scan history,
// alerts, and (through the files their owners add) the custody registry
// and break-glass requests.
//
// Two backends share one schema. SQLite (pure Go, modernc.org/sqlite) is
// the default: one file, rootguard.db, in the user's state directory,
// created readable by its owner only. PostgreSQL (pgx) serves a team that
// shares one server. Open picks the backend from the DSN, applies the
// embedded migrations (goose, out-of-order versions allowed so that
// migrations added on separate branches all apply) and refuses a database
// whose schema holds a migration this binary does not know.
//
// Queries use ? placeholders on both backends; the store rebinds them to
// $n for PostgreSQL. Migrations stay within portable SQL: TEXT, BIGINT
// (times as Unix milliseconds, UTC), INTEGER 0/1 for booleans, TEXT
// primary keys generated in Go, JSON as TEXT. State changes that may race
// are conditional updates whose affected rows are checked.
//
// The store is an adapter: it may import domain packages, which never
// import it.
package store
