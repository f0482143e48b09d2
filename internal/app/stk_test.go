package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

type purchaseReply struct {
	CheckoutRequestID string `json:"checkout_request_id"`
	State             string `json:"state"`
	Message           string `json:"message"`
}

func purchase(a *apptest.App, key, meter, phone string, amount int64) purchaseReply {
	a.T.Helper()
	var r purchaseReply
	a.JSON("POST", "/api/v1/purchases", key, map[string]any{"meter": meter, "phone": phone, "amount": amount}, http.StatusAccepted, &r)
	if r.CheckoutRequestID == "" || r.State != payment.STKPending || r.Message == "" {
		a.T.Fatalf("purchase reply %+v", r)
	}
	return r
}

func waitSTK(a *apptest.App, checkout string) payment.STKRequest {
	a.T.Helper()
	var r payment.STKRequest
	apptest.Eventually(a.T, "STK request "+checkout+" to settle", func() bool {
		var err error
		r, err = payment.GetSTK(a.T.Context(), a.DB.Read(), checkout)
		if err != nil {
			a.T.Fatalf("stk request %s: %v", checkout, err)
		}
		return r.State != payment.STKPending
	})
	return r
}

// An STK push started through the API: the customer approves, the callback
// (sent three times at once) becomes one payment and a token sent both to
// the meter's phone and to the payer. The same payment's C2B confirmation, arriving as well, changes
// nothing. A customer who cancels makes no payment.
func TestSTKPurchase(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		owner, other := app.DemoCustomers[0], app.DemoCustomers[1]
		const payer, canceller = "254711000222", "254722333444"
		a.Sim.SetPhoneBehaviour(canceller, mpesa.CustomerCancels)
		// Daraja repeats STK callbacks too.
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindSTK}, Copies: 3, Concurrent: true})

		status, reply := a.Do("POST", "/api/v1/purchases", a.Key("finance"), map[string]any{"meter": owner.Meter, "phone": payer, "amount": 300})
		if status != http.StatusForbidden {
			t.Errorf("finance may not start purchases: status %d %s", status, reply)
		}

		paid := purchase(a, a.Admin, owner.Meter, "0711000222", 300)
		cancelled := purchase(a, a.Key("integration"), other.Meter, canceller, 200)

		r := waitSTK(a, paid.CheckoutRequestID)
		if r.State != payment.STKPaid || r.Receipt == "" || r.MSISDN != payer || r.MeterDRN != owner.Meter {
			t.Fatalf("paid STK request: %+v", r)
		}
		p := a.WaitPayment(r.Receipt, payment.Applied)
		if p.Provider != payment.MpesaSTK || p.NotifyMSISDN != payer || p.MeterDRN != owner.Meter || p.Amount != money.MustFromMajor(300) {
			t.Errorf("payment %+v", p)
		}
		v := a.VendOf(r.Receipt)
		tok := v.Tokens[len(v.Tokens)-1]
		if _, err := a.Decode(owner.Meter, tok.Digits); err != nil {
			t.Errorf("token %s: %v", tok.Grouped(), err)
		}
		a.WaitSMS(payer, tok.Grouped())
		a.WaitSMS(owner.Phone, tok.Grouped())

		c := waitSTK(a, cancelled.CheckoutRequestID)
		if c.State != payment.STKFailed || c.ResultCode != mpesa.STKCancelled || c.Receipt != "" {
			t.Errorf("cancelled STK request: %+v", c)
		}

		// Safaricom also posts the C2B confirmation of an STK payment to a
		// Paybill: same receipt, so the same payment.
		status, reply = a.Callback("c2b/confirmation", a.C2B(r.Receipt, owner.Meter, payer, money.MustFromMajor(300)))
		if status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`) {
			t.Fatalf("confirmation of the STK payment: %d %s", status, reply)
		}
		a.Settle()
		a.WaitDelivered()
		if p2, _ := a.Payment(r.Receipt); p2.Provider != payment.MpesaSTK || p2.ID != p.ID {
			t.Errorf("after the confirmation the payment is %+v", p2)
		}
		if n := len(a.Vends(owner.Meter)); n != 1 {
			t.Errorf("%d vends for %s, want 1", n, owner.Meter)
		}
		if n := a.Count(`SELECT count(*) FROM payments`); n != 1 {
			t.Errorf("%d payments, want 1 (the cancelled push makes none)", n)
		}
		if n, m := len(a.SMSTo(payer)), len(a.SMSTo(owner.Phone)); n != 1 || m != 1 {
			t.Errorf("%d SMS to the payer and %d to the owner, want 1 each", n, m)
		}
		if n := len(a.SMSTo(canceller)) + len(a.SMSTo(other.Phone)); n != 0 {
			t.Errorf("%d SMS about the cancelled push, want none", n)
		}
	})
}

// The C2B confirmation of an STK payment may come before its STK callback.
// The confirmation makes the payment and its token; the late callback then
// closes the STK request and adds the payer's number, but vends nothing.
func TestSTKCallbackAfterConfirmation(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		owner := app.DemoCustomers[2]
		const payer = "254733444555"
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindSTK}, Drop: true})

		pr := purchase(a, a.Admin, owner.Meter, payer, 450)
		var cb mpesa.SimCallback
		apptest.Eventually(t, "the STK callback to be dropped", func() bool {
			for _, c := range a.Sim.Callbacks() {
				if c.Kind == mpesa.KindSTK && c.Ref == pr.CheckoutRequestID && c.Dropped {
					cb = c
					return true
				}
			}
			return false
		})
		tx, ok := a.Sim.Transaction(pr.CheckoutRequestID)
		if !ok || tx.State != mpesa.TxCompleted || tx.Receipt == "" {
			t.Fatalf("simulated push: %+v", tx)
		}

		status, reply := a.Callback("c2b/confirmation", a.C2B(tx.Receipt, owner.Meter, payer, money.MustFromMajor(450)))
		if status != http.StatusOK {
			t.Fatalf("confirmation: %d %s", status, reply)
		}
		p := a.WaitPayment(tx.Receipt, payment.Applied)
		if p.Provider != payment.MpesaC2B || p.NotifyMSISDN != "" {
			t.Errorf("payment from the confirmation: %+v", p)
		}
		v := a.VendOf(tx.Receipt)
		a.WaitSMS(owner.Phone, v.Tokens[len(v.Tokens)-1].Grouped())

		for range 2 {
			status, reply = a.Callback("stk/callback", cb.Body)
			if status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`) {
				t.Fatalf("late STK callback: %d %s", status, reply)
			}
		}
		r := waitSTK(a, pr.CheckoutRequestID)
		if r.State != payment.STKPaid || r.Receipt != tx.Receipt {
			t.Errorf("STK request after its late callback: %+v", r)
		}
		a.Settle()
		if p2, _ := a.Payment(tx.Receipt); p2.ID != p.ID || p2.NotifyMSISDN != payer || p2.State != payment.Applied {
			t.Errorf("payment after the late callback: %+v", p2)
		}
		if n := len(a.Vends(owner.Meter)); n != 1 {
			t.Errorf("%d vends, want 1", n)
		}
	})
}

// A 13-digit meter number does not fit Daraja's 12-character account
// reference, so the C2B confirmation of its STK payment names an account
// that matches no meter. When that confirmation comes first, the STK
// callback that follows still knows the meter: the payment must be vended
// for it, not left in suspense.
func TestSTKLongMeterNumberConfirmationFirst(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		long, err := sts.WithCheckDigit("600727000001")
		if err != nil {
			t.Fatal(err)
		}
		const payer = "254711222333"
		csv := "meter,phones,sgc,tariff\n" + string(long) + "," + payer + ",600727,domestic\n"
		if _, err := customer.Import(t.Context(), a.DB, strings.NewReader(csv)); err != nil {
			t.Fatal(err)
		}
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindSTK}, Drop: true})
		pr := purchase(a, a.Admin, string(long), payer, 500)
		var cb mpesa.SimCallback
		apptest.Eventually(t, "the STK callback to be dropped", func() bool {
			for _, c := range a.Sim.Callbacks() {
				if c.Kind == mpesa.KindSTK && c.Ref == pr.CheckoutRequestID {
					cb = c
					return true
				}
			}
			return false
		})
		tx, _ := a.Sim.Transaction(pr.CheckoutRequestID)
		if len(tx.BillRef) > mpesa.MaxAccountReference || tx.Receipt == "" {
			t.Fatalf("simulated push: %+v", tx)
		}

		if status, reply := a.Callback("c2b/confirmation", a.C2B(tx.Receipt, tx.BillRef, payer, money.MustFromMajor(500))); status != http.StatusOK {
			t.Fatalf("confirmation: %d %s", status, reply)
		}
		a.WaitPayment(tx.Receipt, payment.Suspense) // account "0072700000..." is no meter
		if status, reply := a.Callback("stk/callback", cb.Body); status != http.StatusOK {
			t.Fatalf("STK callback: %d %s", status, reply)
		}
		p := a.WaitPayment(tx.Receipt, payment.Applied)
		if p.MeterDRN != string(long) {
			t.Errorf("payment vended for %q, want %s", p.MeterDRN, long)
		}
		v := a.VendOf(tx.Receipt)
		a.WaitSMS(payer, v.Tokens[len(v.Tokens)-1].Grouped())
	})
}
