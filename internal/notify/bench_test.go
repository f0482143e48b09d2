package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// BenchmarkEnqueue measures queueing bulk messages in Enqueue's
// multi-row batches, 10,000 a transaction.
func BenchmarkEnqueue(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			msgs := make([]notify.Message, 10_000)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i += len(msgs) {
				for j := range msgs {
					msgs[j] = notify.Message{Recipient: fmt.Sprintf("2547%08d", i+j), Lane: notify.LaneBulk, Body: "Planned outage in Kilimani on Sunday 9:00-17:00. Mteja Power"}
				}
				enqueue(b, db, msgs[:min(len(msgs), b.N-i)]...)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "messages/s")
		})
	}
}

// BenchmarkOutboxSubmit measures submit_sm per second on one bind
// against the local SMSC through the whole outbox path: claim from the
// database, send, record the outcome. The bind has no rate limit here:
// the figure is what the outbox itself can carry.
func BenchmarkOutboxSubmit(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			s := smsctest.Start(b)
			s.Configure(smsctest.Settings{DropReceipts: smsctest.Ptr(true)})
			w := &notify.Worker{DB: db, From: "MTEJA", BulkBatch: 256}
			c := smppRoute(b, s, w, "smpp", func(c *smpp.Config) { c.TPS, c.Window = 1e6, 100 })
			w.Routes = []notify.Route{{Name: "smpp", Sender: c, Window: 100, BulkWindow: 100}}
			bulkBacklog(b, db, b.N)
			b.ResetTimer()
			start := time.Now()
			run(b, w)
			// Claimed messages stay queued until their outcome is
			// recorded: none queued means every one is recorded.
			for queued(b, db) > 0 {
				time.Sleep(20 * time.Millisecond)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if got := s.Counts().Total; got != b.N {
				b.Fatalf("SMSC got %d submits, want %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "submit_sm/s")
		})
	}
}

// watched is an SMPP route that reports when a message to a watched
// number has been submitted.
type watched struct {
	*smpp.Client
	mu    sync.Mutex
	waits map[string]chan struct{}
}

func (w *watched) watch(to string) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.waits[to] = ch
	return ch
}

func (w *watched) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	res, err := w.Client.Send(ctx, m)
	w.mu.Lock()
	if ch, ok := w.waits[m.To]; ok && err == nil {
		close(ch)
		delete(w.waits, m.To)
	}
	w.mu.Unlock()
	return res, err
}

// BenchmarkTokenBehindBulk measures the time from queueing a token
// message behind 100,000 bulk messages, with bulk being sent on the same
// bind at its rate limit, to the SMSC's answer to its submit_sm.
func BenchmarkTokenBehindBulk(b *testing.B) {
	for _, d := range storetest.Engines() {
		for _, tps := range []float64{100, 1000} {
			b.Run(fmt.Sprintf("%s/tps=%g", d, tps), func(b *testing.B) {
				db := storetest.Open(b, d)
				s := smsctest.Start(b)
				s.Configure(smsctest.Settings{DropReceipts: smsctest.Ptr(true)})
				w := &notify.Worker{DB: db, From: "MTEJA"}
				route := &watched{Client: smppRoute(b, s, w, "smpp", func(c *smpp.Config) { c.TPS = tps }), waits: map[string]chan struct{}{}}
				w.Routes = []notify.Route{{Name: "smpp", Sender: route}}
				bulkBacklog(b, db, 100_000)
				run(b, w)
				for s.Counts().Total < 100 {
					time.Sleep(10 * time.Millisecond)
				}
				var total, worst time.Duration
				b.ResetTimer()
				for i := range b.N {
					to := fmt.Sprintf("2547999%05d", i)
					done := route.watch(to)
					start := time.Now()
					enqueue(b, db, token(to, to))
					w.Wake()
					<-done
					d := time.Since(start)
					total += d
					worst = max(worst, d)
				}
				b.StopTimer()
				if s.Counts().Total >= 100_000 {
					b.Fatal("the bulk backlog ran dry: the figure says nothing")
				}
				b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/token")
				b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
			})
		}
	}
}

func queued(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM messages WHERE state = 'queued'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
