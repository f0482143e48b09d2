package app_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func callbacksFor(a *apptest.App, kind mpesa.CallbackKind, body string) []mpesa.SimCallback {
	var out []mpesa.SimCallback
	for _, cb := range a.Sim.Callbacks() {
		if cb.Kind == kind && strings.Contains(string(cb.Body), body) {
			out = append(out, cb)
		}
	}
	return out
}

// M-Pesa took the money but the confirmation never came. The payer says "I
// paid" with the receipt; we ask Daraja's transaction status, the result
// comes (after a queue-timeout notice) and the payment is recorded for the
// meter M-Pesa's validation request named (the status result names none),
// and vended. The lost confirmation turning up late changes nothing.
func TestLostCallbackRecovered(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}, Drop: true})

		receipt := a.PayBill(c.Phone, c.Meter, 700)
		a.Sim.Wait()
		if _, ok := a.Payment(receipt); ok {
			t.Fatal("the payment exists though its confirmation was dropped")
		}
		if status, _ := a.Do("GET", "/api/v1/payments/"+receipt, a.Admin, nil); status != http.StatusNotFound {
			t.Errorf("payment by API before recovery: %d, want 404", status)
		}
		lost := callbacksFor(a, mpesa.KindConfirmation, receipt)
		if len(lost) != 1 || !lost[0].Dropped {
			t.Fatalf("dropped confirmation: %+v", lost)
		}

		a.Sim.SetFaults(mpesa.Faults{QueueTimeout: true})
		// The payer asks, naming another meter: the money still goes where
		// M-Pesa's own record says.
		other := app.DemoCustomers[1].Meter
		l, err := a.Recovery.Find(t.Context(), strings.ToLower(receipt), payment.Asker{MSISDN: c.Phone, Meter: other, Channel: "test"})
		if err != nil || !l.Asked || l.Payment != nil {
			t.Fatalf("Find: %+v, %v; want a status query asked", l, err)
		}
		p := a.WaitPayment(receipt, payment.Applied)
		if p.MeterDRN != c.Meter || p.AccountRef != c.Meter || p.NotifyMSISDN != c.Phone || p.Amount.Major() != 700 {
			t.Errorf("recovered payment %+v", p)
		}
		v := a.VendOf(receipt)
		a.WaitSMS(c.Phone, v.Tokens[len(v.Tokens)-1].Grouped())

		a.Sim.Wait()
		for _, kind := range []mpesa.CallbackKind{mpesa.KindQueueTimeout, mpesa.KindStatusResult} {
			cbs := callbacksFor(a, kind, receipt)
			if len(cbs) != 1 || cbs[0].Status != http.StatusOK || !strings.Contains(cbs[0].Reply, `"ResultCode":0`) {
				t.Errorf("%s callbacks: %+v, want one acknowledged", kind, cbs)
			}
		}
		if n := a.Count(`SELECT count(*) FROM status_queries WHERE receipt = $1 AND outcome = 'recorded'`, receipt); n != 1 {
			t.Errorf("the status query's outcome is not recorded")
		}

		l, err = a.Recovery.Find(t.Context(), receipt, payment.Asker{MSISDN: c.Phone, Channel: "test"})
		if err != nil || l.Payment == nil || l.Payment.ID != p.ID || l.Asked || !l.Rightful {
			t.Errorf("Find after recovery: %+v, %v; want the payment", l, err)
		}

		// The lost confirmation arrives after all.
		lateCallbackChangesNothing(a, "c2b/confirmation", lost[0].Body, c.Meter, c.Phone, 1)
	})
}

// A receipt M-Pesa does not know: one status query however often the
// customer asks, its answer records nothing, and later look-ups say that
// M-Pesa does not know the receipt.
func TestRecoveryUnknownReceipt(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		receipt := apptest.NewReceipt()
		asker := payment.Asker{MSISDN: c.Phone, Meter: c.Meter, Channel: "test"}
		for i := range 3 {
			l, err := a.Recovery.Find(t.Context(), receipt, asker)
			// The answer may beat the second look-up.
			if err != nil || l.Payment != nil || !(l.Asked || i > 0 && l.NotFound) {
				t.Fatalf("look-up %d: %+v, %v", i+1, l, err)
			}
		}
		if _, err := a.Recovery.Find(t.Context(), "NOT-A-RECEIPT", asker); !errors.Is(err, payment.ErrBadReceipt) {
			t.Errorf("Find of a malformed receipt: %v, want ErrBadReceipt", err)
		}
		apptest.Eventually(t, "the status query to be answered", func() bool {
			return a.Count(`SELECT count(*) FROM status_queries WHERE receipt = $1 AND outcome = 'not_found'`, receipt) == 1
		})
		if n := a.Count(`SELECT count(*) FROM status_queries WHERE receipt = $1`, receipt); n != 1 {
			t.Errorf("%d status queries sent, want 1", n)
		}
		l, err := a.Recovery.Find(t.Context(), receipt, asker)
		if err != nil || !l.NotFound || l.Asked || l.Payment != nil {
			t.Errorf("look-up after M-Pesa answered: %+v, %v; want not found", l, err)
		}
		a.Sim.Wait()
		if cbs := callbacksFor(a, mpesa.KindStatusResult, receipt); len(cbs) != 1 || cbs[0].Status != http.StatusOK {
			t.Errorf("status results %+v, want one, acknowledged", cbs)
		}
		if n := a.Count(`SELECT count(*) FROM payments`); n != 0 {
			t.Errorf("%d payments, want 0", n)
		}
	})
}

// Each unknown receipt costs a Daraja call and a row: one phone may make
// Mteja ask about ten an hour, counted in the database, so that the limit
// holds whichever node the questions reach. Asking again about a receipt
// already being checked is free. Over the limit USSD says so.
func TestRecoveryLimitedAcrossNodes(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		other := *a.Recovery
		other.DB = storetest.OpenDSN(t, a.Opts.DB) // a second node on the same database
		c := app.DemoCustomers[0]
		asker := payment.Asker{MSISDN: c.Phone, Channel: "ussd"}
		first := apptest.NewReceipt()
		for i := range payment.QueryPerPhone.Max {
			node, receipt := a.Recovery, apptest.NewReceipt()
			if i%2 == 1 {
				node = &other
			}
			if i == 0 {
				receipt = first
			}
			if l, err := node.Find(t.Context(), receipt, asker); err != nil || !(l.Asked || l.NotFound) {
				t.Fatalf("look-up %d: %+v, %v", i+1, l, err)
			}
		}
		var ex *quota.Exceeded
		for _, node := range []*payment.Recovery{a.Recovery, &other} {
			if _, err := node.Find(t.Context(), apptest.NewReceipt(), asker); !errors.As(err, &ex) {
				t.Errorf("look-up %d: %v, want the limit", payment.QueryPerPhone.Max+1, err)
			}
		}
		if _, err := a.Recovery.Find(t.Context(), first, asker); err != nil {
			t.Errorf("asking again about a receipt being checked: %v", err)
		}
		if _, err := a.Recovery.Find(t.Context(), apptest.NewReceipt(), payment.Asker{MSISDN: app.DemoCustomers[1].Phone}); err != nil {
			t.Errorf("another phone is limited too: %v", err)
		}
		if _, body := ussd(t, a, "/ussd/"+a.Config.USSDSecret, c.Phone, "3*"+apptest.NewReceipt()); !strings.Contains(body, "checked many M-Pesa codes") {
			t.Errorf("USSD past the limit: %q", body)
		}
		if n := a.Count(`SELECT count(*) FROM status_queries`); n != payment.QueryPerPhone.Max+1 {
			t.Errorf("%d status queries sent, want %d", n, payment.QueryPerPhone.Max+1)
		}
	})
}
