package isp

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// EntryCredit is a wallet entry of a credit note's amount given back (ref:
// the credit note).
const EntryCredit = "credit_note"

// Credit issues a credit note that takes amount off invoice invoiceID,
// with its reason; by names the staff member (finance). A credit note
// takes its lines at the invoice's own rates, and the last one, which
// takes off all that is left, takes exactly the lines left, so an invoice
// wholly credited is wholly reversed to the cent. The amount of a credit
// note of a paid invoice goes back to the subscriber's wallet, the
// revenue and taxes booked for it reversed; an unpaid invoice's is simply
// no longer owed. More than is left of the invoice is ErrCredit.
func (s *Service) Credit(ctx context.Context, invoiceID string, amount money.Amount, reason, by string) (Invoice, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "" || len(reason) > 200:
		return Invoice{}, fmt.Errorf("%w: give a reason of 1 to 200 characters", ErrCredit)
	case amount <= 0:
		return Invoice{}, fmt.Errorf("%w: the amount is more than zero", ErrCredit)
	}
	return inTx(ctx, s.DB, func(tx *store.Tx) (Invoice, error) {
		inv, err := lockInvoice(tx, invoiceID)
		if err != nil {
			return Invoice{}, err
		}
		return credit(tx, inv, amount, reason, by)
	})
}

// credit issues a credit note of amount on inv (locked), in tx.
func credit(tx *store.Tx, inv Invoice, amount money.Amount, reason, by string) (Invoice, error) {
	if inv.Kind != KindInvoice {
		return Invoice{}, fmt.Errorf("%w: %s is a credit note; credit its invoice", ErrCredit, inv.Number)
	}
	left := inv.Remaining()
	if amount > left {
		return Invoice{}, fmt.Errorf("%w: %s has %s left to credit, not %s", ErrCredit, inv.Number, left, amount)
	}
	// The credit note carries the invoice's buyer, seller and period.
	cn := Invoice{ID: uuid.Must(uuid.NewV7()).String(), Kind: KindCreditNote, Credits: inv.ID, Reason: reason, Status: InvoiceIssued,
		SubscriptionID: inv.SubscriptionID, SubscriberID: inv.SubscriberID, PlanID: inv.PlanID, PlanName: inv.PlanName,
		BuyerName: inv.BuyerName, BuyerPhone: inv.BuyerPhone, BuyerAccount: inv.BuyerAccount, SellerName: inv.SellerName, SellerPIN: inv.SellerPIN,
		PeriodStart: inv.PeriodStart, PeriodEnd: inv.PeriodEnd, DueAt: inv.DueAt, IssuedAt: tx.Now, Split: SplitAt(amount, inv.Rates), CreatedBy: by}
	var err error
	if amount == left {
		if cn.Split, err = leftOf(tx, inv); err != nil {
			return Invoice{}, err
		}
	}
	cn.Refunded = inv.Status == InvoicePaid
	if cn.Number, err = nextNumber(tx, "CN", tx.Now); err != nil {
		return Invoice{}, err
	}
	if err := insertInvoice(tx, cn); err != nil {
		return Invoice{}, err
	}
	status := inv.Status
	if amount == left {
		status = InvoiceCredited
	}
	if _, err := tx.Exec(`UPDATE isp_invoices SET credited = credited + $2, status = $3 WHERE id = $1`, inv.ID, int64(amount), status); err != nil {
		return Invoice{}, fmt.Errorf("credit %s: %w", inv.Number, err)
	}
	if cn.Refunded {
		if err := refund(tx, cn); err != nil {
			return Invoice{}, err
		}
	}
	return cn, payment.Audit(tx, by, "isp.credit_note", inv.ID, fmt.Sprintf("%s of %s on %s: %s", cn.Number, amount, inv.Number, reason))
}

// leftOf is what is left of an invoice's lines after its credit notes.
func leftOf(tx *store.Tx, inv Invoice) (Split, error) {
	var net, excise, vat int64
	if err := tx.QueryRow(`SELECT COALESCE(SUM(net), 0), COALESCE(SUM(excise), 0), COALESCE(SUM(vat), 0) FROM isp_invoices WHERE credits = $1 AND kind = 'credit_note'`,
		inv.ID).Scan(&net, &excise, &vat); err != nil {
		return Split{}, fmt.Errorf("credit notes of %s: %w", inv.Number, err)
	}
	return Split{Price: inv.Remaining(), Net: inv.Net - money.Amount(net), Excise: inv.Excise - money.Amount(excise), VAT: inv.VAT - money.Amount(vat), Rates: inv.Rates}, nil
}

// refund gives a credit note's amount back to the wallet and reverses
// the revenue and taxes booked for it.
func refund(tx *store.Tx, cn Invoice) error {
	if _, err := walletMove(tx, cn.SubscriberID, EntryCredit, cn.ID, cn.Price); err != nil {
		return err
	}
	return ledger.Post(tx, ledger.Txn{ID: "isp_credit:" + cn.ID, Kind: "isp_credit_note", Ref: cn.ID, Postings: []ledger.Posting{
		{Account: ledger.ISPWallet, Amount: -cn.Price},
		{Account: ledger.ISPRevenue, Amount: cn.Net},
		{Account: ledger.ISPExcise, Amount: cn.Excise},
		{Account: ledger.ISPVAT, Amount: cn.VAT},
	}})
}
