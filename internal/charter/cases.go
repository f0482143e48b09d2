package charter

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
)

// paymentMargin is how far past a payment standard's target the
// evaluator still looks for its cases: a node down for less than this
// misses none.
const paymentMargin = time.Hour

// cases reads the undecided cases of s from the tables that hold them.
func (e *Evaluator) cases(ctx context.Context, s Standard, now time.Time) ([]kase, error) {
	lookback := e.Lookback
	if lookback == 0 {
		lookback = 62 * 24 * time.Hour
	}
	since := now.Add(-lookback)
	if since.Before(e.Charter.Version) {
		since = e.Charter.Version
	}
	switch s.Start {
	case TicketOpened:
		return e.ticketCases(ctx, s, since, now)
	case OutageStarted:
		return e.outageCases(ctx, s, since, now)
	case PaymentReceived:
		since = now.Add(-s.Target - paymentMargin)
		if since.Before(e.Charter.Version) {
			since = e.Charter.Version
		}
		return e.paymentCases(ctx, s, since, now)
	}
	return nil, fmt.Errorf("start event %q", s.Start)
}

// ticketCases are the tickets of the standard's category. A ticket closed
// without being resolved (a duplicate, say) stops its clock too.
func (e *Evaluator) ticketCases(ctx context.Context, s Standard, since, now time.Time) ([]kase, error) {
	rows, err := e.DB.Read().QueryContext(ctx, `SELECT t.id, t.ref, t.meter_drn, t.msisdn, t.language, t.created_at, COALESCE(t.resolved_at, t.closed_at), COALESCE(c.state, '')
		FROM tickets t LEFT JOIN charter_cases c ON c.standard = $1 AND c.case_id = t.id
		WHERE t.category = $2 AND t.created_at >= $3 AND t.created_at <= $4 AND COALESCE(c.state, '') NOT IN ('met', 'breached')
		ORDER BY t.created_at`, s.Code, s.Category, store.Micros(since), store.Micros(now))
	if err != nil {
		return nil, err
	}
	var out []kase
	byID := map[string]int{}
	for rows.Next() {
		var k kase
		var drn, msisdn, lang string
		var start int64
		var resolved sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Ref, &drn, &msisdn, &lang, &start, &resolved, &k.State); err != nil {
			rows.Close()
			return nil, err
		}
		k.Start, k.Stop = store.Time(start), store.NullTime(resolved)
		if drn != "" {
			k.Meters = []string{drn}
		}
		if msisdn != "" {
			k.Recipients = []customer.Recipient{{MSISDN: msisdn, Language: lang}}
		}
		byID[k.ID] = len(out)
		out = append(out, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	// The clock stands still while a ticket waits on the customer: from a
	// change to pending_customer to the next change of state (their reply
	// reopens it).
	ev, err := e.DB.Read().QueryContext(ctx, `SELECT e.ticket_id, e.at, e.body FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.kind = 'state' AND t.category = $1 AND t.created_at >= $2 ORDER BY e.ticket_id, e.at, e.id`, s.Category, store.Micros(since))
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	for ev.Next() {
		var id, state string
		var at int64
		if err := ev.Scan(&id, &at, &state); err != nil {
			return nil, err
		}
		i, ok := byID[id]
		if !ok {
			continue
		}
		k := &out[i]
		open := len(k.Pauses) > 0 && k.Pauses[len(k.Pauses)-1].To.IsZero()
		switch {
		case state == "pending_customer" && !open:
			k.Pauses = append(k.Pauses, Pause{From: store.Time(at)})
		case state != "pending_customer" && open:
			k.Pauses[len(k.Pauses)-1].To = store.Time(at)
		}
	}
	return out, ev.Err()
}

// outageCases are the fault outages (a planned one is announced ahead, and
// the charter does not time it); each owes every active meter in its area.
func (e *Evaluator) outageCases(ctx context.Context, s Standard, since, now time.Time) ([]kase, error) {
	rows, err := e.DB.Read().QueryContext(ctx, `SELECT o.id, o.area, o.starts_at, o.restored_at, COALESCE(c.state, '')
		FROM outages o LEFT JOIN charter_cases c ON c.standard = $1 AND c.case_id = o.id
		WHERE o.kind = 'fault' AND o.starts_at >= $2 AND o.starts_at <= $3 AND COALESCE(c.state, '') NOT IN ('met', 'breached')
		ORDER BY o.starts_at`, s.Code, store.Micros(since), store.Micros(now))
	if err != nil {
		return nil, err
	}
	var out []kase
	for rows.Next() {
		var k kase
		var start int64
		var restored sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Ref, &start, &restored, &k.State); err != nil {
			rows.Close()
			return nil, err
		}
		k.Start, k.Stop = store.Time(start), store.NullTime(restored)
		out = append(out, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Meters, err = metersIn(ctx, e.DB, out[i].Ref); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func metersIn(ctx context.Context, db *store.DB, area string) ([]string, error) {
	if area == "" {
		return nil, nil
	}
	rows, err := db.Read().QueryContext(ctx, `SELECT drn FROM meters WHERE area = $1 AND status = 'active' ORDER BY drn`, area)
	if err != nil {
		return nil, fmt.Errorf("meters in %s: %w", area, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// paymentCases are the payments whose token is or was late: past the
// standard's escalation point and not vended, or vended with the token
// delivered (or, with no one to send it to, made) after it. Payments on
// time are not read one by one; the report counts them.
func (e *Evaluator) paymentCases(ctx context.Context, s Standard, since, now time.Time) ([]kase, error) {
	late := store.Micros(now.Add(-s.Escalate))
	esc := int64(s.Escalate / time.Microsecond)
	// Unvended: the payment is still received (it waits in the vend
	// queue's index). Vended: read by the vend's time.
	rows, err := e.DB.Read().QueryContext(ctx, `SELECT p.id, p.receipt, p.meter_drn, p.notify_msisdn, p.received_at, NULL, COALESCE(c.state, '')
		FROM payments p LEFT JOIN charter_cases c ON c.standard = $1 AND c.case_id = p.id
		WHERE p.state = 'received' AND p.service = 'electricity' AND p.meter_drn <> '' AND p.received_at >= $2 AND p.received_at <= $3
			AND COALESCE(c.state, '') NOT IN ('met', 'breached')
		UNION ALL
		SELECT p.id, p.receipt, p.meter_drn, p.notify_msisdn, p.received_at,
			COALESCE((SELECT MIN(m.delivered_at) FROM messages m WHERE m.ref = v.id AND m.template = 'token'),
				CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.ref = v.id AND m.template = 'token') THEN NULL ELSE v.created_at END),
			COALESCE(c.state, '')
		FROM vends v JOIN payments p ON p.id = v.payment_id LEFT JOIN charter_cases c ON c.standard = $1 AND c.case_id = p.id
		WHERE v.created_at >= $2 AND p.received_at >= $2 AND COALESCE(c.state, '') NOT IN ('met', 'breached')`,
		s.Code, store.Micros(since), late)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kase
	for rows.Next() {
		var k kase
		var drn, msisdn string
		var start int64
		var stop sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Ref, &drn, &msisdn, &start, &stop, &k.State); err != nil {
			return nil, err
		}
		k.Start, k.Stop = store.Time(start), store.NullTime(stop)
		// On time, and never stored: nothing to judge.
		if k.State == "" && ((stop.Valid && stop.Int64-start <= esc) || (!stop.Valid && start > late)) {
			continue
		}
		k.Meters, k.MeterPhones = []string{drn}, true
		if msisdn != "" {
			// The payer's language is not known; the meter's phones get
			// theirs.
			k.Recipients = []customer.Recipient{{MSISDN: msisdn, Language: "en"}}
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
