package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Kinds of exception.
const (
	// MissingInMteja: M-Pesa took the money and Mteja has no payment (the
	// confirmation was refused or never arrived). Recorded at once from
	// M-Pesa's record.
	MissingInMteja = "missing_in_mteja"
	// MissingInMpesa: Mteja has a payment M-Pesa's records of its time do
	// not list. Waits for finance; never reversed by itself.
	MissingInMpesa = "missing_in_mpesa"
	// AmountDiffers: both have the payment, for different amounts.
	AmountDiffers = "amount_differs"
	// ReversedInMpesa: M-Pesa reversed a payment Mteja still counts.
	ReversedInMpesa = "reversed_in_mpesa"
)

// States of an exception.
const (
	Open     = "open"     // waits for a finance user
	Auto     = "auto"     // Mteja acted by itself; Action says how
	Resolved = "resolved" // a finance user acted
)

// Actions: what reconciliation did by itself, and what a finance user may
// do with an open exception.
const (
	ActRecorded    = "recorded"     // the payment was recorded for the meter its record names, to be vended
	ActRecordedSTK = "recorded_stk" // recorded for the meter of the STK push it paid, to be vended
	ActSuspense    = "suspense"     // recorded in suspense: its record names no meter that can be paid
	ActNone        = "none"         // nothing to do (M-Pesa reversed it before Mteja heard of it)
	ActFound       = "found"        // a later M-Pesa record lists it after all

	ActAssign  = "assign"  // credit the payment, held in suspense, to a meter
	ActRefund  = "refund"  // give back the payment held in suspense
	ActReverse = "reverse" // record that the payment is reversed (as M-Pesa did, or as it should be)
	ActDismiss = "dismiss" // nothing to change; the note says why
)

// Exception is one difference between M-Pesa's records and Mteja's.
type Exception struct {
	ID      string
	Kind    string
	Receipt string
	Day     string // the business day of the transaction
	Source  string // what found it: SourceStatement or SourcePull
	// PaymentID is Mteja's payment ("" when there is none); PaymentState
	// its state now.
	PaymentID    string
	PaymentState string
	MpesaAmount  *money.Amount // what M-Pesa's record says; nil when it has none
	MtejaAmount  *money.Amount // what Mteja's payment says; nil when there is none
	AccountRef   string
	Detail       string
	State        string
	Action       string // what was done, once done
	FoundAt      time.Time
	ResolvedAt   time.Time
	ResolvedBy   string
	Note         string
}

// Actions are what a finance user may do with the exception now: none
// unless it is open, and those its payment's state allows.
func (e Exception) Actions() []string {
	if e.State != Open {
		return nil
	}
	var out []string
	switch e.PaymentState {
	case payment.Suspense:
		out = append(out, ActAssign, ActRefund, ActReverse)
	case payment.Applied:
		out = append(out, ActReverse)
	}
	return append(out, ActDismiss)
}

const exceptionColumns = `e.id, e.kind, e.receipt, e.day, e.source, e.payment_id, COALESCE(p.state, ''), e.mpesa_amount, e.mteja_amount, e.account_ref,
	e.detail, e.state, e.action, e.found_at, e.resolved_at, e.resolved_by, e.note`

const exceptionFrom = ` FROM recon_exceptions e LEFT JOIN payments p ON p.id = e.payment_id`

func scanException(sc interface{ Scan(...any) error }) (Exception, error) {
	var e Exception
	var mpesaAmt, mtejaAmt, resolved sql.NullInt64
	var found int64
	err := sc.Scan(&e.ID, &e.Kind, &e.Receipt, &e.Day, &e.Source, &e.PaymentID, &e.PaymentState, &mpesaAmt, &mtejaAmt, &e.AccountRef,
		&e.Detail, &e.State, &e.Action, &found, &resolved, &e.ResolvedBy, &e.Note)
	e.MpesaAmount, e.MtejaAmount = amountOrNil(mpesaAmt), amountOrNil(mtejaAmt)
	e.FoundAt, e.ResolvedAt = store.Time(found), store.NullTime(resolved)
	return e, err
}

func amountOrNil(n sql.NullInt64) *money.Amount {
	if !n.Valid {
		return nil
	}
	a := money.Amount(n.Int64)
	return &a
}

// GetException returns one exception.
func GetException(ctx context.Context, q payment.Querier, id string) (Exception, error) {
	e, err := scanException(q.QueryRowContext(ctx, `SELECT `+exceptionColumns+exceptionFrom+` WHERE e.id = $1`, id))
	return e, store.NotFound(err, "exception "+id)
}

// Filter selects exceptions.
type Filter struct {
	State string // Open, Auto, Resolved; "" for all
	Day   string // YYYY-MM-DD; "" for all
	Limit int    // default 100, at most 1000
}

// Exceptions lists exceptions, newest first.
func Exceptions(ctx context.Context, q payment.Querier, f Filter) ([]Exception, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	where, args := "1=1", []any{}
	if f.State != "" {
		args = append(args, f.State)
		where += fmt.Sprintf(" AND e.state = $%d", len(args))
	}
	if f.Day != "" {
		args = append(args, f.Day)
		where += fmt.Sprintf(" AND e.day = $%d", len(args))
	}
	args = append(args, f.Limit)
	rows, err := q.QueryContext(ctx, `SELECT `+exceptionColumns+exceptionFrom+` WHERE `+where+
		fmt.Sprintf(` ORDER BY e.found_at DESC, e.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list exceptions: %w", err)
	}
	defer rows.Close()
	out := []Exception{}
	for rows.Next() {
		e, err := scanException(rows)
		if err != nil {
			return nil, fmt.Errorf("list exceptions: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// finding is an exception about to be stored.
type finding struct {
	kind, receipt, day, paymentID string
	mpesa, mteja                  *money.Amount
	accountRef, detail            string
	state, action                 string
}

// add stores an exception unless one of its kind is stored for the receipt
// already, and audits what Mteja did by itself. It returns the new id, or
// "" when it was known.
func add(tx *store.Tx, source string, f finding) (string, error) {
	id := uuid.Must(uuid.NewV7()).String()
	var resolved any
	by := ""
	if f.state == Auto {
		resolved, by = store.Micros(tx.Now), System
	}
	err := tx.QueryRow(`INSERT INTO recon_exceptions (id, kind, receipt, day, source, payment_id, mpesa_amount, mteja_amount, account_ref, detail, state, action, found_at, resolved_at, resolved_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (kind, receipt) DO NOTHING RETURNING id`,
		id, f.kind, f.receipt, f.day, source, f.paymentID, nullAmount(f.mpesa), nullAmount(f.mteja), store.Truncate(f.accountRef, 40),
		store.Truncate(f.detail, 500), f.state, f.action, store.Micros(tx.Now), resolved, by).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("exception %s %s: %w", f.kind, f.receipt, err)
	}
	if f.state == Auto {
		if err := payment.Audit(tx, System, "reconcile."+f.action, subject(f.paymentID, f.receipt), f.detail); err != nil {
			return "", err
		}
	}
	return id, nil
}

func nullAmount(a *money.Amount) any {
	if a == nil {
		return nil
	}
	return int64(*a)
}

// subject is what an audit event is about: the payment, or the receipt
// when Mteja has no payment.
func subject(paymentID, receipt string) string {
	if paymentID != "" {
		return paymentID
	}
	return receipt
}

// found closes an open "missing in M-Pesa" exception about receipt: a later
// record of M-Pesa's lists it.
func found(tx *store.Tx, receipt, source string) error {
	res, err := tx.Exec(`UPDATE recon_exceptions SET state = 'auto', action = 'found', resolved_at = $2, resolved_by = $3, note = $4
		WHERE kind = 'missing_in_mpesa' AND receipt = $1 AND state = 'open'`, receipt, store.Micros(tx.Now), System, "listed by M-Pesa's "+source+" after all")
	if err != nil {
		return fmt.Errorf("exception of %s: %w", receipt, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return payment.Audit(tx, System, "reconcile.found", receipt, "listed by M-Pesa's "+source+" after all")
	}
	return nil
}
