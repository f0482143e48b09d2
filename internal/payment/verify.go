package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// Verifier confirms large payments from callbacks with M-Pesa before a
// token is made (MTEJA_DARAJA_VERIFY_ABOVE): a callback is only M-Pesa's
// word as it reached us, a transaction status query is M-Pesa's answer to a
// question we asked. A payment waits verifying, its money in the suspense
// account, until the answer confirms it (then it is vended) or does not
// (then it waits in suspense for staff, with the reason).
type Verifier struct {
	Recovery *Recovery
	// Again is how long an unanswered query waits before it is sent again
	// (default 1 minute); MaxAsks how many are sent before the payment goes
	// to suspense (default 10).
	Again   time.Duration
	MaxAsks int
	// Log gets errors of a round; nil drops them.
	Log func(error)

	wake chan struct{}
}

// Wake makes the verifier look at once (a payment to verify was stored).
func (v *Verifier) Wake() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// Run verifies until ctx ends, every few seconds and on Wake.
func (v *Verifier) Run(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if _, err := v.VerifyOnce(ctx); err != nil && ctx.Err() == nil && v.Log != nil {
			v.Log(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-v.wake:
		}
	}
}

// NewVerifier returns a verifier over rc.
func NewVerifier(rc *Recovery) *Verifier {
	return &Verifier{Recovery: rc, wake: make(chan struct{}, 1)}
}

// VerifyOnce sends a status query for each payment waiting to be verified
// whose last query went unanswered, and returns how many it sent.
func (v *Verifier) VerifyOnce(ctx context.Context) (int, error) {
	rc := v.Recovery
	again, maxAsks := v.Again, v.MaxAsks
	if again <= 0 {
		again = time.Minute
	}
	if maxAsks <= 0 {
		maxAsks = 10
	}
	ids, err := store.Strings(ctx, rc.DB.Read(), `SELECT id FROM payments WHERE state = 'verifying' AND run_after <= $1 ORDER BY received_at LIMIT 50`,
		store.Micros(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("payments to verify: %w", err)
	}
	sent := 0
	for _, id := range ids {
		var query, receipt string
		err := rc.DB.InTx(ctx, func(tx *store.Tx) error {
			query, receipt = "", ""
			// Another node may have taken it since it was listed.
			p, err := scan(tx.QueryRow(`SELECT `+columns+` FROM payments WHERE id = $1 AND state = 'verifying' AND run_after <= $2 `+tx.ForUpdate(),
				id, store.Micros(tx.Now)))
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			if p.Attempts >= maxAsks {
				return toSuspense(tx, p, fmt.Sprintf("M-Pesa did not confirm it: %d transaction status queries went unanswered", p.Attempts))
			}
			if _, err := tx.Exec(`UPDATE payments SET attempts = attempts + 1, run_after = $2 WHERE id = $1`, id, store.Micros(tx.Now.Add(again))); err != nil {
				return err
			}
			receipt = p.Receipt
			query, err = newQuery(tx, p.Receipt)
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("verify payment %s: %w", id, err)
		}
		if query == "" {
			continue
		}
		if err := rc.send(ctx, query, receipt, "verify before vending"); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// confirm applies the answer to a verification query: a completed payment
// to us of the same amount is received and vended; an answer that says
// otherwise sends it to suspense with the reason; any other answer (a
// failure on M-Pesa's side) leaves it to be asked again.
func (rc *Recovery) confirm(ctx context.Context, query string, p Payment, res mpesa.StatusResult) error {
	var woke bool
	err := rc.DB.InTx(ctx, func(tx *store.Tx) error {
		woke = false
		cur, err := scan(tx.QueryRow(`SELECT `+columns+` FROM payments WHERE id = $1 `+tx.ForUpdate(), p.ID))
		if err != nil {
			return err
		}
		reason := ""
		switch {
		case cur.State != Verifying:
			return answered(tx, query, res, outcomeOther) // settled by an earlier answer
		case res.NotFound():
			reason = "M-Pesa knows no such transaction (transaction status query)"
		case !res.Succeeded():
			return answered(tx, query, res, outcomeOther)
		case !res.Completed():
			reason = fmt.Sprintf("M-Pesa says the transaction is %q, not completed", store.Truncate(res.TransactionStatus, 40))
		case res.ReceiptNo != "" && res.ReceiptNo != cur.Receipt:
			reason = fmt.Sprintf("M-Pesa's answer is about receipt %q", store.Truncate(res.ReceiptNo, 20))
		case !rc.ours(res.CreditPartyName):
			reason = fmt.Sprintf("M-Pesa says it paid %q, not us", store.Truncate(res.CreditPartyName, 60))
		case res.Amount != cur.Amount:
			reason = fmt.Sprintf("M-Pesa says %s was paid, not the %s the callback said", res.Amount.Plain(), cur.Amount.Plain())
		}
		if reason != "" {
			if err := toSuspense(tx, cur, reason); err != nil {
				return err
			}
			return answered(tx, query, res, "refused")
		}
		if _, err := tx.Exec(`UPDATE payments SET state = 'received', reason = '', attempts = 0, run_after = 0 WHERE id = $1`, cur.ID); err != nil {
			return err
		}
		books := BooksOf(cur.Service)
		if err := ledger.Post(tx, ledger.Transfer("verify:"+cur.ID, "verified", cur.ID, books.Suspense, books.Credit, cur.Amount)); err != nil {
			return err
		}
		woke = true
		return answered(tx, query, res, "verified")
	})
	if err != nil {
		return fmt.Errorf("verify payment %s: %w", p.Receipt, err)
	}
	if woke && rc.Intake != nil {
		rc.Intake.Wake()
	}
	return nil
}

// toSuspense moves a payment being verified to suspense; its money is in
// the suspense account already.
func toSuspense(tx *store.Tx, p Payment, reason string) error {
	_, err := tx.Exec(`UPDATE payments SET state = 'suspense', reason = $2, run_after = 0 WHERE id = $1 AND state = 'verifying'`, p.ID, store.Truncate(reason, 300))
	return err
}
