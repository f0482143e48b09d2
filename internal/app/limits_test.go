package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// The sample tariff sells from KES 100 to KES 35,000. Validation refuses
// other amounts with C2B00013 (so M-Pesa keeps the money), an STK purchase
// outside them is a 400 that says the limits, and a confirmation that comes
// anyway is kept in suspense, never lost and never vended.
func TestAmountLimits(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]

		for _, major := range []int64{1, 99, 35_001, 100_000} {
			_, err := a.Sim.PayBill(t.Context(), c.Phone, c.Meter, money.MustFromMajor(major))
			if !errors.Is(err, mpesa.ErrValidationRejected) || !strings.Contains(err.Error(), mpesa.C2BInvalidAmount) {
				t.Errorf("paybill of %d: %v, want refused with %s", major, err, mpesa.C2BInvalidAmount)
			}
		}
		// Amounts M-Pesa itself would never send still get an answer.
		for _, amount := range []string{"150.50", "0", "-200"} {
			body := strings.Replace(string(a.C2B(apptest.NewReceipt(), c.Meter, c.Phone, money.MustFromMajor(150))), `"150.00"`, `"`+amount+`"`, 1)
			status, reply := a.Callback("c2b/validation", []byte(body))
			var v mpesa.ValidationResponse
			if err := json.Unmarshal(reply, &v); status != http.StatusOK || err != nil || v.ResultCode != mpesa.C2BInvalidAmount {
				t.Errorf("validation of %s: %d %s, want %s", amount, status, reply, mpesa.C2BInvalidAmount)
			}
		}
		// The limits themselves are allowed.
		lo, hi := a.PayBill(c.Phone, c.Meter, 100), a.PayBill(c.Phone, c.Meter, 35_000)
		a.WaitPayment(lo, payment.Applied)
		a.WaitPayment(hi, payment.Applied)

		for _, major := range []int64{99, 35_001} {
			status, reply := a.Do("POST", "/api/v1/purchases", a.Admin, map[string]any{"meter": c.Meter, "phone": c.Phone, "amount": major})
			msg := string(reply)
			if status != http.StatusBadRequest || !strings.Contains(msg, `"invalid"`) || !strings.Contains(msg, "purchase limits 100.00 to 35,000.00") {
				t.Errorf("purchase of %d: %d %s, want 400 naming the limits", major, status, reply)
			}
		}
		status, reply := a.Do("POST", "/api/v1/purchases", a.Admin, map[string]any{"meter": c.Meter, "phone": c.Phone, "amount": 0})
		if status != http.StatusBadRequest || !strings.Contains(string(reply), "amount") {
			t.Errorf("purchase of 0: %d %s, want 400 about the amount", status, reply)
		}

		// Validation is off for most short codes: a small payment arrives.
		small := apptest.NewReceipt()
		if status, reply := a.Callback("c2b/confirmation", a.C2B(small, c.Meter, c.Phone, money.MustFromMajor(50))); status != http.StatusOK {
			t.Fatalf("confirmation of 50: %d %s", status, reply)
		}
		p := a.WaitPayment(small, payment.Suspense)
		if !strings.Contains(p.Reason, "minimum") || p.MeterDRN != c.Meter {
			t.Errorf("payment of 50 in suspense: meter %q, reason %q; want its meter and the minimum named", p.MeterDRN, p.Reason)
		}
		if n := len(a.Vends(c.Meter)); n != 2 {
			t.Errorf("%d vends, want 2 (the two payments at the limits)", n)
		}
		// No purchases were made by the refused requests.
		if n := a.Count(`SELECT count(*) FROM stk_requests`); n != 0 {
			t.Errorf("%d STK requests stored, want 0", n)
		}
	})
}
