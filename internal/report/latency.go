package report

import (
	"context"
	"fmt"
)

// pcts are the percentiles the latency report shows.
var pcts = []int{50, 95, 99}

var pctLabels = []Label{{"p50", "p50"}, {"p95", "p95"}, {"p99", "p99"}}

// Latency is, per day, how long payments waited for their token and
// tokens for their SMS, as percentiles (nearest rank: each figure is one
// real wait). Payment to token runs from when Mteja received the payment
// to when its token was made; payments staff assigned from suspense are
// left out, since their wait was a person's. Token to SMS runs from the
// token to its message's delivery receipt or, for a message sent whose
// receipt never came, to its submission; one sample per token message
// (several when a meter has several phones). Token messages not sent
// (queued, failed, expired) are counted beside. Days are the token's.
func Latency(ctx context.Context, q Querier, r Range) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	first, n := r.days()
	toToken := make([][]int64, n)
	toSMS := make([][]int64, n)
	unsent := make([]int64, n)
	from, to := r.micros()
	err := scanRows(ctx, q, `SELECT v.created_at, v.created_at - p.received_at FROM vends v JOIN payments p ON p.id = v.payment_id
		WHERE v.created_at >= $1 AND v.created_at < $2
		AND NOT EXISTS (SELECT 1 FROM ledger_postings a WHERE a.txn_id = 'assign:' || p.id)`, []any{from, to},
		func(scan func(...any) error) error {
			var at, wait int64
			if err := scan(&at, &wait); err != nil {
				return err
			}
			d := dayOf(at) - first
			toToken[d] = append(toToken[d], wait)
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("latency report: payment to token: %w", err)
	}
	err = scanRows(ctx, q, `SELECT v.created_at, CASE m.state WHEN 'delivered' THEN m.delivered_at WHEN 'submitted' THEN m.submitted_at END
		FROM vends v JOIN messages m ON m.ref = v.id
		WHERE v.created_at >= $1 AND v.created_at < $2 AND m.lane = 'token' AND m.template = 'token'`, []any{from, to},
		func(scan func(...any) error) error {
			var at int64
			var done *int64
			if err := scan(&at, &done); err != nil {
				return err
			}
			d := dayOf(at) - first
			if done == nil {
				unsent[d]++
			} else {
				toSMS[d] = append(toSMS[d], *done-at)
			}
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("latency report: token to SMS: %w", err)
	}

	t := Table{ID: "latency", Title: titleLatency,
		Note: Label{"Percentiles by nearest rank: p95 is the wait that 95% of samples did not exceed.",
			"Asilimia kwa nafasi ya karibu: p95 ni muda ambao 95% ya sampuli hazikuuzidi."},
		Columns: []Column{colDay, {"tokens", Label{"Tokens timed", "Tokeni zilizopimwa"}, Count}}}
	for i, p := range pctLabels {
		t.Columns = append(t.Columns, Column{fmt.Sprintf("token_p%d", pcts[i]), Label{"Payment to token " + p.EN, "Malipo hadi tokeni " + p.SW}, Duration})
	}
	t.Columns = append(t.Columns, Column{"messages", Label{"Token SMS sent", "SMS za tokeni zilizotumwa"}, Count})
	for i, p := range pctLabels {
		t.Columns = append(t.Columns, Column{fmt.Sprintf("sms_p%d", pcts[i]), Label{"Token to SMS " + p.EN, "Tokeni hadi SMS " + p.SW}, Duration})
	}
	t.Columns = append(t.Columns, Column{"unsent", Label{"Token SMS not sent", "SMS za tokeni ambazo hazikutumwa"}, Count})

	tokenPlot := Plot{ID: "latency-token", Title: Label{"Payment to token", "Malipo hadi tokeni"}, Kind: Lines, Unit: Duration, X: r.dayLabels()}
	smsPlot := Plot{ID: "latency-sms", Title: Label{"Token to SMS", "Tokeni hadi SMS"}, Kind: Lines, Unit: Duration, X: r.dayLabels()}
	for _, l := range pctLabels {
		tokenPlot.Series = append(tokenPlot.Series, Series{Name: l, Values: make([]int64, n), Missing: allMissing(n)})
		smsPlot.Series = append(smsPlot.Series, Series{Name: l, Values: make([]int64, n), Missing: allMissing(n)})
	}
	for d := range n {
		if len(toToken[d]) == 0 && len(toSMS[d]) == 0 && unsent[d] == 0 {
			continue
		}
		vp, sp := percentiles(toToken[d], pcts...), percentiles(toSMS[d], pcts...)
		row := append([]Cell{dayCell(dayName(first + int64(d))), num(int64(len(toToken[d])))}, vp...)
		row = append(append(append(row, num(int64(len(toSMS[d])))), sp...), num(unsent[d]))
		t.Rows = append(t.Rows, row)
		for i := range pcts {
			tokenPlot.Series[i].Values[d], tokenPlot.Series[i].Missing[d] = vp[i].N, vp[i].Null
			smsPlot.Series[i].Values[d], smsPlot.Series[i].Missing[d] = sp[i].N, sp[i].Null
		}
	}
	t.Plots = []Plot{tokenPlot, smsPlot}
	return t, nil
}

func allMissing(n int) []bool {
	m := make([]bool, n)
	for i := range m {
		m[i] = true
	}
	return m
}
