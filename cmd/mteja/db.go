package main

import (
	"context"
	"io"

	"github.com/mteja/mteja/internal/store"
)

// openDB reads a command's flags and opens and migrates the database they
// name, for commands that do not run the server.
func openDB(ctx context.Context, name string, args []string, stderr io.Writer) (*store.DB, error) {
	cfg, err := parseConfig(name, args, stderr)
	if err != nil {
		return nil, err
	}
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
