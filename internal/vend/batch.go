package vend

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// batch stages one transaction's writes so that they go out as a few
// multi-row statements instead of a dozen statements per vend.
type batch struct {
	tx        *store.Tx
	now       time.Time // when the batch vends: after its meter locks
	vends     []Vend
	ledger    []ledger.Txn // each vend's postings, booked as one journal
	journal   string       // the journal's ID, on each vend
	messages  []notify.Message
	applied   []string
	meters    []*customer.Meter
	suspended []suspended
	retries   []retry
	tariffs   map[string]tariff.Tariff    // read once a batch
	credits   map[string][]charter.Credit // compensation waiting, by meter
	// fatal fails the whole batch: its transaction must not commit.
	fatal error
}

type suspended struct {
	p      payment.Payment
	reason string
}

type retry struct {
	p   payment.Payment
	err error
}

func (b *batch) suspend(p payment.Payment, reason string) {
	b.suspended = append(b.suspended, suspended{p, reason})
}

func (b *batch) retry(p payment.Payment, err error) {
	b.retries = append(b.retries, retry{p, err})
}

func (b *batch) flush() error {
	tx := b.tx
	now := store.Micros(tx.Now)
	if b.fatal != nil {
		return b.fatal
	}
	// The batch books one journal: the sum of its vends' postings.
	var journal []ledger.Txn
	if len(b.vends) > 0 {
		b.journal = JournalID(b.vends[0].ID)
		j, err := ledger.Journal(b.journal, "vends", b.vends[0].ID, b.ledger...)
		if err != nil {
			return err
		}
		journal = append(journal, j)
	}
	if err := b.insertVends(); err != nil {
		return err
	}
	if err := b.insertTokens(); err != nil {
		return err
	}
	if err := customer.SaveVendStates(tx, b.meters); err != nil {
		return err
	}
	if err := ledger.Post(tx, journal...); err != nil {
		return err
	}
	if err := notify.Enqueue(tx, b.messages...); err != nil {
		return err
	}
	applied := b.applied
	for _, n := range store.Runs(len(applied), 256) {
		args := []any{now}
		for _, id := range applied[:n] {
			args = append(args, id)
		}
		if _, err := tx.ExecPrepared(`UPDATE payments SET state = 'applied', resolved_at = COALESCE(resolved_at, $1) WHERE id IN (`+store.Placeholders(2, n)+`)`, args...); err != nil {
			return fmt.Errorf("mark payments applied: %w", err)
		}
		applied = applied[n:]
	}
	var moves []ledger.Txn
	for _, s := range b.suspended {
		if _, err := tx.Exec(`UPDATE payments SET state = 'suspense', reason = $2, attempts = attempts + 1, last_error = $2 WHERE id = $1`, s.p.ID, truncate(s.reason)); err != nil {
			return fmt.Errorf("suspend payment %s: %w", s.p.Receipt, err)
		}
		// The money was credited to the customer at intake; it now waits
		// in suspense for staff.
		moves = append(moves, ledger.Transfer("suspend:"+s.p.ID, "suspense", s.p.ID, ledger.CustomerCredit, ledger.Suspense, s.p.Amount))
	}
	if err := ledger.Post(tx, moves...); err != nil {
		return err
	}
	for _, r := range b.retries {
		backoff := int64(1<<min(r.p.Attempts, 6)) * 1_000_000
		if _, err := tx.Exec(`UPDATE payments SET attempts = attempts + 1, last_error = $2, run_after = $3 WHERE id = $1`, r.p.ID, truncate(r.err.Error()), now+backoff); err != nil {
			return fmt.Errorf("retry payment %s: %w", r.p.Receipt, err)
		}
	}
	return nil
}

func (b *batch) insertVends() error {
	vs := b.vends
	for _, n := range store.Runs(len(vs), 256) {
		args := make([]any, 0, n*12)
		for _, v := range vs[:n] {
			quote, err := json.Marshal(v.Quote)
			if err != nil {
				return fmt.Errorf("vend %s: %w", v.ID, err)
			}
			args = append(args, v.ID, v.PaymentID, v.MeterDRN, v.TariffID, v.TariffVersion, int64(v.Amount), v.EnergyWh, v.Tenths, string(quote), int64(v.Compensation), store.Micros(v.CreatedAt), b.journal)
		}
		if _, err := b.tx.ExecPrepared(`INSERT INTO vends (id, payment_id, meter_drn, tariff_id, tariff_version, amount, energy_wh, tenths, quote, compensation, created_at, journal_id) VALUES `+store.Values(b.tx.Dialect, 12, n), args...); err != nil {
			return fmt.Errorf("insert vends: %w", err)
		}
		vs = vs[n:]
	}
	return nil
}

func (b *batch) insertTokens() error {
	var toks []Token
	for _, v := range b.vends {
		toks = append(toks, v.Tokens...)
	}
	for _, n := range store.Runs(len(toks), 256) {
		args := make([]any, 0, n*11)
		for _, t := range toks[:n] {
			args = append(args, t.ID, t.VendID, t.MeterDRN, t.Seq, t.Kind, t.Class, t.Subclass, t.Digits, t.TID, t.Tenths, store.Micros(t.CreatedAt))
		}
		if _, err := b.tx.ExecPrepared(`INSERT INTO tokens (id, vend_id, meter_drn, seq, kind, class, subclass, digits, tid, tenths, created_at) VALUES `+store.Values(b.tx.Dialect, 11, n), args...); err != nil {
			return fmt.Errorf("insert tokens: %w", err)
		}
		toks = toks[n:]
	}
	return nil
}

// truncate keeps a reason or an error for the database: at most 500
// bytes, cut between characters.
func truncate(s string) string { return store.Truncate(s, 500) }
