package outreach

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// Ways are how customers buy, as the messages name them.
type Ways struct {
	Utility  string // the name messages start with
	Paybill  string // the utility's Paybill number; "" for none
	USSDCode string // the USSD code that buys by STK push; "" for none
}

// howToBuy names the cheapest way to buy for a meter. That is the Paybill
// from the SIM's M-Pesa menu: the STK push the USSD menu starts pays the
// same Paybill, so M-Pesa's charge is the same, and the USSD session comes
// on top where the network bills it. The USSD code is named only when
// there is no Paybill to name.
func (w Ways) howToBuy(lang, drn string) string {
	switch {
	case w.Paybill != "":
		return text(lang, "by_paybill", w.Paybill, drn)
	case w.USSDCode != "":
		return text(lang, "by_ussd", w.USSDCode, drn)
	}
	return ""
}

// ReminderText is the low-credit reminder for a meter's assessment.
func (w Ways) ReminderText(lang, drn string, a Assessment) string {
	var body string
	if a.UsualDays == 1 {
		body = text(lang, "reminder_daily", w.Utility, wholeShillings(a.UsualAmount), a.SinceDays, w.howToBuy(lang, drn))
	} else {
		body = text(lang, "reminder", w.Utility, wholeShillings(a.UsualAmount), a.UsualDays, a.SinceDays, w.howToBuy(lang, drn))
	}
	return withStop(lang, body)
}

// Reminders sends low-credit reminders to meters later than usual to buy.
type Reminders struct {
	DB    *store.DB
	Quiet notify.QuietHours
	Ways  Ways
}

// lookBack bounds the meters a sweep reads: those whose last purchase is
// newer than this. With lapseDays it admits rhythms up to about 7 weeks;
// a meter that buys more seldom than that is not reminded.
const lookBack = 120 * 24 * time.Hour

// ReminderTemplate names the reminder in the outbox.
const ReminderTemplate = "credit_reminder"

// Sweep reminds every meter that is due now and not yet reminded in this
// purchase cycle, and returns how many meters it reminded. It is safe on
// several nodes at once: a row per meter and last vend lets one of them
// write the messages.
//
// In quiet hours it writes nothing: a reminder written at night and held
// for the morning would still go out after a purchase at dawn, telling a
// customer who just bought that it has been days. The first sweep after
// the window writes it, true at that moment; NotBefore still holds a
// message written at the window's edge.
func (r *Reminders) Sweep(ctx context.Context) (int, error) {
	now := r.DB.Now()
	if r.Quiet.Quiet(now) {
		return 0, nil
	}
	rows, err := r.DB.Read().QueryContext(ctx, `SELECT m.drn, m.area FROM (
			SELECT meter_drn, max(created_at) AS last, count(*) AS n FROM vends GROUP BY meter_drn) v
		JOIN meters m ON m.drn = v.meter_drn
		WHERE m.status = 'active' AND m.customer_id IS NOT NULL AND v.n >= $1 AND v.last <= $2 AND v.last >= $3
			AND NOT EXISTS (SELECT 1 FROM credit_reminders r WHERE r.meter_drn = v.meter_drn AND r.sent_at >= v.last)
		ORDER BY m.drn`,
		MinPurchases, store.Micros(now.Add(-24*time.Hour)), store.Micros(now.Add(-lookBack)))
	if err != nil {
		return 0, fmt.Errorf("reminder sweep: %w", err)
	}
	type meter struct{ drn, area string }
	var meters []meter
	for rows.Next() {
		var m meter
		if err := rows.Scan(&m.drn, &m.area); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reminder sweep: %w", err)
		}
		meters = append(meters, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reminder sweep: %w", err)
	}
	sent := 0
	for _, m := range meters {
		ok, err := r.remind(ctx, m.drn, m.area, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// Purchases returns a meter's newest vends, enough to read its rhythm
// from even when it tops up several times a day.
func Purchases(ctx context.Context, db *store.DB, drn string) ([]Purchase, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, created_at, amount FROM vends WHERE meter_drn = $1
		ORDER BY created_at DESC LIMIT $2`, drn, 4*HistoryPurchases)
	if err != nil {
		return nil, fmt.Errorf("purchases of %s: %w", drn, err)
	}
	defer rows.Close()
	var out []Purchase
	for rows.Next() {
		var p Purchase
		var at int64
		if err := rows.Scan(&p.VendID, &at, &p.Amount); err != nil {
			return nil, fmt.Errorf("purchases of %s: %w", drn, err)
		}
		p.At = store.Time(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// errReminded stops a transaction whose meter another node reminded first.
var errReminded = errors.New("reminded already")

// remind reminds one meter if it is due, and reports whether it did.
func (r *Reminders) remind(ctx context.Context, drn, area string, now time.Time) (bool, error) {
	ps, err := Purchases(ctx, r.DB, drn)
	if err != nil {
		return false, err
	}
	a := Assess(ps, now)
	if a.Verdict != Due {
		return false, nil
	}
	// During an outage the meter is not running down, and a nudge to buy
	// power that is not there would only anger; the cycle stays open, so
	// the reminder comes once supply is back, if still due.
	if area != "" {
		out, err := care.CurrentOutages(ctx, r.DB, area, now)
		if err != nil {
			return false, fmt.Errorf("reminder for %s: %w", drn, err)
		}
		if len(out) > 0 {
			return false, nil
		}
	}
	err = r.DB.InTx(ctx, func(tx *store.Tx) error {
		phones, err := reachable(tx, `SELECT DISTINCT p.msisdn, c.language FROM meters m
			JOIN customers c ON c.id = m.customer_id JOIN customer_phones p ON p.customer_id = c.id
			WHERE m.drn = $1`, drn)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO credit_reminders (meter_drn, vend_id, usual_days, since_days, phones, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (meter_drn, vend_id) DO NOTHING`,
			drn, a.Last.VendID, a.UsualDays, a.SinceDays, len(phones), store.Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(errReminded, err)
		}
		msgs := make([]notify.Message, 0, len(phones))
		for _, p := range phones {
			msgs = append(msgs, notify.Message{ID: uuid.Must(uuid.NewV7()).String(), Recipient: p.msisdn, Lane: notify.LaneBulk,
				Template: ReminderTemplate, Language: p.lang, Body: r.Ways.ReminderText(p.lang, drn, a), Ref: drn,
				NotBefore: r.Quiet.Release(tx.Now)})
		}
		return notify.Enqueue(tx, msgs...)
	})
	switch {
	case errors.Is(err, errReminded):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reminder for %s: %w", drn, err)
	}
	return true, nil
}

type reachablePhone struct{ msisdn, lang string }

// reachable runs q (selecting msisdn and language) and returns the phones
// that have not sent STOP, each once.
func reachable(tx *store.Tx, q string, args ...any) ([]reachablePhone, error) {
	rows, err := tx.Query(`SELECT msisdn, min(language) FROM (`+q+`) x
		WHERE msisdn NOT IN (SELECT msisdn FROM sms_optouts) GROUP BY msisdn ORDER BY msisdn`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reachablePhone
	for rows.Next() {
		var p reachablePhone
		if err := rows.Scan(&p.msisdn, &p.lang); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
