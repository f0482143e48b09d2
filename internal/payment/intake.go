package payment

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/store"
)

// Recorded is the outcome of recording one payment.
type Recorded struct {
	Payment   Payment
	Duplicate bool // the receipt was already stored; nothing new was written
}

// Intake records payments through a group committer: concurrent callbacks
// share one transaction and one fsync, and each caller is answered only
// after its payment is durably committed.
type Intake struct {
	db *store.DB
	// gc commits what concurrent callbacks hand in, a batch a
	// transaction, one transaction at a time (see NewIntake).
	gc *store.GroupCommitter[Payment, Recorded]
	// Services maps short codes to the service their payments buy; a
	// payment to any other short code buys electricity. Set before Run.
	Services map[string]string
	// OnReceived runs after a commit that stored new received payments (to
	// wake the vend worker).
	OnReceived func()
	// OnVerifying runs after a commit that stored payments to verify (to
	// wake the verifier).
	OnVerifying func()
	// RetryFor bounds RecordDurably's retries while the database is
	// unreachable (DefaultRetryFor when 0).
	RetryFor time.Duration
	// Spool, when set, holds payments the database could not take in time;
	// nil means such a payment is refused with an error.
	Spool  *Spool
	Counts IntakeCounts
	Log    *slog.Logger
}

// NewIntake returns an intake writing to db; call Run to start it.
//
// One commit loop takes every payment, on both engines. SQLite has one
// writer. PostgreSQL would commit concurrent batches in parallel, but on a
// loaded server more loops only cut what arrives into smaller batches,
// each paying its statements and its commit (measured with three nodes:
// 2,308-2,555 payments/s end to end with four loops a node, 3,041-3,219
// with one). And M-Pesa resends a callback it thinks was lost, often while
// the first is still being written: on one loop the copies share a batch,
// where the INSERT's ON CONFLICT takes the repeat at once, or follow each
// other; in two concurrent transactions the second would wait on the
// first's unique-index entry until it commits.
func NewIntake(db *store.DB) *Intake {
	in := &Intake{db: db}
	in.gc = store.NewGroupCommitter(db, 256, in.write)
	in.gc.After = in.after
	return in
}

func (in *Intake) after(rs []Recorded) {
	for _, r := range rs {
		// A repeat may have matched a suspense payment to its meter.
		if r.Payment.State == Received && in.OnReceived != nil {
			in.OnReceived()
			break
		}
	}
	for _, r := range rs {
		if r.Payment.State == Verifying && !r.Duplicate && in.OnVerifying != nil {
			in.OnVerifying()
			break
		}
	}
}

// Run commits batches until ctx ends.
func (in *Intake) Run(ctx context.Context) {
	in.gc.Run(ctx)
}

// Record stores p once. A payment whose receipt is already stored is a
// duplicate: the stored one is returned and nothing changes, except that an
// STK callback may add the payer's number to a C2B payment that lacked one,
// and may name the meter of one that went to suspense for want of it.
func (in *Intake) Record(ctx context.Context, p Payment) (Recorded, error) {
	if p.Receipt == "" {
		return Recorded{}, fmt.Errorf("record payment: no receipt")
	}
	if p.Amount <= 0 {
		return Recorded{}, fmt.Errorf("record payment %s: amount %s is not positive", p.Receipt, p.Amount)
	}
	return in.gc.Submit(ctx, p)
}

// RecordTx stores payments in an existing transaction (used by suspense
// resolution, agents and tests). It is what the group committer runs.
func RecordTx(tx *store.Tx, ps []Payment) ([]Recorded, error) {
	return (&Intake{}).write(tx, ps)
}

func (in *Intake) write(tx *store.Tx, ps []Payment) ([]Recorded, error) {
	drns := make([]string, 0, len(ps))
	for i := range ps {
		p := &ps[i]
		if p.Service == "" {
			p.Service = in.serviceOf(p.ShortCode)
			if p.Service == Electricity && p.Debit == "" && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(p.AccountRef)), AgentPrefix) {
				// A float top-up to the utility's Paybill: the agent
				// outlets' applier credits the float it names.
				p.Service = AgentFloat
			}
		}
		if p.Service != Electricity {
			continue
		}
		if p.MeterDRN == "" {
			p.MeterDRN = customer.NormalizeNumber(p.AccountRef)
		}
		drns = append(drns, p.MeterDRN)
	}
	status, err := meterStatus(tx, drns)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		p := &ps[i]
		if p.ID == "" {
			p.ID = uuid.Must(uuid.NewV7()).String()
		}
		if p.Currency == "" {
			p.Currency = "KES"
		}
		p.ReceivedAt = tx.Now
		if p.PaidAt.IsZero() {
			p.PaidAt = tx.Now
		}
		p.State, p.Reason = Received, ""
		if p.Service != Electricity {
			// The service's own worker finds the account the payment
			// names (the ISP's applier, a subscriber). Verification asks
			// M-Pesa as the utility's short code, which cannot see another
			// short code's payments, so it is for electricity only.
			p.MeterDRN, p.Verify = "", false
			if p.Hold != "" {
				p.State, p.Reason = Suspense, p.Hold
			}
			continue
		}
		switch st, ok := status[p.MeterDRN]; {
		case p.Hold != "":
			p.State, p.Reason = Suspense, p.Hold
			if !ok {
				p.MeterDRN = ""
			}
		case !ok:
			p.State, p.Reason = Suspense, fmt.Sprintf("no meter %q (account typed as %q)", p.MeterDRN, p.AccountRef)
			p.MeterDRN = ""
		case st != customer.MeterActive:
			p.State, p.Reason = Suspense, fmt.Sprintf("meter %s is %s", p.MeterDRN, st)
		case p.Verify:
			p.State, p.Reason = Verifying, "waiting for M-Pesa to confirm it"
		}
	}
	// One multi-row INSERT for the batch: ON CONFLICT skips receipts already
	// stored (and repeats within the batch), and RETURNING names the rows
	// that are new.
	//
	// Rows go in in receipt order. A receipt in flight in another
	// transaction (a repeat sent to another node or loop) makes the insert
	// wait for that transaction; two batches taking the same two receipts
	// in opposite orders would wait for each other until PostgreSQL's
	// deadlock check (a second) broke one of them, and every callback in
	// it would wait that second.
	order := make([]*Payment, len(ps))
	for i := range ps {
		order[i] = &ps[i]
	}
	slices.SortStableFunc(order, func(a, b *Payment) int { return strings.Compare(a.Receipt, b.Receipt) })
	inserted := map[string]bool{}
	rest := order
	for _, n := range store.Runs(len(ps), 256) {
		chunk := rest[:n]
		rest = rest[n:]
		args := make([]any, 0, n*17)
		for _, p := range chunk {
			var meter any
			if p.MeterDRN != "" {
				meter = p.MeterDRN
			}
			args = append(args, p.ID, p.Provider, p.Receipt, int64(p.Amount), p.Currency, p.Payer, p.PayerName, p.NotifyMSISDN, store.Truncate(p.AccountRef, 40),
				meter, p.ShortCode, p.Service, store.Truncate(p.CheckoutID, 100), p.State, p.Reason, store.Micros(p.PaidAt), store.Micros(p.ReceivedAt))
		}
		rows, err := tx.QueryPrepared(`INSERT INTO payments (id, provider, receipt, amount, currency, payer, payer_name, notify_msisdn, account_ref, meter_drn, short_code, service, checkout_id, state, reason, paid_at, received_at) VALUES `+
			store.Values(tx.Dialect, 17, n)+` ON CONFLICT (receipt) DO NOTHING RETURNING id`, args...)
		if err != nil {
			return nil, fmt.Errorf("record payments: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("record payments: %w", err)
			}
			inserted[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("record payments: %w", err)
		}
	}
	stored, err := storedByReceipt(tx, ps, inserted)
	if err != nil {
		return nil, err
	}
	out := make([]Recorded, len(ps))
	var txns []ledger.Txn
	for i, p := range ps {
		if !inserted[p.ID] {
			existing, ok := stored[p.Receipt]
			if !ok {
				return nil, fmt.Errorf("record payment %s: load duplicate: %w", p.Receipt, sql.ErrNoRows)
			}
			existing, err := duplicate(tx, p, existing, p.State == Received && p.Hold == "")
			if err != nil {
				return nil, err
			}
			stored[p.Receipt] = existing
			out[i] = Recorded{Payment: existing, Duplicate: true}
			continue
		}
		books := BooksOf(p.Service)
		if p.Debit != "" {
			books.Clearing = p.Debit
		}
		credit := books.Credit
		if p.State == Suspense || p.State == Verifying {
			credit = books.Suspense
		}
		txns = append(txns, ledger.Transfer("pay:"+p.ID, "payment", p.ID, books.Clearing, credit, p.Amount))
		out[i] = Recorded{Payment: p}
	}
	if err := ledger.Post(tx, txns...); err != nil {
		return nil, err
	}
	return out, nil
}

// duplicate settles a repeated receipt against its stored payment. If the repeat
// carries a number to text and the stored one has none (a C2B confirmation
// came first, then the STK callback), the number is kept for messages still
// to be sent. If the stored payment is in suspense because its account named
// no meter, and the repeat names an active one (an STK callback knows the
// meter it was started for, which a 13-digit number's C2B confirmation
// cannot carry in its 12 characters), the payment is matched to that meter
// and waits for its vend, but only when the repeat is for the same amount:
// money follows the record, never a claim that differs from it.
func duplicate(tx *store.Tx, p, existing Payment, payable bool) (Payment, error) {
	if p.NotifyMSISDN != "" && existing.NotifyMSISDN == "" {
		if _, err := tx.Exec(`UPDATE payments SET notify_msisdn = $2 WHERE id = $1`, existing.ID, p.NotifyMSISDN); err != nil {
			return Payment{}, fmt.Errorf("record payment %s: %w", p.Receipt, err)
		}
		existing.NotifyMSISDN = p.NotifyMSISDN
	}
	if payable && existing.Service == Electricity && existing.State == Suspense && existing.MeterDRN == "" && p.MeterDRN != "" && p.Amount == existing.Amount {
		res, err := tx.Exec(`UPDATE payments SET state = 'received', meter_drn = $2, reason = '' WHERE id = $1 AND state = 'suspense' AND meter_drn IS NULL`, existing.ID, p.MeterDRN)
		if err != nil {
			return Payment{}, fmt.Errorf("record payment %s: match to meter %s: %w", p.Receipt, p.MeterDRN, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return existing, err
		}
		if err := ledger.Post(tx, ledger.Transfer("match:"+existing.ID, "suspense_match", existing.ID, ledger.Suspense, ledger.CustomerCredit, existing.Amount)); err != nil {
			return Payment{}, err
		}
		existing.State, existing.MeterDRN, existing.Reason = Received, p.MeterDRN, ""
	}
	return existing, nil
}

// storedByReceipt loads, in one query, the stored payments of the receipts
// in ps that the batch's INSERT did not insert: the repeats. A replay storm
// makes most of a batch repeats; a query each cost a round trip each on
// PostgreSQL, one after another in the batch's transaction.
func storedByReceipt(tx *store.Tx, ps []Payment, inserted map[string]bool) (map[string]Payment, error) {
	out := map[string]Payment{}
	var receipts []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !inserted[p.ID] && !seen[p.Receipt] {
			seen[p.Receipt] = true
			receipts = append(receipts, p.Receipt)
		}
	}
	for lo := 0; lo < len(receipts); lo += 500 {
		var args []any
		rows, err := tx.Query(`SELECT `+columns+` FROM payments WHERE receipt IN (`+store.In(&args, receipts[lo:min(lo+500, len(receipts))])+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("record payments: load duplicates: %w", err)
		}
		for rows.Next() {
			p, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("record payments: load duplicates: %w", err)
			}
			out[p.Receipt] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("record payments: load duplicates: %w", err)
		}
	}
	return out, nil
}

func meterStatus(tx *store.Tx, drns []string) (map[string]string, error) {
	out := map[string]string{}
	uniq := make([]any, 0, len(drns))
	seen := map[string]bool{}
	for _, d := range drns {
		if d != "" && !seen[d] && len(d) <= 20 {
			seen[d] = true
			uniq = append(uniq, d)
		}
	}
	if len(uniq) == 0 {
		return out, nil
	}
	rows, err := tx.Query(`SELECT drn, status FROM meters WHERE drn IN (`+store.Placeholders(1, len(uniq))+`)`, uniq...)
	if err != nil {
		return nil, fmt.Errorf("match payments to meters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, s string
		if err := rows.Scan(&d, &s); err != nil {
			return nil, err
		}
		out[d] = s
	}
	return out, rows.Err()
}

func (in *Intake) serviceOf(shortCode string) string {
	if s, ok := in.Services[shortCode]; ok {
		return s
	}
	return Electricity
}

// Wake runs OnReceived, for payments made receivable outside intake (a
// suspense payment assigned to a meter).
func (in *Intake) Wake() {
	if in.OnReceived != nil {
		in.OnReceived()
	}
}
