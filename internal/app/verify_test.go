package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// With "verify before vending" on, a confirmation at or above the
// threshold makes a token only after M-Pesa's transaction status confirms
// it: a real payment is vended; a forged confirmation (M-Pesa knows no such
// transaction) and one whose amount M-Pesa contradicts wait in suspense
// for staff. Smaller payments are vended at once.
func TestVerifyBeforeVending(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d, Configure: func(c *config.Config) { c.DarajaVerifyAbove = money.Amount(1000_00) }})
		c := app.DemoCustomers[0]

		small := a.PayBill(c.Phone, c.Meter, 500)
		a.WaitPayment(small, payment.Applied)
		if n := a.Count(`SELECT count(*) FROM status_queries WHERE receipt = $1`, small); n != 0 {
			t.Errorf("a payment below the threshold was queried %d times", n)
		}

		large := a.PayBill(c.Phone, c.Meter, 2000)
		p := a.WaitPayment(large, payment.Applied)
		if n := a.Count(`SELECT count(*) FROM status_queries WHERE receipt = $1 AND outcome = 'verified'`, large); n != 1 {
			t.Errorf("the large payment was applied without a verified query (%d)", n)
		}
		if p.Amount != money.Amount(2000_00) {
			t.Errorf("payment %+v", p)
		}

		forged := apptest.NewReceipt()
		if status, reply := a.Callback("c2b/confirmation", a.C2B(forged, c.Meter, c.Phone, money.Amount(30000_00))); status != http.StatusOK {
			t.Fatalf("forged confirmation: %d %s", status, reply)
		}
		p = a.WaitPayment(forged, payment.Suspense)
		if !strings.Contains(p.Reason, "no such transaction") {
			t.Errorf("forged confirmation held with reason %q", p.Reason)
		}

		// A real payment of 1,500 whose confirmation claims 15,000.
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}, Drop: true})
		real := a.PayBill(c.Phone, c.Meter, 1500)
		a.Sim.Wait()
		a.Sim.SetFaults(mpesa.Faults{})
		if status, reply := a.Callback("c2b/confirmation", a.C2B(real, c.Meter, c.Phone, money.Amount(15000_00))); status != http.StatusOK {
			t.Fatalf("inflated confirmation: %d %s", status, reply)
		}
		p = a.WaitPayment(real, payment.Suspense)
		if !strings.Contains(p.Reason, "1500.00 was paid, not the 15000.00") {
			t.Errorf("inflated confirmation held with reason %q", p.Reason)
		}
		a.Settle()
		if n := len(a.Vends(c.Meter)); n != 2 {
			t.Errorf("%d vends, want 2 (the small and the verified payment)", n)
		}
	})
}
