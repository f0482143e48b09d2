package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// paymentChannel is the channel a payment came by: Paybill, or an STK push
// told apart by where the customer started it (its request's channel), or
// the provider (agent, cash, bank).
const paymentChannel = `CASE WHEN p.provider = 'mpesa_c2b' THEN 'paybill'
	WHEN p.provider = 'mpesa_stk' THEN 'stk_' || COALESCE((SELECT MIN(s.channel) FROM stk_requests s WHERE s.receipt = p.receipt AND s.receipt <> ''), 'unknown')
	ELSE p.provider END`

// saleChannel is the channel of a sale: its payment's, except that a sale
// staff made by assigning a payment from suspense to a meter counts as
// theirs (the ledger's "assign:" transaction marks it).
const saleChannel = `CASE WHEN EXISTS (SELECT 1 FROM ledger_postings a WHERE a.txn_id = 'assign:' || p.id) THEN 'suspense'
	ELSE ` + paymentChannel + ` END`

type revenueKey struct {
	day                            int64
	service, channel, tariff, area string
}

type revenueRow struct {
	payments, collected      int64
	sales, sold, energy      int64
	lines                    map[string]int64
	fixedArrears, vatArrears int64
}

type revenue struct {
	rows   map[revenueKey]*revenueRow
	codes  []string // the quotes' line codes, as first met (oldest vend first)
	labels map[string]Label
}

func (rv *revenue) row(k revenueKey) *revenueRow {
	r := rv.rows[k]
	if r == nil {
		r = &revenueRow{lines: map[string]int64{}}
		rv.rows[k] = r
	}
	return r
}

// Revenue is money in and sales by day, channel, tariff and area.
// Collections are the payments Mteja received that day, by the channel
// the money came through, whatever became of them, under the tariff and
// area of the meter they are matched to now (none while in suspense).
// Sales are the vends made that day, split into their receipts' lines
// (energy, fixed charge, VAT, each pass-through charge and levy, debt
// recovered), which add up to the amount sold. Where a payment could not
// cover the month's fixed charge, the rest was billed to the meter's
// arrears: its two columns, with the lines, add up to what the ledger
// booked to revenue, VAT and levies for the same vends.
func Revenue(ctx context.Context, q Querier, r Range) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	rv := &revenue{rows: map[revenueKey]*revenueRow{}, labels: map[string]Label{}}
	if err := rv.collections(ctx, q, r); err != nil {
		return Table{}, fmt.Errorf("revenue report: %w", err)
	}
	if err := rv.sales(ctx, q, r); err != nil {
		return Table{}, fmt.Errorf("revenue report: %w", err)
	}
	return rv.table(r), nil
}

func (rv *revenue) collections(ctx context.Context, q Querier, r Range) error {
	from, to := r.micros()
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT (p.received_at + %d) / %d, p.service, `+paymentChannel+`, COALESCE(m.tariff_id, ''), COALESCE(m.area, ''), count(*), SUM(p.amount)
		FROM payments p LEFT JOIN meters m ON m.drn = p.meter_drn
		WHERE p.received_at >= $1 AND p.received_at < $2
		GROUP BY 1, 2, 3, 4, 5`, zoneMicros, dayMicros), from, to)
	if err != nil {
		return fmt.Errorf("collections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k revenueKey
		var n, sum int64
		if err := rows.Scan(&k.day, &k.service, &k.channel, &k.tariff, &k.area, &n, &sum); err != nil {
			return fmt.Errorf("collections: %w", err)
		}
		row := rv.row(k)
		row.payments += n
		row.collected += sum
	}
	return rows.Err()
}

// storedQuote is the part of a vend's stored quote (a tariff.Quote) the
// report reads: decoding only these fields takes well under half the time
// of decoding it all.
type storedQuote struct {
	FixedCharge, FixedCarried money.Amount
	Lines                     []tariff.Line
}

// carried is a sale whose quote billed part of the fixed charge to
// arrears; the split needs its tariff version, read after the sales.
type carried struct {
	key     revenueKey
	version string
	quote   tariff.Quote
}

func (rv *revenue) sales(ctx context.Context, q Querier, r Range) error {
	from, to := r.micros()
	rows, err := q.QueryContext(ctx, `SELECT v.id, v.created_at, `+saleChannel+`, v.tariff_id, v.tariff_version, COALESCE(m.area, ''), v.amount, v.energy_wh, v.quote
		FROM vends v JOIN payments p ON p.id = v.payment_id LEFT JOIN meters m ON m.drn = v.meter_drn
		WHERE v.created_at >= $1 AND v.created_at < $2
		ORDER BY v.created_at, v.id`, from, to)
	if err != nil {
		return fmt.Errorf("sales: %w", err)
	}
	defer rows.Close()
	var later []carried
	for rows.Next() {
		var id, version, quote string
		k := revenueKey{service: payment.Electricity}
		var at, amount, wh int64
		if err := rows.Scan(&id, &at, &k.channel, &k.tariff, &version, &k.area, &amount, &wh, &quote); err != nil {
			return fmt.Errorf("sales: %w", err)
		}
		var qt storedQuote
		if err := json.Unmarshal([]byte(quote), &qt); err != nil {
			return fmt.Errorf("sales: vend %s: stored quote: %w", id, err)
		}
		k.day = dayOf(at)
		row := rv.row(k)
		row.sales++
		row.sold += amount
		row.energy += wh
		for _, l := range qt.Lines {
			if _, ok := rv.labels[l.Code]; !ok {
				rv.codes = append(rv.codes, l.Code)
				rv.labels[l.Code] = Label{l.Label, l.LabelSW}
			}
			row.lines[l.Code] += int64(l.Amount)
		}
		if qt.FixedCarried > 0 {
			later = append(later, carried{k, version, tariff.Quote{FixedCharge: qt.FixedCharge, FixedCarried: qt.FixedCarried}})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sales: %w", err)
	}
	rows.Close()
	return rv.splitCarried(ctx, q, later)
}

// splitCarried books each carried fixed charge as the vend's postings did:
// the charge and its VAT, by the month's charge of the vend's tariff
// version.
func (rv *revenue) splitCarried(ctx context.Context, q Querier, cs []carried) error {
	tariffs := &vend.Tariffs{}
	for _, c := range cs {
		t, err := tariffs.Get(ctx, q, c.key.tariff)
		if err != nil {
			return fmt.Errorf("sales: %w", err)
		}
		i := slices.IndexFunc(t.Versions, func(v tariff.Version) bool { return v.EffectiveFrom.Format(time.DateOnly) == c.version })
		if i < 0 {
			return fmt.Errorf("sales: tariff %s has no version of %s, whose fixed charge a vend carried to arrears", c.key.tariff, c.version)
		}
		fixed, vat := vend.CarriedFixed(c.quote, t.Versions[i].FixedMonthly)
		row := rv.row(c.key)
		row.fixedArrears += int64(fixed)
		row.vatArrears += int64(vat)
	}
	return nil
}

// Line codes in the order the report shows them; the quotes' other codes
// (pass-through charges, levies) follow in the order first met, and debt
// recovered comes last.
var leadLines = []string{tariff.CodeEnergy, tariff.CodeFixed, tariff.CodeVAT}

var lineLabels = map[string]Label{
	tariff.CodeEnergy: {"Energy", "Nishati"},
	tariff.CodeFixed:  {"Fixed charge", "Ada ya mwezi"},
	tariff.CodeVAT:    {"VAT", "VAT"},
	tariff.CodeDebt:   {"Debt recovered", "Deni lililolipwa"},
}

func (rv *revenue) lineOrder() []string {
	var out []string
	for _, c := range leadLines {
		if _, ok := rv.labels[c]; ok {
			out = append(out, c)
		}
	}
	for _, c := range rv.codes {
		if !slices.Contains(leadLines, c) && c != tariff.CodeDebt {
			out = append(out, c)
		}
	}
	if _, ok := rv.labels[tariff.CodeDebt]; ok {
		out = append(out, tariff.CodeDebt)
	}
	return out
}

func (rv *revenue) table(r Range) Table {
	codes := rv.lineOrder()
	t := Table{ID: "revenue", Title: titleRevenue,
		Note: Label{"Collections by the day Mteja received the money, electricity's and the internet's apart; sales by the day the token was made, split into the receipt's lines (the internet's sales are in their own reports).",
			"Makusanyo kwa siku pesa zilipopokelewa, ya umeme na ya intaneti kando; mauzo kwa siku tokeni ilipotengenezwa, yakigawanywa kwa mistari ya risiti (mauzo ya intaneti yako katika ripoti zake)."},
		Columns: []Column{colDay,
			{"service", Label{"Service", "Huduma"}, Text},
			colChannel,
			{"tariff", Label{"Tariff", "Tarifu"}, Text},
			{"area", Label{"Area", "Eneo"}, Text},
			{"payments", colPayments, Count},
			{"collected", Label{"Collected", "Makusanyo"}, Money},
			{"sales", Label{"Sales", "Mauzo"}, Count},
			{"sold", Label{"Sold", "Kiasi cha mauzo"}, Money},
			{"energy", Label{"Energy sold", "Nishati iliyouzwa"}, Energy}}}
	for _, c := range codes {
		l, ok := lineLabels[c]
		if !ok {
			l = rv.labels[c]
		}
		t.Columns = append(t.Columns, Column{"line:" + c, l, Money})
	}
	t.Columns = append(t.Columns,
		Column{"fixed_arrears", Label{"Fixed charge to arrears", "Ada ya mwezi kwa deni"}, Money},
		Column{"vat_arrears", Label{"VAT on it, to arrears", "VAT yake kwa deni"}, Money})

	keys := make([]revenueKey, 0, len(rv.rows))
	for k := range rv.rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b revenueKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.service, b.service), cmp.Compare(rank(channelOrder, a.channel), rank(channelOrder, b.channel)),
			cmp.Compare(a.channel, b.channel), cmp.Compare(a.tariff, b.tariff), cmp.Compare(a.area, b.area))
	})
	for _, k := range keys {
		v := rv.rows[k]
		row := []Cell{dayCell(dayName(k.day)), textCell(k.service, labelOr(serviceLabels, k.service)), textCell(k.channel, labelOr(channelLabels, k.channel)),
			textCell(k.tariff, labelOr(nil, k.tariff)), textCell(k.area, labelOr(nil, k.area)),
			num(v.payments), num(v.collected), num(v.sales), num(v.sold), num(v.energy)}
		for _, c := range codes {
			row = append(row, num(v.lines[c]))
		}
		t.Rows = append(t.Rows, append(row, num(v.fixedArrears), num(v.vatArrears)))
	}
	t.Plots = []Plot{rv.collectionsPlot(r), rv.salesPlot(r)}
	return t
}

// collectionsPlot stacks each day's collections by channel; an ISP's
// money, on a deployment that has one, is one part of its own.
func (rv *revenue) collectionsPlot(r Range) Plot {
	first, n := r.days()
	byChannel := map[string][]int64{}
	for k, v := range rv.rows {
		if v.payments == 0 {
			continue
		}
		part := k.channel
		if k.service == payment.Internet {
			part = internetPart
		}
		if byChannel[part] == nil {
			byChannel[part] = make([]int64, n)
		}
		byChannel[part][k.day-first] += v.collected
	}
	p := Plot{ID: "revenue-collections", Title: Label{"Collections by channel", "Makusanyo kwa njia"}, Kind: Stacked, Unit: Money, X: r.dayLabels()}
	for _, ch := range sortedKeys(byChannel, append(slices.Clip(channelOrder), internetPart)) {
		name := labelOr(channelLabels, ch)
		if ch == internetPart {
			name = serviceLabels[payment.Internet]
		}
		p.Series = append(p.Series, Series{Name: name, Values: byChannel[ch]})
	}
	return p
}

// internetPart is the collections chart's part for the ISP's payments,
// whatever their channel.
const internetPart = "\x00internet"

// serviceLabels name what a payment is for.
var serviceLabels = map[string]Label{
	payment.Electricity: {"Electricity", "Umeme"},
	payment.Internet:    {"Internet", "Intaneti"},
}

// salesPlot stacks each day's sales by what the money paid for.
func (rv *revenue) salesPlot(r Range) Plot {
	first, n := r.days()
	parts := []struct {
		name  Label
		codes func(string) bool
	}{
		{lineLabels[tariff.CodeEnergy], func(c string) bool { return c == tariff.CodeEnergy }},
		{lineLabels[tariff.CodeFixed], func(c string) bool { return c == tariff.CodeFixed }},
		{lineLabels[tariff.CodeVAT], func(c string) bool { return c == tariff.CodeVAT }},
		{Label{"Charges and levies", "Gharama na tozo"}, func(c string) bool {
			return !slices.Contains(leadLines, c) && c != tariff.CodeDebt
		}},
		{lineLabels[tariff.CodeDebt], func(c string) bool { return c == tariff.CodeDebt }},
	}
	p := Plot{ID: "revenue-sales", Title: Label{"Sales by receipt line", "Mauzo kwa mistari ya risiti"}, Kind: Stacked, Unit: Money, X: r.dayLabels()}
	for _, part := range parts {
		vals := make([]int64, n)
		seen := false
		for k, v := range rv.rows {
			for code, a := range v.lines {
				if part.codes(code) {
					vals[k.day-first] += a
					seen = true
				}
			}
		}
		if seen {
			p.Series = append(p.Series, Series{Name: part.name, Values: vals})
		}
	}
	return p
}

// sortedKeys lists a map's keys in the order of a list, others after it
// alphabetically.
func sortedKeys[V any](m map[string]V, order []string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(order, a), rank(order, b)), cmp.Compare(a, b))
	})
	return keys
}
