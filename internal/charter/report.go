package charter

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Row is one standard's figures for one month: the cases that started in
// it, how many met the standard and how many breached it (the rest are
// still open), and the compensation granted for them.
type Row struct {
	Standard     Standard
	Month        time.Time // first day, EAT
	Cases        int
	Met          int
	Breached     int
	Compensation money.Amount
}

// Open is the number of cases not yet decided.
func (r Row) Open() int { return r.Cases - r.Met - r.Breached }

// MetShare is the share of decided cases that met the standard, in tenths
// of a percent (875 is 87.5%); -1 when none is decided.
func (r Row) MetShare() int {
	d := r.Met + r.Breached
	if d == 0 {
		return -1
	}
	return (r.Met*1000 + d/2) / d
}

// MetPercent is MetShare as text: "87.5%", or "—" with nothing decided.
func (r Row) MetPercent() string {
	s := r.MetShare()
	if s < 0 {
		return "—"
	}
	return fmt.Sprintf("%d.%d%%", s/10, s%10)
}

// Querier reads through the read pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// MonthOf is the first instant of t's month in EAT.
func MonthOf(t time.Time) time.Time {
	t = t.In(Zone)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, Zone)
}

// Report returns every standard's figures for each of n months ending with
// the month of last, newest month first, standards in charter order.
func Report(ctx context.Context, q Querier, c *Charter, last time.Time, n int) ([]Row, error) {
	var out []Row
	m := MonthOf(last)
	for range n {
		next := m.AddDate(0, 1, 0)
		if !next.After(c.Version) {
			break
		}
		for _, s := range c.Standards {
			r, err := month(ctx, q, s, m, next)
			if err != nil {
				return nil, fmt.Errorf("charter report %s %s: %w", s.Code, m.Format("2006-01"), err)
			}
			out = append(out, r)
		}
		m = m.AddDate(0, -1, 0)
	}
	return out, nil
}

func month(ctx context.Context, q Querier, s Standard, from, to time.Time) (Row, error) {
	r := Row{Standard: s, Month: from}
	f, t := from.UnixMicro(), to.UnixMicro()
	var err error
	switch s.Start {
	case TicketOpened:
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE category = $1 AND created_at >= $2 AND created_at < $3`, s.Category, f, t).Scan(&r.Cases)
	case OutageStarted:
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM outages WHERE kind = 'fault' AND starts_at >= $1 AND starts_at < $2`, f, t).Scan(&r.Cases)
	case PaymentReceived:
		// Vended payments, read through the vends' time index (a vend
		// follows its payment within the day), and the late ones not
		// vended at all.
		var unvended int
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM vends v JOIN payments p ON p.id = v.payment_id
			WHERE v.created_at >= $1 AND v.created_at < $2 AND p.received_at >= $3 AND p.received_at < $4`,
			f, to.Add(24*time.Hour).UnixMicro(), f, t).Scan(&r.Cases)
		if err == nil {
			err = q.QueryRowContext(ctx, `SELECT count(*) FROM charter_cases c WHERE c.standard = $1 AND c.started_at >= $2 AND c.started_at < $3
				AND NOT EXISTS (SELECT 1 FROM vends v WHERE v.payment_id = c.case_id)`, s.Code, f, t).Scan(&unvended)
		}
		r.Cases += unvended
	}
	if err != nil {
		return r, err
	}
	var open int
	var comp sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN state = 'met' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state = 'breached' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state IN ('running', 'escalated') THEN 1 ELSE 0 END), 0),
			(SELECT SUM(cr.amount) FROM charter_credits cr JOIN charter_cases cc ON cc.standard = cr.standard AND cc.case_id = cr.case_id
				WHERE cc.standard = $1 AND cc.started_at >= $2 AND cc.started_at < $3)
		FROM charter_cases WHERE standard = $1 AND started_at >= $2 AND started_at < $3`, s.Code, f, t).Scan(&r.Met, &r.Breached, &open, &comp)
	if err != nil {
		return r, err
	}
	r.Compensation = money.Amount(comp.Int64)
	if s.Start == PaymentReceived {
		// Payments on time are not stored: every case neither breached
		// nor still open met the standard.
		r.Met = max(r.Cases-r.Breached-open, 0)
	}
	return r, nil
}

// Flags returns the charter state of each of the cases given that is past
// its escalation point ("escalated") or its target ("breached"), by case
// id: what the ticket queue marks.
func Flags(ctx context.Context, q Querier, caseIDs []string) (map[string]string, error) {
	out := map[string]string{}
	for len(caseIDs) > 0 {
		n := min(len(caseIDs), 500)
		args := make([]any, n)
		for i, id := range caseIDs[:n] {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT case_id, state FROM charter_cases WHERE state IN ('escalated', 'breached') AND case_id IN (`+store.Placeholders(1, n)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("charter flags: %w", err)
		}
		for rows.Next() {
			var id, state string
			if err := rows.Scan(&id, &state); err != nil {
				rows.Close()
				return nil, err
			}
			if out[id] != Breached {
				out[id] = state
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		caseIDs = caseIDs[n:]
	}
	return out, nil
}
