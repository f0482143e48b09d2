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

func TestTokenGoesOutBeforeBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var bulk []notify.Message
		for i := range 2000 {
			bulk = append(bulk, notify.Message{Recipient: fmt.Sprintf("2547%08d", i), Lane: notify.LaneBulk, Template: "outage", Body: "Planned outage"})
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return notify.Enqueue(tx, bulk...) }); err != nil {
			t.Fatal(err)
		}
		// The token is queued after the bulk.
		tok := notify.Message{Recipient: "254708374149", Lane: notify.LaneToken, Template: "token", Body: "Token:1234", Ref: "v1"}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return notify.Enqueue(tx, tok) }); err != nil {
			t.Fatal(err)
		}
		sink := &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "sink", Sender: sink}}, Batch: 10}
		if n, err := w.RunOnce(ctx); err != nil || n != 10 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		first := sink.Messages()
		found := false
		for _, m := range first {
			found = found || m.To == "254708374149"
		}
		if !found {
			t.Fatal("token message was not in the first batch")
		}
		msgs, _ := notify.ByRef(ctx, db, "v1")
		if len(msgs) != 1 || msgs[0].State != notify.StateSubmitted || msgs[0].ProviderID == "" {
			t.Fatalf("token message = %+v", msgs)
		}
		ok, err := notify.HandleReceipt(ctx, db, sms.Receipt{ProviderID: msgs[0].ProviderID, State: sms.StateDelivered, At: time.Now()})
		if err != nil || !ok {
			t.Fatalf("receipt: %v %v", ok, err)
		}
		msgs, _ = notify.ByRef(ctx, db, "v1")
		if msgs[0].State != notify.StateDelivered {
			t.Fatalf("state after receipt = %s", msgs[0].State)
		}
	})
}

func TestFailoverAndRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		down := &notify.Sink{}
		down.SetDown(true)
		up := &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: down}, {Name: "b", Sender: up}}}
		db.InTx(ctx, func(tx *store.Tx) error {
			return notify.Enqueue(tx, notify.Message{Recipient: "254708374149", Lane: notify.LaneToken, Body: "x", Ref: "r"})
		})
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		msgs, _ := notify.ByRef(ctx, db, "r")
		if msgs[0].State != notify.StateSubmitted || msgs[0].Route != "b" {
			t.Fatalf("after failover: %+v", msgs[0])
		}
		// Every route down: the message stays queued for a later attempt.
		up.SetDown(true)
		db.InTx(ctx, func(tx *store.Tx) error {
			return notify.Enqueue(tx, notify.Message{Recipient: "254708374149", Lane: notify.LaneToken, Body: "y", Ref: "r2"})
		})
		w.RunOnce(ctx)
		msgs, _ = notify.ByRef(ctx, db, "r2")
		if msgs[0].State != notify.StateQueued || msgs[0].Attempts != 1 || msgs[0].LastError == "" {
			t.Fatalf("after total outage: %+v", msgs[0])
		}
	})
}
