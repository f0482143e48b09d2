package isp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Invoices are the tax documents of monthly plans. Each period of a
// monthly subscription gets exactly one invoice: issued some days before
// the period starts (Config.InvoiceLead) by the sweep, or when a period is
// bought that had none (the first one). Its tax point is its issue date in
// EAT: the plan's price is taken apart at the rates in force that day.
// The invoice is due when its period starts, and is paid by the purchase
// of that period (buy marks it, in the same transaction).
//
// An issued invoice is never edited or deleted: a credit note, with its
// own number, reverses all or part of it. Numbers run without gaps in
// each series (INV-2026-000001, CN-2026-000001, by the year in EAT).
//
// Invoices live in package isp, not a package of their own, because they
// are issued, paid and dunned inside billing's own transactions (the
// purchase, the sweep, suspension), with its subscriptions and messages;
// package isp/invoice only renders them (HTML and PDF).

// Kinds of documents and their statuses.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"

	InvoiceIssued   = "issued"
	InvoicePaid     = "paid"
	InvoiceCredited = "credited" // wholly, by credit notes
)

// Invoice is an invoice or a credit note.
type Invoice struct {
	ID, Number, Kind string
	Credits          string // a credit note: the invoice it corrects
	Reason           string // a credit note: why
	Status           string
	SubscriptionID   string
	SubscriberID     string
	PlanID, PlanName string
	BuyerName        string
	BuyerPhone       string
	BuyerAccount     string // the username: the M-Pesa account number
	SellerName       string
	SellerPIN        string
	PeriodStart      time.Time
	PeriodEnd        time.Time
	DueAt            time.Time
	IssuedAt         time.Time    // the tax point
	Split                         // the lines: net, excise, VAT, at the rates of the tax point
	Credited         money.Amount // an invoice: what credit notes took off it
	PurchaseID       string
	PaidAt           time.Time
	Refunded         bool // a credit note of a paid invoice: its amount went back to the wallet
	CreatedBy        string
	ETIMS            Signature
	SignedAt         time.Time // zero: awaiting signature
	SignAttempts     int
	SignError        string
}

// Signed reports whether the control unit has signed the document.
func (inv Invoice) Signed() bool { return !inv.SignedAt.IsZero() }

// Remaining is what credit notes may still take off an invoice.
func (inv Invoice) Remaining() money.Amount { return inv.Price - inv.Credited }

// Errors about invoices staff can act on.
var (
	ErrCredit = errors.New("bad credit note")
)

// nextNumber takes the next number of a series (prefix and the year in
// EAT of at) from its counter row, in tx: the row is locked until tx ends,
// and a rollback gives the number back, so numbers run without gaps on
// either engine and however many nodes issue.
func nextNumber(tx *store.Tx, prefix string, at time.Time) (string, error) {
	series := fmt.Sprintf("%s-%d", prefix, at.In(tariff.Zone).Year())
	var n int64
	err := tx.QueryRow(`INSERT INTO isp_invoice_counters (series, last) VALUES ($1, 1)
		ON CONFLICT (series) DO UPDATE SET last = isp_invoice_counters.last + 1 RETURNING last`, series).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("number in series %s: %w", series, err)
	}
	return fmt.Sprintf("%s-%06d", series, n), nil
}

const invoiceColumns = `id, number, kind, credits, reason, status, subscription_id, subscriber_id, plan_id, plan_name, buyer_name, buyer_phone, buyer_account,
	seller_name, seller_pin, period_start, period_end, due_at, issued_at, price, net, excise, vat, vat_bp, excise_bp, credited, purchase_id, paid_at,
	refunded, created_by, etims_cu_serial, etims_cu_number, etims_signature, etims_internal, etims_receipt, etims_qr, signed_at, sign_attempts, sign_error`

func scanInvoice(sc interface{ Scan(...any) error }) (Invoice, error) {
	var inv Invoice
	var start, end, due, issued, paid, signed int64
	var price, net, excise, vat, credited int64
	var refunded int
	err := sc.Scan(&inv.ID, &inv.Number, &inv.Kind, &inv.Credits, &inv.Reason, &inv.Status, &inv.SubscriptionID, &inv.SubscriberID, &inv.PlanID, &inv.PlanName,
		&inv.BuyerName, &inv.BuyerPhone, &inv.BuyerAccount, &inv.SellerName, &inv.SellerPIN, &start, &end, &due, &issued,
		&price, &net, &excise, &vat, &inv.Rates.VAT, &inv.Rates.Excise, &credited, &inv.PurchaseID, &paid, &refunded, &inv.CreatedBy,
		&inv.ETIMS.CUSerial, &inv.ETIMS.CUInvoiceNumber, &inv.ETIMS.Signature, &inv.ETIMS.InternalData, &inv.ETIMS.ReceiptNumber, &inv.ETIMS.QR,
		&signed, &inv.SignAttempts, &inv.SignError)
	inv.PeriodStart, inv.PeriodEnd, inv.DueAt, inv.IssuedAt = store.Time(start), store.Time(end), store.Time(due), store.Time(issued)
	inv.PaidAt, inv.SignedAt = store.Time(paid), store.Time(signed)
	inv.Price, inv.Net, inv.Excise, inv.VAT, inv.Credited = money.Amount(price), money.Amount(net), money.Amount(excise), money.Amount(vat), money.Amount(credited)
	inv.Refunded = refunded != 0
	return inv, err
}

func insertInvoice(tx *store.Tx, inv Invoice) error {
	_, err := tx.Exec(`INSERT INTO isp_invoices (id, number, kind, credits, reason, status, subscription_id, subscriber_id, plan_id, plan_name,
		buyer_name, buyer_phone, buyer_account, seller_name, seller_pin, period_start, period_end, due_at, issued_at,
		price, net, excise, vat, vat_bp, excise_bp, purchase_id, paid_at, refunded, created_by, sign_next_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)`,
		inv.ID, inv.Number, inv.Kind, inv.Credits, inv.Reason, inv.Status, inv.SubscriptionID, inv.SubscriberID, inv.PlanID, inv.PlanName,
		inv.BuyerName, inv.BuyerPhone, inv.BuyerAccount, inv.SellerName, inv.SellerPIN,
		store.Micros(inv.PeriodStart), store.Micros(inv.PeriodEnd), store.Micros(inv.DueAt), store.Micros(inv.IssuedAt),
		int64(inv.Price), int64(inv.Net), int64(inv.Excise), int64(inv.VAT), inv.Rates.VAT, inv.Rates.Excise,
		inv.PurchaseID, store.Micros(inv.PaidAt), boolInt(inv.Refunded), inv.CreatedBy, store.Micros(inv.IssuedAt))
	if err != nil {
		return fmt.Errorf("store %s %s: %w", inv.Kind, inv.Number, err)
	}
	return nil
}

// periodInvoice reads the invoice of sub's period starting at start.
func periodInvoice(tx *store.Tx, subscriptionID string, start time.Time) (Invoice, error) {
	inv, err := scanInvoice(tx.QueryRow(`SELECT `+invoiceColumns+` FROM isp_invoices WHERE subscription_id = $1 AND period_start = $2 AND kind = 'invoice'`,
		subscriptionID, store.Micros(start)))
	return inv, store.NotFound(err, "invoice of the period")
}

// issueInvoice issues the invoice of sub's period of plan starting at
// start, in tx, unless it has one; the subscription is locked by the
// caller, so two nodes never both get past the look. (The unique index
// on the period is the backstop: the loser's transaction rolls back, and
// its number with it.)
func (s *Service) issueInvoice(ctx context.Context, tx *store.Tx, sub Subscription, plan Plan, start time.Time, by string) (Invoice, bool, error) {
	inv, err := periodInvoice(tx, sub.ID, start)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return inv, false, err
	}
	to, err := getSubscriber(ctx, tx, `id = $1`, sub.SubscriberID)
	if err != nil {
		return Invoice{}, false, err
	}
	inv = Invoice{ID: uuid.Must(uuid.NewV7()).String(), Kind: KindInvoice, Status: InvoiceIssued, SubscriptionID: sub.ID, SubscriberID: to.ID,
		PlanID: plan.ID, PlanName: plan.Name, BuyerName: to.Name, BuyerAccount: to.Username, SellerName: s.cfg.Name, SellerPIN: s.cfg.PIN,
		PeriodStart: start, PeriodEnd: periodEnd(plan, start, sub.AnchorDay), DueAt: start, IssuedAt: tx.Now,
		Split: s.cfg.Taxes.Split(plan.Price, tx.Now), CreatedBy: by}
	if len(to.Phones) > 0 {
		inv.BuyerPhone = to.Phones[0]
	}
	if inv.Number, err = nextNumber(tx, "INV", tx.Now); err != nil {
		return Invoice{}, false, err
	}
	return inv, true, insertInvoice(tx, inv)
}

// invoicePurchase is buy's hook: a period of a monthly plan bought pays
// its invoice, issued now when the period had none (its first, or one
// bought after suspension).
func (s *Service) invoicePurchase(ctx context.Context, tx *store.Tx, sub Subscription, plan Plan, p Purchase) error {
	if plan.Billing != Monthly || p.Price == 0 {
		return nil
	}
	inv, _, err := s.issueInvoice(ctx, tx, sub, plan, p.PeriodStart, "system")
	if err != nil {
		return err
	}
	if inv.Status == InvoiceIssued {
		_, err = tx.Exec(`UPDATE isp_invoices SET status = 'paid', purchase_id = $2, paid_at = $3 WHERE id = $1 AND status = 'issued'`,
			inv.ID, p.ID, store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("invoice %s paid: %w", inv.Number, err)
		}
	}
	if inv.Credited > 0 && p.Price >= inv.Price {
		// Paid in full, not what its credit notes left to pay.
		if err := refundCredited(tx, inv); err != nil {
			return err
		}
	}
	return s.supersede(tx, sub.ID, inv)
}

// periodPrice is what buying sub's next period of plan costs: what is left
// to pay of its invoice when it has one unpaid (credit notes lower it),
// else the plan's price. from is where a renewal would start the period
// (zero: where a purchase now would, the end of the period running or in
// grace); a period that starts elsewhere has no invoice yet.
func (s *Service) periodPrice(tx *store.Tx, sub Subscription, plan Plan, from time.Time) (money.Amount, error) {
	if from.IsZero() && (sub.State == Active && sub.EndsAt.After(tx.Now) || sub.State == Grace) {
		from = sub.EndsAt
	}
	if plan.Billing != Monthly || sub.PlanID != plan.ID || from.IsZero() || !from.Equal(sub.EndsAt) {
		return plan.Price, nil
	}
	var price, credited int64
	err := tx.QueryRow(`SELECT price, credited FROM isp_invoices WHERE subscription_id = $1 AND period_start = $2 AND kind = 'invoice' AND status = 'issued' AND plan_id = $3`,
		sub.ID, store.Micros(from), plan.ID).Scan(&price, &credited)
	if errors.Is(err, sql.ErrNoRows) {
		return plan.Price, nil
	}
	if err != nil {
		return 0, fmt.Errorf("invoice of the period: %w", err)
	}
	return money.Amount(price - credited), nil
}

// refundCredited gives back to the wallet what credit notes took off an
// invoice before it was paid: the purchase that pays it took the plan's
// whole price, and the customer owes only what is left (nothing, when it
// was wholly credited).
func refundCredited(tx *store.Tx, inv Invoice) error {
	if inv.Credited == 0 {
		return nil
	}
	ids, err := store.Strings(context.Background(), tx, `SELECT id FROM isp_invoices WHERE credits = $1 AND kind = 'credit_note' AND refunded = 0 ORDER BY issued_at`, inv.ID)
	if err != nil {
		return fmt.Errorf("credit notes of %s: %w", inv.Number, err)
	}
	for _, id := range ids {
		cn, err := lockInvoice(tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE isp_invoices SET refunded = 1 WHERE id = $1`, cn.ID); err != nil {
			return fmt.Errorf("credit note %s given back: %w", cn.Number, err)
		}
		if err := refund(tx, cn); err != nil {
			return err
		}
	}
	return nil
}

// supersede cancels, each by a credit note, the unpaid invoices of a
// subscription's earlier periods once a new period starts after them (a
// subscriber suspended for not paying pays later: the new period starts
// then, and the period invoiced was never taken).
func (s *Service) supersede(tx *store.Tx, subscriptionID string, by Invoice) error {
	ids, err := store.Strings(context.Background(), tx, `SELECT id FROM isp_invoices WHERE subscription_id = $1 AND kind = 'invoice' AND status = 'issued'
		AND period_start < $2 ORDER BY period_start`, subscriptionID, store.Micros(by.PeriodStart))
	if err != nil {
		return fmt.Errorf("unpaid invoices of %s: %w", subscriptionID, err)
	}
	for _, id := range ids {
		old, err := lockInvoice(tx, id)
		if err != nil {
			return err
		}
		if _, err := credit(tx, old, old.Remaining(), "period not taken: service was suspended unpaid; replaced by "+by.Number, "system"); err != nil {
			return err
		}
	}
	return nil
}

// sweepInvoices issues the invoices of the monthly periods that start
// within the lead time, and tells their subscribers, unless the wallet
// holds the price (it will pay the invoice when the period starts). It
// issues them between 07:00 and 21:00 EAT only, as reminders go.
func (s *Service) sweepInvoices(ctx context.Context, now time.Time) (bool, error) {
	if h := now.In(tariff.Zone).Hour(); h < firstCivilHour || h >= lastCivilHour {
		return false, nil // its SMS would wake the customer: issued in the morning
	}
	ids, err := store.Strings(ctx, s.DB.Read(), `SELECT s.id FROM isp_subscriptions s JOIN isp_plans p ON p.id = s.plan_id
		WHERE s.state IN ('active', 'grace') AND p.billing = 'monthly' AND p.price > 0 AND s.ends_at > 0 AND s.ends_at <= $1
		AND NOT EXISTS (SELECT 1 FROM isp_invoices i WHERE i.subscription_id = s.id AND i.period_start = s.ends_at AND i.kind = 'invoice') LIMIT $2`,
		store.Micros(now.Add(s.cfg.InvoiceLead)), sweepBatch)
	if err != nil {
		return false, fmt.Errorf("invoices due: %w", err)
	}
	queued := false
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			sub, err := lockSubscription(tx, id)
			if err != nil || (sub.State != Active && sub.State != Grace) || sub.EndsAt.IsZero() || sub.EndsAt.After(tx.Now.Add(s.cfg.InvoiceLead)) {
				return err
			}
			plan, err := getPlan(ctx, tx, sub.PlanID)
			if err != nil || plan.Billing != Monthly || plan.Price == 0 {
				return err
			}
			inv, made, err := s.issueInvoice(ctx, tx, sub, plan, sub.EndsAt, "system")
			if err != nil || !made {
				return err
			}
			to, err := getSubscriber(ctx, tx, `id = $1`, sub.SubscriberID)
			if err != nil || to.Balance >= plan.Price {
				return err // the wallet will pay it: nothing to ask for
			}
			m := s.baseMessage(to, plan, sub)
			m.Number, m.Due = inv.Number, day(inv.DueAt)
			queued = true
			return s.tell(tx, to, "", "invoice", inv.ID, m)
		})
		if err != nil {
			return queued, fmt.Errorf("invoice of %s: %w", id, err)
		}
	}
	return queued, nil
}

// day formats a due date in EAT as customers read it.
func day(t time.Time) string { return t.In(tariff.Zone).Format("02/01/2006") }

// GetInvoice returns an invoice or credit note by id.
func (s *Service) GetInvoice(ctx context.Context, id string) (Invoice, error) {
	inv, err := scanInvoice(s.DB.Read().QueryRowContext(ctx, `SELECT `+invoiceColumns+` FROM isp_invoices WHERE id = $1`, id))
	return inv, store.NotFound(err, "invoice "+id)
}

// InvoiceFilter selects invoices and credit notes; empty fields match all.
type InvoiceFilter struct {
	Kind         string
	Status       string
	SubscriberID string
	Phone        string    // of a subscriber: a customer's own invoices
	Month        time.Time // issued in this month in EAT (any day of it)
	Credits      string    // credit notes of this invoice
	Limit        int       // default 100, at most 500
}

// Invoices returns invoices and credit notes, newest first.
func (s *Service) Invoices(ctx context.Context, f InvoiceFilter) ([]Invoice, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	where, args := "1=1", []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(" AND "+cond, len(args))
	}
	for _, c := range []struct{ cond, v string }{{"kind = $%d", f.Kind}, {"status = $%d", f.Status}, {"subscriber_id = $%d", f.SubscriberID},
		{"credits = $%d", f.Credits}, {"subscriber_id IN (SELECT subscriber_id FROM isp_subscriber_phones WHERE msisdn = $%d)", f.Phone}} {
		if c.v != "" {
			add(c.cond, c.v)
		}
	}
	if !f.Month.IsZero() {
		m := f.Month.In(tariff.Zone)
		first := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, tariff.Zone)
		add("issued_at >= $%d", store.Micros(first))
		add("issued_at < $%d", store.Micros(first.AddDate(0, 1, 0)))
	}
	args = append(args, f.Limit)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+invoiceColumns+` FROM isp_invoices WHERE `+where+fmt.Sprintf(` ORDER BY issued_at DESC, number DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("invoices: %w", err)
	}
	defer rows.Close()
	var out []Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, fmt.Errorf("invoices: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// lockInvoice reads an invoice in tx, locked.
func lockInvoice(tx *store.Tx, id string) (Invoice, error) {
	inv, err := scanInvoice(tx.QueryRow(`SELECT `+invoiceColumns+` FROM isp_invoices WHERE id = $1 `+tx.ForUpdate(), id))
	return inv, store.NotFound(err, "invoice "+id)
}

// InvoiceFor returns an invoice or credit note of a subscriber with the
// phone msisdn; anyone else's is store.ErrNotFound, as one that does not
// exist, so that a customer cannot learn which ids are real.
func (s *Service) InvoiceFor(ctx context.Context, id, msisdn string) (Invoice, error) {
	inv, err := scanInvoice(s.DB.Read().QueryRowContext(ctx, `SELECT `+invoiceColumns+` FROM isp_invoices WHERE id = $1
		AND subscriber_id IN (SELECT subscriber_id FROM isp_subscriber_phones WHERE msisdn = $2)`, id, msisdn))
	return inv, store.NotFound(err, "invoice "+id)
}
