package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestGroupCommitterBatchesAndIsolatesBadItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var batches, maxBatch int
		var mu sync.Mutex
		g := store.NewGroupCommitter(db, 50, func(tx *store.Tx, ids []string) ([]bool, error) {
			mu.Lock()
			batches++
			maxBatch = max(maxBatch, len(ids))
			mu.Unlock()
			for _, id := range ids {
				if id == "bad" {
					return nil, errors.New("bad item")
				}
				if _, err := tx.Exec(`INSERT INTO customers (id, created_at) VALUES ($1, 0)`, id); err != nil {
					return nil, err
				}
			}
			return make([]bool, len(ids)), nil
		})
		go g.Run(ctx)
		var wg sync.WaitGroup
		errs := make([]error, 201)
		for i := range 201 {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				id := fmt.Sprint("c", i)
				if i == 200 {
					id = "bad"
				}
				_, errs[i] = g.Submit(ctx, id)
			}(i)
		}
		wg.Wait()
		for i, err := range errs[:200] {
			if err != nil {
				t.Fatalf("item %d: %v", i, err)
			}
		}
		if errs[200] == nil {
			t.Fatal("bad item committed")
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM customers`).Scan(&n)
		if n != 200 {
			t.Fatalf("rows = %d; want 200", n)
		}
		t.Logf("%d transactions for 201 items, largest %d", batches, maxBatch)
	})
}

// On SQLite a batch waits for the one writer; what is handed in during
// that wait joins it, not the next commit (an fsync of its own).
func TestGroupCommitterBatchTakesInWhileAwaitingWriter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.SQLite {
			t.Skip("PostgreSQL begins a transaction without waiting for another")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var mu sync.Mutex
		var sizes []int
		g := store.NewGroupCommitter(db, 50, func(tx *store.Tx, ids []string) ([]bool, error) {
			mu.Lock()
			sizes = append(sizes, len(ids))
			mu.Unlock()
			return make([]bool, len(ids)), nil
		})
		go g.Run(ctx)
		held, release := make(chan struct{}), make(chan struct{})
		go db.InTx(ctx, func(tx *store.Tx) error {
			close(held)
			<-release
			return nil
		})
		<-held
		var wg sync.WaitGroup
		submit := func(id string) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := g.Submit(ctx, id); err != nil {
					t.Error(err)
				}
			}()
		}
		submit("first")
		time.Sleep(100 * time.Millisecond) // the committer has taken it and awaits the writer
		for i := range 4 {
			submit(fmt.Sprint("later", i))
		}
		time.Sleep(100 * time.Millisecond)
		close(release)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(sizes) != 1 || sizes[0] != 5 {
			t.Fatalf("batches of %v; want one of 5", sizes)
		}
	})
}
