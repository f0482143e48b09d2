package care_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
)

// The month's report against a hand-built month: tickets count in the
// Nairobi month they were opened (a ticket of 01:30 on 1 March in Nairobi
// is March's though it is February in UTC), by category and channel; the
// first staff reply and the resolution are timed from opening.
func TestTicketMonthReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var now time.Time
		db.Now = func() time.Time { return now }
		d := &care.Desk{DB: db}
		eat := func(day, hour, min int, month time.Month) time.Time {
			return time.Date(2026, month, day, hour, min, 0, 0, tariff.Zone)
		}
		type step struct {
			after time.Duration
			do    string // reply, resolve
		}
		fixture := []struct {
			at       time.Time
			channel  string
			category string
			steps    []step
		}{
			{eat(1, 1, 30, time.March), care.ChannelSMS, care.CategoryNoToken, []step{{30 * time.Minute, "reply"}, {2 * time.Hour, "resolve"}}},
			{eat(10, 9, 0, time.March), care.ChannelUSSD, care.CategoryOutage, []step{{10 * time.Minute, "reply"}, {5 * time.Hour, "resolve"}}},
			{eat(20, 12, 0, time.March), care.ChannelConsole, care.CategoryBilling, []step{{time.Hour, "reply"}}},
			{eat(31, 23, 30, time.March), care.ChannelPortal, care.CategoryOutage, nil},
			{eat(5, 8, 0, time.March), care.ChannelSMS, care.CategoryOther, []step{{time.Hour, "resolve"}}},
			{eat(1, 0, 10, time.April), care.ChannelSMS, care.CategoryOther, []step{{time.Minute, "reply"}}},
			{eat(28, 23, 59, time.February), care.ChannelSMS, care.CategoryOther, []step{{time.Minute, "reply"}}},
		}
		for i, f := range fixture {
			now = f.at
			tk, _, err := d.Open(ctx, care.Request{Channel: f.channel, MSISDN: "25470000000" + string(rune('1'+i)), Category: f.category})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range f.steps {
				now = f.at.Add(s.after)
				if s.do == "reply" {
					err = d.Reply(ctx, tk.ID, "staff:amina", "looking")
				} else {
					err = d.SetState(ctx, tk.ID, "staff:amina", care.StateResolved)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		r, err := care.MonthReport(ctx, db.Read(), eat(15, 12, 0, time.March))
		if err != nil {
			t.Fatal(err)
		}
		want := care.TicketMonth{Total: 5, SelfResolved: 1, Unanswered: 1,
			FirstResponse: care.Durations{Count: 3, Median: 30 * time.Minute, P90: time.Hour, Mean: 33*time.Minute + 20*time.Second, Longest: time.Hour},
			Resolution:    care.Durations{Count: 3, Median: 2 * time.Hour, P90: 5 * time.Hour, Mean: 2*time.Hour + 40*time.Minute, Longest: 5 * time.Hour}}
		if r.Total != want.Total || r.SelfResolved != want.SelfResolved || r.Unanswered != want.Unanswered || r.FirstResponse != want.FirstResponse || r.Resolution != want.Resolution {
			t.Errorf("March:\n got %+v\nwant %+v", r, want)
		}
		for ch, n := range map[string]int{care.ChannelSMS: 2, care.ChannelUSSD: 1, care.ChannelConsole: 1, care.ChannelPortal: 1} {
			if r.ByChannel[ch] != n {
				t.Errorf("by channel %s = %d; want %d", ch, r.ByChannel[ch], n)
			}
		}
		for cat, n := range map[string]int{care.CategoryNoToken: 1, care.CategoryOutage: 2, care.CategoryBilling: 1, care.CategoryOther: 1} {
			if r.ByCategory[cat] != n {
				t.Errorf("by category %s = %d; want %d", cat, r.ByCategory[cat], n)
			}
		}
		if r.Counts[care.CategoryOutage][care.ChannelUSSD] != 1 || r.Counts[care.CategoryOutage][care.ChannelPortal] != 1 {
			t.Errorf("category by channel %+v", r.Counts)
		}
		if !r.From.Equal(eat(1, 0, 0, time.March)) || !r.To.Equal(eat(1, 0, 0, time.April)) {
			t.Errorf("month [%s, %s)", r.From, r.To)
		}
	})
}
