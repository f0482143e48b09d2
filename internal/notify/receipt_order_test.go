package notify

import (
	"context"
	"testing"

	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Receipts applied in one batch count in the order they came: a message's
// failure followed by a "delivered" for it leaves it failed, as applying
// them one by one would; "delivered" first leaves it delivered.
func TestReceiptBatchKeepsArrivalOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return Enqueue(tx, Message{Recipient: "254700000001", Lane: LaneToken, Template: "token", Body: "b", Ref: "failed-first"},
				Message{Recipient: "254700000002", Lane: LaneToken, Template: "token", Body: "b", Ref: "delivered-first"})
		})
		if err != nil {
			t.Fatal(err)
		}
		sink := &Sink{Keep: 2}
		w := &Worker{DB: db, Routes: []Route{{Name: "a", Sender: sink}}}
		if n, err := w.RunOnce(ctx); err != nil || n != 2 {
			t.Fatalf("sent %d: %v", n, err)
		}
		provider := map[string]string{} // ref → provider id
		for _, ref := range []string{"failed-first", "delivered-first"} {
			ms, err := ByRef(ctx, db, ref)
			if err != nil || len(ms) != 1 || ms[0].ProviderID == "" {
				t.Fatalf("%s: %+v %v", ref, ms, err)
			}
			provider[ref] = ms[0].ProviderID
		}
		receipt := func(ref string, st sms.State) receiptItem {
			return receiptItem{route: "a", r: sms.Receipt{ProviderID: provider[ref], State: st}}
		}
		w.applyNow([]receiptItem{
			receipt("failed-first", sms.StateUndeliverable),
			receipt("delivered-first", sms.StateDelivered),
			receipt("failed-first", sms.StateDelivered),
			receipt("delivered-first", sms.StateUndeliverable),
		})
		for ref, want := range map[string]string{"failed-first": StateFailed, "delivered-first": StateDelivered} {
			ms, err := ByRef(ctx, db, ref)
			if err != nil || ms[0].State != want {
				t.Errorf("%s: state %q, want %q (%v)", ref, ms[0].State, want, err)
			}
		}
	})
}
