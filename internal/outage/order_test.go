package outage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// backlog queues n outage notices in the bulk lane, each to its own
// phone, as a sweep of a large feeder does.
func backlog(t testing.TB, db *store.DB, n int) {
	t.Helper()
	msgs := make([]notify.Message, n)
	for i := range msgs {
		msgs[i] = notify.Message{Recipient: fmt.Sprintf("2547%08d", i), Lane: notify.LaneBulk, Template: "outage_started",
			Body: "Umeme: power is off in Kibera (feeder F1). Expected back by 02/12 15:00. We are working on it.", Ref: "event"}
	}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return notify.Enqueue(tx, msgs...) }); err != nil {
		t.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		// Autovacuum may be off: without statistics the planner may
		// not use the queue's index.
		if _, err := db.Write().Exec(`ANALYZE messages`); err != nil {
			t.Fatal(err)
		}
	}
}

func tokenMessage() notify.Message {
	return notify.Message{Recipient: "254799999999", Lane: notify.LaneToken, Template: "token", Body: "Token: 1234-5678-9012-3456-7890", Ref: "vend-1"}
}

// A token queued behind 100,000 outage notices is the very next message
// claimed: the claim takes lanes in priority order, so the token's wait is
// one claim, whatever the bulk backlog (BenchmarkTokenBehindOutage
// reports how long that is).
func TestTokenClaimedBeforeOutageBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		backlog(t, db, 100_000)
		if err := db.InTx(context.Background(), func(tx *store.Tx) error { return notify.Enqueue(tx, tokenMessage()) }); err != nil {
			t.Fatal(err)
		}
		sink := &notify.Sink{}
		w := &notify.Worker{DB: db, From: "MTEJA", Batch: 1, Routes: []notify.Route{{Name: "sink", Sender: sink}}}
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		sent := sink.Messages()
		if len(sent) != 1 || sent[0].To != "254799999999" {
			t.Fatalf("first claim sent %v; want only the token", sent)
		}
		var queued int
		if err := db.Read().QueryRow(`SELECT count(*) FROM messages WHERE lane = 'bulk' AND state = 'queued'`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued != 100_000 {
			t.Errorf("%d outage notices queued; want all 100000 still behind the token", queued)
		}
	})
}

// BenchmarkTokenBehindOutage reports the time from queueing a token
// behind 100,000 outage notices to its submission.
func BenchmarkTokenBehindOutage(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			backlog(b, db, 100_000)
			sink := &notify.Sink{}
			w := &notify.Worker{DB: db, From: "MTEJA", Batch: 1, Routes: []notify.Route{{Name: "sink", Sender: sink}}}
			b.ResetTimer()
			var total time.Duration
			for range b.N {
				start := time.Now()
				if err := db.InTx(context.Background(), func(tx *store.Tx) error { return notify.Enqueue(tx, tokenMessage()) }); err != nil {
					b.Fatal(err)
				}
				if _, err := w.RunOnce(context.Background()); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/token")
		})
	}
}
