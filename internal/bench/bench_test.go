package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store/storetest"
)

// longRun reports whether MTEJA_LONG=1 asks for the long versions of the
// crash, replay and outage tests (and bigger benchmark runs).
func longRun() bool { return os.Getenv("MTEJA_LONG") == "1" }

// BenchmarkVend measures end-to-end vending on each engine: one operation
// is one whole bench.Vend run (a fresh database, 1,000 meters, then 5,000
// payments through the C2B confirmation endpoint; 20,000 with
// MTEJA_LONG=1). Beside the usual ns/op it reports the run's sustained
// vends/s, its end-to-end rate (token SMS submitted/s), its callback-to-
// token latency percentiles and, measured in the same run, the engine's
// raw write ceiling (vend-shaped writes/s), averaged over the runs
// (-benchtime=5x for five).
func BenchmarkVend(b *testing.B) {
	payments := 5_000
	if longRun() {
		payments = 20_000
	}
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			var rate, e2e, ceiling, p50, p99 float64
			runs := 0
			for b.Loop() {
				res, err := Vend(context.Background(), Options{Payments: payments, DB: storetest.DSN(b, d), Ceiling: 2 * time.Second})
				if err != nil {
					b.Fatalf("vend: %v", err)
				}
				if err := res.Check(); err != nil {
					b.Fatal(err)
				}
				rate, e2e, ceiling, p50, p99 = rate+res.VendsPerSecond, e2e+res.EndToEnd, ceiling+res.Ceiling.VendsPerSecond, p50+res.P50, p99+res.P99
				runs++
			}
			n := float64(runs)
			b.ReportMetric(rate/n, "vends/s")
			b.ReportMetric(e2e/n, "e2e/s")
			b.ReportMetric(ceiling/n, "ceiling/s")
			b.ReportMetric(p50/n, "p50_ms")
			b.ReportMetric(p99/n, "p99_ms")
		})
	}
}
