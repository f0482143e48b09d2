package charter_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestReminder: compensation left waiting a week is recalled to the
// meter's phone once, held through quiet hours, and never to a phone that
// sent STOP.
func TestReminder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.eval.Quiet = notify.DefaultQuietHours // 21:00-07:00 EAT
		b.noToken(t)
		b.clock.add(5 * time.Hour) // 15:00: breached
		if n, err := b.eval.RunOnce(ctx); err != nil || n.Breached != 1 {
			t.Fatalf("%+v, %v", n, err)
		}
		reminders := func() []notify.Message {
			var out []notify.Message
			msgs, _ := notify.ByRef(ctx, db, drn)
			for _, m := range msgs {
				if m.Template == "charter_reminder" {
					out = append(out, m)
				}
			}
			return out
		}
		b.clock.add(6 * 24 * time.Hour)
		if n, err := b.eval.Remind(ctx); err != nil || n != 0 {
			t.Fatalf("after 6 days: %d, %v; want no reminder yet", n, err)
		}
		b.clock.set(eat("2026-11-10 22:30")) // a week on, in quiet hours
		for i, want := range []int{1, 0} {
			if n, err := b.eval.Remind(ctx); err != nil || n != want {
				t.Fatalf("run %d: %d, %v; want %d", i, n, err, want)
			}
		}
		rs := reminders()
		var held int64
		db.Read().QueryRow(`SELECT next_attempt_at FROM messages WHERE template = 'charter_reminder'`).Scan(&held)
		if len(rs) != 1 || rs[0].Recipient != phone || rs[0].Language != "sw" || !store.Time(held).Equal(eat("2026-11-11 07:00")) {
			t.Fatalf("reminders %+v, held until %s; want one in Swahili, held until 07:00 EAT", rs, store.Time(held))
		}

		// A second breach for a customer who sent STOP: no reminder.
		b.clock.set(eat("2026-11-12 09:00"))
		if _, err := db.Write().ExecContext(ctx, `INSERT INTO sms_optouts (msisdn, created_at) VALUES ($1, $2)`, phone, store.Micros(b.clock.now())); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: phone, MeterDRN: drn, Category: care.CategoryNoToken, Note: "again"}); err != nil {
			t.Fatal(err)
		}
		b.clock.add(5 * time.Hour)
		if n, err := b.eval.RunOnce(ctx); err != nil || n.Breached != 1 {
			t.Fatalf("second breach: %+v, %v", n, err)
		}
		b.clock.add(8 * 24 * time.Hour)
		if n, err := b.eval.Remind(ctx); err != nil || n != 0 || len(reminders()) != 1 {
			t.Fatalf("after STOP: %d reminded, %v, %d reminders; want none more", n, err, len(reminders()))
		}
	})
}
