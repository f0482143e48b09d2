// Package ledger keeps double-entry books: every movement of money is a
// transaction of postings that sum to zero, so the books balance after every
// operation by construction, and Check proves it from the stored rows.
//
// Sign convention: debits are positive, credits negative. An asset account
// (M-Pesa clearing, debt receivable) carries a positive balance; a liability
// or revenue account (customer prepaid, VAT payable, energy revenue) carries
// a negative one.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Accounts of a prepaid utility's books.
const (
	MpesaClearing  = "asset:mpesa_clearing"      // money M-Pesa holds for us
	DebtReceivable = "asset:debt_receivable"     // arrears customers owe
	CustomerCredit = "liability:customer_credit" // paid, not yet vended
	Suspense       = "liability:suspense"        // paid, not matched to a meter
	VATPayable     = "liability:vat_payable"
	EnergyRevenue  = "revenue:energy"
	FixedRevenue   = "revenue:fixed_charge"
	// OpeningBalances is the other side of what a utility brings from its
	// previous system, such as the arrears of imported meters.
	OpeningBalances = "equity:opening_balances"
	// A missed standard of the service charter owes the customer
	// compensation (an expense) until their next vend gives it as energy.
	CompensationExpense = "expense:charter_compensation"
	CompensationOwed    = "liability:charter_compensation"
	// Pass-through charges and levies get one account each, named by the
	// tariff line code: "liability:levy:<code>" or "revenue:pass_through:<code>".
)

// Accounts of an ISP's books, apart from a utility's: a deployment may sell
// both, each through its own short codes.
const (
	ISPClearing  = "asset:isp:mpesa_clearing" // money M-Pesa holds for the ISP's short codes
	ISPVouchers  = "asset:isp:voucher_sales"  // face value of redeemed vouchers, held by whoever sold them
	ISPUnapplied = "liability:isp:unapplied"  // paid, not yet given to a subscriber
	ISPSuspense  = "liability:isp:suspense"   // paid, matched to no subscriber
	ISPWallet    = "liability:isp:wallet"     // subscribers' prepaid credit, not yet spent on a plan
	ISPVAT       = "liability:isp:vat_payable"
	ISPExcise    = "liability:isp:excise_payable" // excise duty on internet data services
	ISPRevenue   = "revenue:isp:service"
)

// Accounts of agent outlets: a float top-up waits in AgentUnapplied until
// the outlet it names is credited; each outlet's float and earned
// commission are liabilities of their own (AgentFloat, AgentCommission),
// and the commission is the utility's expense.
const (
	AgentUnapplied    = "liability:agent_float_unapplied"
	CommissionExpense = "expense:agent_commission"
)

// AgentFloat is the account of an outlet's float: what the agent prepaid,
// less what it sold.
func AgentFloat(outletID string) string { return "liability:agent_float:" + outletID }

// AgentCommission is the account of the commission an outlet has earned.
func AgentCommission(outletID string) string { return "liability:agent_commission:" + outletID }

// Posting is one line of a transaction.
type Posting struct {
	Account string
	Amount  money.Amount // debit > 0, credit < 0
}

// Txn is a balanced set of postings with what caused it.
type Txn struct {
	ID       string
	Kind     string // payment, vends, suspense_resolve, refund, reversal
	Ref      string // the payment, vend or other record it belongs to
	Postings []Posting
}

// ErrUnbalanced is returned for a transaction whose postings do not sum to zero.
var ErrUnbalanced = errors.New("unbalanced ledger transaction")

// Validate checks that t balances and names its accounts.
func (t Txn) Validate() error {
	var sum money.Amount
	for _, p := range t.Postings {
		if p.Account == "" {
			return fmt.Errorf("ledger txn %s: posting without account", t.ID)
		}
		sum += p.Amount
	}
	if sum != 0 {
		return fmt.Errorf("ledger txn %s (%s %s): %w: sums to %d", t.ID, t.Kind, t.Ref, ErrUnbalanced, sum)
	}
	if len(t.Postings) == 0 {
		return fmt.Errorf("ledger txn %s: no postings", t.ID)
	}
	return nil
}

// Transfer is the common two-posting transaction: amount moves from one
// account (credited) to another (debited).
func Transfer(id, kind, ref, debit, credit string, amount money.Amount) Txn {
	return Txn{ID: id, Kind: kind, Ref: ref, Postings: []Posting{
		{Account: debit, Amount: amount}, {Account: credit, Amount: -amount},
	}}
}

// Journal sums transactions into one summary entry: a posting per account,
// the sum of the transactions' postings to it, accounts in the order they
// first appear. A batch of sales books its journal instead of a
// transaction per sale: the books hold the same balances, and the sales'
// own lines stay with the records they belong to (a vend's quote). Each
// transaction must balance, as Post requires.
func Journal(id, kind, ref string, ts ...Txn) (Txn, error) {
	j := Txn{ID: id, Kind: kind, Ref: ref}
	at := map[string]int{}
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return Txn{}, err
		}
		for _, p := range t.Postings {
			i, ok := at[p.Account]
			if !ok {
				i = len(j.Postings)
				at[p.Account] = i
				j.Postings = append(j.Postings, Posting{Account: p.Account})
			}
			j.Postings[i].Amount += p.Amount
		}
	}
	return j, nil
}

// postBatch bounds rows per INSERT (a power of two: see store.Runs):
// PostgreSQL allows 65535 parameters and SQLite 32766; six columns a row.
const postBatch = 512

// Post writes the transactions in tx. Zero-amount postings are skipped.
func Post(tx *store.Tx, txns ...Txn) error {
	type row struct {
		t Txn
		p Posting
	}
	var rows []row
	for _, t := range txns {
		if err := t.Validate(); err != nil {
			return err
		}
		for _, p := range t.Postings {
			if p.Amount != 0 {
				rows = append(rows, row{t, p})
			}
		}
	}
	now := store.Micros(tx.Now)
	for _, n := range store.Runs(len(rows), postBatch) {
		args := make([]any, 0, n*6)
		for _, r := range rows[:n] {
			args = append(args, r.t.ID, r.t.Kind, r.t.Ref, r.p.Account, int64(r.p.Amount), now)
		}
		if _, err := tx.ExecPrepared(`INSERT INTO ledger_postings (txn_id, kind, ref, account, amount, created_at) VALUES `+store.Values(tx.Dialect, 6, n), args...); err != nil {
			return fmt.Errorf("post ledger: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// querier is what Balances and Check read through: the read pool or a Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Balances returns every account's balance.
func Balances(ctx context.Context, q querier) (map[string]money.Amount, error) {
	rows, err := q.QueryContext(ctx, `SELECT account, SUM(amount) FROM ledger_postings GROUP BY account`)
	if err != nil {
		return nil, fmt.Errorf("ledger balances: %w", err)
	}
	defer rows.Close()
	out := map[string]money.Amount{}
	for rows.Next() {
		var a string
		var n int64
		if err := rows.Scan(&a, &n); err != nil {
			return nil, fmt.Errorf("ledger balances: %w", err)
		}
		out[a] = money.Amount(n)
	}
	return out, rows.Err()
}

// Check proves the books balance: every transaction sums to zero (and so the
// whole ledger does). It returns the first unbalanced transactions found.
func Check(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT txn_id, SUM(amount) FROM ledger_postings GROUP BY txn_id HAVING SUM(amount) <> 0 LIMIT 10`)
	if err != nil {
		return fmt.Errorf("ledger check: %w", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("ledger check: %w", err)
		}
		bad = append(bad, fmt.Sprintf("%s sums to %d", id, n))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ledger check: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrUnbalanced, strings.Join(bad, "; "))
	}
	return nil
}
