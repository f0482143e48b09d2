package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// The storage settings that keep PostgreSQL's hottest tables cheap to
// update and to vacuum (migrations 00030, 00032, 00033) are in place:
// room in each page for heap-only updates, and no truncation of meters,
// whose rows every vend batch locks.
func TestPostgresTableStorage(t *testing.T) {
	db := storetest.OpenDSN(t, storetest.DSN(t, store.Postgres))
	want := map[string][]string{
		"messages": {"fillfactor=50"},
		"payments": {"fillfactor=85"},
		"meters":   {"fillfactor=80", "vacuum_truncate=false"},
	}
	for table, opts := range want {
		got, err := store.Strings(context.Background(), db.Read(), `SELECT unnest(reloptions) FROM pg_class
			WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, table)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, opts) {
			t.Errorf("%s: storage options %v, want %v", table, got, opts)
		}
	}
}
