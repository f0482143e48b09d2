package app_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

type paymentReply struct {
	ID      string `json:"id"`
	Receipt string `json:"receipt"`
	State   string `json:"state"`
	Meter   string `json:"meter"`
	Reason  string `json:"reason"`
	Payer   string `json:"payer"`
}

func suspense(a *apptest.App, key string) []paymentReply {
	a.T.Helper()
	var r struct {
		Payments []paymentReply `json:"payments"`
	}
	a.JSON("GET", "/api/v1/suspense", key, nil, http.StatusOK, &r)
	return r.Payments
}

// An unknown or blocked meter: validation refuses the payment, so M-Pesa
// keeps the money. A confirmation that comes anyway (validation is off for
// most short codes) lands in suspense; staff assign it to a meter, which
// vends it, or refund it. Each action needs its role.
func TestUnknownMeterSuspense(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		mary, ali := app.DemoCustomers[1], app.DemoCustomers[2]
		care, finance, integration := a.Key("care"), a.Key("finance"), a.Key("integration")

		if _, err := a.DB.Write().ExecContext(t.Context(), `UPDATE meters SET status = 'blocked' WHERE drn = $1`, ali.Meter); err != nil {
			t.Fatal(err)
		}
		for _, account := range []string{"99999999999", "not a meter", ali.Meter} {
			_, err := a.Sim.PayBill(t.Context(), ali.Phone, account, money.MustFromMajor(500))
			if !errors.Is(err, mpesa.ErrValidationRejected) || !strings.Contains(err.Error(), mpesa.C2BInvalidAccount) {
				t.Errorf("paybill for %q: %v, want refused with %s", account, err, mpesa.C2BInvalidAccount)
			}
		}
		a.Sim.Wait()
		if n := a.Count(`SELECT count(*) FROM payments`); n != 0 {
			t.Fatalf("%d payments after refused validations, want 0", n)
		}

		assigned, refunded, blocked := apptest.NewReceipt(), apptest.NewReceipt(), apptest.NewReceipt()
		for _, c := range []struct{ receipt, account string }{
			{assigned, "9999 9999 999"}, {refunded, "ACC-UNKNOWN"}, {blocked, ali.Meter},
		} {
			status, reply := a.Callback("c2b/confirmation", a.C2B(c.receipt, c.account, mary.Phone, money.MustFromMajor(500)))
			if status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`) {
				t.Fatalf("confirmation for %q: %d %s", c.account, status, reply)
			}
			p := a.WaitPayment(c.receipt, payment.Suspense)
			if p.Reason == "" {
				t.Errorf("suspense payment %s has no reason", c.receipt)
			}
		}

		// Who may see and resolve suspense.
		for _, c := range []struct {
			method, path, key string
			body              any
			want              int
		}{
			{"GET", "/api/v1/suspense", "", nil, http.StatusUnauthorized},
			{"GET", "/api/v1/suspense", "mtk_notakeyatallnotakeyatall", nil, http.StatusUnauthorized},
			{"GET", "/api/v1/suspense", integration, nil, http.StatusForbidden},
			{"POST", "/api/v1/suspense/x/assign", integration, map[string]string{"meter": mary.Meter}, http.StatusForbidden},
			{"POST", "/api/v1/suspense/x/refund", care, map[string]string{"reason": "asked"}, http.StatusForbidden},
			{"POST", "/api/v1/suspense/x/refund", "", map[string]string{"reason": "asked"}, http.StatusUnauthorized},
		} {
			status, reply := a.Do(c.method, c.path, c.key, c.body)
			if status != c.want || !strings.Contains(string(reply), `"error"`) {
				t.Errorf("%s %s with key %q: %d %s, want %d with an error", c.method, c.path, c.key, status, reply, c.want)
			}
		}

		list := suspense(a, care)
		var receipts []string
		ids := map[string]string{}
		for _, p := range list {
			receipts = append(receipts, p.Receipt)
			ids[p.Receipt] = p.ID
			if p.State != payment.Suspense || p.Payer != mpesa.HashMSISDN(mary.Phone) {
				t.Errorf("suspense entry %+v", p)
			}
		}
		slices.Sort(receipts)
		want := []string{assigned, refunded, blocked}
		slices.Sort(want)
		if !slices.Equal(receipts, want) {
			t.Fatalf("suspense lists %v, want %v", receipts, want)
		}

		// Assign: to a meter that does not exist, no; to Mary's, typed with
		// spaces, yes, and it is vended.
		status, reply := a.Do("POST", "/api/v1/suspense/"+ids[assigned]+"/assign", care, map[string]string{"meter": "12345678903"})
		if status != http.StatusNotFound {
			t.Errorf("assign to an unknown meter: %d %s, want 404", status, reply)
		}
		var got paymentReply
		a.JSON("POST", "/api/v1/suspense/"+ids[assigned]+"/assign", care, map[string]string{"meter": "0412 3456 784"}, http.StatusOK, &got)
		if got.State != payment.Received || got.Meter != mary.Meter {
			t.Errorf("assigned payment: %+v", got)
		}
		a.WaitPayment(assigned, payment.Applied)
		v := a.VendOf(assigned)
		tok := v.Tokens[len(v.Tokens)-1]
		if _, err := a.Decode(mary.Meter, tok.Digits); err != nil {
			t.Errorf("assigned payment's token: %v", err)
		}
		a.WaitSMS(mary.Phone, tok.Grouped())
		status, reply = a.Do("POST", "/api/v1/suspense/"+ids[assigned]+"/assign", care, map[string]string{"meter": mary.Meter})
		if status != http.StatusConflict {
			t.Errorf("assigning twice: %d %s, want 409", status, reply)
		}

		// Refund: finance only, with a reason, once.
		status, reply = a.Do("POST", "/api/v1/suspense/"+ids[refunded]+"/refund", finance, map[string]string{})
		if status != http.StatusBadRequest || !strings.Contains(string(reply), "reason") {
			t.Errorf("refund without a reason: %d %s, want 400 naming the reason", status, reply)
		}
		a.JSON("POST", "/api/v1/suspense/"+ids[refunded]+"/refund", finance, map[string]string{"reason": "customer typed the wrong account"}, http.StatusOK, &got)
		if got.State != payment.Reversed || got.Reason != "customer typed the wrong account" {
			t.Errorf("refunded payment: %+v", got)
		}
		status, reply = a.Do("POST", "/api/v1/suspense/"+ids[refunded]+"/refund", finance, map[string]string{"reason": "again"})
		if status != http.StatusConflict {
			t.Errorf("refunding twice: %d %s, want 409", status, reply)
		}
		status, _ = a.Do("POST", "/api/v1/suspense/no-such-id/refund", finance, map[string]string{"reason": "x"})
		if status != http.StatusNotFound {
			t.Errorf("refund of an unknown id: %d, want 404", status)
		}

		// The blocked meter's payment stays until the meter is unblocked.
		status, reply = a.Do("POST", "/api/v1/suspense/"+ids[blocked]+"/assign", finance, map[string]string{"meter": ali.Meter})
		if status == http.StatusOK || status >= 500 {
			t.Errorf("assign to a blocked meter: %d %s, want a refusal", status, reply)
		}
		if left := suspense(a, finance); len(left) != 1 || left[0].Receipt != blocked {
			t.Errorf("suspense after resolving: %+v, want only %s", left, blocked)
		}

		a.Settle()
		bal, err := ledger.Balances(t.Context(), a.DB.Read())
		if err != nil {
			t.Fatal(err)
		}
		if bal[ledger.Suspense] != -money.MustFromMajor(500) || bal[ledger.MpesaClearing] != money.MustFromMajor(1000) {
			t.Errorf("suspense %s and clearing %s, want -500.00 and 1000.00", bal[ledger.Suspense], bal[ledger.MpesaClearing])
		}
		for _, action := range []string{"payment.assign", "payment.refund"} {
			if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = $1`, action); n != 1 {
				t.Errorf("%d %s audit events, want 1", n, action)
			}
		}
	})
}
