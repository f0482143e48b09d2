package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestHandsetLimitDefersBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock(db)
		const to = "254708374149"
		var msgs []notify.Message
		for i := range 7 {
			msgs = append(msgs, notify.Message{Recipient: to, Lane: notify.LaneBulk, Body: fmt.Sprint("bulk ", i), Ref: fmt.Sprint("b", i)})
		}
		msgs = append(msgs, token(to, "t"))
		enqueue(t, db, msgs...)
		sink := &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "sink", Sender: sink}}}
		drain(t, w)
		// The token is exempt; bulk stops at five a minute, and waits.
		if got := len(sink.Messages()); got != 6 {
			t.Fatalf("sent %d messages in the first minute, want 5 bulk and the token", got)
		}
		if m := get(t, db, "t"); m.State != notify.StateSubmitted {
			t.Fatalf("token: %s", m.State)
		}
		queued := 0
		for i := range 7 {
			if get(t, db, fmt.Sprint("b", i)).State == notify.StateQueued {
				queued++
			}
		}
		if queued != 2 {
			t.Fatalf("%d bulk messages wait, want 2", queued)
		}
		clk.Add(61 * time.Second)
		drain(t, w)
		if got := len(sink.Messages()); got != 8 {
			t.Fatalf("sent %d after the minute, want all 8", got)
		}
	})
}

// A node that stopped mid-send leaves its claim to run out with the send's
// route written down: the message may have gone out there, so it is
// recorded as submitted with its outcome unknown, and not sent again.
func TestInterruptedSendIsNotRepeated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		enqueue(t, db, token("254708374149", "v1"))
		if _, err := db.Write().ExecContext(ctx, `UPDATE messages SET claimed_until = 1, sending_route = 'a'`); err != nil {
			t.Fatal(err)
		}
		a := &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: a}}}
		drain(t, w)
		if n := len(a.Messages()); n != 0 {
			t.Fatalf("resent %d times on the route it may already have gone by", n)
		}
		m := get(t, db, "v1")
		if m.State != notify.StateSubmitted || m.Route != "a" || !strings.Contains(m.LastError, "unknown") {
			t.Fatalf("interrupted message: %+v", m)
		}
	})
}

// unknownRoute answers every send with "outcome unknown".
type unknownRoute struct{ counting }

func (u *unknownRoute) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	u.counting.Send(ctx, m)
	return sms.SubmitResult{}, fmt.Errorf("connection lost after submit: %w", sms.ErrUnknownOutcome)
}

func TestUnknownOutcomeStopsFailover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		enqueue(t, db, token("254708374149", "v1"))
		a, b := &unknownRoute{}, &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: a}, {Name: "b", Sender: b}}}
		drain(t, w)
		m := get(t, db, "v1")
		if a.n() != 1 || len(b.Messages()) != 0 {
			t.Fatalf("route a sent %d, b %d: an unknown outcome must not fail over", a.n(), len(b.Messages()))
		}
		if m.State != notify.StateSubmitted || m.Route != "a" || m.ProviderID != "" {
			t.Fatalf("message: %+v", m)
		}
	})
}

// halfSent sends the first part of a long message, then fails.
type halfSent struct{ counting }

func (h *halfSent) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	h.counting.Send(ctx, m)
	return sms.SubmitResult{ProviderIDs: []string{"part-1"}, Parts: 2}, fmt.Errorf("part 2 of 2: %w", sms.ErrTemporary)
}

// A long message whose first part went out is not sent again, on that
// route or another: the first part's receipt can still settle it.
func TestPartlySentIsNotRepeated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		enqueue(t, db, token("254708374149", "v1"))
		a, b := &halfSent{}, &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: a}, {Name: "b", Sender: b}}}
		drain(t, w)
		m := get(t, db, "v1")
		if a.n() != 1 || len(b.Messages()) != 0 || m.State != notify.StateSubmitted || m.ProviderID != "part-1" {
			t.Fatalf("a sent %d, b %d; message %+v", a.n(), len(b.Messages()), m)
		}
		if ok, err := notify.HandleReceipt(context.Background(), db, sms.Receipt{ProviderID: "part-1", State: sms.StateDelivered}); !ok || err != nil {
			t.Fatalf("receipt of the first part: %v %v", ok, err)
		}
	})
}

// receiptFirst hands the receipt in before Send returns, as a fast SMSC
// (or another node's bind) can.
type receiptFirst struct {
	db   *store.DB
	sink notify.Sink
	t    *testing.T
}

func (r *receiptFirst) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	res, err := r.sink.Send(ctx, m)
	if err == nil {
		ok, err := notify.HandleReceipt(ctx, r.db, sms.Receipt{ProviderID: res.ProviderIDs[0], State: sms.StateDelivered})
		if err != nil || ok {
			r.t.Errorf("early receipt: applied %v, %v; want parked", ok, err)
		}
	}
	return res, err
}

func TestReceiptBeforeRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		enqueue(t, db, token("254708374149", "v1"))
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: &receiptFirst{db: db, t: t}}}}
		drain(t, w)
		if m := get(t, db, "v1"); m.State != notify.StateDelivered {
			t.Fatalf("message with an early receipt: %s", m.State)
		}
	})
}

func TestTTLExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock(db)
		enqueue(t, db, notify.Message{Recipient: "254708374149", Lane: notify.LaneBulk, Body: "sale", Ref: "b"})
		clk.Add(3 * time.Hour)
		sink := &notify.Sink{}
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: sink}}, TTL: map[string]time.Duration{notify.LaneBulk: time.Hour}}
		drain(t, w)
		if m := get(t, db, "b"); m.State != notify.StateExpired || len(sink.Messages()) != 0 {
			t.Fatalf("stale bulk: %s, sent %d", m.State, len(sink.Messages()))
		}
	})
}

func TestEnqueueRefusesUnknownLane(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.InTx(context.Background(), func(tx *store.Tx) error {
			return notify.Enqueue(tx, notify.Message{Recipient: "254708374149", Lane: "urgent", Body: "x"})
		})
		if err == nil || !strings.Contains(err.Error(), `unknown lane "urgent"`) {
			t.Fatalf("err = %v", err)
		}
	})
}

// openFirstRoute runs a worker whose route a (sending through broken,
// which fails) comes before a working route b, with a one-minute
// cool-down, and sends 10 tokens: a is tried FailThreshold (3) times,
// then skipped, and b takes them all.
func openFirstRoute(t *testing.T, db *store.DB, a notify.Sender, broken *counting) *notify.Worker {
	t.Helper()
	b := &notify.Sink{}
	w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: a}, {Name: "b", Sender: b}},
		Batch: 1, FailThreshold: 3, OpenMin: time.Minute}
	for i := range 10 {
		enqueue(t, db, token(fmt.Sprintf("2547000000%02d", i), fmt.Sprint("v", i)))
	}
	drain(t, w)
	if broken.n() != 3 || len(b.Messages()) != 10 {
		t.Fatalf("a tried %d times (want 3, then skipped), b sent %d of 10", broken.n(), len(b.Messages()))
	}
	return w
}

// After FailThreshold failures a route is skipped without being tried,
// until its cool-down ends; then one probe finds it fixed.
func TestBrokenRouteOpensAndRecovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock(db)
		a := &counting{broken: true}
		w := openFirstRoute(t, db, a, a)
		if st := w.RouteStatus(); !st[0].Open || st[0].Up() || !st[1].Up() {
			t.Fatalf("route status: %+v", st)
		}
		a.set(false)
		clk.Add(61 * time.Second)
		enqueue(t, db, token("254700000099", "probe"))
		drain(t, w)
		if m := get(t, db, "probe"); m.Route != "a" || a.n() != 4 {
			t.Fatalf("probe went by %q (a tried %d times)", m.Route, a.n())
		}
		if st := w.RouteStatus(); !st[0].Up() {
			t.Fatalf("a not closed after a good probe: %+v", st[0])
		}
	})
}

// binding is a route that keeps a bind, as the SMPP client does: it
// reports its successful binds.
type binding struct {
	counting
	binds atomic.Int64
}

func (b *binding) Stats() smpp.Stats { return smpp.Stats{Binds: b.binds.Load()} }

// A route whose sender binds again after its circuit opened is probed at
// once, not at the end of its cool-down; without a new bind it waits.
func TestReboundRouteProbedEarly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		a := &binding{}
		a.set(true)
		a.binds.Store(1)
		w := openFirstRoute(t, db, a, &a.counting)
		// Working again but not rebound (the clock stands still): still skipped.
		a.set(false)
		enqueue(t, db, token("254700000198", "waits"))
		drain(t, w)
		if m := get(t, db, "waits"); m.Route != "b" || a.n() != 3 {
			t.Fatalf("before a new bind: sent by %q, a tried %d times", m.Route, a.n())
		}
		a.binds.Add(1)
		enqueue(t, db, token("254700000199", "probe"))
		drain(t, w)
		if m := get(t, db, "probe"); m.Route != "a" || a.n() != 4 {
			t.Fatalf("after a new bind: probe sent by %q (a tried %d times)", m.Route, a.n())
		}
		if st := w.RouteStatus(); !st[0].Up() {
			t.Fatalf("a not closed after a good probe: %+v", st[0])
		}
	})
}

// A route that takes messages but sends no receipts goes silent after
// ReceiptTimeout; the next route takes over until a receipt comes.
func TestSilentRouteHandsOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(db)
		a, b := &notify.Sink{}, &notify.Sink{}
		a.SetSilent(true)
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: a}, {Name: "b", Sender: b}}, ReceiptTimeout: 5 * time.Minute}
		enqueue(t, db, token("254708374149", "v1"))
		drain(t, w)
		clk.Add(4 * time.Minute)
		if err := w.CheckRoutes(ctx); err != nil {
			t.Fatal(err)
		}
		if !w.RouteStatus()[0].Up() {
			t.Fatal("silent before ReceiptTimeout")
		}
		clk.Add(2 * time.Minute)
		if err := w.CheckRoutes(ctx); err != nil {
			t.Fatal(err)
		}
		if st := w.RouteStatus()[0]; !st.Silent {
			t.Fatalf("route a: %+v, want silent", st)
		}
		inc, err := notify.OpenIncidents(ctx, db)
		if err != nil || len(inc) != 1 || inc[0].Kind != notify.KindRouteSilent+"a" {
			t.Fatalf("open incidents: %+v %v", inc, err)
		}
		enqueue(t, db, token("254708374149", "v2"))
		drain(t, w)
		if m := get(t, db, "v2"); m.Route != "b" {
			t.Fatalf("next message went by %q, want b", m.Route)
		}
		// a's receipts come back.
		if ok, err := notify.HandleReceipt(ctx, db, sms.Receipt{ProviderID: get(t, db, "v1").ProviderID, State: sms.StateDelivered}); !ok || err != nil {
			t.Fatalf("late receipt: %v %v", ok, err)
		}
		if err := w.CheckRoutes(ctx); err != nil {
			t.Fatal(err)
		}
		enqueue(t, db, token("254708374149", "v3"))
		drain(t, w)
		if m := get(t, db, "v3"); m.Route != "a" {
			t.Fatalf("after receipts came back the message went by %q, want a", m.Route)
		}
		if inc, _ := notify.OpenIncidents(ctx, db); len(inc) != 0 {
			t.Fatalf("incident still open: %+v", inc)
		}
	})
}
