package agent

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
)

// CheckBooks proves the agents' books agree with their records: each
// outlet's float account holds its float (a liability, so negated) and
// its commission account the commission of its sales; top-ups not yet
// credited wait in the unapplied account; every sale has its payment, of
// its amount.
func CheckBooks(ctx context.Context, q Querier) error {
	bal, err := ledger.Balances(ctx, q)
	if err != nil {
		return err
	}
	os, err := Outlets(ctx, q)
	if err != nil {
		return err
	}
	for _, o := range os {
		if got := -bal[ledger.AgentFloat(o.ID)]; got != o.Float {
			return fmt.Errorf("outlet %s: float account holds %s, its float is %s", o.Code, got, o.Float)
		}
		var commission int64
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(commission), 0) FROM agent_sales WHERE outlet_id = $1`, o.ID).Scan(&commission); err != nil {
			return fmt.Errorf("agent books: %w", err)
		}
		if got := -bal[ledger.AgentCommission(o.ID)]; got != money.Amount(commission) {
			return fmt.Errorf("outlet %s: commission account holds %s, its sales earned %s", o.Code, got, money.Amount(commission))
		}
	}
	var waiting int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM payments WHERE state = 'received' AND service = $1`, payment.AgentFloat).Scan(&waiting); err != nil {
		return fmt.Errorf("agent books: %w", err)
	}
	if got := -bal[ledger.AgentUnapplied]; got != money.Amount(waiting) {
		return fmt.Errorf("account %s holds %s; top-ups waiting come to %s", ledger.AgentUnapplied, got, money.Amount(waiting))
	}
	var bad int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM agent_sales s LEFT JOIN payments p ON p.id = s.payment_id
		WHERE p.id IS NULL OR p.amount <> s.amount OR p.provider <> $1`, payment.Agent).Scan(&bad); err != nil {
		return fmt.Errorf("agent books: %w", err)
	}
	if bad > 0 {
		return fmt.Errorf("%d agent sales without their own payment of their amount", bad)
	}
	return nil
}
