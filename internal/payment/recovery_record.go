package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// record stores the payment a status result revealed. A status result does
// not say which account was paid, so the meter comes from Mteja's own
// records of the same payment: the STK push it sent to the payer for that
// amount, or M-Pesa's validation request, which carried the account typed.
// The payment is credited to that meter when no one asked about it (the
// system did) or one of its askers is its payer or the meter's own phone;
// otherwise it is held in suspense with the reason.
func (rc *Recovery) record(ctx context.Context, receipt string, res mpesa.StatusResult) (Recorded, error) {
	q := rc.DB.Read()
	payer, name := party(res.DebitPartyName)
	credited, _ := party(res.CreditPartyName)
	paid := res.FinalisedTime
	if paid.IsZero() {
		paid = time.Now()
	}
	p := Payment{Provider: MpesaC2B, Receipt: receipt, Amount: res.Amount, Payer: payer, PayerName: name, ShortCode: credited, PaidAt: paid}
	if _, err := phone.Normalize(payer); err == nil {
		p.NotifyMSISDN = payer
	}
	stk, err := MatchSTK(ctx, q, p.NotifyMSISDN, res.Amount, paid)
	if err != nil {
		return Recorded{}, err
	}
	val, err := ValidationOf(ctx, q, receipt)
	if err != nil {
		return Recorded{}, err
	}
	if val != nil && val.Amount != res.Amount {
		val = nil // not a record of this payment
	}
	owner := ""
	switch {
	case stk != nil:
		p.Provider, p.AccountRef, p.MeterDRN, owner = MpesaSTK, stk.MeterDRN, stk.MeterDRN, stk.MSISDN
	case val != nil:
		p.AccountRef, p.MeterDRN = val.AccountRef, customer.NormalizeNumber(val.AccountRef)
		if p.NotifyMSISDN == "" && phone.IsHash(val.Payer) {
			p.Payer = val.Payer // the hash is how the payer can prove it is them
		}
	}
	askers, err := askersOf(ctx, q, receipt)
	if err != nil {
		return Recorded{}, err
	}
	rightful := ""
	for _, a := range askers {
		ok := a == owner
		if !ok {
			if ok, err = Rightful(ctx, q, p, a); err != nil {
				return Recorded{}, err
			}
		}
		if ok {
			rightful = a
			break
		}
	}
	switch {
	case p.MeterDRN == "":
		p.Hold = "found by a transaction status query; M-Pesa's record of it names no meter"
	case len(askers) > 0 && rightful == "":
		masked := make([]string, len(askers))
		for i, a := range askers {
			masked[i] = phone.Mask(a)
		}
		p.Hold = fmt.Sprintf("found by a transaction status query asked by %s, neither its payer nor a phone of meter %s", strings.Join(masked, ", "), p.MeterDRN)
	}
	for _, n := range []string{rightful, owner} {
		if p.NotifyMSISDN == "" && n != "" {
			p.NotifyMSISDN = n
		}
	}
	rec, err := rc.Intake.Record(ctx, p)
	if err != nil {
		return Recorded{}, err
	}
	if stk != nil {
		err = rc.DB.InTx(ctx, func(tx *store.Tx) error {
			return MarkSTKPaid(tx, stk.CheckoutRequestID, receipt, "paid (found by a transaction status query)")
		})
	}
	return rec, err
}

// MarkSTKPaid records that a push still pending was paid with receipt,
// found some other way than its callback (which then changes nothing).
func MarkSTKPaid(tx *store.Tx, checkoutID, receipt, desc string) error {
	_, err := tx.Exec(`UPDATE stk_requests SET state = 'paid', receipt = $2, result_desc = $3, updated_at = $4
		WHERE checkout_request_id = $1 AND state = 'pending'`, checkoutID, receipt, store.Truncate(desc, 200), store.Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("stk push %s paid: %w", checkoutID, err)
	}
	return nil
}

// Rightful reports whether msisdn has a right to see all of payment p: it
// paid (its number, or the hash M-Pesa C2B sends of it), it was prompted by
// Mteja's STK push, or it is a registered phone of the meter paid for.
func Rightful(ctx context.Context, q Querier, p Payment, msisdn string) (bool, error) {
	if msisdn == "" {
		return false, nil
	}
	if msisdn == p.Payer || msisdn == p.NotifyMSISDN || phone.IsHash(p.Payer) && strings.EqualFold(p.Payer, mpesa.HashMSISDN(msisdn)) {
		return true, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM stk_requests WHERE receipt = $1 AND receipt <> '' AND msisdn = $2) +
		(SELECT count(*) FROM meters m JOIN customer_phones c ON c.customer_id = m.customer_id WHERE m.drn = $3 AND c.msisdn = $2)`,
		p.Receipt, msisdn, p.MeterDRN).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("who may see payment %s: %w", p.Receipt, err)
	}
	return n > 0, nil
}

// party splits "254708374149 - John Doe" into the number and the name.
func party(s string) (id, name string) {
	id, name, _ = strings.Cut(s, " - ")
	return store.Truncate(strings.TrimSpace(id), 64), store.Truncate(strings.TrimSpace(name), 100)
}

// MatchSTK finds the one STK push for a meter Mteja sent to payer for
// amount shortly before paid that is still waiting for its callback
// (pending, whether or not the STK query poller has heard since that it was
// paid); nil when
// there is none, or more than one to choose from. payer is a plain number,
// or a mask as M-Pesa shows it ("2547*****149"), which must fit the number
// Mteja prompted.
func MatchSTK(ctx context.Context, q Querier, payer string, amount money.Amount, paid time.Time) (*STKRequest, error) {
	masked := phone.IsMasked(payer)
	if payer == "" || !masked && phone.IsHash(payer) {
		return nil, nil
	}
	number := payer
	if masked {
		number = "" // matched below, on the numbers of the pushes found
	}
	ids, err := store.Strings(ctx, q, `SELECT checkout_request_id FROM stk_requests WHERE ($1 = '' OR msisdn = $1) AND amount = $2 AND state = 'pending' AND service = 'electricity' AND receipt = ''
		AND created_at BETWEEN $3 AND $4 ORDER BY created_at LIMIT 50`,
		number, int64(amount), store.Micros(paid.Add(-10*time.Minute)), store.Micros(paid.Add(time.Minute)))
	if err != nil {
		return nil, fmt.Errorf("stk pushes paid by %s: %w", phone.Mask(payer), err)
	}
	var found []STKRequest
	for _, id := range ids {
		r, err := GetSTK(ctx, q, id)
		if err != nil {
			return nil, err
		}
		if !masked || phone.Fits(payer, r.MSISDN) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return nil, nil
	}
	return &found[0], nil
}

// Validation is what M-Pesa's C2B validation request said of a payment
// before it was made.
type Validation struct {
	AccountRef string // as the customer typed it
	Payer      string // the hash or mask M-Pesa sent
	Amount     money.Amount
}

// ValidationOf returns the C2B validation request M-Pesa sent for receipt,
// or nil when none was kept.
func ValidationOf(ctx context.Context, q Querier, receipt string) (*Validation, error) {
	var v Validation
	var amount int64
	err := q.QueryRowContext(ctx, `SELECT account_ref, payer, amount FROM c2b_validations WHERE receipt = $1`, receipt).Scan(&v.AccountRef, &v.Payer, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("c2b validation of %s: %w", receipt, err)
	}
	v.Amount = money.Amount(amount)
	return &v, nil
}

// askersOf returns the phones that asked about receipt, first asker first.
func askersOf(ctx context.Context, q Querier, receipt string) ([]string, error) {
	out, err := store.Strings(ctx, q, `SELECT msisdn FROM receipt_asks WHERE receipt = $1 ORDER BY asked_at, msisdn`, receipt)
	if err != nil {
		return nil, fmt.Errorf("who asked about %s: %w", receipt, err)
	}
	return out, nil
}

// RecordValidation keeps what a C2B validation request says of a payment
// about to be made: the account typed is the one thing a later transaction
// status query cannot tell. A repeat is ignored.
func RecordValidation(ctx context.Context, db *store.DB, c mpesa.C2B) error {
	if c.TransID == "" {
		return nil
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO c2b_validations (receipt, account_ref, amount, short_code, payer, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (receipt) DO NOTHING`,
			c.TransID, store.Truncate(c.BillRef, 40), int64(c.Amount), c.ShortCode, store.Truncate(c.MSISDN, 64), store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("keep c2b validation %s: %w", c.TransID, err)
		}
		return nil
	})
}
