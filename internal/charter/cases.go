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

// settle is how far before the judged point paymentCases reads again.
const settle = time.Minute

// cases reads the undecided cases of s from the tables that hold them.
// For a payment standard it returns as well the point up to which every
// payment it read was judged (zero for the others).
func (e *Evaluator) cases(ctx context.Context, s Standard, now time.Time) ([]kase, time.Time, error) {
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
		k, err := e.ticketCases(ctx, s, since, now)
		return k, time.Time{}, err
	case OutageStarted:
		k, err := e.outageCases(ctx, s, since, now)
		return k, time.Time{}, err
	case PaymentReceived:
		since = now.Add(-s.Target - paymentMargin)
		if since.Before(e.Charter.Version) {
			since = e.Charter.Version
		}
		return e.paymentCases(ctx, s, since, now)
	}
	return nil, time.Time{}, fmt.Errorf("start event %q", s.Start)
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
//
// Each payment is read once after its escalation point, not every
// minute for as long as it stays in the window: the evaluator keeps, per
// standard, the point up to which every payment has been judged (see
// judged), and reads only those received after it (less settle, for a
// payment committed a moment after its receipt time or on a node whose
// clock runs behind), on time ones left out in SQL. Those already stored
// as cases are read from the cases. A window of a peak hour is millions
// of payments: read in full each minute, it took CPU from the vends and
// memory with it (measured: 180 MB of cases in one evaluation during a
// run where no delivery receipts came).
func (e *Evaluator) paymentCases(ctx context.Context, s Standard, since, now time.Time) ([]kase, time.Time, error) {
	lateAt := now.Add(-s.Escalate)
	late := store.Micros(lateAt)
	esc := int64(s.Escalate / time.Microsecond)
	from := since
	if j := e.judged(s.Code); j.After(from) {
		from = j.Add(-settle)
	}
	// A payment's stop: unvended, none; vended, its token's first
	// delivery, or none while one is on its way, or the vend itself
	// when there was no one to send it to.
	const stop = `CASE WHEN v.id IS NULL THEN NULL ELSE COALESCE((SELECT MIN(m.delivered_at) FROM messages m WHERE m.ref = v.id AND m.template = 'token'),
		CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.ref = v.id AND m.template = 'token') THEN NULL ELSE v.created_at END) END`
	rows, err := e.DB.Read().QueryContext(ctx, `SELECT id, receipt, meter_drn, notify_msisdn, received_at, stop, '' FROM (
			SELECT p.id, p.receipt, p.meter_drn, p.notify_msisdn, p.received_at, `+stop+` AS stop
			FROM payments p LEFT JOIN vends v ON v.payment_id = p.id
			WHERE p.received_at > $2 AND p.received_at <= $3 AND p.service = 'electricity' AND p.meter_drn <> ''
				AND (v.id IS NOT NULL OR p.state = 'received')
				AND NOT EXISTS (SELECT 1 FROM charter_cases c WHERE c.standard = $1 AND c.case_id = p.id)) x
		WHERE stop IS NULL OR stop - received_at > $4
		UNION ALL
		SELECT p.id, p.receipt, p.meter_drn, p.notify_msisdn, p.received_at, `+stop+`, c.state
		FROM charter_cases c JOIN payments p ON p.id = c.case_id LEFT JOIN vends v ON v.payment_id = p.id
		WHERE c.standard = $1 AND c.started_at >= $5 AND c.state NOT IN ('met', 'breached')`,
		s.Code, store.Micros(from), late, esc, store.Micros(since))
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	var out []kase
	for rows.Next() {
		var k kase
		var drn, msisdn string
		var start int64
		var stop sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Ref, &drn, &msisdn, &start, &stop, &k.State); err != nil {
			return nil, time.Time{}, err
		}
		k.Start, k.Stop = store.Time(start), store.NullTime(stop)
		k.Meters, k.MeterPhones = []string{drn}, true
		if msisdn != "" {
			// The payer's language is not known; the meter's phones get
			// theirs.
			k.Recipients = []customer.Recipient{{MSISDN: msisdn, Language: "en"}}
		}
		out = append(out, k)
	}
	e.mu.Lock()
	e.paymentRows = len(out)
	e.mu.Unlock()
	return out, lateAt, rows.Err()
}
