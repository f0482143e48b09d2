package isp

import (
	"testing"
	"time"

	"github.com/mteja/mteja/internal/tariff"
)

// The time rules at their edges, in EAT.
func TestPeriodEnd(t *testing.T) {
	eat := func(y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, tariff.Zone)
	}
	daily := Plan{Billing: Bundle, Duration: 24 * time.Hour}
	hour := Plan{Billing: Bundle, Duration: time.Hour}
	data := Plan{Billing: Bundle, Data: GB}
	monthly := Plan{Billing: Monthly}
	for _, c := range []struct {
		name   string
		plan   Plan
		start  time.Time
		anchor int
		want   time.Time
	}{
		{"a daily bundle at 23:59 lasts 24 hours, not to midnight", daily, eat(2025, 5, 15, 23, 59), 0, eat(2025, 5, 16, 23, 59)},
		{"a daily bundle at 23:59 on 31 December", daily, eat(2025, 12, 31, 23, 59), 0, eat(2026, 1, 1, 23, 59)},
		{"an hour at 23:30 ends the next day", hour, eat(2025, 5, 15, 23, 30), 0, eat(2025, 5, 16, 0, 30)},
		{"data without validity never ends", data, eat(2025, 5, 15, 10, 0), 0, time.Time{}},
		{"a month from the 15th", monthly, eat(2025, 5, 15, 10, 0), 0, eat(2025, 6, 15, 10, 0)},
		{"31 January ends on 28 February", monthly, eat(2025, 1, 31, 12, 0), 0, eat(2025, 2, 28, 12, 0)},
		{"in a leap year on 29 February", monthly, eat(2024, 1, 31, 12, 0), 0, eat(2024, 2, 29, 12, 0)},
		{"then on 31 March: the anchor is kept", monthly, eat(2025, 2, 28, 12, 0), 31, eat(2025, 3, 31, 12, 0)},
		{"and on 30 April", monthly, eat(2025, 3, 31, 12, 0), 31, eat(2025, 4, 30, 12, 0)},
		{"30 January ends on 28 February", monthly, eat(2025, 1, 30, 8, 0), 0, eat(2025, 2, 28, 8, 0)},
		{"31 December 23:59 ends 31 January 23:59", monthly, eat(2025, 12, 31, 23, 59), 0, eat(2026, 1, 31, 23, 59)},
		// 01:00 on 31 March EAT is 22:00 on the 30th in UTC: the month is
		// EAT's, so it ends on 30 April (not 31 March, not 1 May).
		{"the month is counted in EAT", monthly, eat(2025, 3, 31, 1, 0), 0, eat(2025, 4, 30, 1, 0)},
		// 00:30 on 1 June EAT is still 31 May in UTC: it ends on 1 July.
		{"just past midnight on the 1st", monthly, eat(2025, 6, 1, 0, 30), 0, eat(2025, 7, 1, 0, 30)},
	} {
		got := periodEnd(c.plan, c.start.UTC(), c.anchor)
		if !got.Equal(c.want) {
			t.Errorf("%s: ends %s, want %s", c.name, got.In(tariff.Zone), c.want)
		}
		if !got.IsZero() && got.Location() != time.UTC {
			t.Errorf("%s: %s is not UTC, as stored", c.name, got)
		}
	}
	if anchorOf(eat(2025, 3, 31, 1, 0).UTC()) != 31 {
		t.Error("the anchor of 01:00 on 31 March EAT is not the 31st")
	}
}
