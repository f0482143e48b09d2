package bench

import (
	"context"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestTokenTurnUnderFlood floods the node with payments, flat out, and
// looks at the token queue after every vend commit: the messages queued
// and not yet claimed are at most the batch just committed (on SQLite; one
// batch per vend loop on PostgreSQL), because the vend worker yields to
// the token lane's claim between batches (notify's overload policy). Left
// to chance, the queue grows with the flood (it reached thousands in a
// run of 15,000 payments). The bound is a count, stated in vend batches;
// the test times nothing.
func TestTokenTurnUnderFlood(t *testing.T) {
	t.Parallel()
	const batch = 100
	payments := 4_000
	if longRun() {
		payments = 20_000
	}
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var commits, most int
			var sampleErr error
			setup := func(a *app.App) {
				a.Vend.Batch = batch
				wake := a.Vend.OnVended
				a.Vend.OnVended = func(n int) {
					var waiting int
					err := a.DB.Read().QueryRow(`SELECT count(*) FROM messages WHERE state = 'queued' AND lane = 'token' AND claimed_until < $1`,
						store.Micros(a.DB.Now())).Scan(&waiting)
					mu.Lock()
					commits++
					most = max(most, waiting)
					if err != nil && sampleErr == nil {
						sampleErr = err
					}
					mu.Unlock()
					wake(n)
				}
			}
			res, err := Vend(context.Background(), Options{Payments: payments, Meters: 200, Concurrency: 64, DB: storetest.DSN(t, d), setup: setup})
			if err != nil {
				t.Fatalf("vend: %v", err)
			}
			if err := res.Check(); err != nil {
				t.Error(err)
			}
			if sampleErr != nil {
				t.Fatalf("count the token queue: %v", sampleErr)
			}
			t.Logf("%s: %d vend commits; at most %d token messages unclaimed after one (batches of %d); SMS p99 %.0f ms, vends p99 %.0f ms",
				d, commits, most, batch, res.SMSP99, res.P99)
			if commits < payments/batch {
				t.Errorf("%d vend commits for %d payments in batches of at most %d", commits, payments, batch)
			}
			// A turn is taken between a vend loop's batches, and the claim
			// takes at least what was queued since the last: at a commit,
			// what waits unclaimed is the batches committed since the last
			// claim, one per vend loop (SQLite has one, PostgreSQL four).
			loops := 1
			if d == store.Postgres {
				loops = 4
			}
			if most > loops*batch {
				t.Errorf("%d token messages waited unclaimed after a vend commit: more than %d vend batches of %d", most, loops, batch)
			}
			if res.SMSSubmitted != payments || res.Backlog != 0 {
				t.Errorf("%d SMS submitted and %d queued for %d payments", res.SMSSubmitted, res.Backlog, payments)
			}
		})
	}
}
