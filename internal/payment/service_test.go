package payment_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

const ispShortCode = "600100"

// A payment to the ISP's short code is the ISP's: it is not matched to a
// meter (even when its account is a meter's number), it passes through the
// ISP's own ledger accounts, and the tools for suspense treat it as such.
func TestPaymentsRoutedByShortCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := setup(t, db)
		in.Services = map[string]string{ispShortCode: payment.Internet}
		kes := money.MustFromMajor
		for _, c := range []struct {
			name                string
			p                   payment.Payment
			service, state, drn string
		}{
			{"to the utility", payment.Payment{Receipt: "SKR0000001", Amount: kes(100), AccountRef: "54500320905", ShortCode: "888880"}, payment.Electricity, payment.Received, "54500320905"},
			{"to the ISP, naming a meter", payment.Payment{Receipt: "SKR0000002", Amount: kes(50), AccountRef: "54500320905", ShortCode: ispShortCode}, payment.Internet, payment.Received, ""},
			{"to the ISP, held", payment.Payment{Receipt: "SKR0000003", Amount: kes(20), AccountRef: "alice", ShortCode: ispShortCode, Hold: "does not agree"}, payment.Internet, payment.Suspense, ""},
			// Verification asks as the utility's short code: not for the ISP.
			{"to the ISP, verify asked", payment.Payment{Receipt: "SKR0000004", Amount: kes(30), AccountRef: "alice", ShortCode: ispShortCode, Verify: true}, payment.Internet, payment.Received, ""},
			{"no short code", payment.Payment{Receipt: "SKR0000005", Amount: kes(10), AccountRef: "54500320905"}, payment.Electricity, payment.Received, "54500320905"},
		} {
			c.p.Provider, c.p.PaidAt = payment.MpesaC2B, time.Now()
			r, err := in.Record(ctx, c.p)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			p, _ := payment.ByReceipt(ctx, db.Read(), c.p.Receipt)
			if r.Payment.Service != c.service || p.Service != c.service || p.State != c.state || p.MeterDRN != c.drn {
				t.Errorf("%s: stored %s %s meter %q; want %s %s meter %q", c.name, p.Service, p.State, p.MeterDRN, c.service, c.state, c.drn)
			}
		}
		bal, _ := ledger.Balances(ctx, db.Read())
		for acct, want := range map[string]money.Amount{
			ledger.MpesaClearing: kes(110), ledger.CustomerCredit: -kes(110),
			ledger.ISPClearing: kes(100), ledger.ISPUnapplied: -kes(80), ledger.ISPSuspense: -kes(20),
		} {
			if bal[acct] != want {
				t.Errorf("%s holds %s; want %s", acct, bal[acct], want)
			}
		}

		held, _ := payment.ByReceipt(ctx, db.Read(), "SKR0000003")
		if _, err := payment.Assign(ctx, db, held.ID, "54500320905", "staff:finance"); !errors.Is(err, payment.ErrService) || !errors.Is(err, payment.ErrState) {
			t.Fatalf("assign an ISP payment to a meter: %v; want ErrService", err)
		}
		if _, err := payment.Refund(ctx, db, held.ID, "staff:finance", "paid twice"); err != nil {
			t.Fatalf("refund an ISP payment: %v", err)
		}
		applied, _ := payment.ByReceipt(ctx, db.Read(), "SKR0000002")
		db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE payments SET state = 'applied' WHERE id = $1`, applied.ID)
			return err
		})
		if _, err := payment.Reverse(ctx, db, "SKR0000002", "staff:finance", "disputed"); !errors.Is(err, payment.ErrService) {
			t.Fatalf("reverse an applied ISP payment: %v; want ErrService", err)
		}
		bal, _ = ledger.Balances(ctx, db.Read())
		if bal[ledger.ISPSuspense] != 0 || bal[ledger.ISPClearing] != kes(80) || bal[ledger.MpesaClearing] != kes(110) {
			t.Errorf("after the refund: %v", bal)
		}
		if err := ledger.Check(ctx, db.Read()); err != nil {
			t.Fatal(err)
		}
	})
}

type pusher struct{ pushed []mpesa.STKPushRequest }

func (p *pusher) STKPush(_ context.Context, r mpesa.STKPushRequest) (mpesa.STKPushResponse, error) {
	p.pushed = append(p.pushed, r)
	return mpesa.STKPushResponse{CheckoutRequestID: "ws_CO_isp1", MerchantRequestID: "m-isp1"}, nil
}

// An STK push for another service goes through that service's client; its
// callback records a payment of that service, naming the push.
func TestSTKForAnotherService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := setup(t, db)
		isp := &pusher{}
		stk := &payment.STK{DB: db, Intake: in, CallbackURL: "https://example.org/cb"}
		if _, err := stk.StartFor(ctx, payment.Push{Service: payment.Electricity, Client: isp, MSISDN: "0708374149", Amount: 5000}); err == nil {
			t.Fatal("StartFor took electricity, which has Start")
		}
		if _, err := stk.StartFor(ctx, payment.Push{Service: payment.Internet, Client: isp, MSISDN: "0708374149", Amount: 5050}); err == nil {
			t.Fatal("StartFor took cents")
		}
		r, err := stk.StartFor(ctx, payment.Push{Service: payment.Internet, Client: isp, ShortCode: ispShortCode, MSISDN: "0708374149", Account: "alice.wanjiru.home",
			Amount: money.MustFromMajor(50), Channel: "portal", Description: "Internet"})
		if err != nil {
			t.Fatal(err)
		}
		if len(isp.pushed) != 1 || isp.pushed[0].AccountReference != "wanjiru.home" || isp.pushed[0].Description != "Internet" {
			t.Fatalf("pushed %+v", isp.pushed)
		}
		if got, _ := payment.GetSTK(ctx, db.Read(), r.CheckoutRequestID); got.Service != payment.Internet || got.MeterDRN != "alice.wanjiru.home" {
			t.Fatalf("stored push %+v", got)
		}
		rec, err := stk.Settle(ctx, mpesa.STKCallback{CheckoutRequestID: "ws_CO_isp1", MerchantRequestID: "m-isp1", ResultCode: 0, Amount: money.MustFromMajor(50),
			Receipt: "SKR0000009", Phone: "254708374149", TransactionDate: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		p := rec.Payment
		if p.Service != payment.Internet || p.State != payment.Received || p.MeterDRN != "" || p.AccountRef != "alice.wanjiru.home" || p.CheckoutID != "ws_CO_isp1" || p.ShortCode != ispShortCode {
			t.Fatalf("recorded %+v", p)
		}
	})
}
