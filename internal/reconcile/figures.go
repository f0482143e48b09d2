package reconcile

import (
	"context"
	"fmt"
	"slices"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Figures computes a day's figures as they stand now, in a fixed order:
// payments in (then by channel, then those of them to an ISP), vends, suspense, exceptions open, and
// M-Pesa's own records of the day.
func Figures(ctx context.Context, q payment.Querier, day string) ([]Line, error) {
	start, err := ParseDay(day)
	if err != nil {
		return nil, err
	}
	from, to := store.Micros(start), store.Micros(start.AddDate(0, 0, 1))
	byChannel, err := lines(ctx, q, `SELECT 'payments_in:' || provider, count(*), COALESCE(sum(amount), 0) FROM payments
		WHERE paid_at >= $1 AND paid_at < $2 GROUP BY provider ORDER BY provider`, from, to)
	if err != nil {
		return nil, err
	}
	total := Line{Name: LinePaymentsIn}
	for _, l := range byChannel {
		total.Count, total.Amount = total.Count+l.Count, total.Amount+l.Amount
	}
	out := append([]Line{total}, byChannel...)
	isp, err := lines(ctx, q, `SELECT '', count(*), COALESCE(sum(amount), 0) FROM payments WHERE paid_at >= $1 AND paid_at < $2 AND service = $3`,
		from, to, payment.Internet)
	if err != nil {
		return nil, err
	}
	if isp[0].Count > 0 {
		out = append(out, Line{Name: LinePaymentsISP, Count: isp[0].Count, Amount: isp[0].Amount})
	}
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{LineVends, `SELECT '', count(*), COALESCE(sum(amount), 0) FROM vends WHERE created_at >= $1 AND created_at < $2`, []any{from, to}},
		{LineSuspense, `SELECT '', count(*), COALESCE(sum(amount), 0) FROM payments WHERE paid_at >= $1 AND paid_at < $2 AND state IN ('suspense', 'verifying')`, []any{from, to}},
		{LineExceptionsOpen, `SELECT '', count(*), COALESCE(sum(COALESCE(mpesa_amount, mteja_amount, 0)), 0) FROM recon_exceptions WHERE day = $1 AND state = 'open'`, []any{day}},
	} {
		ls, err := lines(ctx, q, c.query, c.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, Line{Name: c.name, Count: ls[0].Count, Amount: ls[0].Amount})
	}
	mp, err := lines(ctx, q, `SELECT kind, count(*), COALESCE(sum(amount), 0) FROM mpesa_records WHERE day = $1 AND lower(status) IN ('', 'completed') GROUP BY kind`, day)
	if err != nil {
		return nil, err
	}
	for _, k := range []struct{ kind, line string }{{KindPayment, LineMpesaPayments}, {KindCharge, LineMpesaCharges}, {KindReversal, LineMpesaReversals}} {
		l := Line{Name: k.line}
		if i := slices.IndexFunc(mp, func(l Line) bool { return l.Name == k.kind }); i >= 0 {
			l.Count, l.Amount = mp[i].Count, mp[i].Amount
		}
		out = append(out, l)
	}
	return out, nil
}

// lines runs a query of (name, count, amount) rows.
func lines(ctx context.Context, q payment.Querier, query string, args ...any) ([]Line, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		var amount int64
		if err := rows.Scan(&l.Name, &l.Count, &amount); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		l.Amount = money.Amount(amount)
		out = append(out, l)
	}
	return out, rows.Err()
}
