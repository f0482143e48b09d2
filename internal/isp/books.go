package isp

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
)

// CheckBooks proves what must hold of the ISP's books after anything
// billing did, once its workers have settled (the payments' own accounts
// are proved with the utility's, by service):
//   - the wallet account holds what the wallets hold, and each wallet's
//     entries add up to its balance;
//   - each purchase's net, excise and VAT add up to its price, and the
//     revenue, excise and VAT accounts hold what the purchases say;
//   - the voucher account holds the face value of the vouchers used, each
//     used voucher bought exactly one period;
//   - every applied payment credited exactly one wallet once, with its
//     amount, and no other payment credited any;
//   - invoices' and credit notes' lines add up, an invoice's credit notes
//     add up to what it says was credited, and each credit note given back
//     to a wallet was credited there once and reversed its revenue and
//     taxes.
//
// It returns the first rule broken, or nil.
func CheckBooks(ctx context.Context, q payment.Querier) error {
	bal, err := ledger.Balances(ctx, q)
	if err != nil {
		return err
	}
	sum := func(query string) (money.Amount, error) {
		var n int64
		err := q.QueryRowContext(ctx, query).Scan(&n)
		return money.Amount(n), err
	}
	for _, c := range []struct {
		account string
		query   string
		sign    money.Amount
	}{
		{ledger.ISPWallet, `SELECT COALESCE(SUM(balance), 0) FROM isp_subscribers`, -1},
		{ledger.ISPRevenue, `SELECT COALESCE(SUM(net), 0) - (SELECT COALESCE(SUM(net), 0) FROM isp_invoices WHERE refunded = 1) FROM isp_purchases`, -1},
		{ledger.ISPExcise, `SELECT COALESCE(SUM(excise), 0) - (SELECT COALESCE(SUM(excise), 0) FROM isp_invoices WHERE refunded = 1) FROM isp_purchases`, -1},
		{ledger.ISPVAT, `SELECT COALESCE(SUM(vat), 0) - (SELECT COALESCE(SUM(vat), 0) FROM isp_invoices WHERE refunded = 1) FROM isp_purchases`, -1},
		{ledger.ISPVouchers, `SELECT COALESCE(SUM(price), 0) FROM isp_purchases WHERE paid_by = 'voucher'`, 1},
	} {
		s, err := sum(c.query)
		if err != nil {
			return fmt.Errorf("isp books: %s: %w", c.account, err)
		}
		if bal[c.account] != c.sign*s {
			return fmt.Errorf("isp books: account %s holds %s; the records (%s) say %s", c.account, bal[c.account], c.query, c.sign*s)
		}
	}
	for _, c := range []struct{ what, query string }{
		{"wallets whose entries do not add up to their balance", `SELECT count(*) FROM isp_subscribers u
			WHERE u.balance <> COALESCE((SELECT SUM(e.amount) FROM isp_wallet_entries e WHERE e.subscriber_id = u.id), 0)`},
		{"wallets below zero", `SELECT count(*) FROM isp_subscribers WHERE balance < 0`},
		{"purchases whose lines do not add up to the price", `SELECT count(*) FROM isp_purchases WHERE net + excise + vat <> price`},
		{"purchases from a wallet without its debit", `SELECT count(*) FROM isp_purchases p WHERE p.paid_by = 'wallet'
			AND (SELECT count(*) FROM isp_wallet_entries e WHERE e.kind = 'purchase' AND e.ref = p.id AND e.subscriber_id = p.payer_id AND e.amount = -p.price) <> 1`},
		{"wallet debits without their purchase", `SELECT count(*) FROM isp_wallet_entries e WHERE e.kind = 'purchase'
			AND NOT EXISTS (SELECT 1 FROM isp_purchases p WHERE p.id = e.ref AND p.paid_by = 'wallet')`},
		{"used vouchers without exactly one purchase", `SELECT count(*) FROM isp_vouchers v WHERE v.redeemed_at IS NOT NULL
			AND (SELECT count(*) FROM isp_purchases p WHERE p.paid_by = 'voucher' AND p.ref = v.digest AND p.subscriber_id = v.redeemed_by) <> 1`},
		{"purchases by voucher without a used voucher", `SELECT (SELECT count(*) FROM isp_purchases WHERE paid_by = 'voucher') - (SELECT count(*) FROM isp_vouchers WHERE redeemed_at IS NOT NULL)`},
		{"applied ISP payments not credited exactly once", `SELECT count(*) FROM payments p WHERE p.service = 'isp' AND p.state = 'applied'
			AND (SELECT count(*) FROM isp_wallet_entries e WHERE e.kind = 'payment' AND e.ref = p.id AND e.amount = p.amount) <> 1`},
		{"invoices and credit notes whose lines do not add up", `SELECT count(*) FROM isp_invoices WHERE net + excise + vat <> price OR credited > price OR credited < 0`},
		{"invoices whose credit notes do not add up to what they credited", `SELECT count(*) FROM isp_invoices i WHERE i.kind = 'invoice'
			AND i.credited <> (SELECT COALESCE(SUM(c.price), 0) FROM isp_invoices c WHERE c.credits = i.id AND c.kind = 'credit_note')`},
		{"credit notes given back without exactly one wallet credit", `SELECT count(*) FROM isp_invoices c WHERE c.refunded = 1
			AND (SELECT count(*) FROM isp_wallet_entries e WHERE e.kind = 'credit_note' AND e.ref = c.id AND e.amount = c.price) <> 1`},
		{"wallet credits of no credit note given back", `SELECT count(*) FROM isp_wallet_entries e WHERE e.kind = 'credit_note'
			AND NOT EXISTS (SELECT 1 FROM isp_invoices c WHERE c.id = e.ref AND c.refunded = 1)`},
		{"wallet credits of payments not applied", `SELECT count(*) FROM isp_wallet_entries e WHERE e.kind = 'payment'
			AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = e.ref AND p.service = 'isp' AND p.state = 'applied')`},
	} {
		var n int
		if err := q.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return fmt.Errorf("isp books: %s: %w", c.what, err)
		}
		if n != 0 {
			return fmt.Errorf("isp books: %d %s", n, c.what)
		}
	}
	return nil
}
