package charter

import (
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

func eat(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// TestElapsed checks clocks across nights, weekends, holidays and pauses
// against times worked out by hand, for the shipped calendar: Monday to
// Friday 08:00-17:00 EAT, Kenyan public holidays off.
func TestElapsed(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	biz := Standard{Calendar: BusinessHours}
	clock := Standard{Calendar: AroundTheClock}
	p := func(from, to string) Pause {
		pp := Pause{From: eat(from)}
		if to != "" {
			pp.To = eat(to)
		}
		return pp
	}
	for _, tc := range []struct {
		name        string
		std         Standard
		start, stop string // stop "" while open
		now         string
		pauses      []Pause
		want        time.Duration
	}{
		// Tuesday 2026-03-03 10:00 to 15:30 the same day.
		{"within one day", biz, "2026-03-03 10:00", "2026-03-03 15:30", "2026-03-10 00:00", nil, 5*time.Hour + 30*time.Minute},
		// Opened at 16:00, resolved 09:30 next day: 1h + 1h30.
		{"across a night", biz, "2026-03-03 16:00", "2026-03-04 09:30", "2026-03-10 00:00", nil, 2*time.Hour + 30*time.Minute},
		// Opened at 20:00 (after hours), resolved 07:00 next day: nothing counts.
		{"all outside hours", biz, "2026-03-03 20:00", "2026-03-04 07:00", "2026-03-10 00:00", nil, 0},
		// Friday 2026-03-06 15:00 to Monday 2026-03-09 10:00: 2h + 2h.
		{"across a weekend", biz, "2026-03-06 15:00", "2026-03-09 10:00", "2026-03-10 00:00", nil, 4 * time.Hour},
		// Thursday 2026-04-02 16:00 to Tuesday 2026-04-07 09:00: Good Friday
		// 3 April and Easter Monday 6 April are off: 1h + 1h.
		{"across Easter", biz, "2026-04-02 16:00", "2026-04-07 09:00", "2026-04-10 00:00", nil, 2 * time.Hour},
		// Utamaduni Day 2027-10-10 is a Sunday: Monday 11 October is off.
		// Friday 2027-10-08 16:00 to Tuesday 12th 10:00: 1h + 2h.
		{"Sunday holiday observed on Monday", biz, "2027-10-08 16:00", "2027-10-12 10:00", "2027-10-20 00:00", nil, 3 * time.Hour},
		// Christmas 2027 on Saturday, Boxing Day on Sunday: Monday 27th is
		// off. Friday 24th 16:00 to Tuesday 28th 09:00: 1h + 1h.
		{"Boxing Day on a Sunday", biz, "2027-12-24 16:00", "2027-12-28 09:00", "2028-01-05 00:00", nil, 2 * time.Hour},
		// Paused 11:00-14:00 on the same Tuesday: 6h less 3h.
		{"one pause", biz, "2026-03-03 09:00", "2026-03-03 15:00", "2026-03-10 00:00", []Pause{p("2026-03-03 11:00", "2026-03-03 14:00")}, 3 * time.Hour},
		// Paused Tuesday 16:00 to Wednesday 10:00 (1h + 2h of business time),
		// case Tuesday 09:00 to Wednesday 12:00 (8h + 4h): 12h - 3h.
		{"pause over a night", biz, "2026-03-03 09:00", "2026-03-04 12:00", "2026-03-10 00:00", []Pause{p("2026-03-03 16:00", "2026-03-04 10:00")}, 9 * time.Hour},
		// Two overlapping pauses count once: 10:00-13:00 merged.
		{"overlapping pauses", biz, "2026-03-03 09:00", "2026-03-03 17:00", "2026-03-10 00:00", []Pause{p("2026-03-03 10:00", "2026-03-03 12:00"), p("2026-03-03 11:00", "2026-03-03 13:00")}, 5 * time.Hour},
		// Open case, still waiting on the customer since 12:00: the clock
		// stopped at 12:00, now is 16:00: 3h.
		{"open pause", biz, "2026-03-03 09:00", "", "2026-03-03 16:00", []Pause{p("2026-03-03 12:00", "")}, 3 * time.Hour},
		// Open case, no pause, now Wednesday 09:00: 8h + 1h.
		{"open case", biz, "2026-03-03 09:00", "", "2026-03-04 09:00", nil, 9 * time.Hour},
		// Around the clock: Saturday 22:00 to Monday 01:00 is 27h less a
		// 2h pause.
		{"around the clock", clock, "2026-03-07 22:00", "2026-03-09 01:00", "2026-03-10 00:00", []Pause{p("2026-03-08 03:00", "2026-03-08 05:00")}, 25 * time.Hour},
		// A pause starting before the case is clipped to it.
		{"pause before start", clock, "2026-03-07 22:00", "2026-03-07 23:00", "2026-03-10 00:00", []Pause{p("2026-03-07 21:00", "2026-03-07 22:30")}, 30 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stop time.Time
			if tc.stop != "" {
				stop = eat(tc.stop)
			}
			if got := c.Elapsed(tc.std, eat(tc.start), stop, eat(tc.now), tc.pauses); got != tc.want {
				t.Errorf("elapsed %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	s := Standard{Target: 4 * time.Hour, Escalate: 3 * time.Hour}
	for _, tc := range []struct {
		elapsed time.Duration
		stopped bool
		want    string
	}{
		{time.Hour, false, Running},
		{3 * time.Hour, false, Running},
		{3*time.Hour + time.Second, false, Escalated},
		{4 * time.Hour, true, Met},
		{4 * time.Hour, false, Escalated},
		{4*time.Hour + time.Second, false, Breached},
		{5 * time.Hour, true, Breached},
	} {
		if got := Judge(s, tc.elapsed, tc.stopped); got != tc.want {
			t.Errorf("Judge(%v, stopped %v) = %s, want %s", tc.elapsed, tc.stopped, got, tc.want)
		}
	}
}

func TestHolidaysShipped(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2025-06-02", "2027-10-11", "2027-12-13", "2027-12-27"} {
		if !c.Holidays.Is(eat(d + " 12:00")) {
			t.Errorf("%s: want an observed holiday (Sunday rule)", d)
		}
	}
	// 2026-12-26 Boxing Day is a Saturday: no Monday off for it.
	if c.Holidays.Is(eat("2026-12-28 12:00")) {
		t.Error("2026-12-28: a Saturday's holiday gives no Monday")
	}
}

func TestParseErrors(t *testing.T) {
	head := "version: 2026-01-01\nbusiness_hours: {days: [mon], open: \"08:00\", close: \"17:00\"}\nstandards:\n"
	good := "  - {code: a, en: A, sw: A, start: outage_started, stop: outage_restored, calendar: around_the_clock, target: 4h, escalate: 3h, compensation: {fixed: \"10\"}}\n"
	if _, err := Parse([]byte(head+good), "t.yaml"); err != nil {
		t.Fatalf("good charter: %v", err)
	}
	for _, tc := range []struct{ body, want string }{
		{good + good, `line 5: standard "a" already on line 4`},
		{strings.Replace(good, "outage_restored", "ticket_resolved", 1), "line 4: standard a: stop"},
		{strings.Replace(good, "escalate: 3h", "escalate: 5h", 1), "escalate \"5h\""},
		{strings.Replace(good, "{fixed: \"10\"}", "{fixed_charge_share: 150%}", 1), "at most 100%"},
		{strings.Replace(good, "{fixed: \"10\"}", "{fixed: \"10\", fixed_charge_share: 5%}", 1), "want either fixed"},
		{strings.Replace(good, "around_the_clock", "sometimes", 1), "calendar \"sometimes\""},
		{strings.Replace(good, "start: outage_started,", "start: outage_started, category: billing,", 1), "only a ticket standard"},
		{strings.Replace(good, "sw: A,", "", 1), "Swahili"},
		{strings.Replace(good, "target: 4h", "target: 4 hours", 1), "target"},
	} {
		_, err := Parse([]byte(head+tc.body), "t.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.body, err, tc.want)
		}
	}
}

func TestCompensation(t *testing.T) {
	for _, tc := range []struct {
		c     Compensation
		fixed int64
		want  int64
	}{
		{Compensation{Fixed: 5000}, 30000, 5000},
		{Compensation{ShareBasis: 5000}, 30000, 15000},
		{Compensation{ShareBasis: 1250}, 333, 42}, // 41.625 rounds half up to 42
		{Compensation{ShareBasis: 2500}, 2, 1},    // 0.5 rounds up
	} {
		if got := tc.c.Amount(moneyOf(tc.fixed)); int64(got) != tc.want {
			t.Errorf("%+v of %d = %d, want %d", tc.c, tc.fixed, got, tc.want)
		}
	}
}

func moneyOf(n int64) money.Amount { return money.Amount(n) }
