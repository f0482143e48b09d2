package outreach

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
)

var testWays = Ways{Utility: "Mteja Power", Paybill: "888880", USSDCode: "*384*123#"}

// noon is 12:00 EAT, outside quiet hours.
var noon = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

func TestReminderSweep(t *testing.T) {
	t.Parallel()
	twoNodes(t, func(t *testing.T, db, db2 *store.DB) {
		ctx := context.Background()
		b := setup(t, db, noon)
		const (
			regular    = "54500320905" // every 9 days, 11 since: due
			opted      = "54500320913" // due, but one of its phones sent STOP
			justBought = "54500320921"
			newMeter   = "54500320939" // three purchases
			dark       = "54500320947" // due, in an area with an outage
			irregular  = "54500320954"
			other      = "54500320962" // every 9 days, 11 since, another customer
		)
		b.customer(t, "grace", "en", "254712000111", "254712000222")
		b.customer(t, "juma", "sw", "254722000333", "254722000444")
		b.customer(t, "amina", "sw", "254733000555")
		b.customer(t, "otieno", "en", "254744000666")
		b.meter(t, regular, "grace", "kenya-domestic-sample", "Kisumu")
		b.meter(t, opted, "juma", "kenya-domestic-sample", "Kisumu")
		b.meter(t, justBought, "grace", "kenya-domestic-sample", "Kisumu")
		b.meter(t, newMeter, "amina", "kenya-domestic-sample", "Kisumu")
		b.meter(t, dark, "amina", "kenya-domestic-sample", "Eldoret")
		b.meter(t, irregular, "otieno", "kenya-domestic-sample", "Kisumu")
		b.meter(t, other, "otieno", "kenya-domestic-sample", "Kisumu")
		b.exec(t, `INSERT INTO sms_optouts (msisdn, created_at) VALUES ('254722000444', 0)`)

		elevenAgo := noon.AddDate(0, 0, -11)
		b.buyEvery(t, regular, elevenAgo, 9, 6)
		b.buyEvery(t, opted, elevenAgo, 9, 6)
		b.buyEvery(t, justBought, noon.Add(-time.Hour), 9, 6)
		b.buyEvery(t, newMeter, elevenAgo, 9, 3)
		b.buyEvery(t, dark, elevenAgo, 9, 6)
		for _, d := range []int{90, 88, 58, 53, 33, 24} {
			b.buy(t, irregular, noon.AddDate(0, 0, -d), 500)
		}
		b.buyEvery(t, other, elevenAgo, 9, 5)
		if _, err := care.AnnounceOutage(ctx, db, care.Outage{Area: "Eldoret", Message: "Supply interrupted"}, "test"); err != nil {
			t.Fatal(err)
		}

		r := &Reminders{DB: db, Quiet: notify.DefaultQuietHours, Ways: testWays}
		n, err := r.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("reminded %d meters, want 3 (regular, opted, other)", n)
		}
		got := map[string]notify.Message{}
		for _, m := range b.messages(t, ReminderTemplate) {
			if _, dup := got[m.Recipient]; dup {
				t.Errorf("%s reminded twice", m.Recipient)
			}
			got[m.Recipient] = m
			if m.Lane != notify.LaneBulk || len(m.Body) > smsLen {
				t.Errorf("%s: lane %s, %d characters: %q", m.Recipient, m.Lane, len(m.Body), m.Body)
			}
		}
		want := map[string]string{
			"254712000111": "Mteja Power: you usually buy KES 500 of power every 9 days; it has been 11. Pay M-Pesa Paybill 888880, account 54500320905. Send STOP to end reminders.",
			"254712000222": "Mteja Power: you usually buy KES 500 of power every 9 days; it has been 11. Pay M-Pesa Paybill 888880, account 54500320905. Send STOP to end reminders.",
			"254722000333": "Mteja Power: kwa kawaida hununua umeme wa KES 500 kila siku 9; sasa ni siku 11. Lipa M-Pesa Paybill 888880, akaunti 54500320913. Tuma SITISHA kusimamisha.",
			"254744000666": "Mteja Power: you usually buy KES 500 of power every 9 days; it has been 11. Pay M-Pesa Paybill 888880, account 54500320962. Send STOP to end reminders.",
		}
		if len(got) != len(want) {
			t.Errorf("reminded %d phones, want %d: %v", len(got), len(want), keys(got))
		}
		for p, body := range want {
			if got[p].Body != body {
				t.Errorf("%s got %q\nwant %q", p, got[p].Body, body)
			}
		}

		// A second node, or the next sweep, sends nothing more this cycle.
		again := &Reminders{DB: db2, Quiet: notify.DefaultQuietHours, Ways: testWays}
		db2.Now = b.now
		b.set(noon.Add(2 * time.Hour))
		for _, s := range []*Reminders{r, again} {
			if n, err := s.Sweep(ctx); err != nil || n != 0 {
				t.Errorf("second sweep reminded %d (%v), want 0", n, err)
			}
		}

		// Supply back in Eldoret: that meter's reminder comes now.
		if _, err := db.Write().Exec(`UPDATE outages SET restored_at = 1`); err != nil {
			t.Fatal(err)
		}
		if n, err := r.Sweep(ctx); err != nil || n != 1 {
			t.Errorf("after the outage reminded %d (%v), want 1", n, err)
		}

		// Grace buys, then is late again: a new cycle, a new reminder.
		b.buy(t, regular, noon.AddDate(0, 0, 1), 500)
		b.set(noon.AddDate(0, 0, 12))
		n, err = r.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var cycle2 int
		for _, m := range b.messages(t, ReminderTemplate) {
			if strings.Contains(m.Body, regular) && m.QueuedAt.After(noon.AddDate(0, 0, 1)) {
				cycle2++
			}
		}
		if cycle2 != 2 {
			t.Errorf("new cycle: %d messages for the regular meter, want 2 (sweep reminded %d meters)", cycle2, n)
		}
	})
}

// At night no reminder is written: a purchase at dawn would make a held
// one false. The first sweep of the morning writes it, to go at once.
func TestReminderWaitsForMorning(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		night := time.Date(2026, 6, 15, 19, 30, 0, 0, time.UTC) // 22:30 EAT
		b := setup(t, db, night)
		b.customer(t, "grace", "en", "254712000111")
		b.customer(t, "juma", "en", "254722000333")
		b.meter(t, "54500320905", "grace", "kenya-domestic-sample", "")
		b.meter(t, "54500320913", "juma", "kenya-domestic-sample", "")
		b.buyEvery(t, "54500320905", night.AddDate(0, 0, -11), 9, 5)
		b.buyEvery(t, "54500320913", night.AddDate(0, 0, -11), 9, 5)
		r := &Reminders{DB: db, Quiet: notify.DefaultQuietHours, Ways: testWays}
		if n, err := r.Sweep(context.Background()); err != nil || n != 0 {
			t.Fatalf("at night reminded %d (%v), want 0", n, err)
		}
		b.buy(t, "54500320913", night.Add(8*time.Hour), 500)    // Juma buys at 06:30
		morning := time.Date(2026, 6, 16, 4, 5, 0, 0, time.UTC) // 07:05 EAT
		b.set(morning)
		if n, err := r.Sweep(context.Background()); err != nil || n != 1 {
			t.Fatalf("in the morning reminded %d (%v), want 1", n, err)
		}
		ms := b.messages(t, ReminderTemplate)
		if len(ms) != 1 || ms[0].Recipient != "254712000111" || !strings.Contains(ms[0].Body, "it has been 12") {
			t.Fatalf("messages %+v; want Grace's, 12 days", ms)
		}
		if at := b.releaseAt(t, ms[0].ID); !at.Equal(morning) {
			t.Errorf("released at %v, want %v", at, morning)
		}
	})
}

func TestReminderTextFitsOneSMS(t *testing.T) {
	t.Parallel()
	a := Assessment{Rhythm: Rhythm{UsualDays: 48, UsualAmount: 3500000}, SinceDays: 103}
	for _, w := range []Ways{testWays, {Utility: "Mteja Power", Paybill: "1234567"}, {Utility: "Mteja Power", USSDCode: "*384*12345#"}} {
		for _, lang := range []string{"en", "sw"} {
			for _, usual := range []int{1, 48} {
				a.UsualDays = usual
				s := w.ReminderText(lang, "0123456789012", a)
				if len(s) > smsLen || !strings.Contains(s, "0123456789012") {
					t.Errorf("%s, %+v: %d characters: %q", lang, w, len(s), s)
				}
			}
		}
	}
	daily := testWays.ReminderText("en", "54500320905", Assessment{Rhythm: Rhythm{UsualDays: 1, UsualAmount: 5000}, SinceDays: 2})
	if !strings.Contains(daily, "KES 50 of power every day; it has been 2 days.") {
		t.Errorf("daily: %q", daily)
	}
	none := Ways{Utility: "Mteja Power"}.ReminderText("sw", "54500320905", Assessment{Rhythm: Rhythm{UsualDays: 9, UsualAmount: 50000}, SinceDays: 11})
	if strings.Contains(none, "Paybill") || strings.Contains(none, "Piga") {
		t.Errorf("no way to buy configured, yet: %q", none)
	}
}

func keys(m map[string]notify.Message) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The console's figures: reminders per EAT day, notices per version.
func TestReport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, noon)
		late := time.Date(2026, 6, 14, 23, 30, 0, 0, tariff.Zone) // the 14th in Nairobi, the 14th 20:30 UTC
		early := time.Date(2026, 6, 15, 0, 30, 0, 0, tariff.Zone) // the 15th in Nairobi, still the 14th in UTC
		for i, r := range []struct {
			at     time.Time
			phones int
		}{{late, 2}, {early, 1}, {early.Add(time.Hour), 0}, {noon, 3}} {
			b.exec(t, `INSERT INTO credit_reminders (meter_drn, vend_id, usual_days, since_days, phones, sent_at) VALUES ($1, 'v', 9, 11, $2, $3)`,
				fmt.Sprint("m", i), r.phones, store.Micros(r.at))
		}
		b.exec(t, `INSERT INTO tariff_notices (tariff_id, effective_from, per_kwh, msisdn, message_id, sent_at) VALUES
			('soon', $1, 2366, '254712000111', 'a', $2), ('soon', $1, 2366, '254712000222', 'b', $3)`,
			store.Micros(time.Date(2026, 6, 17, 0, 0, 0, 0, tariff.Zone)), store.Micros(early), store.Micros(noon))
		days, err := ReminderDays(ctx, db, noon.AddDate(0, 0, -30))
		if err != nil {
			t.Fatal(err)
		}
		want := []ReminderDay{{time.Date(2026, 6, 15, 0, 0, 0, 0, tariff.Zone), 3, 4}, {time.Date(2026, 6, 14, 0, 0, 0, 0, tariff.Zone), 1, 2}}
		if len(days) != len(want) {
			t.Fatalf("days %+v, want %+v", days, want)
		}
		for i := range want {
			if !days[i].Day.Equal(want[i].Day) || days[i].Meters != want[i].Meters || days[i].Messages != want[i].Messages {
				t.Errorf("day %d: %+v, want %+v", i, days[i], want[i])
			}
		}
		runs, err := NoticeRuns(ctx, db, 10)
		if err != nil || len(runs) != 1 || runs[0].Phones != 2 || !runs[0].First.Equal(early) || !runs[0].Last.Equal(noon) {
			t.Errorf("notice runs %+v, %v", runs, err)
		}
	})
}
