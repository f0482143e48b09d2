package smpp_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/notify/sms"
)

// BenchmarkSubmit measures submit_sm per second on one bind against the
// local SMSC, with the window full and no rate limit in the way. Receipts
// are off so only submits are counted.
func BenchmarkSubmit(b *testing.B) {
	for _, window := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("window=%d", window), func(b *testing.B) {
			s := smsctest.Start(b)
			s.Configure(smsctest.Settings{DropReceipts: smsctest.Ptr(true)})
			c, err := smpp.New(smpp.Config{
				Addr: s.Addr, SystemID: smsctest.SystemID, Password: smsctest.Password,
				Window: window, TPS: 1e6,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.WaitBound(ctx); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, 1)
			b.ResetTimer()
			start := time.Now()
			for range 2 * window {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						msg := sms.Message{ID: fmt.Sprint(i), To: "254700000001", From: "KPLC", Text: "Tokeni: 1234 5678 9012 3456 7890"}
						if _, err := c.Send(context.Background(), msg); err != nil {
							select {
							case errs <- err:
							default:
							}
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			select {
			case err := <-errs:
				b.Fatal(err)
			default:
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "submit_sm/s")
		})
	}
}
