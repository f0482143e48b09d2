package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Action is what a finance user does with an open exception.
type Action struct {
	Name  string // ActAssign, ActRefund, ActReverse or ActDismiss
	Meter string // for ActAssign: the meter to credit
	Note  string // why; required except for ActAssign
}

// ErrNotOpen is returned for an exception that is not open any more.
var ErrNotOpen = errors.New("the exception is not open")

// ErrAction is wrapped by the errors for an action that is not possible:
// unknown, missing what it needs, or not open to the exception now.
var ErrAction = errors.New("action not possible")

// Resolve applies a finance user's action to an open exception, in one
// transaction with the change to its payment, and audits it. by names the
// user. After ActAssign the payment waits for the vend worker, which the
// caller may wake.
func Resolve(ctx context.Context, db *store.DB, id string, a Action, by string) (Exception, error) {
	a.Note = strings.TrimSpace(a.Note)
	switch {
	case !slices.Contains([]string{ActAssign, ActRefund, ActReverse, ActDismiss}, a.Name):
		return Exception{}, fmt.Errorf("%w: unknown action %q (want %s, %s, %s or %s)", ErrAction, truncate(a.Name, 20), ActAssign, ActRefund, ActReverse, ActDismiss)
	case a.Name == ActAssign && customer.NormalizeNumber(a.Meter) == "":
		return Exception{}, fmt.Errorf("%w: %s needs the meter to credit", ErrAction, ActAssign)
	case a.Name != ActAssign && a.Note == "":
		return Exception{}, fmt.Errorf("%w: %s needs a note saying why", ErrAction, a.Name)
	}
	var out Exception
	err := db.InTx(ctx, func(tx *store.Tx) error {
		e, err := scanException(tx.QueryRow(`SELECT `+exceptionColumns+exceptionFrom+` WHERE e.id = $1 `+forUpdateOf(tx), id))
		if err != nil {
			return store.NotFound(err, "exception "+id)
		}
		if e.State != Open {
			return fmt.Errorf("exception %s (%s %s) is %s (%s): %w", id, e.Kind, e.Receipt, e.State, e.Action, ErrNotOpen)
		}
		if can := e.Actions(); !slices.Contains(can, a.Name) {
			return fmt.Errorf("%w: %q is not open to exception %s (%s, payment %s); it may be: %s", ErrAction, truncate(a.Name, 20), id, e.Kind,
				stateOf(e), strings.Join(can, ", "))
		}
		switch a.Name {
		case ActAssign:
			_, err = payment.AssignTx(ctx, tx, e.PaymentID, customer.NormalizeNumber(a.Meter), by)
		case ActRefund:
			_, err = payment.RefundTx(tx, e.PaymentID, by, a.Note)
		case ActReverse:
			_, err = payment.ReverseTx(tx, e.Receipt, by, a.Note)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE recon_exceptions SET state = 'resolved', action = $2, resolved_at = $3, resolved_by = $4, note = $5 WHERE id = $1`,
			id, a.Name, store.Micros(tx.Now), by, store.Truncate(a.Note, 300)); err != nil {
			return fmt.Errorf("resolve exception %s: %w", id, err)
		}
		detail := fmt.Sprintf("%s %s: %s", e.Kind, e.Receipt, a.Name)
		if a.Meter != "" {
			detail += " to meter " + customer.NormalizeNumber(a.Meter)
		}
		if a.Note != "" {
			detail += ": " + a.Note
		}
		if err := payment.Audit(tx, by, "reconcile.resolve", id, store.Truncate(detail, 500)); err != nil {
			return err
		}
		out, err = GetException(ctx, tx, id)
		return err
	})
	return out, err
}

func stateOf(e Exception) string {
	if e.PaymentState == "" {
		return "none"
	}
	return e.PaymentState
}

// forUpdateOf locks the exception's row, not the payment it is joined to
// (its action locks that).
func forUpdateOf(tx *store.Tx) string {
	if tx.Dialect == store.Postgres {
		return "FOR UPDATE OF e"
	}
	return ""
}
