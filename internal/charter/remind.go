package charter

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// RemindAfter is how long compensation waits for a vend before the
// customer is reminded of it, once.
const RemindAfter = 7 * 24 * time.Hour

// Remind tells the phones of each meter whose compensation has waited
// RemindAfter that their next token carries it: once a credit, never to a
// phone that sent STOP, and held through quiet hours. It returns the
// number of meters reminded.
func (e *Evaluator) Remind(ctx context.Context) (int, error) {
	cutoff := store.Micros(e.DB.Now().Add(-RemindAfter))
	rows, err := e.DB.Read().QueryContext(ctx, `SELECT DISTINCT meter_drn FROM charter_credits WHERE vend_id IS NULL AND reminded_at IS NULL AND created_at <= $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("compensation reminders: %w", err)
	}
	var drns []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return 0, err
		}
		drns = append(drns, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, drn := range drns {
		sent, err := e.remind(ctx, drn, cutoff)
		if err != nil {
			return n, fmt.Errorf("compensation reminder for meter %s: %w", drn, err)
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// remind marks a meter's waiting credits reminded and queues the reminder
// in one transaction: of two nodes, the one whose update finds the credits
// unmarked sends.
func (e *Evaluator) remind(ctx context.Context, drn string, cutoff int64) (bool, error) {
	sent := false
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		sent = false
		var total int64
		err := tx.QueryRow(`SELECT COALESCE(SUM(amount), 0) FROM charter_credits WHERE meter_drn = $1 AND vend_id IS NULL`, drn).Scan(&total)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE charter_credits SET reminded_at = $1 WHERE meter_drn = $2 AND vend_id IS NULL AND reminded_at IS NULL AND created_at <= $3`,
			store.Micros(tx.Now), drn, cutoff)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 || total <= 0 {
			return err
		}
		phones, err := customer.PhonesForMeters(tx, []string{drn})
		if err != nil {
			return err
		}
		var msgs []notify.Message
		for _, r := range phones[drn] {
			var stopped int
			if err := tx.QueryRow(`SELECT count(*) FROM sms_optouts WHERE msisdn = $1`, r.MSISDN).Scan(&stopped); err != nil {
				return err
			}
			if stopped > 0 {
				continue
			}
			m := notify.Message{Recipient: r.MSISDN, Lane: notify.LaneBulk, Template: "charter_reminder", Language: r.Language,
				Body: ReminderText(r.Language, e.Utility, drn, money.Amount(total)), Ref: drn}
			m.NotBefore = e.notBefore(tx.Now)
			msgs = append(msgs, m)
		}
		sent = len(msgs) > 0
		return notify.Enqueue(tx, msgs...)
	})
	return sent, err
}

// notBefore holds a message that can wait through quiet hours; an
// evaluator built without them keeps the shipped window.
func (e *Evaluator) notBefore(now time.Time) time.Time {
	q := e.Quiet
	if q == (notify.QuietHours{}) {
		q = notify.DefaultQuietHours
	}
	if !q.Quiet(now) {
		return time.Time{}
	}
	return q.Release(now)
}
