package isp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// newMessages returns what was queued to a phone since it had n messages.
func (b *bundle) newMessages(t testing.TB, phone string, n *int) []string {
	t.Helper()
	all := b.messages(t, phone)
	out := all[*n:]
	*n = len(all)
	return out
}

// A monthly invoice chased to the end: reminders three days and one day
// before the due date at 09:00 EAT (never at night, never twice, whatever
// the nodes), grace after it with reminders, suspension into the walled
// garden, and a payment that reconnects.
func TestDunning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		other, err := isp.New(db, []byte("a seal key for the isp tests"), isp.Config{Name: "Mteja Net", ShortCodes: []string{ispShortCode}})
		must(t, err)
		b.pay(t, "SKD0000001", "bob", home.Price) // 15 May 10:00 to 15 June 10:00
		seen := len(b.messages(t, bobPhone))
		step := func(y, mo, d, h, mi int, wantSent int, want string) {
			t.Helper()
			b.clock.Set(eat(y, time.Month(mo), d, h, mi))
			b.sweep(t)
			must(t, other.SweepOnce(ctx))
			b.sweep(t)
			got := b.newMessages(t, bobPhone, &seen)
			if len(got) != wantSent || (want != "" && !strings.Contains(strings.Join(got, "\n"), want)) {
				t.Fatalf("%02d/%02d %02d:%02d: sent %q, want %d saying %q", d, mo, h, mi, got, wantSent, want)
			}
		}
		step(2025, 6, 8, 10, 0, 1, "invoice INV-2025-000002 for Home 10 Mbps (bob): KES 2,000.00, due 15/06/2025")
		step(2025, 6, 12, 8, 59, 0, "")
		step(2025, 6, 12, 9, 0, 1, "reminder: invoice INV-2025-000002 for Home 10 Mbps (bob), KES 2,000.00, is due 15/06/2025. Pay to Paybill 600100, account bob.")
		step(2025, 6, 12, 15, 0, 0, "")
		step(2025, 6, 14, 3, 0, 0, "")  // the night before: not yet
		step(2025, 6, 14, 21, 0, 0, "") // missed the day's window: not at night
		step(2025, 6, 15, 10, 0, 1, "Service goes on until 18/06/2025 10:00")
		if sub := b.live(t, b.bob); sub.State != isp.Grace {
			t.Fatalf("after the due date: %s", sub.State)
		}
		step(2025, 6, 16, 9, 0, 1, "invoice INV-2025-000002 for Home 10 Mbps (bob), KES 2,000.00, was due 15/06/2025. Service goes on until 18/06/2025 10:00.")
		// A session in grace, then suspension at the grace's end: the
		// session is disconnected and the next login is the walled garden.
		b.acct(t, radius.AcctStart, "bob", "s-grace", 0, 0)
		step(2025, 6, 18, 10, 0, 2, "was due 15/06/2025. Pay to Paybill")
		if sub := b.live(t, b.bob); sub.State != isp.Suspended {
			t.Fatalf("after grace: %s", sub.State)
		}
		if d := b.auth(t, "bob", pap(password), "AA:BB:CC:00:00:02"); d.Verdict != radius.WalledGarden {
			t.Fatalf("suspended login: %+v", d)
		}
		pending := func() int {
			var n int
			must(t, db.Read().QueryRow(`SELECT count(*) FROM isp_changes WHERE state = 'pending' AND disconnect = 1`).Scan(&n))
			return n
		}
		if pending() != 1 {
			t.Fatalf("%d Disconnects queued at suspension", pending())
		}
		// Paid: reconnected, the invoice paid, its period the one invoiced.
		b.clock.Set(eat(2025, 6, 18, 11, 0))
		b.pay(t, "SKD0000002", "bob", home.Price)
		if sub := b.live(t, b.bob); sub.State != isp.Active {
			t.Fatalf("after payment: %s", sub.State)
		}
		if d := b.auth(t, "bob", pap(password), "AA:BB:CC:00:00:02"); d.Verdict != radius.Accept {
			t.Fatalf("login after payment: %+v", d)
		}
		// The period invoiced was never taken: a credit note cancels its
		// invoice, and the period bought has its own, paid.
		invs := b.invoices(t, b.bob)
		if len(invs) != 3 || invs[1].Status != isp.InvoiceCredited || invs[2].Status != isp.InvoicePaid || !invs[2].PeriodStart.Equal(eat(2025, 6, 18, 11, 0)) {
			t.Fatalf("invoices after payment: %+v", invs)
		}
		notes, err := b.svc.Invoices(ctx, isp.InvoiceFilter{Credits: invs[1].ID})
		if err != nil || len(notes) != 1 || notes[0].Number != "CN-2025-000001" || notes[0].Refunded || !strings.Contains(notes[0].Reason, "replaced by INV-2025-000003") {
			t.Fatalf("credit notes of the period not taken: %+v, %v", notes, err)
		}
		// No reminder for a paid invoice.
		b.newMessages(t, bobPhone, &seen)
		step(2025, 6, 19, 9, 0, 0, "")
		b.checkBooks(t)
	})
}

// A plan whose dunning keeps service on: grace does not end by itself,
// and the reminders speak the subscriber's language.
func TestDunningWithoutSuspension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		keep := home
		keep.ID, keep.Grace = "home-keep", 0
		must(t, b.svc.SavePlan(ctx, keep))
		must(t, b.svc.SetDunning(ctx, isp.Dunning{PlanID: keep.ID, Offsets: []int{-1, 2}, Hour: 8}, "staff:fin"))
		u, _, err := b.svc.CreateSubscriber(ctx, isp.Subscriber{Username: "wanjiru", Language: "sw", Phones: []string{"254712000009"}}, password)
		must(t, err)
		_, err = b.svc.Subscribe(ctx, u.ID, keep.ID, "staff:care")
		must(t, err)
		b.pay(t, "SKD0000101", "wanjiru", keep.Price)
		b.clock.Set(eat(2025, 6, 14, 8, 0))
		b.sweep(t)
		msgs := b.messages(t, "254712000009")
		if last := msgs[len(msgs)-1]; !strings.Contains(last, "kumbusho: ankara INV-2025-000002") {
			t.Errorf("Swahili reminder: %q", last)
		}
		for _, at := range []struct{ d, h int }{{15, 10}, {17, 8}, {30, 12}} {
			b.clock.Set(eat(2025, 6, at.d, at.h, 0))
			b.sweep(t)
			if sub := b.live(t, u); sub.State != isp.Grace {
				t.Fatalf("%d June: %s, want service on in grace", at.d, sub.State)
			}
		}
		msgs = b.messages(t, "254712000009")
		if n := strings.Count(strings.Join(msgs, "\n"), "ankara INV-2025-000002"); n != 3 { // issued, -1, +2
			t.Errorf("%d messages about the invoice: %q", n, msgs)
		}
		d, err := b.svc.DunningOf(ctx, keep.ID)
		if err != nil || d.Suspend || d.Hour != 8 || len(d.Offsets) != 2 {
			t.Errorf("dunning read back: %+v, %v", d, err)
		}
		if d, _ := b.svc.DunningOf(ctx, home.ID); !d.Suspend || d.Hour != 9 {
			t.Errorf("default dunning: %+v", d)
		}
		for _, bad := range []isp.Dunning{
			{PlanID: keep.ID, Offsets: []int{1}, Hour: 22},
			{PlanID: keep.ID, Offsets: []int{1}, Hour: 5},
			{PlanID: keep.ID, Offsets: []int{-30}, Hour: 9},
			{PlanID: keep.ID, Offsets: []int{3, 1}, Hour: 9},
			{PlanID: daily.ID, Offsets: []int{1}, Hour: 9}, // a bundle
		} {
			if err := b.svc.SetDunning(ctx, bad, "staff:fin"); !errors.Is(err, isp.ErrDunning) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		if offs, err := isp.ParseOffsets("+3, -1 -3,1"); err != nil || len(offs) != 4 || offs[0] != -3 || offs[3] != 3 {
			t.Errorf("offsets typed: %v, %v", offs, err)
		}
		if _, err := isp.ParseOffsets("-3, soon"); !errors.Is(err, isp.ErrDunning) {
			t.Errorf("offsets mistyped: %v", err)
		}
	})
}

// The reminder sweep reads unpaid invoices page by page: every one is
// reminded, however many there are.
func TestRemindersPageByPage(t *testing.T) {
	isp.SetReminderPage(t, 2)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		var phones []string
		for i := range 5 {
			ph := fmt.Sprintf("2547120001%02d", i)
			u := b.subscriber(t, fmt.Sprintf("line%d", i), home.ID, ph)
			b.pay(t, fmt.Sprintf("SKP%07d", i), u.Username, home.Price)
			phones = append(phones, ph)
		}
		b.clock.Set(eat(2025, 6, 8, 10, 0))
		b.sweep(t) // the invoices
		b.clock.Set(eat(2025, 6, 12, 9, 30))
		b.sweep(t)
		b.sweep(t)
		for _, ph := range phones {
			if n := strings.Count(strings.Join(b.messages(t, ph), "\n"), "reminder: invoice"); n != 1 {
				t.Errorf("%s: %d reminders", ph, n)
			}
		}
	})
}
