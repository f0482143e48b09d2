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
	stk, err := matchSTK(ctx, q, p.NotifyMSISDN, res.Amount, paid)
	if err != nil {
		return Recorded{}, err
	}
	val, err := validationOf(ctx, q, receipt, res.Amount)
	if err != nil {
		return Recorded{}, err
	}
	owner := ""
	switch {
	case stk != nil:
		p.Provider, p.AccountRef, p.MeterDRN, owner = MpesaSTK, stk.MeterDRN, stk.MeterDRN, stk.MSISDN
	case val != nil:
		p.AccountRef, p.MeterDRN = val.accountRef, customer.NormalizeNumber(val.accountRef)
		if p.NotifyMSISDN == "" && phone.IsHash(val.payer) {
			p.Payer = val.payer // the hash is how the payer can prove it is them
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
			_, err := tx.Exec(`UPDATE stk_requests SET state = 'paid', receipt = $2, result_desc = 'paid (found by a transaction status query)', updated_at = $3
				WHERE checkout_request_id = $1 AND state = 'pending'`, stk.CheckoutRequestID, receipt, store.Micros(tx.Now))
			return err
		})
	}
	return rec, err
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

// matchSTK finds the one STK push Mteja sent to msisdn for amount shortly
// before paid that is still waiting for its callback; nil when there is
// none, or more than one to choose from.
func matchSTK(ctx context.Context, q Querier, msisdn string, amount money.Amount, paid time.Time) (*STKRequest, error) {
	if msisdn == "" {
		return nil, nil
	}
	ids, err := store.Strings(ctx, q, `SELECT checkout_request_id FROM stk_requests WHERE msisdn = $1 AND amount = $2 AND state = 'pending' AND created_at BETWEEN $3 AND $4 LIMIT 2`,
		msisdn, int64(amount), store.Micros(paid.Add(-10*time.Minute)), store.Micros(paid.Add(time.Minute)))
	if err != nil || len(ids) != 1 {
		return nil, err
	}
	r, err := GetSTK(ctx, q, ids[0])
	if err != nil {
		return nil, err
	}
	return &r, nil
}

type validation struct{ accountRef, payer string }

// validationOf returns the C2B validation request M-Pesa sent for receipt
// with the same amount, or nil.
func validationOf(ctx context.Context, q Querier, receipt string, amount money.Amount) (*validation, error) {
	var v validation
	err := q.QueryRowContext(ctx, `SELECT account_ref, payer FROM c2b_validations WHERE receipt = $1 AND amount = $2`, receipt, int64(amount)).Scan(&v.accountRef, &v.payer)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("c2b validation of %s: %w", receipt, err)
	}
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
