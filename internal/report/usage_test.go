package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/usage"
)

func TestUsageByDayChannelAndFunction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var now time.Time
		c := &usage.Counter{DB: db, Now: func() time.Time { return now }}
		for _, u := range []struct {
			at              time.Time
			channel, action string
			n               int
		}{
			{eat(3, 2, 9, 0, 0), usage.Web, usage.Buy, 1},
			{eat(3, 2, 9, 0, 0), usage.USSD, usage.Tokens, 3},
			{eat(3, 2, 23, 59, 0), usage.SMS, "token", 2},
			{eat(3, 3, 0, 1, 0), usage.App, usage.Paid, 1},
			{eat(3, 3, 10, 0, 0), usage.Staff, usage.Assign, 1},
			{eat(3, 3, 10, 0, 0), usage.Staff, "export", 1},   // an action without a label keeps its name
			{eat(3, 4, 0, 0, 0), usage.USSD, usage.Tokens, 5}, // after the period
		} {
			now = u.at
			for range u.n {
				c.Add(u.channel, u.action)
			}
		}
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		tbl := run(t, report.Usage, db, report.Days(eat(3, 2, 0, 0, 0), eat(3, 3, 0, 0, 0)))
		checkRecords(t, records(t, tbl, report.EN), []string{
			"Day | Channel | Function | Uses",
			"2026-03-02 | USSD | Last tokens | 3",
			"2026-03-02 | SMS keywords | Last tokens | 2",
			"2026-03-02 | Web portal | Buy | 1",
			"2026-03-03 | App | Paid, no token | 1",
			"2026-03-03 | Staff | Assign from suspense | 1",
			"2026-03-03 | Staff | export | 1",
		})
		checkSeries(t, tbl.Plots[0], map[string][]int64{
			"USSD": {3, 0}, "SMS keywords": {2, 0}, "Web portal": {1, 0}, "App": {0, 1}, "Staff": {0, 2},
		})
		if s := tbl.Plots[0].Series; s[0].Name.EN != "USSD" || s[len(s)-1].Name.EN != "Staff" {
			t.Errorf("series out of channel order: %v", s)
		}
	})
}
