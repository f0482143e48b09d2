package agent

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// SaleRequest is a cash sale an agent user asks for.
type SaleRequest struct {
	// Key is the request's idempotency key, unique per outlet: a request
	// sent again with the same key is the same sale, never a second one.
	Key      string
	MeterDRN string
	Amount   money.Amount
	// Phone, when set, is the customer's number to text the token to,
	// besides the meter's registered phones.
	Phone string
}

// Sale is a cash sale made.
type Sale struct {
	ID         string
	OutletID   string
	UserID     string
	ShiftID    string
	PaymentID  string
	Receipt    string // the payment's receipt, the customer's reference
	MeterDRN   string
	Amount     money.Amount
	Commission money.Amount
	At         time.Time
	// Repeat is set when the request's key named a sale already made.
	Repeat bool
}

// MaxSale bounds one cash sale, as M-Pesa bounds one payment.
var MaxSale = money.MustFromMajor(150000)

// Sell makes a cash sale from the outlet's float for the agent user: in
// one transaction it takes the amount from the float, refusing when the
// float and the credit limit would not cover it (ErrNoFloat), stores the
// sale's payment (received, for the vend worker), posts the commission and
// ties the sale to the user's shift (opening one when none is open). The
// token follows from the vend worker, like any payment's.
func (s *Service) Sell(ctx context.Context, userID string, req SaleRequest) (Sale, error) {
	req.Key = strings.TrimSpace(req.Key)
	if req.Key == "" || len(req.Key) > 100 {
		return Sale{}, invalid("a sale needs a request key of 1 to 100 characters")
	}
	if req.Amount <= 0 || req.Amount > MaxSale {
		return Sale{}, invalid("amount must be above zero and at most %s", MaxSale)
	}
	drn := customer.NormalizeNumber(req.MeterDRN)
	notify := ""
	if req.Phone != "" {
		n, err := phone.Normalize(req.Phone)
		if err != nil {
			return Sale{}, invalid("customer phone: %v", err)
		}
		notify = n
	}
	var sale Sale
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		if prior, err := saleByKey(tx, u.OutletID, req.Key); err == nil {
			sale = prior
			sale.Repeat = true
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var status, tariffID string
		err = tx.QueryRow(`SELECT status, tariff_id FROM meters WHERE drn = $1`, drn).Scan(&status, &tariffID)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != customer.MeterActive {
			return fmt.Errorf("meter %s: %w", drn, ErrMeter)
		}
		if err != nil {
			return fmt.Errorf("sale: meter %s: %w", drn, err)
		}
		shiftID, err := openShift(tx, u)
		if err != nil {
			return err
		}
		// The float rule, checked by the row's own update: under any
		// number of concurrent sales each sees the float the one before
		// it left, and the one that does not fit changes no row.
		res, err := tx.Exec(`UPDATE agent_outlets SET float = float - $2 WHERE id = $1 AND status = 'active' AND float - $2 >= -credit_limit`,
			u.OutletID, int64(req.Amount))
		if err != nil {
			return fmt.Errorf("sale: take from float: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sale: take from float: %w", err)
		} else if n != 1 {
			return ErrNoFloat
		}
		receipt, err := newReceipt()
		if err != nil {
			return err
		}
		rec, err := payment.RecordTx(tx, []payment.Payment{{Provider: payment.Agent, Receipt: receipt, Amount: req.Amount,
			// No payer number: the customer paid cash, and the agent's phone
			// must not see the sale among its own purchases.
			AccountRef: drn, MeterDRN: drn, NotifyMSISDN: notify, PayerName: "agent " + u.Name,
			Service: payment.Electricity, Debit: ledger.AgentFloat(u.OutletID)}})
		if err != nil {
			return fmt.Errorf("sale: record payment: %w", err)
		}
		p := rec[0].Payment
		if rec[0].Duplicate || p.State != payment.Received {
			return fmt.Errorf("sale: payment %s stored as %s: %s", receipt, p.State, p.Reason)
		}
		r, err := rule(tx, u.OutletID, tariffID)
		if err != nil {
			return fmt.Errorf("sale: commission rule: %w", err)
		}
		sale = Sale{ID: newID(), OutletID: u.OutletID, UserID: u.ID, ShiftID: shiftID, PaymentID: p.ID, Receipt: receipt,
			MeterDRN: drn, Amount: req.Amount, Commission: r.Commission(req.Amount), At: tx.Now}
		if err := ledger.Post(tx, ledger.Transfer("commission:"+sale.ID, "agent_commission", sale.ID,
			ledger.CommissionExpense, ledger.AgentCommission(u.OutletID), sale.Commission)); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO agent_sales (id, outlet_id, user_id, shift_id, request_key, payment_id, receipt, meter_drn, amount, commission, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, sale.ID, sale.OutletID, sale.UserID, sale.ShiftID, req.Key, sale.PaymentID,
			sale.Receipt, sale.MeterDRN, int64(sale.Amount), int64(sale.Commission), store.Micros(tx.Now)); err != nil {
			return fmt.Errorf("sale: %w", err)
		}
		if _, err := tx.Exec(`UPDATE agent_shifts SET sales = sales + 1, expected = expected + $2 WHERE id = $1`, shiftID, int64(req.Amount)); err != nil {
			return fmt.Errorf("sale: shift: %w", err)
		}
		return audit(tx, u, "agent.sell", "meter:"+drn, fmt.Sprintf("receipt %s, %s cash", receipt, req.Amount))
	})
	if err != nil && store.IsUniqueViolation(err) {
		// The same key raced in twice: the first one's sale stands.
		var u User
		if err := s.DB.Read().QueryRowContext(ctx, `SELECT outlet_id FROM agent_users WHERE id = $1`, userID).Scan(&u.OutletID); err != nil {
			return Sale{}, fmt.Errorf("sale: %w", err)
		}
		sale, err = saleByKey(s.DB.Read(), u.OutletID, req.Key)
		sale.Repeat = true
		return sale, err
	}
	if err != nil {
		return Sale{}, err
	}
	if !sale.Repeat && s.Wake != nil {
		s.Wake()
	}
	return sale, nil
}

const saleColumns = `id, outlet_id, user_id, shift_id, payment_id, receipt, meter_drn, amount, commission, created_at`

func scanSale(sc interface{ Scan(...any) error }) (Sale, error) {
	var s Sale
	var amount, commission, at int64
	err := sc.Scan(&s.ID, &s.OutletID, &s.UserID, &s.ShiftID, &s.PaymentID, &s.Receipt, &s.MeterDRN, &amount, &commission, &at)
	s.Amount, s.Commission, s.At = amountOf(amount), amountOf(commission), store.Time(at)
	return s, err
}

func saleByKey(q any, outletID, key string) (Sale, error) {
	const query = `SELECT ` + saleColumns + ` FROM agent_sales WHERE outlet_id = $1 AND request_key = $2`
	var row *sql.Row
	switch q := q.(type) {
	case *store.Tx:
		row = q.QueryRow(query, outletID, key)
	case *sql.DB:
		row = q.QueryRow(query, outletID, key)
	}
	s, err := scanSale(row)
	return s, store.NotFound(err, "sale "+key)
}

// SaleByReceipt returns a sale of the outlet by its receipt, for a reprint.
func SaleByReceipt(ctx context.Context, q Querier, outletID, receipt string) (Sale, error) {
	s, err := scanSale(q.QueryRowContext(ctx, `SELECT `+saleColumns+` FROM agent_sales WHERE outlet_id = $1 AND receipt = $2`,
		outletID, strings.ToUpper(strings.TrimSpace(receipt))))
	return s, store.NotFound(err, "sale "+receipt)
}

// receiptAlphabet leaves out letters read as digits (I, O) on a receipt.
const receiptAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newReceipt is a sale's reference: "AG" and eight random characters,
// the length of an M-Pesa receipt code, so every channel that takes one
// takes it.
func newReceipt() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sale receipt: %w", err)
	}
	out := []byte("AG")
	for _, c := range b {
		out = append(out, receiptAlphabet[int(c)%len(receiptAlphabet)])
	}
	return string(out), nil
}

// Tokens returns the digits of a sale's tokens once it is vended, in
// entry order; none while the vend worker has not made them yet.
func Tokens(ctx context.Context, q Querier, paymentID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.digits FROM tokens t JOIN vends v ON v.id = t.vend_id WHERE v.payment_id = $1 ORDER BY t.seq`, paymentID)
	if err != nil {
		return nil, fmt.Errorf("tokens of sale: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
