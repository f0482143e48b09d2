package charter

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Credit is compensation owed to a meter for a breach.
type Credit struct {
	ID       string
	Standard string
	CaseID   string
	MeterDRN string
	Amount   money.Amount
}

// Grant records c and posts it to the books, once: a credit already
// granted for the same standard, case and meter is left as it is, and
// grant reports false. The posting moves the amount from the compensation
// expense to what is owed to customers, where the next vend takes it.
func Grant(tx *store.Tx, c Credit) (bool, error) {
	if c.ID == "" {
		c.ID = uuid.Must(uuid.NewV7()).String()
	}
	res, err := tx.Exec(`INSERT INTO charter_credits (id, standard, case_id, meter_drn, amount, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (standard, case_id, meter_drn) DO NOTHING`, c.ID, c.Standard, c.CaseID, c.MeterDRN, int64(c.Amount), store.Micros(tx.Now))
	if err != nil {
		return false, fmt.Errorf("charter credit %s %s: %w", c.Standard, c.CaseID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	t := ledger.Transfer("charter:"+c.ID, "charter_compensation", c.ID, ledger.CompensationExpense, ledger.CompensationOwed, c.Amount)
	return true, ledger.Post(tx, t)
}

// WaitingFor is the compensation the meters of a vend batch are owed and
// not yet given, in one query, read in tx: the vend reads it after locking
// the meters, so two vends of one meter cannot both see it. Meters owed
// nothing are absent.
func WaitingFor(tx *store.Tx, drns []string) (map[string][]Credit, error) {
	out := map[string][]Credit{}
	if len(drns) == 0 {
		return out, nil
	}
	var args []any
	rows, err := tx.Query(`SELECT id, standard, case_id, meter_drn, amount FROM charter_credits
		WHERE vend_id IS NULL AND meter_drn IN (`+store.In(&args, drns)+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("compensation waiting: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Credit
		var amount int64
		if err := rows.Scan(&c.ID, &c.Standard, &c.CaseID, &c.MeterDRN, &amount); err != nil {
			return nil, err
		}
		c.Amount = money.Amount(amount)
		out[c.MeterDRN] = append(out[c.MeterDRN], c)
	}
	return out, rows.Err()
}

// Take marks credits given by vendID, in the vend's transaction. A credit
// another transaction took first is an error, so that the vend rolls back
// rather than give it twice.
func Take(tx *store.Tx, vendID string, credits []Credit) error {
	for _, c := range credits {
		res, err := tx.Exec(`UPDATE charter_credits SET vend_id = $2, applied_at = $3 WHERE id = $1 AND vend_id IS NULL`, c.ID, vendID, store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("take compensation %s: %w", c.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("take compensation %s: already given (%v)", c.ID, err)
		}
	}
	return nil
}

// Sum is the total of credits.
func Sum(cs []Credit) money.Amount {
	var s money.Amount
	for _, c := range cs {
		s += c.Amount
	}
	return s
}

// Owed is the compensation a meter is owed and not yet given, for the
// pages that tell the customer it is coming.
func Owed(ctx context.Context, q Querier, drn string) (money.Amount, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM charter_credits WHERE meter_drn = $1 AND vend_id IS NULL`, drn).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("compensation owed to meter %s: %w", drn, err)
	}
	return money.Amount(n), nil
}
