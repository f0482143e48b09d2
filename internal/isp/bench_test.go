package isp_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store/storetest"
)

// benchSubscribers is how many paid subscribers the benchmarks' ISP has.
const benchSubscribers = 2000

// benchISP sets up an ISP with benchSubscribers subscribers on the daily
// bundle, all paid, on a database of engine d.
func benchISP(b *testing.B, d string) (*bundle, []string) {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, storeDialect(d))
	bb := setup(b, db)
	names := make([]string, benchSubscribers)
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < benchSubscribers; i += 16 {
				names[i] = fmt.Sprintf("user%05d", i)
				u, _, err := bb.svc.CreateSubscriber(ctx, isp.Subscriber{Username: names[i]}, password)
				if err == nil {
					_, err = bb.svc.Subscribe(ctx, u.ID, daily.ID, "bench")
				}
				if err == nil {
					_, err = bb.intake.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: fmt.Sprintf("BNC%07d", i), Amount: kes(50),
						AccountRef: names[i], ShortCode: ispShortCode})
				}
				if err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	for {
		n, err := bb.svc.ApplyOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	// PostgreSQL's autovacuum is off on the test server: plans need fresh
	// statistics after a load.
	if d == "postgres" {
		if _, err := db.Write().Exec(`ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	return bb, names
}

// BenchmarkAuthorize measures Access-Requests decided per second, many at
// once as a RADIUS server asks, over benchSubscribers paid subscribers.
func BenchmarkAuthorize(b *testing.B) {
	for _, d := range storetest.Engines() {
		bb, names := benchISP(b, string(d))
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			var rejected atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for pb.Next() {
					u := names[r.IntN(len(names))]
					dec, err := bb.svc.Authorize(ctx, radius.AuthRequest{NAS: bb.nas, Username: u, Check: pap(password), CallingStationID: "AA:BB:CC:DD:EE:FF"})
					if err != nil {
						b.Error(err)
						return
					}
					if dec.Verdict != radius.Accept {
						rejected.Add(1)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			if n := rejected.Load(); n > 0 {
				b.Fatalf("%d requests were not accepted", n)
			}
		})
	}
}

// BenchmarkAccount measures accounting packets (Interim-Updates of open
// sessions) written per second, many at once, in group-committed batches.
func BenchmarkAccount(b *testing.B) {
	for _, d := range storetest.Engines() {
		bb, names := benchISP(b, string(d))
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			var next atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				g := next.Add(1)
				user := names[int(g)%len(names)]
				session := fmt.Sprintf("%s-%d-%d", d, g, rand.Int())
				var counter int64
				for pb.Next() {
					counter += 1000
					_, err := bb.svc.Account(ctx, radius.AcctRecord{NAS: bb.nas, Status: radius.AcctInterim, Username: user, SessionID: session,
						InputBytes: counter, OutputBytes: 2 * counter, FramedIP: netip.MustParseAddr("10.0.0.9")})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
		})
	}
}
