package report

// PlotKind is the shape of a chart.
type PlotKind uint8

const (
	Bars    PlotKind = iota // one bar per series side by side in each category
	Stacked                 // the series stacked into one bar per category (values ≥ 0)
	Lines                   // one line per series across the categories (days)
)

// Plot is what a chart shows: categories along the bottom (days, routes,
// kinds) and one or more series of values, all in one unit.
type Plot struct {
	// ID is unique on a page: it names the chart's title and description
	// for screen readers.
	ID     string
	Title  Label
	Kind   PlotKind
	Unit   Kind // Count, Money, Duration or Energy
	X      []Label
	Series []Series
}

// Series is one named row of values, one per category.
type Series struct {
	Name   Label
	Values []int64
	// Missing marks values that do not exist (no samples that day); a
	// line breaks there. Nil when every value exists.
	Missing []bool
}

func (s Series) has(i int) bool {
	return i < len(s.Values) && (s.Missing == nil || !s.Missing[i])
}

// heights calls fn with every height the chart reaches: each series'
// value, or in stacked bars each stack's top so far (series -1).
func (p Plot) heights(fn func(series, x int, v int64)) {
	for i := range p.X {
		var stack int64
		for j, s := range p.Series {
			if !s.has(i) {
				continue
			}
			v := s.Values[i]
			if p.Kind == Stacked {
				stack += max(v, 0)
				v, j = stack, -1
			}
			fn(j, i, v)
		}
	}
}

// bounds returns the lowest and highest values the chart must show, zero
// included.
func (p Plot) bounds() (lo, hi int64) {
	p.heights(func(_, _ int, v int64) { lo, hi = min(lo, v), max(hi, v) })
	return lo, hi
}

// peak is the largest value (or stack) and where, for the description.
func (p Plot) peak() (v int64, series, x int, ok bool) {
	p.heights(func(j, i int, cur int64) {
		if !ok || cur > v {
			v, series, x, ok = cur, j, i, true
		}
	})
	return v, series, x, ok
}
