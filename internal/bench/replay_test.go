package bench

import (
	"context"
	"slices"
	"testing"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestReplayStorm delivers every C2B confirmation three times at once, flat
// out, as Daraja may when its retries overlap: each payment must still be
// stored once, vended once and messaged once, every delivery acknowledged,
// and the ledger must balance.
func TestReplayStorm(t *testing.T) {
	payments := 2_000
	if longRun() {
		payments = 20_000
	}
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			res, err := Vend(context.Background(), Options{Payments: payments, Replays: 3, Meters: 200, Concurrency: 32, DB: storetest.DSN(t, d)})
			if err != nil {
				t.Fatalf("vend: %v", err)
			}
			t.Logf("%s: %d payments x3 in %.1f s: %.0f vends/s, callback->token p50 %.1f ms p99 %.1f ms",
				d, res.Payments, res.Seconds, res.VendsPerSecond, res.P50, res.P99)
			if err := res.Check(); err != nil {
				t.Error(err)
			}
			if res.Messages != payments {
				t.Errorf("%d token messages, want %d (one phone per meter)", res.Messages, payments)
			}
			if res.Errors != 0 {
				t.Errorf("%d of %d deliveries not acknowledged", res.Errors, 3*payments)
			}
		})
	}
}

// TestReplayStormThreeNodes is the storm on three nodes sharing one
// PostgreSQL, each callback's three copies sent to three different nodes,
// 100 meters so that nearly every batch of every node wants meters another
// holds: each payment is still stored, vended and messaged once, and each
// meter's tokens carry rising TIDs in the order they were made.
func TestReplayStormThreeNodes(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skipf("PostgreSQL: set %s to run", storetest.EnvPostgres)
	}
	payments := 1_500
	if longRun() {
		payments = 15_000
	}
	var backwards int
	res, err := Vend(context.Background(), Options{Payments: payments, Replays: 3, Nodes: 3, Meters: 100, Concurrency: 24, DB: storetest.DSN(t, store.Postgres),
		after: func(ctx context.Context, db *store.DB) {
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM (
				SELECT tid, lag(tid) OVER (PARTITION BY meter_drn ORDER BY created_at, tid) AS before FROM tokens) x
				WHERE tid <= before`).Scan(&backwards); err != nil {
				t.Errorf("token order: %v", err)
			}
		}})
	if err != nil {
		t.Fatalf("vend: %v", err)
	}
	t.Logf("3 nodes: %d payments x3 in %.1f s: %.0f vends/s, callback->token p99 %.1f ms", res.Payments, res.Seconds, res.VendsPerSecond, res.P99)
	if err := res.Check(); err != nil {
		t.Error(err)
	}
	if res.Messages != payments || res.Errors != 0 {
		t.Errorf("%d token messages and %d deliveries not acknowledged; want %d and 0", res.Messages, res.Errors, payments)
	}
	if backwards != 0 {
		t.Errorf("%d tokens with a TID not above the meter's one before", backwards)
	}
}
