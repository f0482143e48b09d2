package storetest_test

import (
	"context"
	"testing"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// The test's own server stops and starts; a pool opened before the stop
// fails with an error that means "unavailable" while it is down, and works
// again after the start without being reopened.
func TestOwnPostgresRestart(t *testing.T) {
	pg := storetest.StartPostgres(t)
	db, err := store.Open(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ping := func() error {
		return db.InTx(context.Background(), func(tx *store.Tx) error { _, err := tx.Exec(`SELECT 1`); return err })
	}
	if err := ping(); err != nil {
		t.Fatalf("before the stop: %v", err)
	}
	pg.Stop()
	err = ping()
	if err == nil || !store.Unavailable(err) {
		t.Fatalf("while stopped: %v; want an error that Unavailable recognises", err)
	}
	pg.Start()
	if err := ping(); err != nil {
		t.Fatalf("after the start: %v", err)
	}
}
