package outreach

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// NoticeLead is how long before a new tariff version takes effect its
// customers are told: three days, enough to buy at the old price if they
// wish, close enough to be remembered. A version imported later than that
// is told at the next sweep after its import.
const NoticeLead = 3 * 24 * time.Hour

// NoticeTemplate names the tariff notice in the outbox.
const NoticeTemplate = "tariff_notice"

// samplePurchase is the payment the notice prices under both versions: a
// round sum that many customers pay, within both versions' limits.
var samplePurchase = money.MustFromMajor(1000)

// Change is what a coming tariff version does to a sample purchase.
type Change struct {
	TariffID      string
	EffectiveFrom time.Time
	Paid          money.Amount
	// Before and After are the energy Paid buys, in Wh, under the version
	// replaced and the new one; the month's first purchase, no arrears.
	Before, After int64
	// PerKWhBefore and PerKWhAfter are Paid over that energy: what one
	// kWh costs with every charge, levy and VAT, rounded to the cent.
	PerKWhBefore, PerKWhAfter money.Amount
}

// ChangeOf prices the sample purchase under prev and next; ok is false when
// either cannot price it or when a customer would see no difference (a new
// wording on receipts, a charge moved from one line to another).
func ChangeOf(id string, prev, next tariff.Version) (c Change, ok bool) {
	paid := samplePurchase
	paid = max(paid, prev.MinPurchase, next.MinPurchase)
	paid = min(paid, prev.MaxPurchase, next.MaxPurchase)
	before, err := prev.Price(tariff.Input{Paid: paid})
	if err != nil {
		return Change{}, false
	}
	after, err := next.Price(tariff.Input{Paid: paid})
	if err != nil || before.Energy == after.Energy || before.Energy <= 0 || after.Energy <= 0 {
		return Change{}, false
	}
	perKWh := func(wh int64) money.Amount { return money.Amount((int64(paid)*1000 + wh/2) / wh) }
	return Change{TariffID: id, EffectiveFrom: next.EffectiveFrom, Paid: paid, Before: before.Energy, After: after.Energy,
		PerKWhBefore: perKWh(before.Energy), PerKWhAfter: perKWh(after.Energy)}, true
}

// Text is the notice in lang.
func (c Change) Text(lang, utility string) string {
	kwh := func(wh int64) string { return tariff.KWhText((wh + 50) / 100 * 100) }
	return text(lang, "tariff", utility, c.EffectiveFrom.In(tariff.Zone).Format("02/01/2006"),
		c.PerKWhAfter.String(), c.PerKWhBefore.String(), wholeShillings(c.Paid), kwh(c.After), kwh(c.Before))
}

// Notices tells customers of tariff changes before they take effect.
type Notices struct {
	DB      *store.DB
	Quiet   notify.QuietHours
	Utility string
}

// noticeBatch is how many phones one transaction tells.
const noticeBatch = 500

// Sweep tells the phones of active meters on each tariff whose next version
// takes effect within NoticeLead, once per version, price and phone (a
// version reworked to another price before its date is told again, so that
// the last word customers had is the price they will pay), and returns
// how many phones it told. It is safe on several nodes at once: a row per
// version and phone lets one of them write each message.
func (n *Notices) Sweep(ctx context.Context) (int, error) {
	now := n.DB.Now()
	changes, err := Coming(ctx, n.DB, now)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, c := range changes {
		for {
			k, err := n.tell(ctx, c)
			told += k
			if err != nil {
				return told, fmt.Errorf("tariff notice %s %s: %w", c.TariffID, c.EffectiveFrom.Format(time.DateOnly), err)
			}
			if k < noticeBatch {
				break
			}
		}
	}
	return told, nil
}

// Coming returns the changes of stored tariffs whose versions take effect
// after now and within NoticeLead.
func Coming(ctx context.Context, db *store.DB, now time.Time) ([]Change, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, source FROM tariffs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coming tariff changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var id, src string
		if err := rows.Scan(&id, &src); err != nil {
			return nil, fmt.Errorf("coming tariff changes: %w", err)
		}
		t, err := tariff.Parse([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("coming tariff changes: tariff %s: %w", id, err)
		}
		for i := 1; i < len(t.Versions); i++ {
			v := t.Versions[i]
			if !v.EffectiveFrom.After(now) || v.EffectiveFrom.Sub(now) > NoticeLead {
				continue
			}
			if c, ok := ChangeOf(id, t.Versions[i-1], v); ok {
				out = append(out, c)
			}
		}
	}
	return out, rows.Err()
}

// tell writes up to noticeBatch notices of c to phones not yet told.
func (n *Notices) tell(ctx context.Context, c Change) (int, error) {
	told := 0
	eff := store.Micros(c.EffectiveFrom)
	err := n.DB.InTx(ctx, func(tx *store.Tx) error {
		told = 0
		phones, err := reachable(tx, noticeBatch, `SELECT p.msisdn, c.language FROM meters m
			JOIN customers c ON c.id = m.customer_id JOIN customer_phones p ON p.customer_id = c.id
			WHERE m.tariff_id = $1 AND m.status = 'active'
			AND p.msisdn NOT IN (SELECT msisdn FROM tariff_notices WHERE tariff_id = $1 AND effective_from = $2 AND per_kwh = $3)`,
			c.TariffID, eff, c.PerKWhAfter)
		if err != nil {
			return err
		}
		msgs := make([]notify.Message, 0, len(phones))
		for _, p := range phones {
			id := uuid.Must(uuid.NewV7()).String()
			res, err := tx.Exec(`INSERT INTO tariff_notices (tariff_id, effective_from, per_kwh, msisdn, message_id, sent_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tariff_id, effective_from, per_kwh, msisdn) DO NOTHING`,
				c.TariffID, eff, c.PerKWhAfter, p.msisdn, id, store.Micros(tx.Now))
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil {
				return err
			} else if k != 1 {
				continue // another node told this phone
			}
			msgs = append(msgs, notify.Message{ID: id, Recipient: p.msisdn, Lane: notify.LaneBulk, Template: NoticeTemplate,
				Language: p.lang, Body: c.Text(p.lang, n.Utility), Ref: c.TariffID, NotBefore: n.Quiet.Release(tx.Now)})
		}
		told = len(msgs)
		return notify.Enqueue(tx, msgs...)
	})
	return told, err
}
