package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestMigrateIsIdempotentAndSchemaCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestInTxCommitsOrRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(id string) func(*store.Tx) error {
			return func(tx *store.Tx) error {
				_, err := tx.Exec(`INSERT INTO customers (id, created_at) VALUES ($1, $2)`, id, store.Micros(tx.Now))
				return err
			}
		}
		if err := db.InTx(ctx, insert("c1")); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := insert("c2")(tx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		err = db.InTx(ctx, insert("c1"))
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v, want unique violation", err)
		}
		var n int
		if err := db.Read().QueryRow(`SELECT count(*) FROM customers`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1", n, err)
		}
	})
}

func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs <- db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(`INSERT INTO customers (id, created_at) VALUES ($1, $2)`, string(rune('A'+i)), 1)
					return err
				})
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM customers`).Scan(&n)
		if n != 40 {
			t.Fatalf("count = %d; want 40", n)
		}
	})
}

// SQLite's connections keep what each is for: every one durable (WAL,
// synchronous=FULL), the writer a page cache of 16 MB, not the default 2.
func TestSQLiteConnectionSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.SQLite {
			t.Skip("SQLite's connection settings")
		}
		for _, c := range []struct {
			pool   string
			q      interface{ QueryRow(string, ...any) *sql.Row }
			pragma string
			want   int64
		}{
			{"writer", db.Write(), "cache_size", -16384},
			{"writer", db.Write(), "synchronous", 2},
			{"reader", db.Read(), "synchronous", 2},
			{"reader", db.Read(), "cache_size", -2000},
		} {
			var got int64
			if err := c.q.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s: %s = %d, want %d", c.pool, c.pragma, got, c.want)
			}
		}
	})
}
