package main

import (
	"context"

	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/store"
)

// openDB opens and migrates the configured database, for commands that do
// not run the server.
func openDB(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
