package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestFaultsByKindAndTimeToClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Faults are reported and closed through package care, on a clock.
		var now time.Time
		db.Now = func() time.Time { return now }
		for i, f := range []struct {
			kind string
			at   time.Time
			took time.Duration // 0: still open
		}{
			{care.FaultNoPower, eat(3, 2, 8, 0, 0), time.Hour},
			{care.FaultNoPower, eat(3, 2, 9, 0, 0), 3 * time.Hour},
			{care.FaultNoPower, eat(3, 2, 10, 0, 0), 0},
			{care.FaultTokenRejected, eat(3, 2, 11, 0, 0), 30 * time.Minute},
			{care.FaultOther, eat(3, 2, 12, 0, 0), 0},
			{care.FaultMeter, eat(3, 1, 12, 0, 0), time.Hour}, // before the period
		} {
			now = f.at
			fault, err := care.ReportFault(ctx, db, "25470837414"+string(rune('0'+i)), kibera, f.kind, "")
			if err != nil {
				t.Fatal(err)
			}
			if f.took > 0 {
				now = f.at.Add(f.took)
				if err := care.CloseFault(ctx, db, fault.ID, "care:amina", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		tbl := run(t, report.Faults, db, report.Days(eat(3, 2, 0, 0, 0), eat(3, 2, 0, 0, 0)))
		checkRecords(t, records(t, tbl, report.EN), []string{
			"Kind | Reported | Closed | Open | Time to close, median (s) | Time to close, p90 (s)",
			"No power | 3 | 2 | 1 | 3600.000 | 10800.000",
			"Token rejected | 1 | 1 | 0 | 1800.000 | 1800.000",
			"Other | 1 | 0 | 1 |  | ",
		})
		if got := tbl.Format(0, 5, report.EN); got != "3 h" {
			t.Errorf("p90 shown as %q, want 3 h", got)
		}
		checkSeries(t, tbl.Plots[0], map[string][]int64{"Closed": {2, 1, 0}, "Open": {1, 0, 1}})
		times := tbl.Plots[1]
		checkSeries(t, times, map[string][]int64{"Median": {3_600_000_000, 1_800_000_000, 0}, "p90": {10_800_000_000, 1_800_000_000, 0}})
		if !times.Series[0].Missing[2] || times.Series[0].Missing[0] {
			t.Errorf("median missing %v, want only Other's", times.Series[0].Missing)
		}
	})
}
