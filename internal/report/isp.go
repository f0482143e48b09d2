package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// The ISP's reports: its sales by plan, by day or by month in East Africa
// Time, each price taken apart into the ISP's revenue (net), excise duty
// and VAT as it was when bought. They read isp_purchases alone: the ISP's
// money never mixes with a utility's vends.
const (
	ISPPlansID  = "isp-plans"
	ISPMonthsID = "isp-months"
)

var (
	titleISPPlans  = Label{"Internet sales by plan, by day", "Mauzo ya intaneti kwa kifurushi, kwa siku"}
	titleISPMonths = Label{"Internet sales by plan, by month", "Mauzo ya intaneti kwa kifurushi, kwa mwezi"}
)

// ISPPlans is the ISP's sales by day, plan and how they were paid.
func ISPPlans(ctx context.Context, q Querier, r Range) (Table, error) {
	return ispSales(ctx, q, r, false)
}

// ISPMonths is the same by calendar month (in East Africa Time): the
// months the period touches, each counted within the period.
func ISPMonths(ctx context.Context, q Querier, r Range) (Table, error) {
	return ispSales(ctx, q, r, true)
}

var paidByLabels = map[string]Label{
	"wallet":  {"Wallet (M-Pesa)", "Pochi (M-Pesa)"},
	"voucher": {"Voucher", "Vocha"},
	"free":    {"Free", "Bure"},
}

type ispKey struct{ period, plan, paidBy string }

type ispRow struct {
	name                          string
	count, sold, net, excise, vat int64
}

func ispSales(ctx context.Context, q Querier, r Range, byMonth bool) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	periodOf := func(day int64) string { return dayName(day) }
	if byMonth {
		periodOf = func(day int64) string { return dayName(day)[:7] }
	}
	first, _ := r.days()
	x, col := r.dayLabels(), func(day int64) int { return int(day - first) }
	if byMonth {
		x = r.monthLabels()
		col = func(day int64) int {
			return slices.IndexFunc(x, func(l Label) bool { return l.EN == dayName(day)[:7] })
		}
	}
	rows := map[ispKey]*ispRow{}
	byPlan := map[string][]int64{} // sold, by plan name, for the chart
	from, to := r.micros()
	err := scanRows(ctx, q, fmt.Sprintf(`SELECT (p.created_at + %d) / %d, p.plan_id, COALESCE(pl.name, p.plan_id), p.paid_by,
			count(*), SUM(p.price), SUM(p.net), SUM(p.excise), SUM(p.vat)
		FROM isp_purchases p LEFT JOIN isp_plans pl ON pl.id = p.plan_id
		WHERE p.created_at >= $1 AND p.created_at < $2
		GROUP BY 1, 2, 3, 4`, zoneMicros, dayMicros), []any{from, to},
		func(scan func(...any) error) error {
			var day int64
			var k ispKey
			var v ispRow
			if err := scan(&day, &k.plan, &v.name, &k.paidBy, &v.count, &v.sold, &v.net, &v.excise, &v.vat); err != nil {
				return err
			}
			k.period = periodOf(day)
			row := rows[k]
			if row == nil {
				row = &ispRow{name: v.name}
				rows[k] = row
			}
			row.count += v.count
			row.sold += v.sold
			row.net += v.net
			row.excise += v.excise
			row.vat += v.vat
			if byPlan[v.name] == nil {
				byPlan[v.name] = make([]int64, len(x))
			}
			byPlan[v.name][col(day)] += v.sold
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("internet sales report: %w", err)
	}
	t := Table{ID: ISPPlansID, Title: titleISPPlans,
		Note: Label{"Plans bought, by the day they were bought (East Africa Time); each price is net revenue, excise duty and VAT, at the rates of its day.",
			"Vifurushi vilivyonunuliwa, kwa siku ya kununua (saa za Afrika Mashariki); kila bei ni mapato halisi, ushuru wa bidhaa na VAT, kwa viwango vya siku yake."},
		Columns: []Column{colDay}}
	if byMonth {
		t.ID, t.Title = ISPMonthsID, titleISPMonths
		t.Columns = []Column{{"month", Label{"Month", "Mwezi"}, Day}}
	}
	t.Columns = append(t.Columns,
		Column{"plan", Label{"Plan", "Kifurushi"}, Text},
		Column{"paid_by", Label{"Paid by", "Kimelipwa kwa"}, Text},
		Column{"purchases", Label{"Purchases", "Manunuzi"}, Count},
		Column{"sold", Label{"Sold (with taxes)", "Mauzo (pamoja na kodi)"}, Money},
		Column{"net", Label{"Net revenue", "Mapato halisi"}, Money},
		Column{"excise", Label{"Excise duty", "Ushuru wa bidhaa"}, Money},
		Column{"vat", Label{"VAT", "VAT"}, Money})
	keys := make([]ispKey, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b ispKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(rows[a].name, rows[b].name), cmp.Compare(a.plan, b.plan), cmp.Compare(a.paidBy, b.paidBy))
	})
	for _, k := range keys {
		v := rows[k]
		t.Rows = append(t.Rows, []Cell{dayCell(k.period), textCell(k.plan, same(v.name)), textCell(k.paidBy, labelOr(paidByLabels, k.paidBy)),
			num(v.count), num(v.sold), num(v.net), num(v.excise), num(v.vat)})
	}
	p := Plot{ID: t.ID + "-sold", Title: Label{"Sold by plan", "Mauzo kwa kifurushi"}, Kind: Stacked, Unit: Money, X: x}
	for _, name := range sortedKeys(byPlan, nil) {
		p.Series = append(p.Series, Series{Name: same(name), Values: byPlan[name]})
	}
	t.Plots = []Plot{p}
	return t, nil
}

// monthLabels are the categories of a chart by month: the months the
// period touches, "2026-12".
func (r Range) monthLabels() []Label {
	first, n := r.days()
	var out []Label
	for d := first; d < first+int64(n); d++ {
		if m := dayName(d)[:7]; len(out) == 0 || out[len(out)-1].EN != m {
			out = append(out, same(m))
		}
	}
	return out
}
