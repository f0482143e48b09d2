// Package payment takes money in: it records each payment once (keyed on the
// provider's receipt), matches it to a meter or puts it in suspense, and
// posts it to the ledger, all in the transaction that stores it, so that a
// payment is durable before anyone acknowledges it.
package payment

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Providers.
const (
	MpesaC2B = "mpesa_c2b"
	MpesaSTK = "mpesa_stk"
	Agent    = "agent"
	Cash     = "cash"
)

// Services: what a payment buys. Each has its own short codes and its own
// ledger accounts (Books); a received payment is the work item of its
// service's worker (the vend worker for electricity, the ISP's applier).
const (
	Electricity = "electricity"
	Internet    = "isp"
	// AgentFloat is a top-up of an agent outlet's float: a Paybill payment
	// whose account is AgentPrefix and the outlet's code.
	AgentFloat = "agent_float"
)

// AgentPrefix starts the account reference of a float top-up ("AGENT" and
// the outlet's code, e.g. AGENT1001): no meter number has letters.
const AgentPrefix = "AGENT"

// Books are the ledger accounts a service's payments pass through.
type Books struct {
	Clearing string // the money M-Pesa holds for the service's short codes
	Suspense string // paid, matched to no account
	Credit   string // paid and matched, not yet applied (vended, or given to a subscriber)
}

// BooksOf returns the accounts of a service's payments.
func BooksOf(service string) Books {
	switch service {
	case Internet:
		return Books{Clearing: ledger.ISPClearing, Suspense: ledger.ISPSuspense, Credit: ledger.ISPUnapplied}
	case AgentFloat:
		return Books{Clearing: ledger.MpesaClearing, Suspense: ledger.Suspense, Credit: ledger.AgentUnapplied}
	}
	return Books{Clearing: ledger.MpesaClearing, Suspense: ledger.Suspense, Credit: ledger.CustomerCredit}
}

// States: received → applied | suspense | reversed. A received payment is
// the vend worker's work item. With verification on, a large payment from
// a callback is verifying until a transaction status query confirms it
// (then received) or does not (then suspense); its money sits in the
// suspense account meanwhile.
const (
	Received  = "received"
	Verifying = "verifying"
	Applied   = "applied"
	Suspense  = "suspense"
	Reversed  = "reversed"
)

// Payment is money received for an account.
type Payment struct {
	ID           string
	Provider     string
	Receipt      string // the provider's unique receipt (M-Pesa TransID)
	Amount       money.Amount
	Currency     string
	Payer        string // a plain MSISDN, or the hash or mask C2B sends
	PayerName    string
	NotifyMSISDN string // a number we may text: an STK payer's own
	AccountRef   string // as the customer typed it
	MeterDRN     string // the matched meter, "" when none
	ShortCode    string
	Service      string // Electricity or Internet; intake decides by short code when ""
	CheckoutID   string // the STK push it answers, if any
	State        string
	Reason       string // why it is in suspense or reversed
	// Hold, set by whoever records the payment, keeps it in suspense with
	// this reason whatever its account names: the record does not agree
	// with what Mteja asked for, so staff decide. Not stored beside Reason.
	Hold string
	// Verify, set by whoever records a payment from a callback, holds it
	// (verifying) until M-Pesa confirms it by a transaction status query.
	Verify bool
	// Debit, set by whoever records the payment, names the account the
	// money comes from when it is not the service's M-Pesa clearing: an
	// agent's cash sale is paid from the outlet's float. Not stored.
	Debit      string
	Attempts   int
	LastError  string
	PaidAt     time.Time
	ReceivedAt time.Time
	ResolvedAt time.Time
	ResolvedBy string
}

const columns = `id, provider, receipt, amount, currency, payer, payer_name, notify_msisdn, account_ref, COALESCE(meter_drn, ''), short_code, service, checkout_id, state, reason, attempts, last_error, paid_at, received_at, resolved_at, resolved_by`

func scan(sc interface{ Scan(...any) error }) (Payment, error) {
	var p Payment
	var amount, paid, recv int64
	var resolved sql.NullInt64
	err := sc.Scan(&p.ID, &p.Provider, &p.Receipt, &amount, &p.Currency, &p.Payer, &p.PayerName, &p.NotifyMSISDN, &p.AccountRef,
		&p.MeterDRN, &p.ShortCode, &p.Service, &p.CheckoutID, &p.State, &p.Reason, &p.Attempts, &p.LastError, &paid, &recv, &resolved, &p.ResolvedBy)
	p.Amount, p.PaidAt, p.ReceivedAt, p.ResolvedAt = money.Amount(amount), store.Time(paid), store.Time(recv), store.NullTime(resolved)
	return p, err
}

// Querier reads through the read pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Get returns one payment by id.
func Get(ctx context.Context, q Querier, id string) (Payment, error) {
	p, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM payments WHERE id = $1`, id))
	return p, store.NotFound(err, "payment "+id)
}

// ByReceipt returns one payment by its provider receipt.
func ByReceipt(ctx context.Context, q Querier, receipt string) (Payment, error) {
	p, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM payments WHERE receipt = $1`, receipt))
	return p, store.NotFound(err, "payment "+receipt)
}

// ByReceipts returns the stored payments among receipts, by receipt.
func ByReceipts(ctx context.Context, q Querier, receipts []string) (map[string]Payment, error) {
	out := map[string]Payment{}
	for lo := 0; lo < len(receipts); lo += 500 {
		chunk := receipts[lo:min(lo+500, len(receipts))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM payments WHERE receipt IN (`+store.Placeholders(1, len(args))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("payments by receipt: %w", err)
		}
		for rows.Next() {
			p, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("payments by receipt: %w", err)
			}
			out[p.Receipt] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("payments by receipt: %w", err)
		}
	}
	return out, nil
}

// Filter selects payments for List.
type Filter struct {
	State    string // "" for all
	MeterDRN string
	Limit    int // default 50, at most 500
}

// List returns payments, newest first.
func List(ctx context.Context, q Querier, f Filter) ([]Payment, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where, args := "1=1", []any{}
	if f.State != "" {
		args = append(args, f.State)
		where += fmt.Sprintf(" AND state = $%d", len(args))
	}
	if f.MeterDRN != "" {
		args = append(args, f.MeterDRN)
		where += fmt.Sprintf(" AND meter_drn = $%d", len(args))
	}
	args = append(args, f.Limit)
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM payments WHERE `+where+fmt.Sprintf(` ORDER BY received_at DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list payments: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Counts returns the number of payments in each state.
func Counts(ctx context.Context, q Querier) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT state, count(*) FROM payments GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count payments: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// ForAccounts returns the newest payments for any of the meters, or whose
// payer or number to text is any of the phones, newest first.
func ForAccounts(ctx context.Context, q Querier, meters, phones []string, limit int) ([]Payment, error) {
	var args []any
	mIn, pIn := store.In(&args, meters), store.In(&args, phones)
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM payments WHERE meter_drn IN (`+mIn+`) OR payer IN (`+pIn+`) OR notify_msisdn IN (`+pIn+`)
		ORDER BY received_at DESC, id DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("payments of an account: %w", err)
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Waiting counts what waits for staff: payments in suspense (and the
// oldest one's age) and callbacks kept as dead letters.
func Waiting(ctx context.Context, q Querier, now time.Time) (suspense int, oldest time.Duration, deadLetters int, err error) {
	var first sql.NullInt64
	if err = q.QueryRowContext(ctx, `SELECT count(*), MIN(received_at) FROM payments WHERE state = 'suspense'`).Scan(&suspense, &first); err != nil {
		return 0, 0, 0, fmt.Errorf("suspense: %w", err)
	}
	if first.Valid {
		oldest = now.Sub(store.Time(first.Int64))
	}
	if err = q.QueryRowContext(ctx, `SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL`).Scan(&deadLetters); err != nil {
		return 0, 0, 0, fmt.Errorf("dead letters: %w", err)
	}
	return suspense, oldest, deadLetters, nil
}
