package tariff

import (
	"github.com/mteja/mteja/internal/money"
)

// PreviewAmounts are the payments a preview prices by default, in minor
// units: 100, 500, 1,000 and 5,000 of the currency.
var PreviewAmounts = []money.Amount{10_000, 50_000, 100_000, 500_000}

// PreviewMonthWh are the month's energy positions a preview prices at by
// default: a meter's first purchase of the month, and one that has already
// bought 50 kWh (past a 30 kWh lifeline block).
var PreviewMonthWh = []int64{0, 50_000}

// PreviewRow is one sample purchase, for a meter with no debt, priced under
// the version in force and under a new one, so that an operator sees what
// customers will get before the new figures start.
type PreviewRow struct {
	Paid money.Amount
	// MonthWh is the energy the meter already bought this month; at 0 the
	// purchase is the month's first, which takes any fixed monthly charge.
	MonthWh int64
	// Before and After are the quotes under the version in force and the
	// new one. Before is absent for a new tariff.
	Before, After Priced
}

// Priced is a quote, or why the payment cannot buy under that version
// (below its minimum purchase, say). Both are empty when there is no version.
type Priced struct {
	Quote *Quote
	Err   error
}

// PreviewLine is one receipt line of a PreviewRow under both versions.
type PreviewLine struct {
	Code, Label   string
	Before, After money.Amount // 0 when that quote has no such line
}

// Preview prices every amount at every month position under before (nil
// for none) and after. Amounts outside a version's limits are reported in
// that side's Err, not as an error: they are part of what the operator
// should see.
func Preview(before *Version, after Version, amounts []money.Amount, monthWh []int64) []PreviewRow {
	var out []PreviewRow
	for _, wh := range monthWh {
		for _, paid := range amounts {
			in := Input{Paid: paid, MonthEnergy: wh, FirstVendOfMonth: wh == 0}
			row := PreviewRow{Paid: paid, MonthWh: wh, After: priced(after, in)}
			if before != nil {
				row.Before = priced(*before, in)
			}
			out = append(out, row)
		}
	}
	return out
}

func priced(v Version, in Input) Priced {
	q, err := v.Price(in)
	if err != nil {
		return Priced{Err: err}
	}
	return Priced{Quote: &q}
}

// Lines returns the receipt lines of both quotes side by side: the lines of
// Before in their order, then those only After has.
func (r PreviewRow) Lines() []PreviewLine {
	var out []PreviewLine
	at := map[string]int{}
	add := func(q *Quote, set func(*PreviewLine, money.Amount)) {
		if q == nil {
			return
		}
		for _, l := range q.Lines {
			i, ok := at[l.Code]
			if !ok {
				i = len(out)
				at[l.Code] = i
				out = append(out, PreviewLine{Code: l.Code, Label: l.Label})
			}
			set(&out[i], l.Amount)
		}
	}
	add(r.Before.Quote, func(l *PreviewLine, a money.Amount) { l.Before = a })
	add(r.After.Quote, func(l *PreviewLine, a money.Amount) { l.After = a })
	return out
}
