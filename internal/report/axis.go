package report

import (
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// axis is the value axis: ticks at lo, lo+step, ..., lo+n*step, all exact
// integers in the plot's unit, so that tick labels never show a float's
// rounding.
type axis struct {
	lo, step int64
	n        int
	unit     Kind
}

func (a axis) hi() int64 { return a.lo + int64(a.n)*a.step }

// wantTicks is about how many intervals the value axis gets.
const wantTicks = 4

// durationSteps are steps people read on a clock, in microseconds.
var durationSteps = []int64{
	1e3, 2e3, 5e3, 10e3, 20e3, 50e3, 100e3, 200e3, 500e3, // ms
	1e6, 2e6, 5e6, 10e6, 15e6, 30e6, // s
	60e6, 120e6, 300e6, 600e6, 900e6, 1800e6, // min
	3600e6, 7200e6, 10800e6, 21600e6, 43200e6, // h
	86400e6, 172800e6, 432000e6, 864000e6, // d
}

// niceAxis returns ticks covering lo..hi (lo ≤ 0 ≤ hi) with a step of 1, 2
// or 5 times a power of ten (clock steps for durations).
func niceAxis(lo, hi int64, unit Kind) axis {
	raw := max((hi-lo+wantTicks-1)/wantTicks, 1)
	var step int64
	if unit == Duration {
		step = durationSteps[len(durationSteps)-1]
		for _, s := range durationSteps {
			if s >= raw {
				step = s
				break
			}
		}
		for step < raw { // beyond 100 days: whole multiples of the last
			step *= 2
		}
	} else {
		for p := int64(1); step == 0; p *= 10 {
			for _, m := range []int64{1, 2, 5} {
				if m*p >= raw {
					step = m * p
					break
				}
			}
		}
	}
	a := axis{lo: floorDiv(lo, step) * step, step: step, unit: unit}
	a.n = int((ceilDiv(hi, step)*step - a.lo) / step)
	if a.n == 0 {
		a.n = 1
	}
	return a
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// label is a tick's text: short, exact, in the plot's unit.
func (a axis) label(v int64, lang Lang) string {
	switch a.unit {
	case Money:
		if a.step%money.MinorPerMajor == 0 {
			return compact(v / money.MinorPerMajor)
		}
		return money.Amount(v).String()
	case Energy:
		if a.step%1000 == 0 {
			return compact(v / 1000)
		}
		return strings.TrimSuffix(formatCell(num(v), Energy, lang), " kWh")
	case Duration:
		// The largest unit in which every tick has at most one decimal.
		for _, u := range durationUnits {
			if a.step%(u.us/10) == 0 && a.hi() >= u.us || u.us == 1_000 {
				s := strconv.FormatInt(v/u.us, 10)
				if f := abs(v % u.us * 10 / u.us); f != 0 {
					s += "." + strconv.FormatInt(f, 10)
				}
				return s + " " + u.label.In(lang)
			}
		}
	}
	return compact(v)
}

// compact writes a count short: 950, 1,500, 25k, 1.2M.
func compact(n int64) string {
	m := abs(n)
	switch {
	case m >= 1e6 && m%1e6 == 0:
		return strconv.FormatInt(n/1e6, 10) + "M"
	case m >= 1e6 && m%1e5 == 0:
		return sign(n) + strconv.FormatInt(m/1e6, 10) + "." + strconv.FormatInt(m%1e6/1e5, 10) + "M"
	case m >= 1e4 && m%1e3 == 0:
		return strconv.FormatInt(n/1e3, 10) + "k"
	}
	return thousands(n)
}
