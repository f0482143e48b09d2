// Package outreach is what Mteja tells customers unasked, to keep them in
// supply: a reminder when a meter is later than usual to buy, predicted from
// its own purchases, and a notice of a tariff change before it takes effect.
// Both go on the bulk lane, are held in quiet hours, skip phones that sent
// STOP and are sent once, whichever node sweeps first.
package outreach

import (
	"slices"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// Purchase is one vend of a meter.
type Purchase struct {
	VendID string
	At     time.Time
	Amount money.Amount
}

// Thresholds of the prediction.
const (
	// MinPurchases is the fewest purchase days a rhythm is read from:
	// three intervals, so that one odd gap cannot set the median.
	MinPurchases = 4
	// HistoryPurchases is the most recent purchase days read: habits
	// change (a new fridge, a tenant moves in), and the last few months
	// say more than the last few years.
	HistoryPurchases = 12
)

// Rhythm is how a meter usually buys, from its own purchases. Days are
// calendar days in East Africa Time, and top-ups on one day count as one
// purchase: buying twice on a Saturday says nothing about the rhythm.
type Rhythm struct {
	Purchases   int          // purchase days read (at most HistoryPurchases)
	UsualDays   int          // median days between purchase days
	SpreadDays  int          // median distance of an interval from UsualDays
	UsualAmount money.Amount // median paid on a purchase day
	Last        Purchase     // the latest vend: it keys the purchase cycle
}

// Verdicts of Assess.
const (
	TooFew    = "too_few"   // fewer than MinPurchases purchase days
	Irregular = "irregular" // the intervals vary too much to predict
	NotYet    = "not_yet"   // within the usual interval and its margin
	Due       = "due"       // later than usual: remind
	Lapsed    = "lapsed"    // so late that the meter is likely vacant
)

// Assessment is a meter's rhythm and where it stands now.
type Assessment struct {
	Rhythm
	SinceDays int // calendar days since the last purchase day
	DueDays   int // the day count from which the meter is due
	Verdict   string
}

// day numbers calendar days in East Africa Time.
func day(t time.Time) int64 {
	const eat = 3 * 60 * 60
	s := t.Unix() + eat
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// Assess reads a meter's rhythm from its purchases (any order) and says
// whether it is due a reminder at now.
//
// The usual interval is the median of the gaps between purchase days, which
// one holiday away or one double purchase cannot move. A meter is due once
// the time since its last purchase reaches the usual interval plus a margin
// of a fifth of it, and at least a day: a customer who buys every 9 days is
// not reminded on day 10 but on day 11. A rhythm whose gaps stray from the
// median by more than half of it, taken as the median of those distances,
// is irregular: a reminder would come at a random time and teach the
// customer to ignore it.
func Assess(ps []Purchase, now time.Time) Assessment {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b Purchase) int { return a.At.Compare(b.At) })
	var a Assessment
	if len(ps) == 0 {
		a.Verdict = TooFew
		return a
	}
	a.Last = ps[len(ps)-1]
	// Purchase days, newest last, with each day's amounts summed.
	var days []int64
	var paid []money.Amount
	for _, p := range ps {
		d := day(p.At)
		if n := len(days); n > 0 && days[n-1] == d {
			paid[n-1] += p.Amount
			continue
		}
		days, paid = append(days, d), append(paid, p.Amount)
	}
	if len(days) > HistoryPurchases {
		days, paid = days[len(days)-HistoryPurchases:], paid[len(paid)-HistoryPurchases:]
	}
	a.Purchases = len(days)
	a.SinceDays = int(day(now) - days[len(days)-1])
	if a.Purchases < MinPurchases {
		a.Verdict = TooFew
		return a
	}
	gaps := make([]int64, 0, len(days)-1)
	for i := 1; i < len(days); i++ {
		gaps = append(gaps, days[i]-days[i-1])
	}
	usual := median(gaps)
	dev := make([]int64, len(gaps))
	for i, g := range gaps {
		dev[i] = max(g-usual, usual-g)
	}
	a.UsualDays, a.SpreadDays = int(usual), int(median(dev))
	a.UsualAmount = money.Amount(median(amounts(paid)))
	a.DueDays = a.UsualDays + max(1, (a.UsualDays+4)/5)
	switch {
	case 2*a.SpreadDays > a.UsualDays:
		a.Verdict = Irregular
	case a.SinceDays < a.DueDays:
		a.Verdict = NotYet
	case a.SinceDays > lapseDays(a.UsualDays):
		a.Verdict = Lapsed
	default:
		a.Verdict = Due
	}
	return a
}

// lapseDays is the day count after which a meter is no longer reminded:
// twice its rhythm and a week more. A house that has bought nothing for that
// long is likely empty, or its customer buys another way; a reminder then
// is noise. It also keeps the first sweep after reminders are switched on
// from writing to every meter that ever stopped buying.
func lapseDays(usual int) int { return 2*usual + 7 }

func amounts(a []money.Amount) []int64 {
	out := make([]int64, len(a))
	for i, v := range a {
		out[i] = int64(v)
	}
	return out
}

// median of whole numbers; between the two middle ones, their mean rounded
// half up.
func median(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2] + 1) / 2
}
