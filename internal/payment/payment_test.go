package payment_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func setup(t *testing.T, db *store.DB) *payment.Intake {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO tariffs (id, currency, source, created_at, updated_at) VALUES ('domestic', 'KES', '', 0, 0)`); err != nil {
			return err
		}
		return customer.CreateMeter(tx, &customer.Meter{DRN: "54500320905", SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
			BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic"})
	})
	if err != nil {
		t.Fatal(err)
	}
	in := payment.NewIntake(db)
	go in.Run(ctx)
	return in
}

func TestNormalizeReceipt(t *testing.T) {
	if r, err := payment.NormalizeReceipt(" skl51zdr4f "); err != nil || r != "SKL51ZDR4F" {
		t.Fatalf("NormalizeReceipt = %q, %v", r, err)
	}
	for _, bad := range []string{"", "SKL51", "SKL51ZDR4F1", "SKL51-DR4F", "SKL51ZDR4*"} {
		if _, err := payment.NormalizeReceipt(bad); !errors.Is(err, payment.ErrBadReceipt) {
			t.Errorf("NormalizeReceipt(%q) = %v; want ErrBadReceipt", bad, err)
		}
	}
}

func TestSTKCallbackAfterC2BAddsThePhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := setup(t, db)
		// The C2B confirmation (no usable number) comes first...
		r, err := in.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SKO2AB3CD4", Amount: money.MustFromMajor(500), AccountRef: "54500320905",
			Payer: mpesa.HashMSISDN("254708374149"), PaidAt: time.Now()})
		if err != nil || r.Duplicate || r.Payment.State != payment.Received {
			t.Fatalf("first record: %+v, %v", r, err)
		}
		// ...then the STK callback for the same receipt: a duplicate that
		// brings the payer's number for the token SMS.
		stk := &payment.STK{DB: db, Intake: in}
		db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO stk_requests (checkout_request_id, merchant_request_id, msisdn, meter_drn, amount, channel, state, created_at, updated_at) VALUES ('ws_CO_1', 'm1', '254708374149', '54500320905', 50000, 'ussd', 'pending', 0, 0)`)
			return err
		})
		rec, err := stk.Settle(ctx, mpesa.STKCallback{CheckoutRequestID: "ws_CO_1", ResultCode: 0, Amount: money.MustFromMajor(500), Receipt: "SKO2AB3CD4", Phone: "254708374149", TransactionDate: time.Now()})
		if err != nil || !rec.Duplicate || rec.Payment.NotifyMSISDN != "254708374149" {
			t.Fatalf("stk settle: %+v, %v", rec, err)
		}
		s, _ := payment.GetSTK(ctx, db.Read(), "ws_CO_1")
		if s.State != payment.STKPaid || s.Receipt != "SKO2AB3CD4" {
			t.Fatalf("stk request = %+v", s)
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM payments`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d payments; want 1", n)
		}
		// A success for a push we never sent is kept, in suspense.
		rec, err = stk.Settle(ctx, mpesa.STKCallback{CheckoutRequestID: "ws_CO_unknown", ResultCode: 0, Amount: money.MustFromMajor(100), Receipt: "SKO2AB3CD9", Phone: "254708374149"})
		if err != nil || rec.Payment.State != payment.Suspense {
			t.Fatalf("unknown checkout: %+v, %v", rec, err)
		}
		// A failure for a push we never sent is an error the handler acknowledges.
		if _, err := stk.Settle(ctx, mpesa.STKCallback{CheckoutRequestID: "ws_CO_x", ResultCode: 1032}); !errors.Is(err, payment.ErrUnknownCheckout) {
			t.Fatalf("unknown failed checkout: %v", err)
		}
		if err := ledger.Check(ctx, db.Read()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReverseAppliedPaymentBecomesDebt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := setup(t, db)
		r, _ := in.Record(ctx, payment.Payment{Provider: payment.MpesaC2B, Receipt: "SKL51ZDRR1", Amount: money.MustFromMajor(300), AccountRef: "54500320905"})
		// Reversing a payment still waiting to be vended is refused: the
		// worker may be vending it right now.
		if _, err := payment.Reverse(ctx, db, "SKL51ZDRR1", "finance:bob", "customer dispute"); !errors.Is(err, payment.ErrState) {
			t.Fatalf("reverse received payment: %v", err)
		}
		// Mark it applied as the vend worker would (ledger included).
		db.InTx(ctx, func(tx *store.Tx) error {
			tx.Exec(`UPDATE payments SET state = 'applied' WHERE id = $1`, r.Payment.ID)
			return ledger.Post(tx, ledger.Txn{ID: "vend:x", Kind: "vend", Ref: "x", Postings: []ledger.Posting{
				{Account: ledger.CustomerCredit, Amount: money.MustFromMajor(300)}, {Account: ledger.EnergyRevenue, Amount: -money.MustFromMajor(300)}}})
		})
		p, err := payment.Reverse(ctx, db, "SKL51ZDRR1", "finance:bob", "customer dispute")
		if err != nil || p.State != payment.Reversed {
			t.Fatalf("reverse: %+v, %v", p, err)
		}
		m, _ := customer.GetMeter(ctx, db.Read(), "54500320905")
		if m.Debt != money.MustFromMajor(300) {
			t.Fatalf("meter debt %s; want 300.00", m.Debt)
		}
		bal, _ := ledger.Balances(ctx, db.Read())
		if bal[ledger.MpesaClearing] != 0 || bal[ledger.DebtReceivable] != money.MustFromMajor(300) {
			t.Fatalf("balances %v", bal)
		}
		if err := ledger.Check(ctx, db.Read()); err != nil {
			t.Fatal(err)
		}
		var audits int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'payment.reverse'`).Scan(&audits)
		if audits != 1 {
			t.Fatalf("audit events = %d; want 1", audits)
		}
	})
}

// An account reference as typed is cut to fit on a character boundary:
// cut inside a UTF-8 sequence it is text PostgreSQL refuses, and the
// payment would be lost with it.
func TestRecordCutsAccountOnACharacter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		in := setup(t, db)
		ref := "Nyumba ya Wanjikũ, Kĩambu, mita ya nyũma ũũũ" // ũ is two bytes; byte 40 falls inside one
		r, err := in.Record(context.Background(), payment.Payment{Provider: payment.MpesaC2B, Receipt: "SKL51ZDR4Z", Amount: money.Amount(100_00), AccountRef: ref, PaidAt: time.Now()})
		if err != nil {
			t.Fatalf("record: %v", err)
		}
		p, err := payment.ByReceipt(context.Background(), db.Read(), "SKL51ZDR4Z")
		if err != nil || r.Payment.State != payment.Suspense || len(p.AccountRef) > 40 || !strings.HasPrefix(ref, p.AccountRef) || !utf8.ValidString(p.AccountRef) {
			t.Errorf("stored account %q (%d bytes), %v", p.AccountRef, len(p.AccountRef), err)
		}
	})
}
