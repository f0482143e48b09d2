// Package vend turns an applied payment into exactly one vend: the price
// (tariff), the token(s) (STS), the ledger postings and the token message,
// all written in the transaction that marks the payment applied. A crash
// before the commit leaves the payment received, and the next worker vends
// it; a crash after it leaves nothing to do. Either way one token.
package vend

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Vend is one sale of energy for one payment.
type Vend struct {
	ID            string
	PaymentID     string
	Receipt       string
	MeterDRN      string
	TariffID      string
	TariffVersion string // the version's effective date
	Amount        money.Amount
	EnergyWh      int64
	Tenths        int64 // what the credit token carries, 0.1 kWh
	Quote         tariff.Quote
	// Compensation is what the service charter owed the meter for missed
	// standards, given with this vend as energy on top of the money paid:
	// the quote prices Amount + Compensation.
	Compensation money.Amount
	CreatedAt    time.Time
	Tokens       []Token
}

// Units is the energy in kWh with two decimals.
func (v Vend) Units() string { return v.Quote.Units }

// Token kinds.
const (
	KindCredit     = "credit"
	KindKeyChange1 = "key_change_1"
	KindKeyChange2 = "key_change_2"
)

// Token is one 20-digit token, immutable once made.
type Token struct {
	ID        string
	VendID    string
	MeterDRN  string
	Seq       int
	Kind      string
	Class     int
	Subclass  int
	Digits    string // 20 digits, no separators
	TID       int64
	Tenths    int64
	CreatedAt time.Time
}

// Grouped shows the digits 4-4-4-4-4 with dashes, as customers read them.
func (t Token) Grouped() string { return Group(t.Digits, '-') }

// Group splits 20 digits in groups of four.
func Group(digits string, sep byte) string {
	if len(digits) != 20 {
		return digits
	}
	b := make([]byte, 0, 24)
	for i := 0; i < 20; i += 4 {
		if i > 0 {
			b = append(b, sep)
		}
		b = append(b, digits[i:i+4]...)
	}
	return string(b)
}

// Querier reads through the read pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const vendColumns = `v.id, v.payment_id, p.receipt, v.meter_drn, v.tariff_id, v.tariff_version, v.amount, v.energy_wh, v.tenths, v.quote, v.compensation, v.created_at`

func scanVend(sc interface{ Scan(...any) error }) (Vend, error) {
	var v Vend
	var amount, comp, created int64
	var quote string
	if err := sc.Scan(&v.ID, &v.PaymentID, &v.Receipt, &v.MeterDRN, &v.TariffID, &v.TariffVersion, &amount, &v.EnergyWh, &v.Tenths, &quote, &comp, &created); err != nil {
		return Vend{}, err
	}
	v.Amount, v.Compensation, v.CreatedAt = money.Amount(amount), money.Amount(comp), store.Time(created)
	if err := json.Unmarshal([]byte(quote), &v.Quote); err != nil {
		return Vend{}, fmt.Errorf("vend %s: stored quote: %w", v.ID, err)
	}
	return v, nil
}

// ByPayment returns the vend of a payment, with its tokens.
func ByPayment(ctx context.Context, q Querier, paymentID string) (Vend, error) {
	return one(ctx, q, `v.payment_id = $1`, paymentID)
}

// ByReceipt returns the vend of the payment with an M-Pesa receipt.
func ByReceipt(ctx context.Context, q Querier, receipt string) (Vend, error) {
	return one(ctx, q, `p.receipt = $1`, receipt)
}

// Get returns one vend with its tokens.
func Get(ctx context.Context, q Querier, id string) (Vend, error) {
	return one(ctx, q, `v.id = $1`, id)
}

func one(ctx context.Context, q Querier, where string, arg any) (Vend, error) {
	v, err := scanVend(q.QueryRowContext(ctx, `SELECT `+vendColumns+` FROM vends v JOIN payments p ON p.id = v.payment_id WHERE `+where, arg))
	if err != nil {
		return Vend{}, store.NotFound(err, fmt.Sprint("vend ", arg))
	}
	v.Tokens, err = tokensOf(ctx, q, v.ID)
	return v, err
}

// ForMeter returns a meter's newest vends with their tokens, newest first.
func ForMeter(ctx context.Context, q Querier, drn string, limit int) ([]Vend, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+vendColumns+` FROM vends v JOIN payments p ON p.id = v.payment_id WHERE v.meter_drn = $1 ORDER BY v.created_at DESC, v.id DESC LIMIT $2`, drn, limit)
	if err != nil {
		return nil, fmt.Errorf("vends of meter %s: %w", drn, err)
	}
	var out []Vend
	for rows.Next() {
		v, err := scanVend(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Tokens, err = tokensOf(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func tokensOf(ctx context.Context, q Querier, vendID string) ([]Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(vend_id, ''), meter_drn, seq, kind, class, subclass, digits, tid, tenths, created_at FROM tokens WHERE vend_id = $1 ORDER BY seq`, vendID)
	if err != nil {
		return nil, fmt.Errorf("tokens of vend %s: %w", vendID, err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created int64
		if err := rows.Scan(&t.ID, &t.VendID, &t.MeterDRN, &t.Seq, &t.Kind, &t.Class, &t.Subclass, &t.Digits, &t.TID, &t.Tenths, &created); err != nil {
			return nil, err
		}
		t.CreatedAt = store.Time(created)
		out = append(out, t)
	}
	return out, rows.Err()
}

// ByTokenDigits returns the vend that made a token, and the token's kind;
// store.ErrNotFound when no vend of ours made it.
func ByTokenDigits(ctx context.Context, q Querier, digits string) (Vend, string, error) {
	var vendID, kind string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(vend_id, ''), kind FROM tokens WHERE digits = $1 ORDER BY created_at DESC LIMIT 1`, digits).Scan(&vendID, &kind)
	if err != nil {
		return Vend{}, "", store.NotFound(err, "token")
	}
	if vendID == "" {
		return Vend{}, "", fmt.Errorf("token made outside a vend: %w", store.ErrNotFound)
	}
	v, err := Get(ctx, q, vendID)
	return v, kind, err
}

// PerMinute counts the vends of each minute since, oldest first; minutes
// without one are left out.
func PerMinute(ctx context.Context, q Querier, since time.Time) (map[time.Time]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT created_at / 60000000, count(*) FROM vends WHERE created_at > $1 GROUP BY created_at / 60000000`, store.Micros(since))
	if err != nil {
		return nil, fmt.Errorf("vends per minute: %w", err)
	}
	defer rows.Close()
	out := map[time.Time]int{}
	for rows.Next() {
		var m int64
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		out[time.Unix(m*60, 0).UTC()] = n
	}
	return out, rows.Err()
}
