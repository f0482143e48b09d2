package apptest

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

func createKey(db *store.DB, role string) (string, error) {
	return staff.CreateAPIKey(context.Background(), db, "test-"+role, role)
}

// CheckBooks proves what must hold after any sequence of payments, vends and
// resolutions, once the pipeline has settled:
//   - every ledger transaction balances (ledger.Check), and the ISP's
//     books agree with its wallets, purchases and vouchers (isp.CheckBooks);
//   - for each service (electricity, the ISP), its M-Pesa clearing account
//     holds every payment not given back, its suspense every payment in
//     suspense, its credit every payment not yet vended or applied; debt
//     receivable holds what the meters owe;
//   - an applied electricity payment has exactly one vend, of its amount,
//     and no other payment has one unless it was applied and then reversed
//     (the ISP's never);
//   - every vend has exactly one credit token, TIDs never repeat on a meter,
//     and the receipt lines add up to the amount paid.
func (a *App) CheckBooks() {
	a.T.Helper()
	if err := a.Books(); err != nil {
		a.T.Errorf("books: %v", err)
	}
}

// Books returns the first broken rule of CheckBooks, or nil.
func (a *App) Books() error {
	ctx := context.Background()
	q := a.DB.Read()
	if err := ledger.Check(ctx, q); err != nil {
		return err
	}
	if err := isp.CheckBooks(ctx, q); err != nil {
		return err
	}
	if err := agent.CheckBooks(ctx, q); err != nil {
		return err
	}
	bal, err := ledger.Balances(ctx, q)
	if err != nil {
		return err
	}
	var total money.Amount
	for _, b := range bal {
		total += b
	}
	if total != 0 {
		return fmt.Errorf("the ledger sums to %s over all accounts, not 0", total)
	}
	sum := func(where string) (money.Amount, error) {
		var n int64
		err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM payments WHERE `+where).Scan(&n)
		return money.Amount(n), err
	}
	for _, service := range []string{payment.Electricity, payment.Internet} {
		books := payment.BooksOf(service)
		for _, c := range []struct {
			account, where string
			sign           money.Amount
		}{
			{books.Clearing, `state <> 'reversed'`, 1},
			{books.Suspense, `state IN ('suspense', 'verifying')`, -1},
			{books.Credit, `state = 'received'`, -1},
		} {
			where := c.where + ` AND service = '` + service + `'`
			if service == payment.Electricity && c.account != books.Credit {
				// The utility's Paybill also takes agents' float top-ups,
				// into the same clearing and suspense; an agent's cash sale
				// is paid from the outlet's float, not through M-Pesa.
				where = c.where + ` AND service IN ('electricity', 'agent_float') AND provider <> 'agent'`
			}
			s, err := sum(where)
			if err != nil {
				return err
			}
			if bal[c.account] != c.sign*s {
				return fmt.Errorf("account %s holds %s; the payments (%s) say %s", c.account, bal[c.account], where, c.sign*s)
			}
		}
	}
	var debt int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(debt), 0) FROM meters`).Scan(&debt); err != nil {
		return err
	}
	if bal[ledger.DebtReceivable] != money.Amount(debt) {
		return fmt.Errorf("account %s holds %s; the meters owe %s", ledger.DebtReceivable, bal[ledger.DebtReceivable], money.Amount(debt))
	}
	var owed int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM charter_credits WHERE vend_id IS NULL`).Scan(&owed); err != nil {
		return err
	}
	if bal[ledger.CompensationOwed] != -money.Amount(owed) {
		return fmt.Errorf("account %s holds %s; the charter's credits not yet given say %s", ledger.CompensationOwed, bal[ledger.CompensationOwed], money.Amount(owed))
	}
	for _, c := range []struct{ what, query string }{
		{"compensation given twice or by no vend", `SELECT count(*) FROM charter_credits c WHERE c.vend_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vends v WHERE v.id = c.vend_id)`},
		{"vends whose compensation is not their credits'", `SELECT count(*) FROM vends v WHERE v.compensation <> (SELECT COALESCE(SUM(c.amount), 0) FROM charter_credits c WHERE c.vend_id = v.id)`},
		{"applied electricity payments without a vend", `SELECT count(*) FROM payments p WHERE p.state = 'applied' AND p.service = 'electricity' AND NOT EXISTS (SELECT 1 FROM vends v WHERE v.payment_id = p.id)`},
		{"vends of payments for another service", `SELECT count(*) FROM vends v JOIN payments p ON p.id = v.payment_id WHERE p.service <> 'electricity'`},
		{"vends of payments never applied", `SELECT count(*) FROM vends v JOIN payments p ON p.id = v.payment_id WHERE p.state NOT IN ('applied', 'reversed')`},
		{"vends whose amount is not the payment's", `SELECT count(*) FROM vends v JOIN payments p ON p.id = v.payment_id WHERE v.amount <> p.amount`},
		{"vends without exactly one credit token", `SELECT count(*) FROM vends v WHERE (SELECT count(*) FROM tokens t WHERE t.vend_id = v.id AND t.kind = 'credit') <> 1`},
		{"repeated TIDs on a meter", `SELECT count(*) FROM (SELECT meter_drn, tid FROM tokens WHERE kind = 'credit' GROUP BY meter_drn, tid HAVING count(*) > 1) x`},
	} {
		var n int
		if err := q.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", c.what, err)
		}
		if n != 0 {
			return fmt.Errorf("%d %s", n, c.what)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM vends`)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		v, err := vend.Get(ctx, q, id)
		if err != nil {
			return err
		}
		var lines money.Amount
		for _, l := range v.Quote.Lines {
			lines += l.Amount
		}
		if lines != v.Amount+v.Compensation {
			return fmt.Errorf("vend %s (%s): receipt lines add up to %s, paid %s with %s compensation", v.ID, v.Receipt, lines, v.Amount, v.Compensation)
		}
	}
	return nil
}

// Payment returns the payment with receipt; ok is false when there is none.
func (a *App) Payment(receipt string) (p payment.Payment, ok bool) {
	a.T.Helper()
	p, err := payment.ByReceipt(context.Background(), a.DB.Read(), receipt)
	if errors.Is(err, store.ErrNotFound) {
		return p, false
	}
	if err != nil {
		a.T.Fatalf("payment %s: %v", receipt, err)
	}
	return p, true
}

// WaitPayment waits until the payment with receipt is in state.
func (a *App) WaitPayment(receipt, state string) payment.Payment {
	a.T.Helper()
	var p payment.Payment
	Eventually(a.T, "payment "+receipt+" to be "+state, func() bool {
		var ok bool
		p, ok = a.Payment(receipt)
		return ok && p.State == state
	})
	return p
}

// Vends returns a meter's vends, newest first.
func (a *App) Vends(drn string) []vend.Vend {
	a.T.Helper()
	vs, err := vend.ForMeter(context.Background(), a.DB.Read(), drn, 100)
	if err != nil {
		a.T.Fatalf("vends of %s: %v", drn, err)
	}
	return vs
}

// VendOf returns the vend of the payment with receipt.
func (a *App) VendOf(receipt string) vend.Vend {
	a.T.Helper()
	v, err := vend.ByReceipt(context.Background(), a.DB.Read(), receipt)
	if err != nil {
		a.T.Fatalf("vend of %s: %v", receipt, err)
	}
	return v
}
