package report

import (
	"slices"
	"time"

	"github.com/mteja/mteja/internal/tariff"
)

const dayMicros = 86_400_000_000

// zoneMicros is East Africa Time's offset from UTC: a fixed zone, so a
// day there is always the same 24 hours of stored time.
var zoneMicros = func() int64 {
	_, off := time.Unix(0, 0).In(tariff.Zone).Zone()
	return int64(off) * 1_000_000
}()

// dayOf numbers the East Africa day of a stored time: days since
// 1970-01-01 there.
func dayOf(us int64) int64 { return floorDiv(us+zoneMicros, dayMicros) }

// dayName is a day's date, YYYY-MM-DD.
func dayName(d int64) string { return time.UnixMicro(d * dayMicros).UTC().Format(time.DateOnly) }

// dayLabel is a day as a chart's category: "07/03", day first as East
// Africa writes dates.
func dayLabel(d int64) Label {
	return same(time.UnixMicro(d * dayMicros).UTC().Format("02/01"))
}

// days is the period's days: the first one's number and how many.
func (r Range) days() (first int64, n int) {
	from, to := r.micros()
	first = dayOf(from)
	return first, int(dayOf(to-1) - first + 1)
}

// dayLabels are the categories of a chart by day.
func (r Range) dayLabels() []Label {
	first, n := r.days()
	out := make([]Label, n)
	for i := range out {
		out[i] = dayLabel(first + int64(i))
	}
	return out
}

// percentile is the p-th percentile of sorted samples by nearest rank: the
// smallest sample that at least p% of them do not exceed. It is always
// one of the samples, exact, with no interpolation.
func percentile(sorted []int64, p int) int64 {
	k := (p*len(sorted) + 99) / 100
	return sorted[max(k, 1)-1]
}

// percentiles returns the cells of the pth percentiles of samples (sorting
// them), or null cells when there are none.
func percentiles(samples []int64, ps ...int) []Cell {
	out := make([]Cell, len(ps))
	slices.Sort(samples)
	for i, p := range ps {
		if len(samples) == 0 {
			out[i] = null()
		} else {
			out[i] = num(percentile(samples, p))
		}
	}
	return out
}
