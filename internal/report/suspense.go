package report

import (
	"context"
	"fmt"
	"time"
)

// ageBuckets are the suspense ages the report counts: each bucket holds
// the ages below its limit and at or above the one before.
var ageBuckets = []struct {
	key   string
	below time.Duration // 0: no limit
	label Label
}{
	{"lt1h", time.Hour, Label{"Under 1 hour", "Chini ya saa 1"}},
	{"1h-24h", 24 * time.Hour, Label{"1 to 24 hours", "Saa 1 hadi 24"}},
	{"1d-7d", 7 * 24 * time.Hour, Label{"1 to 7 days", "Siku 1 hadi 7"}},
	{"gt7d", 0, Label{"Over 7 days", "Zaidi ya siku 7"}},
}

// Suspense ages the money waiting for a person or for M-Pesa: the
// payments in suspense or being verified now, by how long before the end
// of the period (r.To) Mteja received them, with their count and amount.
// It is a picture of the payments as they stand, not of the past: a
// payment resolved since then no longer shows, whatever r says, and r.From
// is not used. Its total is the suspense account's balance.
func Suspense(ctx context.Context, q Querier, r Range) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	at := r.To.UnixMicro()
	n := make([]int64, len(ageBuckets))
	amount := make([]int64, len(ageBuckets))
	oldest := make([]int64, len(ageBuckets))
	err := scanRows(ctx, q, `SELECT received_at, amount FROM payments WHERE state IN ('suspense', 'verifying') AND received_at < $1`, []any{at},
		func(scan func(...any) error) error {
			var recv, a int64
			if err := scan(&recv, &a); err != nil {
				return err
			}
			age := at - recv
			b := len(ageBuckets) - 1
			for i, bk := range ageBuckets {
				if bk.below > 0 && age < bk.below.Microseconds() {
					b = i
					break
				}
			}
			n[b]++
			amount[b] += a
			oldest[b] = max(oldest[b], age)
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("suspense report: %w", err)
	}
	t := Table{ID: "suspense", Title: titleSuspense,
		Note: Label{"Payments in suspense or awaiting M-Pesa's confirmation as they stand now, aged at the end of the period.",
			"Malipo yaliyosimamishwa au yanayosubiri uthibitisho wa M-Pesa kama yalivyo sasa, umri wake mwishoni mwa kipindi."},
		Columns: []Column{
			{"age", Label{"Age", "Umri"}, Text},
			{"payments", colPayments, Count},
			{"amount", colAmount, Money},
			{"oldest", Label{"Oldest", "La zamani zaidi"}, Duration}}}
	p := Plot{ID: "suspense-ages", Title: Label{"Suspense amount by age", "Kiasi kilichosimamishwa kwa umri"}, Kind: Bars, Unit: Money,
		Series: []Series{{Name: colAmount, Values: amount}}}
	for i, bk := range ageBuckets {
		old := num(oldest[i])
		if n[i] == 0 {
			old = null()
		}
		t.Rows = append(t.Rows, []Cell{textCell(bk.key, bk.label), num(n[i]), num(amount[i]), old})
		p.X = append(p.X, bk.label)
	}
	t.Plots = []Plot{p}
	return t, nil
}
