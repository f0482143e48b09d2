package isp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A subscription's life, each change kept with its reason: pending until
// paid, active, in grace after an unpaid period (monthly), suspended,
// active again when paid, terminated for good.
func TestSubscriptionStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		sub := b.live(t, b.bob)
		if sub.State != isp.Pending || sub.PlanID != home.ID {
			t.Fatalf("new subscription %+v", sub)
		}
		// Paid on 15 May: the month runs to 15 June.
		b.pay(t, "SKR0000101", "bob", kes(2000))
		sub = b.live(t, b.bob)
		if sub.State != isp.Active || !sub.EndsAt.Equal(eat(2025, 6, 15, 10, 0)) || sub.AnchorDay != 15 {
			t.Fatalf("paid: %+v", sub)
		}
		// Unpaid at its end: three days' grace, then suspended.
		b.clock.Set(eat(2025, 6, 15, 10, 0))
		b.sweep(t)
		sub = b.live(t, b.bob)
		if sub.State != isp.Grace || !sub.GraceUntil.Equal(eat(2025, 6, 18, 10, 0)) {
			t.Fatalf("at its end: %+v", sub)
		}
		b.clock.Set(eat(2025, 6, 18, 10, 1))
		b.sweep(t)
		if sub = b.live(t, b.bob); sub.State != isp.Suspended {
			t.Fatalf("after grace: %s", sub.State)
		}
		// Paying again starts a new month now.
		b.pay(t, "SKR0000102", "bob", kes(2000))
		sub = b.live(t, b.bob)
		if sub.State != isp.Active || !sub.EndsAt.Equal(eat(2025, 7, 18, 10, 1)) || sub.AnchorDay != 18 {
			t.Fatalf("paid again: %+v", sub)
		}
		// Staff suspend and terminate, with reasons; some moves are refused.
		if err := b.svc.Suspend(ctx, sub.ID, "staff:care", ""); err == nil {
			t.Fatal("a suspension without a reason was taken")
		}
		if err := b.svc.Suspend(ctx, sub.ID, "staff:care", "abuse report 1234"); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.Suspend(ctx, sub.ID, "staff:care", "again"); !errors.Is(err, isp.ErrState) {
			t.Fatalf("suspend a suspended subscription: %v", err)
		}
		if err := b.svc.Terminate(ctx, sub.ID, "staff:care", "moved away"); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.Suspend(ctx, sub.ID, "staff:care", "after the end"); !errors.Is(err, isp.ErrState) {
			t.Fatalf("suspend a terminated subscription: %v", err)
		}
		if _, err := b.svc.Live(ctx, b.bob.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a terminated subscription is live: %v", err)
		}
		// A terminated subscriber may take a new subscription.
		if _, err := b.svc.Subscribe(ctx, b.bob.ID, daily.ID, "staff:care"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Subscribe(ctx, b.bob.ID, daily.ID, "staff:care"); !errors.Is(err, isp.ErrState) {
			t.Fatalf("a second live subscription: %v", err)
		}

		h, err := b.svc.History(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ from, to, reason string }{
			{"", isp.Pending, "subscribed"},
			{isp.Pending, isp.Active, "paid by M-Pesa SKR0000101"},
			{isp.Active, isp.Grace, "unpaid: its time ran out; service goes on until 18/06/2025 10:00 EAT"},
			{isp.Grace, isp.Suspended, "unpaid: its grace ran out"},
			{isp.Suspended, isp.Active, "paid by M-Pesa SKR0000102"},
			{isp.Active, isp.Suspended, "abuse report 1234"},
			{isp.Suspended, isp.Terminated, "moved away"},
		}
		if len(h) != len(want) {
			t.Fatalf("history has %d entries, want %d: %+v", len(h), len(want), h)
		}
		for i, w := range want {
			if h[i].From != w.from || h[i].To != w.to || h[i].Reason != w.reason {
				t.Errorf("history %d: %s → %s %q, want %s → %s %q", i, h[i].From, h[i].To, h[i].Reason, w.from, w.to, w.reason)
			}
		}
		if h[5].Actor != "staff:care" || h[1].Actor != "mpesa" || h[3].Actor != "system" {
			t.Errorf("actors: %q %q %q", h[5].Actor, h[1].Actor, h[3].Actor)
		}
		b.checkBooks(t)
	})
}

// A plan bought at 23:59 EAT lasts 24 hours; a monthly plan taken on 31
// January renews, from the wallet, to 28 February and then 31 March.
func TestTimeRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.clock.Set(eat(2025, 5, 15, 23, 59))
		b.pay(t, "SKR0000201", "alice", kes(50))
		if sub := b.live(t, b.alice); !sub.EndsAt.Equal(eat(2025, 5, 16, 23, 59)) {
			t.Fatalf("daily bundle at 23:59 ends %s", sub.EndsAt.In(eat(2025, 1, 1, 0, 0).Location()))
		}
		b.clock.Set(eat(2025, 5, 16, 23, 58))
		if d := b.auth(t, "alice", pap(password), "AA:01"); d.Verdict != 1 || d.SessionTimeout != time.Minute {
			t.Fatalf("a minute before its end: %+v", d)
		}
		b.clock.Set(eat(2025, 5, 16, 23, 59))
		if d := b.auth(t, "alice", pap(password), "AA:01"); d.Verdict != 2 {
			t.Fatalf("at its end: %+v, want the walled garden", d)
		}

		// Bob pays for three months on 31 January, at 01:00 EAT (the
		// 30th in UTC).
		b.clock.Set(eat(2025, 1, 31, 1, 0))
		b.pay(t, "SKR0000202", "bob", kes(6000))
		sub := b.live(t, b.bob)
		if !sub.EndsAt.Equal(eat(2025, 2, 28, 1, 0)) || b.wallet(t, b.bob) != kes(4000) {
			t.Fatalf("31 January: ends %s, wallet %s", sub.EndsAt, b.wallet(t, b.bob))
		}
		for _, end := range []time.Time{eat(2025, 3, 31, 1, 0), eat(2025, 4, 30, 1, 0)} {
			b.clock.Set(sub.EndsAt.Add(30 * time.Second)) // the sweep runs a little late
			b.sweep(t)
			sub = b.live(t, b.bob)
			if sub.State != isp.Active || !sub.EndsAt.Equal(end) || sub.AnchorDay != 31 {
				t.Fatalf("renewed: %s until %s (anchor %d), want until %s", sub.State, sub.EndsAt, sub.AnchorDay, end)
			}
		}
		if b.wallet(t, b.bob) != 0 {
			t.Fatalf("wallet %s after three months", b.wallet(t, b.bob))
		}
		b.checkBooks(t)
	})
}

// When 80% of a period's time has gone, the subscriber is told when it
// ends, once, unless the wallet will renew it.
func TestTimeAlert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKR0001601", "alice", kes(50)) // 10:00 to 10:00 the next day
		b.pay(t, "SKR0001602", "bob", kes(4000)) // a month, and the next in the wallet
		count := func(phone string) int { return len(b.messages(t, phone)) }
		before, bobBefore := count(alicePhone), count(bobPhone)
		b.clock.Set(eat(2025, 5, 16, 5, 11)) // 19h11m of 24h: not yet 80%
		b.sweep(t)
		if count(alicePhone) != before {
			t.Fatal("told before 80% of the day had gone")
		}
		b.clock.Set(eat(2025, 5, 16, 5, 13))
		b.sweep(t)
		b.sweep(t)
		msgs := b.messages(t, alicePhone)
		if len(msgs) != before+1 || !strings.Contains(msgs[len(msgs)-1], "Daily 1 GB for alice ends at 16/05/2025 10:00. To renew, pay KES 50.00 to Paybill 600100, account alice.") {
			t.Fatalf("time alert: %q", msgs[before:])
		}
		b.clock.Set(eat(2025, 6, 10, 10, 0))
		b.sweep(t)
		if count(bobPhone) != bobBefore {
			t.Fatal("told of an end the wallet will renew")
		}
	})
}

// A monthly plan paid for in its grace runs on from where the unpaid
// period ended: the service went on meanwhile.
func TestPaidInGrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.pay(t, "SKR0001701", "bob", kes(2000)) // 15 May to 15 June
		b.clock.Set(eat(2025, 6, 16, 9, 0))
		b.sweep(t)
		if sub := b.live(t, b.bob); sub.State != isp.Grace {
			t.Fatalf("after its end: %s", sub.State)
		}
		b.pay(t, "SKR0001702", "bob", kes(2000))
		sub := b.live(t, b.bob)
		if sub.State != isp.Active || !sub.PeriodStart.Equal(eat(2025, 6, 15, 10, 0)) || !sub.EndsAt.Equal(eat(2025, 7, 15, 10, 0)) {
			t.Fatalf("paid in grace: %s from %s to %s", sub.State, sub.PeriodStart, sub.EndsAt)
		}
		b.checkBooks(t)
	})
}
