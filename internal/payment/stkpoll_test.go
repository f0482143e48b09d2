package payment_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// TestLostSTKCallbacksAreSettled runs pushes through the Daraja simulator
// with every STK callback dropped: the poller closes the cancelled one and
// tells the payer of the paid one how to fetch the token.
func TestLostSTKCallbacksAreSettled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := setup(t, db)
		sim := mpesa.NewSimulator(mpesa.SimConfig{ShortCode: "888880"})
		t.Cleanup(sim.Close)
		srv := httptest.NewServer(sim)
		t.Cleanup(srv.Close)
		sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindSTK}, Drop: true})
		sim.SetPhoneBehaviour("254711000001", mpesa.CustomerCancels)
		client := &mpesa.Client{BaseURL: srv.URL, ConsumerKey: "k", ConsumerSecret: "s", ShortCode: "888880", Passkey: sim.Passkey()}
		stk := &payment.STK{DB: db, Client: client, Intake: in, CallbackURL: "http://127.0.0.1:1/daraja/x/stk/callback"}
		paid, err := stk.Start(ctx, "0708374149", "54500320905", money.MustFromMajor(200), "ussd")
		if err != nil {
			t.Fatal(err)
		}
		cancelled, err := stk.Start(ctx, "0711000001", "54500320905", money.MustFromMajor(300), "ussd")
		if err != nil {
			t.Fatal(err)
		}
		sim.Wait()
		p := &payment.STKPoller{DB: db, Client: client, USSD: "*384*123#", After: -1}
		n, err := p.PollOnce(ctx)
		if err != nil || n != 2 {
			t.Fatalf("PollOnce = %d, %v; want 2 settled", n, err)
		}
		if n, _ := p.PollOnce(ctx); n != 0 {
			t.Fatalf("second poll settled %d again", n)
		}
		c, _ := payment.GetSTK(ctx, db.Read(), cancelled.CheckoutRequestID)
		if c.State != payment.STKFailed || c.ResultCode != mpesa.STKCancelled {
			t.Fatalf("cancelled push = %+v", c)
		}
		r, _ := payment.GetSTK(ctx, db.Read(), paid.CheckoutRequestID)
		if r.State != payment.STKPending || r.ResultCode != 0 || !strings.HasPrefix(r.ResultDesc, "query:") {
			t.Fatalf("paid push = %+v", r)
		}
		msgs, _ := notify.ForRecipient(ctx, db, "254708374149", 5)
		if len(msgs) != 1 || msgs[0].Template != "stk_paid" || !strings.Contains(msgs[0].Body, "*384*123#") || !strings.Contains(msgs[0].Body, "KES 200.00") {
			t.Fatalf("messages to the payer = %+v", msgs)
		}
		if msgs, _ := notify.ForRecipient(ctx, db, "254711000001", 5); len(msgs) != 0 {
			t.Fatalf("the customer who cancelled was told %+v", msgs)
		}
		// The lost callback arrives after all: the payment is recorded once.
		if _, err := stk.Settle(ctx, mpesa.STKCallback{CheckoutRequestID: paid.CheckoutRequestID, ResultCode: 0, Amount: money.MustFromMajor(200), Receipt: "SKO2AB3CZ1", Phone: "254708374149"}); err != nil {
			t.Fatal(err)
		}
		if p, err := payment.ByReceipt(ctx, db.Read(), "SKO2AB3CZ1"); err != nil || p.MeterDRN != "54500320905" {
			t.Fatalf("late callback: %+v, %v", p, err)
		}
	})
}
