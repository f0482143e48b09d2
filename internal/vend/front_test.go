package vend_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A payment stored behind the claims' front (received long before it was
// stored, as a replayed callback can be) still vends: at once on SQLite,
// at the next sweep on PostgreSQL, where claims begin near the last
// payment they took; and a sweep that comes back full sweeps again, so a
// pile of such payments drains without waiting a sweep a batch.
func TestClaimFrontSweepsPaymentsBehindIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.SetClock(db, time.Now())
		advance := clock.Add
		b := setup(t, db)
		w := b.worker
		w.Batch = 5
		record := func(receipt string) {
			t.Helper()
			if _, err := b.intake.Record(ctx, c2b(receipt, "54500320905", 100)); err != nil {
				t.Fatal(err)
			}
		}
		runOnce := func() int {
			t.Helper()
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		applied := func() int {
			t.Helper()
			var n int
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM payments WHERE state = 'applied'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// A payment now: the first claim sweeps and the front moves to it.
		record("SKL5FRNT00")
		if n := runOnce(); n != 1 {
			t.Fatalf("first claim settled %d payments, want 1", n)
		}
		// Seven payments stamped ten minutes ago, far behind the front.
		advance(-10 * time.Minute)
		for i := range 7 {
			record(fmt.Sprintf("SKL5FRNT%02d", i+1))
		}
		advance(10*time.Minute + time.Second)

		if db.Dialect == store.SQLite {
			if n := runOnce(); n != 5 {
				t.Fatalf("SQLite: claim settled %d, want a full batch of 5", n)
			}
		} else {
			// Before the sweep is due, claims begin at the front.
			if n := runOnce(); n != 0 {
				t.Fatalf("PostgreSQL: claim one second after a sweep settled %d payments behind the front, want 0", n)
			}
			advance(5 * time.Second)
			if n := runOnce(); n != 5 {
				t.Fatalf("PostgreSQL: sweep settled %d, want a full batch of 5", n)
			}
		}
		// The full sweep is followed by another at once: no clock moves here.
		if n := runOnce(); n != 2 {
			t.Fatalf("claim after a full sweep settled %d, want the last 2", n)
		}
		if got := applied(); got != 8 {
			t.Fatalf("%d payments applied, want 8", got)
		}
		if n := runOnce(); n != 0 {
			t.Fatalf("claim with nothing waiting settled %d", n)
		}
		b.checkLedger(t)
	})
}
