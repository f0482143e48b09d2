package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestReceiptsInBatches: receipts handed to a running worker are applied
// many to a statement; repeats change nothing, a failure receipt still
// fails its message, and a receipt for no message is parked, whatever
// else its batch holds.
func TestReceiptsInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 300
		w, sink := sendTokens(t, db, n, "r")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		defer func() { cancel(); <-done }()

		sent := sink.Messages()
		if len(sent) != n {
			t.Fatalf("sent %d, want %d", len(sent), n)
		}
		receive := w.OnReceipt("a")
		receive(sms.Receipt{ProviderID: sent[0].ProviderID, State: sms.StateUndeliverable, ErrCode: "001"})
		for _, m := range sent[1:] {
			receive(sms.Receipt{ProviderID: m.ProviderID, State: sms.StateDelivered})
		}
		for _, m := range sent[:10] {
			receive(sms.Receipt{ProviderID: m.ProviderID, State: sms.StateDelivered}) // repeats
		}
		receive(sms.Receipt{ProviderID: "no-such-message", State: sms.StateDelivered})

		var delivered, failed, parked int
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			err := db.Read().QueryRow(`SELECT
				(SELECT count(*) FROM messages WHERE state = 'delivered' AND delivered_at IS NOT NULL),
				(SELECT count(*) FROM messages WHERE state = 'failed'),
				(SELECT count(*) FROM receipts_unmatched)`).Scan(&delivered, &failed, &parked)
			if err != nil {
				t.Fatal(err)
			}
			if delivered+failed == n && parked == 1 {
				break
			}
		}
		if delivered != n-1 || failed != 1 || parked != 1 {
			t.Fatalf("delivered %d, failed %d, parked %d; want %d, 1, 1", delivered, failed, parked, n-1)
		}
		var route string
		var last int64
		if err := db.Read().QueryRow(`SELECT name, last_receipt_at FROM message_routes`).Scan(&route, &last); err != nil || route != "a" || last == 0 {
			t.Fatalf("route's last receipt: %q %d %v", route, last, err)
		}
	})
}

// A route's last receipt time is written at most once a second: every
// receipt transaction of every node would otherwise queue for its row.
func TestRouteHeardNotedOnceASecond(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock(db)
		w, sink := sendTokens(t, db, 3, "h")
		sent := sink.Messages()
		last := func() int64 {
			t.Helper()
			var at int64
			if err := db.Read().QueryRow(`SELECT last_receipt_at FROM message_routes WHERE name = 'a'`).Scan(&at); err != nil {
				t.Fatal(err)
			}
			return at
		}
		receive := w.OnReceipt("a") // applied at once: Run is not running
		receive(sms.Receipt{ProviderID: sent[0].ProviderID, State: sms.StateDelivered})
		first := last()
		if first != store.Micros(clk.Now()) {
			t.Fatalf("first receipt noted at %d, want %d", first, store.Micros(clk.Now()))
		}
		clk.Add(500 * time.Millisecond)
		receive(sms.Receipt{ProviderID: sent[1].ProviderID, State: sms.StateDelivered})
		if got := last(); got != first {
			t.Fatalf("noted again within a second: %d, was %d", got, first)
		}
		clk.Add(time.Second)
		receive(sms.Receipt{ProviderID: sent[2].ProviderID, State: sms.StateDelivered})
		if got := last(); got != store.Micros(clk.Now()) {
			t.Fatalf("a second later: %d, want %d", got, store.Micros(clk.Now()))
		}
	})
}

// sendTokens queues n token messages (refs prefix0, prefix1, ...) and sends
// them all on route "a", a sink that keeps them and sends no receipts.
func sendTokens(t *testing.T, db *store.DB, n int, prefix string) (*notify.Worker, *notify.Sink) {
	t.Helper()
	for i := range n {
		enqueue(t, db, token(fmt.Sprintf("2547%08d", i), fmt.Sprint(prefix, i)))
	}
	sink := &notify.Sink{Keep: n}
	w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: sink}}}
	drain(t, w)
	return w, sink
}
