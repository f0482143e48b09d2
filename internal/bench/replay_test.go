package bench

import (
	"context"
	"testing"

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
