package vend

import (
	"encoding/json"
	"fmt"
	"strings"
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
	ledger    []ledger.Txn
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
	if err := b.insertVends(); err != nil {
		return err
	}
	if err := b.insertTokens(); err != nil {
		return err
	}
	if err := customer.SaveVendStates(tx, b.meters); err != nil {
		return err
	}
	if err := ledger.Post(tx, b.ledger...); err != nil {
		return err
	}
	if err := notify.Enqueue(tx, b.messages...); err != nil {
		return err
	}
	for chunk := range chunks(b.applied, 500) {
		args := []any{now}
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := tx.Exec(`UPDATE payments SET state = 'applied', resolved_at = COALESCE(resolved_at, $1) WHERE id IN (`+store.Placeholders(2, len(chunk))+`)`, args...); err != nil {
			return fmt.Errorf("mark payments applied: %w", err)
		}
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
	for chunk := range chunks(b.vends, 300) {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO vends (id, payment_id, meter_drn, tariff_id, tariff_version, amount, energy_wh, tenths, quote, compensation, created_at) VALUES `)
		args := make([]any, 0, len(chunk)*11)
		for i, v := range chunk {
			quote, err := json.Marshal(v.Quote)
			if err != nil {
				return fmt.Errorf("vend %s: %w", v.ID, err)
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%s)", store.Placeholders(len(args)+1, 11))
			args = append(args, v.ID, v.PaymentID, v.MeterDRN, v.TariffID, v.TariffVersion, int64(v.Amount), v.EnergyWh, v.Tenths, string(quote), int64(v.Compensation), store.Micros(v.CreatedAt))
		}
		if _, err := b.tx.Exec(sb.String(), args...); err != nil {
			return fmt.Errorf("insert vends: %w", err)
		}
	}
	return nil
}

func (b *batch) insertTokens() error {
	var toks []Token
	for _, v := range b.vends {
		toks = append(toks, v.Tokens...)
	}
	for chunk := range chunks(toks, 500) {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO tokens (id, vend_id, meter_drn, seq, kind, class, subclass, digits, tid, tenths, created_at) VALUES `)
		args := make([]any, 0, len(chunk)*11)
		for i, t := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%s)", store.Placeholders(len(args)+1, 11))
			args = append(args, t.ID, t.VendID, t.MeterDRN, t.Seq, t.Kind, t.Class, t.Subclass, t.Digits, t.TID, t.Tenths, store.Micros(t.CreatedAt))
		}
		if _, err := b.tx.Exec(sb.String(), args...); err != nil {
			return fmt.Errorf("insert tokens: %w", err)
		}
	}
	return nil
}

func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// truncate keeps a reason or an error for the database: at most 500
// bytes, cut between characters.
func truncate(s string) string { return store.Truncate(s, 500) }
