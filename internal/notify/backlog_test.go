package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// bulkBacklog queues n bulk messages, each to its own number (so the
// per-handset limit holds none back), in Enqueue's multi-row batches.
func bulkBacklog(t testing.TB, db *store.DB, n int) {
	t.Helper()
	msgs := make([]notify.Message, n)
	for i := range msgs {
		msgs[i] = notify.Message{Recipient: fmt.Sprintf("2547%08d", i), Lane: notify.LaneBulk, Template: "outage",
			Body: "Planned outage in Kilimani on Sunday 9:00-17:00. Mteja Power"}
	}
	start := time.Now()
	enqueue(t, db, msgs...)
	t.Logf("%s: queued %d bulk messages in %v", db.Dialect, n, time.Since(start).Round(time.Millisecond))
	if db.Dialect == store.Postgres {
		// Autovacuum may be off: without statistics the planner may not
		// use the queue's index.
		if _, err := db.Write().Exec(`ANALYZE messages`); err != nil {
			t.Fatal(err)
		}
	}
}

// A token queued behind 100,000 bulk messages, while bulk batches are
// being sent on the same bind, is submitted before the next bulk batch
// completes: at most one batch of bulk reaches the SMSC between its
// queueing and its own submit_sm.
func TestTokenBeforeBulkBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const batch = 64
		s := smsctest.Start(t)
		s.Configure(smsctest.Settings{DropReceipts: smsctest.Ptr(true)})
		w := &notify.Worker{DB: db, From: "MTEJA", BulkBatch: batch}
		w.Routes = []notify.Route{{Name: "smpp", Sender: smppRoute(t, s, w, "smpp", func(c *smpp.Config) { c.TPS = 500 })}}
		bulkBacklog(t, db, 100_000)
		run(t, w)
		eventually(t, "bulk under way", func() bool { return s.Counts().Total >= 2*batch })
		before := s.Counts().Total
		const to = "254799999999"
		enqueue(t, db, token(to, "tok"))
		w.Wake()
		eventually(t, "token submitted", func() bool { return get(t, db, "tok").State == notify.StateSubmitted })
		at := -1
		for i, sub := range s.Stats().Submits {
			if sub.Dest == to {
				at = i
			}
		}
		if at < 0 {
			t.Fatal("the token never reached the SMSC")
		}
		if between := at - before; between > batch {
			t.Fatalf("%d bulk submits went between queueing the token and its submit_sm; a bulk batch is %d", between, batch)
		} else {
			t.Logf("%s: %d bulk submits between queueing the token and its submit_sm (bulk batch %d)", db.Dialect, between, batch)
		}
	})
}
