package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/store"
)

// ErrState is returned when an action does not fit the payment's state.
var ErrState = errors.New("payment is not in a state that allows this")

// ErrService is returned when an action does not fit what the payment buys
// (a meter named for a payment to the ISP); ErrState is wrapped with it, so
// callers that know only ErrState answer as for a state that does not fit.
var ErrService = errors.New("payment is for another service")

// Assign resolves a suspense payment by matching it to a meter: it becomes
// received and the vend worker makes its token. by names the staff member.
func Assign(ctx context.Context, db *store.DB, id, drn, by string) (Payment, error) {
	return inTx(ctx, db, func(tx *store.Tx) (Payment, error) { return AssignTx(ctx, tx, id, drn, by) })
}

// AssignTx is Assign in the caller's transaction.
func AssignTx(ctx context.Context, tx *store.Tx, id, drn, by string) (Payment, error) {
	p, err := lockForResolve(tx, id)
	if err != nil {
		return Payment{}, err
	}
	if p.Service != Electricity {
		return Payment{}, fmt.Errorf("assign payment %s: it was paid to the %s short code %s, not for a meter: %w (%w)", p.Receipt, p.Service, p.ShortCode, ErrService, ErrState)
	}
	m, err := customer.GetMeter(ctx, tx, drn)
	if err != nil {
		return Payment{}, fmt.Errorf("assign payment %s: %w", p.Receipt, err)
	}
	if m.Status != customer.MeterActive {
		return Payment{}, fmt.Errorf("assign payment %s: meter %s is %s: %w", p.Receipt, drn, m.Status, ErrMeterNotPayable)
	}
	now := store.Micros(tx.Now)
	if _, err := tx.Exec(`UPDATE payments SET state = 'received', meter_drn = $2, reason = '', resolved_at = $3, resolved_by = $4, run_after = 0 WHERE id = $1`,
		p.ID, drn, now, by); err != nil {
		return Payment{}, fmt.Errorf("assign payment %s: %w", p.Receipt, err)
	}
	if err := ledger.Post(tx, ledger.Transfer("assign:"+p.ID, "suspense_assign", p.ID, ledger.Suspense, ledger.CustomerCredit, p.Amount)); err != nil {
		return Payment{}, err
	}
	if err := Audit(tx, by, "payment.assign", p.ID, fmt.Sprintf("receipt %s to meter %s", p.Receipt, drn)); err != nil {
		return Payment{}, err
	}
	p.State, p.MeterDRN, p.Reason, p.ResolvedBy = Received, drn, "", by
	return p, nil
}

// inTx runs fn in a transaction of its own and returns its payment.
func inTx(ctx context.Context, db *store.DB, fn func(tx *store.Tx) (Payment, error)) (Payment, error) {
	var out Payment
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// Refund resolves a suspense payment by giving the money back (the M-Pesa
// reversal itself is started by the caller); the payment ends reversed.
func Refund(ctx context.Context, db *store.DB, id, by, reason string) (Payment, error) {
	return inTx(ctx, db, func(tx *store.Tx) (Payment, error) { return RefundTx(tx, id, by, reason) })
}

// RefundTx is Refund in the caller's transaction.
func RefundTx(tx *store.Tx, id, by, reason string) (Payment, error) {
	p, err := lockForResolve(tx, id)
	if err != nil {
		return Payment{}, err
	}
	if p.Provider == Agent {
		// Its money came from an outlet's float, not through M-Pesa: giving
		// it back means crediting that float, which is the agents' to do.
		return Payment{}, fmt.Errorf("refund payment %s: an agent's cash sale: %w", p.Receipt, ErrService)
	}
	if reason == "" {
		reason = "refunded"
	}
	if _, err := tx.Exec(`UPDATE payments SET state = 'reversed', reason = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1`,
		p.ID, reason, store.Micros(tx.Now), by); err != nil {
		return Payment{}, fmt.Errorf("refund payment %s: %w", p.Receipt, err)
	}
	books := BooksOf(p.Service)
	if err := ledger.Post(tx, ledger.Transfer("refund:"+p.ID, "refund", p.ID, books.Suspense, books.Clearing, p.Amount)); err != nil {
		return Payment{}, err
	}
	if err := Audit(tx, by, "payment.refund", p.ID, reason); err != nil {
		return Payment{}, err
	}
	p.State, p.Reason, p.ResolvedBy = Reversed, reason, by
	return p, nil
}

// Reverse records that M-Pesa reversed an applied payment. The token has
// been issued and may already be in the meter, so the money becomes debt on
// the meter, recovered from its next purchases.
func Reverse(ctx context.Context, db *store.DB, receipt, by, reason string) (Payment, error) {
	return inTx(ctx, db, func(tx *store.Tx) (Payment, error) { return ReverseTx(tx, receipt, by, reason) })
}

// ReverseTx is Reverse in the caller's transaction.
func ReverseTx(tx *store.Tx, receipt, by, reason string) (Payment, error) {
	p, err := scan(tx.QueryRow(`SELECT `+columns+` FROM payments WHERE receipt = $1 `+tx.ForUpdate(), receipt))
	if err != nil {
		return Payment{}, store.NotFound(err, "payment "+receipt)
	}
	books := BooksOf(p.Service)
	switch {
	case p.Provider == Agent:
		// An agent's cash sale came from an outlet's float; M-Pesa has
		// nothing of it to reverse.
		return Payment{}, fmt.Errorf("reverse payment %s: an agent's cash sale: %w (%w)", receipt, ErrService, ErrState)
	case p.State == Applied && p.Service != Electricity:
		// Its money is in a subscriber's wallet or spent on a plan: the
		// service's own books must take it back, which they cannot yet.
		return Payment{}, fmt.Errorf("reverse payment %s: applied to the %s's subscriber; record its reversal there: %w (%w)", receipt, p.Service, ErrService, ErrState)
	case p.State == Suspense:
		if _, err := tx.Exec(`UPDATE payments SET state = 'reversed', reason = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1`, p.ID, reason, store.Micros(tx.Now), by); err != nil {
			return Payment{}, err
		}
		if err := ledger.Post(tx, ledger.Transfer("reverse:"+p.ID, "reversal", p.ID, books.Suspense, books.Clearing, p.Amount)); err != nil {
			return Payment{}, err
		}
	case p.State == Applied:
		if _, err := tx.Exec(`UPDATE payments SET state = 'reversed', reason = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1`, p.ID, reason, store.Micros(tx.Now), by); err != nil {
			return Payment{}, err
		}
		if _, err := tx.Exec(`UPDATE meters SET debt = debt + $2 WHERE drn = $1`, p.MeterDRN, int64(p.Amount)); err != nil {
			return Payment{}, err
		}
		if err := ledger.Post(tx, ledger.Transfer("reverse:"+p.ID, "reversal", p.ID, ledger.DebtReceivable, ledger.MpesaClearing, p.Amount)); err != nil {
			return Payment{}, err
		}
	default:
		return Payment{}, fmt.Errorf("reverse payment %s (%s): %w", receipt, p.State, ErrState)
	}
	if err := Audit(tx, by, "payment.reverse", p.ID, reason); err != nil {
		return Payment{}, err
	}
	p.State, p.Reason = Reversed, reason
	return p, nil
}

func lockForResolve(tx *store.Tx, id string) (Payment, error) {
	p, err := scan(tx.QueryRow(`SELECT `+columns+` FROM payments WHERE id = $1 `+tx.ForUpdate(), id))
	if err != nil {
		return Payment{}, store.NotFound(err, "payment "+id)
	}
	if p.State != Suspense {
		return Payment{}, fmt.Errorf("payment %s is %s, not in suspense: %w", p.Receipt, p.State, ErrState)
	}
	return p, nil
}

// Audit records a staff or agent action.
func Audit(tx *store.Tx, actor, action, subject, detail string) error {
	_, err := tx.Exec(`INSERT INTO audit_events (id, at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		uuid.Must(uuid.NewV7()).String(), store.Micros(tx.Now), actor, action, subject, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
