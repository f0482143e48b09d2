package store_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// With checkpoints moved off the writer, the log still starts over: 80 MB
// written through the writer leave a log far under that, and the writer's
// own automatic checkpoint is back when the loop stops.
func TestCheckpointsOffTheWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Write().ExecContext(ctx, `CREATE TABLE blob (id INTEGER PRIMARY KEY, b TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		db.RunCheckpoints(ctx, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	// The loop turns the writer's automatic checkpoint off first.
	deadline := time.Now().Add(5 * time.Second)
	for autoCheckpoint(t, db) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the writer's automatic checkpoint stayed on")
		}
		time.Sleep(time.Millisecond)
	}
	row := strings.Repeat("x", 4000) // about a page a row
	var largest int64
	for i := range 20_000 {
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO blob (id, b) VALUES ($1, $2)`, i, row)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			if fi, err := os.Stat(path + "-wal"); err == nil {
				largest = max(largest, fi.Size())
			}
		}
	}
	// 20,000 pages went through the log; without its restarts it would
	// hold them all (80 MB). Restarted past 4,096 pages, it stays near 16 MB.
	if largest > 40<<20 {
		t.Errorf("log grew to %d MB; want it restarted near 16 MB", largest>>20)
	}
	cancel()
	wg.Wait()
	if n := autoCheckpoint(t, db); n != 1000 {
		t.Errorf("writer's automatic checkpoint after the loop stopped = %d, want 1000", n)
	}
}

func autoCheckpoint(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Write().QueryRowContext(context.Background(), `PRAGMA wal_autocheckpoint`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
