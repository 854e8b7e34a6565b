package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"slices"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var embedded embed.FS

// migrations are the schema's steps, NNNNN_name.sql with goose
// annotations.
var migrations = must(fs.Sub(embedded, "migrations"))

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// migrate applies the migrations in fsys that db lacks, in version order,
// after refusing a database that records a migration fsys does not hold.
// Versions missing in between are applied too (out of order), so that
// migrations numbered on separate branches all apply.
func migrate(ctx context.Context, db *sql.DB, dialect string, fsys fs.FS) error {
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true), goose.WithDisableGlobalRegistry(true)}
	gd := goose.DialectSQLite3
	if dialect == Postgres {
		gd = goose.DialectPostgres
		// Two processes opening one server at once migrate one at a time.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// GetDBVersion creates goose's version table when there is none.
	if _, err := p.GetDBVersion(ctx); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	known := map[int64]bool{0: true}
	var newest int64
	for _, src := range p.ListSources() {
		known[src.Version] = true
		newest = max(newest, src.Version)
	}
	applied, err := appliedVersions(ctx, db)
	if err != nil {
		return err
	}
	for _, v := range applied {
		if !known[v] {
			return fmt.Errorf("schema has migration %05d, which this rootguard does not know (it knows up to %05d): the database was written by a newer rootguard; upgrade rootguard", v, newest)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// appliedVersions lists the versions goose recorded as applied, newest
// first.
func appliedVersions(ctx context.Context, db *sql.DB) ([]int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT version_id FROM goose_db_version WHERE is_applied")
	if err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("schema version: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, nil
}

// SchemaVersion is the newest migration the database records.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	v, err := appliedVersions(ctx, s.db)
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return v[0], nil
}
