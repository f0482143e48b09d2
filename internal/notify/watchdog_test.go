package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func compose(ctx context.Context, m notify.Message) (notify.DelayNotice, error) {
	if m.Ref == "gone" {
		return notify.DelayNotice{}, fmt.Errorf("vend %s: %w", m.Ref, store.ErrNotFound)
	}
	return notify.DelayNotice{Amount: "KES 500.00", Meter: "54500320905", Receipt: "SKL51ZDR4F",
		Token: "3683-3915-5230-1084-7777", USSD: "*384*123#"}, nil
}

// Token messages go by route a, which takes them but whose receipts have
// stalled. Two minutes on, each customer gets one delay notice by route
// b, and an incident opens; when delivery recovers, it closes.
func TestWatchdogNoticesAndIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(db)
		a, b := &notify.Sink{}, &notify.Sink{}
		a.SetSilent(true)
		w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: a}, {Name: "b", Sender: b}}}
		b.OnReceipt = w.Receipt
		m := notify.NewMetrics()
		wd := &notify.Watchdog{DB: db, Compose: compose, Metrics: m, Now: clk.Now}

		var late []string
		for i := range 10 {
			late = append(late, fmt.Sprintf("25471100%04d", i))
		}
		var msgs []notify.Message
		for i, to := range late {
			msgs = append(msgs, token(to, fmt.Sprint("v", i)))
		}
		msgs[9].Ref = "gone" // its vend cannot be read: the notice repeats the message
		msgs[9].Language = "sw"
		enqueue(t, db, msgs...)
		drain(t, w)
		if n := len(a.Messages()); n != 10 {
			t.Fatalf("route a took %d of 10", n)
		}

		clk.Add(90 * time.Second)
		c, err := wd.RunOnce(ctx)
		if err != nil || !c.Leader || c.Notices != 0 || len(c.Opened) != 0 {
			t.Fatalf("before the objective: %+v %v", c, err)
		}

		clk.Add(45 * time.Second)
		c, err = wd.RunOnce(ctx)
		if err != nil || c.Notices != 10 {
			t.Fatalf("after the objective: %+v %v", c, err)
		}
		if len(c.Opened) != 1 || c.Opened[0] != notify.KindDeliverySLO+notify.LaneToken {
			t.Fatalf("incidents opened: %v", c.Opened)
		}
		inc, err := notify.OpenIncidents(ctx, db)
		if err != nil || len(inc) != 1 || !strings.Contains(inc[0].Detail, "10 of 10") {
			t.Fatalf("open incidents: %+v %v", inc, err)
		}
		drain(t, w)
		sent := b.Messages()
		if len(sent) != 10 {
			t.Fatalf("route b sent %d notices, want 10", len(sent))
		}
		for _, s := range sent {
			want := "Your token is 3683-3915-5230-1084-7777"
			if s.To == late[9] {
				want = "Token:1234" // the late message's own text
			}
			if !strings.Contains(s.Text, want) {
				t.Errorf("notice to %s: %q lacks %q", s.To, s.Text, want)
			}
		}
		// Once each: another round sends nothing more.
		if c, err := wd.RunOnce(ctx); err != nil || c.Notices != 0 {
			t.Fatalf("second round: %+v %v", c, err)
		}
		notices, _ := notify.ByRef(ctx, db, "v0")
		if len(notices) != 2 || notices[0].NoticeAt.IsZero() || notices[1].Template != "token_delayed" || notices[1].Route != "b" {
			t.Fatalf("messages of v0: %+v", notices)
		}

		// Delivery recovers: new messages are delivered at once.
		// (RunOnce also applies receipts that raced their submit's record.)
		eventually(t, "notices delivered", func() bool { w.RunOnce(ctx); return states(t, db)[notify.StateDelivered] == 10 })
		clk.Add(time.Minute)
		a.SetSilent(false)
		a.OnReceipt = w.Receipt
		var fresh []notify.Message
		for i := range 10 {
			fresh = append(fresh, token(fmt.Sprintf("25472200%04d", i), fmt.Sprint("f", i)))
		}
		enqueue(t, db, fresh...)
		drain(t, w)
		eventually(t, "fresh messages delivered", func() bool { w.RunOnce(ctx); return states(t, db)[notify.StateDelivered] == 20 })
		// The late batch leaves the window; the fresh one fills it.
		clk.Add(5 * time.Minute)
		c, err = wd.RunOnce(ctx)
		if err != nil || len(c.Closed) != 1 || c.Notices != 0 {
			t.Fatalf("after recovery: %+v %v", c, err)
		}
		if inc, _ := notify.OpenIncidents(ctx, db); len(inc) != 0 {
			t.Fatalf("still open: %+v", inc)
		}
		all, _ := notify.Incidents(ctx, db, 10)
		if len(all) != 1 || all[0].Open() {
			t.Fatalf("incidents: %+v", all)
		}
		if v := counter(t, m.Notices); v != 10 {
			t.Errorf("notices counted: %v", v)
		}
	})
}

// Several nodes share one PostgreSQL: one watchdog acts, the others
// stand by, and one takes over when the first lets go.
func TestWatchdogOneLeader(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, store.Postgres) // skips without PostgreSQL
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	first, second := &notify.Watchdog{DB: open()}, &notify.Watchdog{DB: open()}
	if c, err := first.RunOnce(ctx); err != nil || !c.Leader {
		t.Fatalf("first: %+v %v", c, err)
	}
	if c, err := second.RunOnce(ctx); err != nil || c.Leader {
		t.Fatalf("second led beside the first: %+v %v", c, err)
	}
	if c, _ := first.RunOnce(ctx); !c.Leader {
		t.Fatal("first lost the lead")
	}
	first.Release()
	if c, err := second.RunOnce(ctx); err != nil || !c.Leader {
		t.Fatalf("second did not take over: %+v %v", c, err)
	}
	second.Release()
}
