package report

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/care"
)

var faultKinds = []string{care.FaultNoPower, care.FaultTokenRejected, care.FaultMeter, care.FaultOther}

var faultLabels = map[string]Label{
	care.FaultNoPower:       {"No power", "Hakuna umeme"},
	care.FaultTokenRejected: {"Token rejected", "Tokeni imekataliwa"},
	care.FaultMeter:         {"Meter", "Mita"},
	care.FaultOther:         {"Other", "Nyingine"},
}

// Faults counts the faults customers reported in the period by kind: how
// many, how many are closed, and the time the closed ones took (median
// and 90th percentile, nearest rank). A fault still open has no time yet
// and counts only as open.
func Faults(ctx context.Context, q Querier, r Range) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	from, to := r.micros()
	reported := map[string]int64{}
	took := map[string][]int64{}
	err := scanRows(ctx, q, `SELECT kind, closed_at - created_at FROM faults WHERE created_at >= $1 AND created_at < $2`, []any{from, to},
		func(scan func(...any) error) error {
			var kind string
			var d *int64
			if err := scan(&kind, &d); err != nil {
				return err
			}
			reported[kind]++
			if d != nil {
				took[kind] = append(took[kind], *d)
			}
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("faults report: %w", err)
	}
	t := Table{ID: "faults", Title: titleFaults,
		Note: Label{"Faults reported in the period; times to close of those closed since.",
			"Hitilafu zilizoripotiwa katika kipindi; muda wa kufunga zilizofungwa tangu hapo."},
		Columns: []Column{
			{"kind", Label{"Kind", "Aina"}, Text},
			{"reported", Label{"Reported", "Zilizoripotiwa"}, Count},
			{"closed", Label{"Closed", "Zilizofungwa"}, Count},
			{"open", Label{"Open", "Zilizo wazi"}, Count},
			{"close_p50", Label{"Time to close, median", "Muda wa kufunga, wastani wa kati"}, Duration},
			{"close_p90", Label{"Time to close, p90", "Muda wa kufunga, p90"}, Duration}}}
	counts := Plot{ID: "faults-counts", Title: Label{"Faults by kind", "Hitilafu kwa aina"}, Kind: Stacked, Unit: Count,
		Series: []Series{{Name: Label{"Closed", "Zilizofungwa"}}, {Name: Label{"Open", "Zilizo wazi"}}}}
	times := Plot{ID: "faults-times", Title: Label{"Time to close", "Muda wa kufunga"}, Kind: Bars, Unit: Duration,
		Series: []Series{{Name: Label{"Median", "Wastani wa kati"}}, {Name: Label{"p90", "p90"}}}}
	for _, kind := range sortedKeys(reported, faultKinds) {
		closed := int64(len(took[kind]))
		ps := percentiles(took[kind], 50, 90)
		t.Rows = append(t.Rows, append([]Cell{textCell(kind, labelOr(faultLabels, kind)), num(reported[kind]), num(closed), num(reported[kind] - closed)}, ps...))
		counts.X = append(counts.X, labelOr(faultLabels, kind))
		counts.Series[0].Values = append(counts.Series[0].Values, closed)
		counts.Series[1].Values = append(counts.Series[1].Values, reported[kind]-closed)
		times.X = append(times.X, labelOr(faultLabels, kind))
		for i := range times.Series {
			s := &times.Series[i]
			s.Values, s.Missing = append(s.Values, ps[i].N), append(s.Missing, ps[i].Null)
		}
	}
	t.Plots = []Plot{counts, times}
	return t, nil
}
