package isp_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Staff find subscribers by phone in any form, by the start of a
// username, or by any part of a name; what they type is never a pattern.
func TestFindSubscribers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		if _, _, err := b.svc.CreateSubscriber(ctx, isp.Subscriber{Username: "wanjiru_k", Name: "Wanjiru Kamau"}, ""); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			typed string
			want  []string
		}{
			{"", []string{"wanjiru_k", "bob", "alice"}},
			{"0712000001", []string{"alice"}},
			{"+254 712 000 002", []string{"bob"}},
			{"ALI", []string{"alice"}},
			{"kamau", []string{"wanjiru_k"}},
			{"lice", nil}, // a username matches from its start
			{"%", nil},
			{"_", nil}, // a literal underscore, not any character
			{"wanjiru_", []string{"wanjiru_k"}},
			{"0799999999", nil},
		} {
			got, err := b.svc.FindSubscribers(ctx, tt.typed)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, l := range got {
				names = append(names, l.Username)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("FindSubscribers(%q) = %q, want %q", tt.typed, names, tt.want)
			}
		}
		got, _ := b.svc.FindSubscribers(ctx, "alice")
		if len(got) != 1 || got[0].PlanID != daily.ID || got[0].State != isp.Pending {
			t.Errorf("alice listed as %+v; want pending on %s", got, daily.ID)
		}
		if states, err := b.svc.SubscriptionStates(ctx); err != nil || states[isp.Pending] != 2 || len(states) != 1 {
			t.Errorf("SubscriptionStates = %v, %v; want alice and bob pending", states, err)
		}
	})
}

// Online sessions are listed with their router's counters, a silent one
// marked stale; staff disconnect one, which queues one Disconnect however
// often they ask, audited, and is refused once the session has ended.
func TestSessionsAndDisconnect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKL0000001", "alice", kes(50))
		b.acct(t, radius.AcctStart, "alice", "s1", 0, 0)
		b.clock.Add(time.Minute)
		b.acct(t, radius.AcctInterim, "alice", "s1", 1000, 5000)
		open, total, err := b.svc.OnlineSessions(ctx, 10)
		if err != nil || total != 1 || len(open) != 1 {
			t.Fatalf("OnlineSessions = %+v, %d, %v", open, total, err)
		}
		s := open[0]
		if s.Username != "alice" || s.SubscriberID != b.alice.ID || s.InputBytes != 1000 || s.OutputBytes != 5000 || s.FramedIP != "10.5.50.7" ||
			s.NASID != b.nas.ID || s.Stale || !s.LastAt.Equal(b.clock.Now()) {
			t.Errorf("the open session: %+v", s)
		}
		routers, err := b.svc.RouterList(ctx)
		if err != nil || len(routers) != 1 || routers[0].Online != 1 || !routers[0].LastHeard.Equal(b.clock.Now()) || routers[0].Secret != nil {
			t.Errorf("RouterList = %+v, %v", routers, err)
		}

		b.clock.Add(2*s.Interim + time.Second)
		if open, _, _ := b.svc.OnlineSessions(ctx, 10); len(open) != 1 || !open[0].Stale {
			t.Errorf("a session silent for two interims: %+v, want stale", open)
		}

		if err := b.svc.DisconnectSession(ctx, s.Key, "staff:care", ""); !errors.Is(err, isp.ErrReason) {
			t.Errorf("a disconnect without a reason: %v", err)
		}
		for range 2 {
			if err := b.svc.DisconnectSession(ctx, s.Key, "staff:care", "a stuck login"); err != nil {
				t.Fatal(err)
			}
		}
		changes, err := b.svc.ChangesOf(ctx, "alice", 10)
		if err != nil || len(changes) != 1 || !changes[0].Disconnect || changes[0].State != isp.ChangePending || changes[0].Reason != "a stuck login" {
			t.Errorf("ChangesOf(alice) = %+v, %v; want one pending Disconnect", changes, err)
		}
		ev, _ := payment.AuditEvents(ctx, db.Read(), payment.AuditFilter{Action: "isp.disconnect", Subject: s.Key})
		if len(ev) != 2 || ev[0].Actor != "staff:care" {
			t.Errorf("audit of the disconnects: %+v", ev)
		}

		b.acct(t, radius.AcctStop, "alice", "s1", 2000, 6000)
		if err := b.svc.DisconnectSession(ctx, s.Key, "staff:care", "again"); !errors.Is(err, isp.ErrState) {
			t.Errorf("disconnecting an ended session: %v, want ErrState", err)
		}
		if _, err := b.svc.SessionsOf(ctx, b.alice.ID, 10); err != nil {
			t.Fatal(err)
		}
		if all, _ := b.svc.SessionsOf(ctx, b.alice.ID, 10); len(all) != 1 || all[0].StoppedAt.IsZero() || all[0].Stale {
			t.Errorf("alice's sessions after the Stop: %+v", all)
		}
		if err := b.svc.DisconnectSession(ctx, "no such session", "staff:care", "why"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown session: %v", err)
		}
	})
}

// Staff reconnect a subscription they suspended while its period runs;
// one with nothing left is reconnected by paying.
func TestReconnect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.pay(t, "SKL0000002", "alice", kes(50))
		sub := b.live(t, b.alice)
		if err := b.svc.Reconnect(ctx, sub.ID, "staff:care", "not suspended"); !errors.Is(err, isp.ErrState) {
			t.Errorf("reconnecting an active subscription: %v", err)
		}
		if err := b.svc.Suspend(ctx, sub.ID, "staff:care", "reported stolen"); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.Reconnect(ctx, sub.ID, "staff:care", ""); !errors.Is(err, isp.ErrReason) {
			t.Errorf("a reconnect without a reason: %v", err)
		}
		if err := b.svc.Reconnect(ctx, sub.ID, "staff:care", "phone found"); err != nil {
			t.Fatal(err)
		}
		if got := b.live(t, b.alice); got.State != isp.Active {
			t.Errorf("after reconnecting: %s", got.State)
		}
		h, _ := b.svc.History(ctx, sub.ID)
		if last := h[len(h)-1]; last.From != isp.Suspended || last.To != isp.Active || last.Reason != "phone found" || last.Actor != "staff:care" {
			t.Errorf("the history's last change: %+v", last)
		}
		if err := b.svc.Suspend(ctx, sub.ID, "staff:care", "abuse"); err != nil {
			t.Fatal(err)
		}
		b.clock.Add(25 * time.Hour)
		if err := b.svc.Reconnect(ctx, sub.ID, "staff:care", "too late"); !errors.Is(err, isp.ErrState) {
			t.Errorf("reconnecting after the period ended: %v, want ErrState", err)
		}
	})
}

// Batches are listed with how many are used, and a batch's vouchers show
// who used them, without their codes.
func TestVoucherBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		batch, err := b.svc.NewVouchers(ctx, hour.ID, 3, b.clock.Now().AddDate(0, 1, 0), "shop 4", "staff:finance")
		if err != nil {
			t.Fatal(err)
		}
		_, vs, _ := b.svc.Vouchers(ctx, batch.ID)
		if _, err := b.svc.Redeem(ctx, vs[1].Code, "alice", "sms"); err != nil {
			t.Fatal(err)
		}
		list, err := b.svc.VoucherBatches(ctx, 10)
		if err != nil || len(list) != 1 || list[0].Used != 1 || list[0].Count != 3 || list[0].Note != "shop 4" {
			t.Fatalf("VoucherBatches = %+v, %v", list, err)
		}
		one, err := b.svc.Batch(ctx, batch.ID)
		if err != nil || one.Used != 1 || one.PlanID != hour.ID {
			t.Errorf("Batch = %+v, %v", one, err)
		}
		if _, err := b.svc.Batch(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown batch: %v", err)
		}
		uses, err := b.svc.VoucherUses(ctx, batch.ID)
		if err != nil || len(uses) != 3 || uses[1].Username != "alice" || uses[1].RedeemedAt.IsZero() || !uses[0].RedeemedAt.IsZero() || uses[0].Username != "" {
			t.Errorf("VoucherUses = %+v, %v", uses, err)
		}
	})
}

// Staff create a plan once under its id and change it as itself; each is
// audited with what changed.
func TestPlanChangesAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		if err := b.svc.CreatePlan(ctx, daily, "staff:admin"); !errors.Is(err, isp.ErrPlanExists) {
			t.Errorf("a second plan under an id: %v, want ErrPlanExists", err)
		}
		p := isp.Plan{ID: "night", Name: "Night 5 GB", Kind: isp.Hotspot, Billing: isp.Bundle, Price: kes(30), Duration: 8 * time.Hour, Data: 5 * isp.GB, Active: true}
		if err := b.svc.CreatePlan(ctx, p, "staff:admin"); err != nil {
			t.Fatal(err)
		}
		if got, err := b.svc.GetPlan(ctx, "night"); err != nil || got.SharedUsers != 1 || got.Price != kes(30) {
			t.Errorf("the new plan: %+v, %v", got, err)
		}
		p.Price, p.Rate = kes(35), isp.RateLimit{Rx: 1_000_000, Tx: 3_000_000}
		if err := b.svc.UpdatePlan(ctx, p, "staff:admin"); err != nil {
			t.Fatal(err)
		}
		bad := p
		bad.Price = kes(35) + 50 // cents
		if err := b.svc.UpdatePlan(ctx, bad, "staff:admin"); !errors.Is(err, isp.ErrPlan) {
			t.Errorf("a price in cents: %v, want ErrPlan", err)
		}
		if err := b.svc.UpdatePlan(ctx, isp.Plan{ID: "nope", Name: "x", Kind: isp.Hotspot, Billing: isp.Bundle, Data: isp.GB}, "staff:admin"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("changing a plan that is not there: %v, want ErrNotFound", err)
		}
		ev, _ := payment.AuditEvents(ctx, db.Read(), payment.AuditFilter{Subject: "night"})
		var got []string
		for _, e := range ev {
			got = append(got, e.Action+": "+e.Detail)
		}
		slices.Sort(got)
		want := []string{"isp.plan.change: price 30.00 → 35.00; speed  → 1M/3M",
			"isp.plan.create: name  → Night 5 GB; kind  → hotspot; billing  → bundle; price 0.00 → 30.00; duration 0s → 8h0m0s; data 0 → 5000000000; shared users 0 → 1; on sale false → true"}
		if !slices.Equal(got, want) {
			t.Errorf("audit of the plan:\n got %q\nwant %q", got, want)
		}
	})
}
