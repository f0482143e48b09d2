package vend_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// loopWatch counts the worker's loops that are between Yield and their
// claim at once: each Yield holds its loop for a moment, so loops that run
// side by side overlap there.
type loopWatch struct {
	mu          sync.Mutex
	active, max int
}

func (l *loopWatch) yield(ctx context.Context) {
	l.mu.Lock()
	l.active++
	l.max = max(l.max, l.active)
	l.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(20 * time.Millisecond):
	}
	l.mu.Lock()
	l.active--
	l.mu.Unlock()
}

func (l *loopWatch) most() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.max
}

// With several loops, one vends while it keeps up; the others join only
// while batches come out full, and then every payment still vends once.
func TestWorkerLoopsJoinOnlyUnderBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		w := b.worker
		w.Loops, w.Batch = 4, 5
		watch := &loopWatch{}
		w.Yield = watch.yield
		record := func(from, n int) {
			t.Helper()
			for i := range n {
				if _, err := b.intake.Record(ctx, c2b(fmt.Sprintf("SKL5LOOP%02d", from+i), "54500320905", 100)); err != nil {
					t.Fatal(err)
				}
			}
		}
		applied := func() int {
			var n int
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM payments WHERE state = 'applied'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		waitApplied := func(want int) {
			t.Helper()
			for deadline := time.Now().Add(20 * time.Second); applied() < want; {
				if time.Now().After(deadline) {
					t.Fatalf("%d payments applied, want %d", applied(), want)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}

		// Fewer payments than a batch: one loop takes them.
		record(0, 3)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.Run(runCtx)
		}()
		w.Wake()
		waitApplied(3)
		time.Sleep(100 * time.Millisecond)
		if got := watch.most(); got != 1 {
			t.Errorf("%d loops ran side by side for 3 payments and batches of 5; want 1", got)
		}

		// A backlog of eight batches: helpers join.
		record(3, 40)
		w.Wake()
		waitApplied(43)
		if got := watch.most(); got < 2 {
			t.Errorf("%d loop ran for a backlog of 40 payments and batches of 5; want helpers to join", got)
		}
		stop()
		<-done

		var vends, dup int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*), count(*) - count(DISTINCT payment_id) FROM vends`).Scan(&vends, &dup); err != nil {
			t.Fatal(err)
		}
		if vends != 43 || dup != 0 {
			t.Errorf("%d vends, %d doubled; want 43, 0", vends, dup)
		}
		b.checkLedger(t)
	})
}
