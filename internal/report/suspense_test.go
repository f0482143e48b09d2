package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestSuspenseAgeing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		end := eat(3, 10, 0, 0, 0)
		for _, p := range []struct {
			state, amount string
			age           time.Duration
		}{
			{"verifying", "50", 5 * time.Minute}, // waiting for M-Pesa: suspense money too
			{"suspense", "100", 30 * time.Minute},
			{"suspense", "200", time.Hour}, // a bucket's lower bound is in it
			{"suspense", "300", 23 * time.Hour},
			{"suspense", "400", 48 * time.Hour},
			{"suspense", "500", 7 * 24 * time.Hour},
			{"suspense", "600", 30 * 24 * time.Hour},
			{"applied", "700", 2 * time.Hour}, // resolved
			{"suspense", "800", -time.Minute}, // after the period
		} {
			f.payment(pay{"mpesa_c2b", "", p.state, p.amount, end.Add(-p.age)})
		}
		tbl := run(t, report.Suspense, db, report.Days(end.AddDate(0, 0, -7), end.AddDate(0, 0, -1)))
		checkRecords(t, records(t, tbl, report.EN), []string{
			"Age | Payments | Amount | Oldest (s)",
			"Under 1 hour | 2 | 150.00 | 1800.000",
			"1 to 24 hours | 2 | 500.00 | 82800.000",
			"1 to 7 days | 1 | 400.00 | 172800.000",
			"Over 7 days | 2 | 1100.00 | 2592000.000",
		})
		if got := tbl.Format(3, 3, report.SW); got != "30 siku" {
			t.Errorf("oldest shown as %q, want 30 siku", got)
		}
		checkSeries(t, tbl.Plots[0], map[string][]int64{"Amount": {15000, 50000, 40000, 110000}})

		empty, err := report.Suspense(context.Background(), db.Read(), report.Days(end.AddDate(0, -1, 0), end.AddDate(0, -1, 0)))
		if err != nil {
			t.Fatal(err)
		}
		checkRecords(t, records(t, empty, report.EN)[1:2], []string{"Under 1 hour | 0 | 0.00 | "})
	})
}
