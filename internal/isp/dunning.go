package isp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Dunning is how a monthly plan's unpaid invoices are chased: reminders
// on days before and after the due date (the period's start), sent at a
// civil hour in EAT by SMS in the subscriber's language; the plan's grace
// (Plan.Grace) after the due date, with service; then suspension (the
// walled garden) unless the plan says service goes on, until a payment
// reconnects it (the payment's purchase moves it back to active and
// disconnects its sessions, whose next login is accepted in full).
type Dunning struct {
	PlanID string
	// Offsets are days from the due date: -3 is three days before, 1 the
	// day after. Each is one reminder, sent once per invoice.
	Offsets []int
	// Hour is when in the day (EAT) reminders go: from 7 to 18. A reminder
	// not sent by 21:00 that day (the node was down) is not sent at night,
	// nor later.
	Hour int
	// Suspend: an invoice unpaid past the grace suspends the subscription.
	// Without it, service goes on in grace, reminded, until paid or until
	// staff suspend it.
	Suspend bool
}

// DefaultDunning is a plan's dunning until staff set one.
func DefaultDunning(planID string) Dunning {
	return Dunning{PlanID: planID, Offsets: []int{-3, -1, 1, 3}, Hour: 9, Suspend: true}
}

// The day's window for messages about invoices (EAT): none at night.
const (
	firstCivilHour = 7
	lastCivilHour  = 21
)

// ErrDunning is wrapped by every error about a plan's dunning settings.
var ErrDunning = errors.New("bad dunning settings")

// Validate checks the settings.
func (d Dunning) Validate() error {
	if d.Hour < firstCivilHour || d.Hour > 18 {
		return fmt.Errorf("%w: reminders go between 07:00 and 18:00 EAT, not at %02d:00", ErrDunning, d.Hour)
	}
	if len(d.Offsets) > 10 {
		return fmt.Errorf("%w: at most 10 reminders", ErrDunning)
	}
	for i, o := range d.Offsets {
		if o < -14 || o > 28 {
			return fmt.Errorf("%w: a reminder %d days from the due date: give -14 to 28", ErrDunning, o)
		}
		if i > 0 && o <= d.Offsets[i-1] {
			return fmt.Errorf("%w: list the reminder days in order, each once", ErrDunning)
		}
	}
	return nil
}

// ParseOffsets reads reminder days as staff type them: "-3, -1, +1, +3".
func ParseOffsets(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(strings.TrimPrefix(f, "+"))
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not a number of days", ErrDunning, store.Truncate(f, 10))
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// SetDunning sets a monthly plan's dunning; by names the staff member.
func (s *Service) SetDunning(ctx context.Context, d Dunning, by string) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		plan, err := getPlan(ctx, tx, d.PlanID)
		if err != nil {
			return err
		}
		if plan.Billing != Monthly {
			return fmt.Errorf("%w: plan %s is a bundle; dunning is for monthly plans", ErrDunning, plan.ID)
		}
		offsets := joinOffsets(d.Offsets)
		if _, err := tx.Exec(`INSERT INTO isp_dunning (plan_id, offsets, send_hour, suspend, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (plan_id) DO UPDATE SET offsets = excluded.offsets, send_hour = excluded.send_hour, suspend = excluded.suspend, updated_at = excluded.updated_at`,
			d.PlanID, offsets, d.Hour, boolInt(d.Suspend), store.Micros(tx.Now)); err != nil {
			return fmt.Errorf("dunning of %s: %w", d.PlanID, err)
		}
		return payment.Audit(tx, by, "isp.dunning", d.PlanID, fmt.Sprintf("reminders %s at %02d:00, suspend %v", offsets, d.Hour, d.Suspend))
	})
}

func joinOffsets(offs []int) string {
	parts := make([]string, len(offs))
	for i, o := range offs {
		parts[i] = strconv.Itoa(o)
	}
	return strings.Join(parts, ",")
}

// DunningOf returns a plan's dunning, the default when none is set.
func (s *Service) DunningOf(ctx context.Context, planID string) (Dunning, error) {
	return dunningOf(ctx, s.DB.Read(), planID)
}

func dunningOf(ctx context.Context, q querier, planID string) (Dunning, error) {
	var offsets string
	var suspend int
	d := Dunning{PlanID: planID}
	err := q.QueryRowContext(ctx, `SELECT offsets, send_hour, suspend FROM isp_dunning WHERE plan_id = $1`, planID).Scan(&offsets, &d.Hour, &suspend)
	if err := store.NotFound(err, "dunning of "+planID); errors.Is(err, store.ErrNotFound) {
		return DefaultDunning(planID), nil
	} else if err != nil {
		return Dunning{}, err
	}
	d.Suspend = suspend != 0
	d.Offsets, err = ParseOffsets(offsets)
	return d, err
}

// reminderAt is when the reminder offset days from due goes: the hour
// of that day in EAT.
func reminderAt(due time.Time, offset, hour int) time.Time {
	y, m, dd := due.In(tariff.Zone).Date()
	return time.Date(y, m, dd+offset, hour, 0, 0, 0, tariff.Zone)
}

// reminderPage is how many unpaid invoices one read of the reminder
// sweep takes; it reads on, page by page, until none are left.
var reminderPage = 500

// sweepReminders sends the reminders whose hour has come, of invoices not
// paid. Which are due is worked out from reads (the unpaid invoices in
// the window, page by page, and the steps already sent), so a sweep with
// nothing to send writes nothing. Each reminder is recorded (invoice,
// step) in the transaction that queues it, and the record's key lets only
// one node, once, send it.
func (s *Service) sweepReminders(ctx context.Context, now time.Time) (bool, error) {
	policies := map[string]Dunning{}
	queued := false
	after, afterID := now.AddDate(0, 0, -29), ""
	for {
		dues, err := unpaidPage(ctx, s.DB.Read(), after, afterID, now.AddDate(0, 0, 15))
		if err != nil {
			return queued, err
		}
		for _, d := range dues {
			pol, ok := policies[d.plan]
			if !ok {
				if pol, err = s.DunningOf(ctx, d.plan); err != nil {
					return queued, err
				}
				policies[d.plan] = pol
			}
			for _, off := range pol.Offsets {
				if now.Before(reminderAt(d.at, off, pol.Hour)) || !now.Before(reminderAt(d.at, off, lastCivilHour)) || d.sent[off] {
					continue
				}
				sent, err := s.remind(ctx, d.id, off)
				if err != nil {
					return queued, fmt.Errorf("reminder %+d of invoice %s: %w", off, d.id, err)
				}
				queued = queued || sent
			}
		}
		if len(dues) < reminderPage {
			return queued, nil
		}
		after, afterID = dues[len(dues)-1].at, dues[len(dues)-1].id
	}
}

// unpaidInvoice is an unpaid invoice as the reminder sweep reads it, with
// the steps already sent.
type unpaidInvoice struct {
	id, plan string
	at       time.Time
	sent     map[int]bool
}

// unpaidPage reads the unpaid invoices due after (after, afterID) and
// before until, in order, and the reminders each has had.
func unpaidPage(ctx context.Context, q querier, after time.Time, afterID string, until time.Time) ([]unpaidInvoice, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, plan_id, due_at FROM isp_invoices
		WHERE kind = 'invoice' AND status = 'issued' AND (due_at > $1 OR due_at = $1 AND id > $2) AND due_at < $3 ORDER BY due_at, id LIMIT $4`,
		store.Micros(after), afterID, store.Micros(until), reminderPage)
	if err != nil {
		return nil, fmt.Errorf("invoices to remind: %w", err)
	}
	var out []unpaidInvoice
	byID := map[string]*unpaidInvoice{}
	for rows.Next() {
		var d unpaidInvoice
		var at int64
		if err := rows.Scan(&d.id, &d.plan, &at); err != nil {
			rows.Close()
			return nil, err
		}
		d.at, d.sent = store.Time(at), map[int]bool{}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].id
		byID[out[i].id] = &out[i]
	}
	var args []any
	sent, err := q.QueryContext(ctx, `SELECT invoice_id, step FROM isp_dunning_sent WHERE invoice_id IN (`+store.In(&args, ids)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("reminders sent: %w", err)
	}
	defer sent.Close()
	for sent.Next() {
		var id string
		var step int
		if err := sent.Scan(&id, &step); err != nil {
			return nil, err
		}
		byID[id].sent[step] = true
	}
	return out, sent.Err()
}

// remind sends reminder step of an invoice, once; it reports whether a
// message was queued.
func (s *Service) remind(ctx context.Context, invoiceID string, step int) (bool, error) {
	sent := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`INSERT INTO isp_dunning_sent (invoice_id, step, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			invoiceID, step, store.Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // sent already, by this node or another
		}
		inv, err := lockInvoice(tx, invoiceID)
		if err != nil || inv.Status != InvoiceIssued {
			return err // paid or credited since it was listed
		}
		sub, err := lockSubscription(tx, inv.SubscriptionID)
		if err != nil || sub.State == Terminated {
			return err
		}
		to, err := getSubscriber(ctx, tx, `id = $1`, inv.SubscriberID)
		if err != nil {
			return err
		}
		if step < 0 && to.Balance >= inv.Price {
			return nil // the wallet will pay it when it is due
		}
		plan, err := getPlan(ctx, tx, inv.PlanID)
		if err != nil {
			return err
		}
		m := s.baseMessage(to, plan, sub)
		m.Number, m.Due, m.Price, m.Until = inv.Number, day(inv.DueAt), kes(inv.Remaining()), ""
		name := "due"
		if !tx.Now.Before(inv.DueAt) {
			name = "overdue"
			if sub.State == Grace {
				m.Until = until(sub.GraceUntil)
			}
		}
		sent = true
		return s.tell(tx, to, "", name, inv.ID, m)
	})
	return sent, err
}

// suspends reports whether a plan's unpaid periods end in suspension.
func suspends(ctx context.Context, q querier, planID string) (bool, error) {
	d, err := dunningOf(ctx, q, planID)
	return d.Suspend, err
}
