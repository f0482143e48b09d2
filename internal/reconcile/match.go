package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// matcher holds M-Pesa's records to Mteja's payments in one transaction,
// and acts on what differs.
type matcher struct {
	ctx    context.Context
	tx     *store.Tx
	source string
	// What it did: the exceptions it added, the payments it recorded, and
	// the days whose figures that changed.
	found    []string
	recorded int
	days     map[string]bool
	// unlisted are the receipts of open "missing in M-Pesa" exceptions,
	// which a record of M-Pesa's closes.
	unlisted map[string]bool
}

func newMatcher(ctx context.Context, tx *store.Tx, source string) *matcher {
	return &matcher{ctx: ctx, tx: tx, source: source, days: map[string]bool{}}
}

// what names the source in details: "M-Pesa's statement".
func (m *matcher) what() string { return "M-Pesa's " + m.source }

func (m *matcher) add(f finding) error {
	id, err := add(m.tx, m.source, f)
	if id != "" {
		m.found = append(m.found, id)
	}
	return err
}

// records compares each completed payment and each reversal among recs
// with Mteja's payments. differ holds the amounts M-Pesa's other source
// gave earlier for records it disagrees on.
func (m *matcher) records(recs []Record, differ map[string]money.Amount) error {
	var receipts []string
	for _, r := range recs {
		receipts = append(receipts, r.Receipt, r.Linked)
	}
	pays, err := payment.ByReceipts(m.ctx, m.tx, receipts)
	if err != nil {
		return err
	}
	unlisted, err := store.Strings(m.ctx, m.tx, `SELECT receipt FROM recon_exceptions WHERE kind = 'missing_in_mpesa' AND state = 'open'`)
	if err != nil {
		return fmt.Errorf("exceptions open: %w", err)
	}
	m.unlisted = map[string]bool{}
	for _, r := range unlisted {
		m.unlisted[r] = true
	}
	for _, r := range recs {
		if !r.completed() {
			continue // money that did not move: nothing to hold a payment to
		}
		switch {
		case r.Kind == KindReversal && r.Linked != "":
			err = m.reversal(r, pays[r.Linked])
		case r.Kind != KindPayment:
		case hasAmount(differ, r.key()):
			err = m.add(finding{kind: AmountDiffers, receipt: r.Receipt, day: Day(r.CompletedAt), paymentID: pays[r.Receipt].ID, mpesa: &r.Amount,
				mteja: amountOf(pays, r.Receipt), accountRef: r.AccountRef, state: Open,
				detail: fmt.Sprintf("%s says %s, but M-Pesa's earlier record said %s", m.what(), r.Amount.Plain(), differ[r.key()].Plain())})
		default:
			p, ok := pays[r.Receipt]
			if !ok {
				err = m.missing(r)
			} else {
				err = m.compare(r, p)
			}
		}
		if err != nil {
			return fmt.Errorf("reconcile %s (%s): %w", r.Receipt, r.where(m.source), err)
		}
	}
	return nil
}

func hasAmount(m map[string]money.Amount, k string) bool {
	_, ok := m[k]
	return ok
}

func amountOf(pays map[string]payment.Payment, receipt string) *money.Amount {
	p, ok := pays[receipt]
	if !ok {
		return nil
	}
	return &p.Amount
}

// compare holds a payment Mteja has to M-Pesa's record of it.
func (m *matcher) compare(r Record, p payment.Payment) error {
	if m.unlisted[r.Receipt] {
		if err := found(m.tx, r.Receipt, m.source); err != nil {
			return err
		}
	}
	if p.Amount == r.Amount {
		return nil
	}
	return m.add(finding{kind: AmountDiffers, receipt: r.Receipt, day: Day(r.CompletedAt), paymentID: p.ID, mpesa: &r.Amount, mteja: &p.Amount,
		accountRef: r.AccountRef, state: Open,
		detail: fmt.Sprintf("%s says %s was paid; Mteja's payment (%s) says %s", m.what(), r.Amount.Plain(), p.State, p.Amount.Plain())})
}

// reversal flags a payment M-Pesa reversed that Mteja still counts.
func (m *matcher) reversal(r Record, p payment.Payment) error {
	if p.ID == "" || p.State == payment.Reversed {
		return nil
	}
	return m.add(finding{kind: ReversedInMpesa, receipt: p.Receipt, day: Day(r.CompletedAt), paymentID: p.ID, mpesa: &r.Amount, mteja: &p.Amount,
		accountRef: p.AccountRef, state: Open,
		detail: fmt.Sprintf("%s shows %s reversing it (%s); Mteja's payment is %s", m.what(), r.Receipt, r.Amount.Plain(), p.State)})
}

// missing records a payment M-Pesa took that Mteja never heard of, on
// M-Pesa's record: for the meter of the STK push it paid when there is
// exactly one, else for the account the record names. Its token follows
// without the customer doing anything. When Mteja's own record of M-Pesa's
// validation request disagrees, the money waits in suspense for finance.
func (m *matcher) missing(r Record) error {
	reversed, err := reversedBy(m.ctx, m.tx, r.Receipt)
	if err != nil {
		return err
	}
	if reversed != "" {
		return m.add(finding{kind: MissingInMteja, receipt: r.Receipt, day: Day(r.CompletedAt), mpesa: &r.Amount, accountRef: r.AccountRef,
			state: Auto, action: ActNone, detail: fmt.Sprintf("%s shows it reversed by %s: nothing to record", m.what(), reversed)})
	}
	p, push, err := m.fromSTK(r)
	if err != nil {
		return err
	}
	if push == nil {
		if p, err = m.fromAccount(r); err != nil {
			return err
		}
	}
	rs, err := payment.RecordTx(m.tx, []payment.Payment{p})
	if err != nil {
		return err
	}
	got := rs[0].Payment
	if rs[0].Duplicate {
		// Recorded meanwhile (its callback came, or another node got here
		// first): a payment Mteja has.
		return m.compare(r, got)
	}
	m.recorded++
	m.days[Day(got.PaidAt)] = true
	f := finding{kind: MissingInMteja, receipt: r.Receipt, day: Day(r.CompletedAt), paymentID: got.ID, mpesa: &r.Amount, mteja: &got.Amount,
		accountRef: got.AccountRef, state: Auto}
	switch {
	case p.Hold != "":
		f.state, f.detail = Open, fmt.Sprintf("recorded from %s and held in suspense: %s", m.what(), p.Hold)
	case got.State == payment.Suspense:
		f.action, f.detail = ActSuspense, fmt.Sprintf("recorded from %s in suspense: %s", m.what(), got.Reason)
	case push != nil:
		f.action, f.detail = ActRecordedSTK, fmt.Sprintf("recorded from %s for meter %s, paid by STK push %s whose callback never came; its token follows",
			m.what(), got.MeterDRN, push.CheckoutRequestID)
	default:
		f.action, f.detail = ActRecorded, fmt.Sprintf("recorded from %s for meter %s; its token follows", m.what(), got.MeterDRN)
	}
	return m.add(f)
}

// fromSTK finds the STK push a record paid: sent to its payer for its
// amount shortly before, still without its callback, the one such push,
// for the account M-Pesa shows (when it shows one). The payment is then
// the push's, for the push's meter, and the push is settled.
func (m *matcher) fromSTK(r Record) (payment.Payment, *payment.STKRequest, error) {
	push, err := payment.MatchSTK(m.ctx, m.tx, r.Payer, r.Amount, r.CompletedAt)
	if err != nil || push == nil {
		return payment.Payment{}, nil, err
	}
	if r.AccountRef != "" && customer.NormalizeNumber(r.AccountRef) != payment.STKAccountReference(push.MeterDRN) {
		return payment.Payment{}, nil, nil // a payment of the same phone and amount, for another account
	}
	if err := payment.MarkSTKPaid(m.tx, push.CheckoutRequestID, r.Receipt, "paid (found in "+m.what()+")"); err != nil {
		return payment.Payment{}, nil, err
	}
	return payment.Payment{Provider: payment.MpesaSTK, Receipt: r.Receipt, Amount: r.Amount, Payer: push.MSISDN, PayerName: r.PayerName,
		NotifyMSISDN: push.MSISDN, AccountRef: push.MeterDRN, MeterDRN: push.MeterDRN, PaidAt: r.CompletedAt}, push, nil
}

// fromAccount makes the payment of a C2B record, for the account it
// names (or, when it names none, the one M-Pesa's validation request
// carried). A validation request Mteja kept that says another amount or
// account holds it in suspense.
func (m *matcher) fromAccount(r Record) (payment.Payment, error) {
	p := payment.Payment{Provider: payment.MpesaC2B, Receipt: r.Receipt, Amount: r.Amount, Payer: r.Payer, PayerName: r.PayerName,
		AccountRef: r.AccountRef, PaidAt: r.CompletedAt}
	if n, err := phone.Normalize(r.Payer); err == nil {
		p.NotifyMSISDN = n
	}
	v, err := payment.ValidationOf(m.ctx, m.tx, r.Receipt)
	if err != nil || v == nil {
		return p, err
	}
	if p.AccountRef == "" {
		p.AccountRef = v.AccountRef
	}
	if p.Payer == "" {
		p.Payer = v.Payer
	}
	switch {
	case v.Amount != r.Amount:
		p.Hold = fmt.Sprintf("%s says %s, but M-Pesa's validation request said %s", m.what(), r.Amount.Plain(), v.Amount.Plain())
	case customer.NormalizeNumber(v.AccountRef) != customer.NormalizeNumber(p.AccountRef):
		p.Hold = fmt.Sprintf("%s names account %q, but M-Pesa's validation request named %q", m.what(), truncate(p.AccountRef, 20), truncate(v.AccountRef, 20))
	}
	return p, nil
}

// reversedBy returns the receipt of a reversal M-Pesa recorded of receipt,
// or "".
func reversedBy(ctx context.Context, tx *store.Tx, receipt string) (string, error) {
	var r string
	err := tx.QueryRowContext(ctx, `SELECT receipt FROM mpesa_records WHERE kind = 'reversal' AND linked = $1 LIMIT 1`, receipt).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reversals of %s: %w", receipt, err)
	}
	return r, nil
}

// coverage flags every M-Pesa payment Mteja has, paid between from and to
// (the span M-Pesa's records cover) to shortCode (any, when ""), that
// M-Pesa's records do not list as completed.
func (m *matcher) coverage(from, to time.Time, shortCode string) error {
	receipts, err := store.Strings(m.ctx, m.tx, `SELECT receipt FROM payments p WHERE provider IN ('mpesa_c2b', 'mpesa_stk') AND paid_at >= $1 AND paid_at <= $2
		AND ($3 = '' OR p.short_code = '' OR p.short_code = $3)
		AND NOT EXISTS (SELECT 1 FROM mpesa_records r WHERE r.receipt = p.receipt AND r.kind = 'payment' AND lower(r.status) IN ('', 'completed'))
		ORDER BY paid_at`, store.Micros(from), store.Micros(to), shortCode)
	if err != nil {
		return fmt.Errorf("payments M-Pesa does not list: %w", err)
	}
	pays, err := payment.ByReceipts(m.ctx, m.tx, receipts)
	if err != nil {
		return err
	}
	for _, receipt := range receipts {
		p := pays[receipt]
		detail := fmt.Sprintf("Mteja has it (%s, %s); %s of %s to %s does not list it", p.State, p.Provider, m.what(),
			from.In(mpesa.EAT).Format(time.DateTime), to.In(mpesa.EAT).Format(time.DateTime))
		var status string
		err := m.tx.QueryRowContext(m.ctx, `SELECT status FROM mpesa_records WHERE receipt = $1 AND kind = 'payment'`, receipt).Scan(&status)
		switch {
		case err == nil:
			detail = fmt.Sprintf("Mteja has it (%s, %s); %s says it is %q", p.State, p.Provider, m.what(), truncate(status, 30))
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := m.add(finding{kind: MissingInMpesa, receipt: receipt, day: Day(p.PaidAt), paymentID: p.ID, mteja: &p.Amount,
			accountRef: p.AccountRef, state: Open, detail: detail}); err != nil {
			return err
		}
	}
	return nil
}
