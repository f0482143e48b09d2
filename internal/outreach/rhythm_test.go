package outreach

import (
	"fmt"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// base is 10:00 EAT on a Monday; fixtures count days from it.
var base = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// history builds purchases on the given days (from base), of KES 500 unless
// amounts are given; a fractional day is a later hour.
func history(days []float64, amounts ...int64) []Purchase {
	var ps []Purchase
	for i, d := range days {
		amt := int64(500)
		if i < len(amounts) {
			amt = amounts[i]
		}
		ps = append(ps, Purchase{VendID: fmt.Sprintf("v%d", i), At: base.Add(time.Duration(d * float64(24*time.Hour))), Amount: money.MustFromMajor(amt)})
	}
	return ps
}

func TestAssessFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		days    []float64
		amounts []int64
		now     float64 // days from base
		verdict string
		usual   int
		since   int
		due     int
		amount  int64
	}{
		{name: "every 9 days, 11 since: due", days: []float64{0, 9, 18, 27, 36}, now: 47, verdict: Due, usual: 9, since: 11, due: 11, amount: 500},
		{name: "every 9 days, 10 since: not yet", days: []float64{0, 9, 18, 27, 36}, now: 46, verdict: NotYet, usual: 9, since: 10, due: 11, amount: 500},
		{name: "just bought", days: []float64{0, 9, 18, 27, 36}, now: 36.2, verdict: NotYet, usual: 9, since: 0, due: 11, amount: 500},
		{name: "one long holiday does not move the median", days: []float64{0, 8, 17, 26, 60, 69}, now: 80, verdict: Due, usual: 9, since: 11, due: 11, amount: 500},
		{name: "same-day top-ups count once, amounts summed", days: []float64{0, 0.1, 0.3, 7, 7.2, 14, 21, 21.4}, amounts: []int64{200, 100, 200, 300, 200, 500, 250, 250}, now: 30, verdict: Due, usual: 7, since: 9, due: 9, amount: 500},
		{name: "top-ups on one day do not make a new meter regular", days: []float64{0, 0.1, 0.2, 0.3, 9}, now: 30, verdict: TooFew, since: 21},
		{name: "new meter, three purchases", days: []float64{0, 9, 18}, now: 40, verdict: TooFew, since: 22},
		{name: "no purchases", days: nil, now: 5, verdict: TooFew},
		{name: "irregular buyer", days: []float64{0, 2, 32, 37, 57, 66}, now: 90, verdict: Irregular, usual: 9, since: 24, due: 11, amount: 500},
		{name: "daily buyer two days late", days: []float64{0, 1, 2, 3, 4, 5}, now: 7, verdict: Due, usual: 1, since: 2, due: 2, amount: 500},
		{name: "daily buyer, one day since", days: []float64{0, 1, 2, 3, 4, 5}, now: 6, verdict: NotYet, usual: 1, since: 1, due: 2, amount: 500},
		{name: "monthly buyer, margin a fifth", days: []float64{0, 30, 60, 90}, now: 126, verdict: Due, usual: 30, since: 36, due: 36, amount: 500},
		{name: "lapsed: empty house", days: []float64{0, 9, 18, 27}, now: 27 + 26, verdict: Lapsed, usual: 9, since: 26, due: 11, amount: 500},
		{name: "the last day a reminder may go", days: []float64{0, 9, 18, 27}, now: 27 + 25, verdict: Due, usual: 9, since: 25, due: 11, amount: 500},
		{name: "even count: middle pair averaged", days: []float64{0, 6, 14, 20, 28}, amounts: []int64{100, 300, 500, 700, 900}, now: 40, verdict: Due, usual: 7, since: 12, due: 9, amount: 500},
		{name: "midnight EAT, not UTC, ends a day", days: []float64{0, 7, 14, 21 + 13.0/24}, now: 21 + 15.0/24, verdict: NotYet, usual: 7, since: 1, due: 9, amount: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := base.Add(time.Duration(tc.now * float64(24*time.Hour)))
			a := Assess(history(tc.days, tc.amounts...), now)
			if a.Verdict != tc.verdict || a.UsualDays != tc.usual || a.SinceDays != tc.since || a.DueDays != tc.due {
				t.Errorf("verdict %s usual %d since %d due %d; want %s %d %d %d", a.Verdict, a.UsualDays, a.SinceDays, a.DueDays, tc.verdict, tc.usual, tc.since, tc.due)
			}
			if tc.amount != 0 && a.UsualAmount != money.MustFromMajor(tc.amount) {
				t.Errorf("usual amount %v, want %d", a.UsualAmount, tc.amount)
			}
		})
	}
}

// The newest vend keys the cycle, whatever order the purchases come in.
func TestAssessLastIsNewest(t *testing.T) {
	t.Parallel()
	ps := history([]float64{0, 9, 18, 27, 36})
	ps[0], ps[4] = ps[4], ps[0]
	if a := Assess(ps, base.Add(50*24*time.Hour)); a.Last.VendID != "v4" {
		t.Fatalf("last vend %q, want v4", a.Last.VendID)
	}
}

// Only the newest HistoryPurchases days count: a customer who bought every
// 30 days last year and every 7 days now is reminded on the new rhythm.
func TestAssessHabitsChange(t *testing.T) {
	t.Parallel()
	var days []float64
	for i := range 10 {
		days = append(days, float64(i*30))
	}
	last := days[len(days)-1]
	for i := 1; i <= 12; i++ {
		days = append(days, last+float64(i*7))
	}
	a := Assess(history(days), base.Add(time.Duration((days[len(days)-1]+9)*float64(24*time.Hour))))
	if a.UsualDays != 7 || a.Verdict != Due || a.Purchases != HistoryPurchases {
		t.Fatalf("usual %d verdict %s purchases %d; want 7 due %d", a.UsualDays, a.Verdict, a.Purchases, HistoryPurchases)
	}
}
