package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// These tests hold money to the record Mteja made, never to the claim that
// arrives: a stranger who learns someone's receipt code, a forged or
// altered STK callback, a status result Mteja never asked for, and a
// payment to another business.

// A victim's confirmation is lost; a stranger who learns the receipt code
// asks first, naming their own meter. The stranger's meter gets nothing:
// the payment, found through M-Pesa, waits in suspense for staff with the
// reason, and the stranger is told it is being checked and sees no token.
// The victim's later ask leaves the stranger's record as it was; the real
// confirmation arriving late changes nothing.
func TestRecoveryStrangerTakesNothing(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		victim, stranger := app.DemoCustomers[0], app.DemoCustomers[1]
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}, Drop: true})
		receipt := a.PayBill(victim.Phone, victim.Meter, 700)
		a.Sim.Wait()
		lost := callbacksFor(a, mpesa.KindConfirmation, receipt)
		if len(lost) != 1 {
			t.Fatalf("dropped confirmation: %+v", lost)
		}
		a.Sim.SetFaults(mpesa.Faults{})

		l, err := a.Recovery.Find(t.Context(), receipt, payment.Asker{MSISDN: stranger.Phone, Meter: stranger.Meter, Channel: "ussd"})
		if err != nil || !l.Asked {
			t.Fatalf("stranger's Find: %+v, %v", l, err)
		}
		p := a.WaitPayment(receipt, payment.Suspense)
		if p.MeterDRN == stranger.Meter || !strings.Contains(p.Reason, "neither its payer") {
			t.Errorf("payment found for a stranger: meter %q, reason %q", p.MeterDRN, p.Reason)
		}
		l, err = a.Recovery.Find(t.Context(), receipt, payment.Asker{MSISDN: stranger.Phone, Meter: stranger.Meter, Channel: "ussd"})
		if err != nil || l.Payment == nil || l.Payment.State != payment.Suspense || l.Rightful {
			t.Errorf("stranger's second Find: %+v, %v; want the held payment, not rightful", l, err)
		}
		l, err = a.Recovery.Find(t.Context(), receipt, payment.Asker{MSISDN: victim.Phone, Meter: victim.Meter, Channel: "app"})
		if err != nil || l.Payment == nil || !l.Rightful {
			t.Errorf("victim's Find: %+v, %v; want the payment, rightful", l, err)
		}
		var meter string
		if err := a.DB.Read().QueryRow(`SELECT meter FROM receipt_asks WHERE receipt = $1 AND msisdn = $2`, receipt, stranger.Phone).Scan(&meter); err != nil || meter != stranger.Meter {
			t.Errorf("the stranger's ask: meter %q, %v; want it kept as first recorded", meter, err)
		}

		if status, reply := a.Callback("c2b/confirmation", lost[0].Body); status != http.StatusOK {
			t.Fatalf("late confirmation: %d %s", status, reply)
		}
		a.Settle()
		if p, _ := a.Payment(receipt); p.State != payment.Suspense {
			t.Errorf("after the late confirmation the payment is %s, want suspense for staff", p.State)
		}
		for _, m := range []string{victim.Meter, stranger.Meter} {
			if n := len(a.Vends(m)); n != 0 {
				t.Errorf("meter %s has %d vends, want none before staff decide", m, n)
			}
		}
		// Staff assign it to the meter it was paid for; the token comes.
		if _, err := payment.Assign(t.Context(), a.DB, p.ID, victim.Meter, "care:test"); err != nil {
			t.Fatal(err)
		}
		a.Vend.Wake()
		a.WaitPayment(receipt, payment.Applied)
	})
}

// A payment found through M-Pesa whose record names no meter (no
// validation request was kept) waits in suspense even for its payer.
func TestRecoveryNamesNoMeter(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}, Drop: true})
		receipt := a.PayBill(c.Phone, c.Meter, 300)
		a.Sim.Wait()
		a.Sim.SetFaults(mpesa.Faults{})
		if _, err := a.DB.Write().Exec(`DELETE FROM c2b_validations WHERE receipt = $1`, receipt); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Recovery.Find(t.Context(), receipt, payment.Asker{MSISDN: c.Phone, Meter: c.Meter, Channel: "web"}); err != nil {
			t.Fatal(err)
		}
		p := a.WaitPayment(receipt, payment.Suspense)
		if p.MeterDRN != "" || !strings.Contains(p.Reason, "names no meter") {
			t.Errorf("payment %+v; want it held, naming no meter", p)
		}
	})
}

// statusResult is a transaction status result for the given ids, as
// Daraja posts it.
func statusResult(originator, conversation, receipt, creditParty string, amount int64) []byte {
	now := mpesa.Timestamp(time.Now())
	b, _ := json.Marshal(map[string]any{"Result": map[string]any{
		"ResultType": 0, "ResultCode": 0, "ResultDesc": "The service request is processed successfully.",
		"OriginatorConversationID": originator, "ConversationID": conversation, "TransactionID": receipt,
		"ResultParameters": map[string]any{"ResultParameter": []map[string]any{
			{"Key": "DebitPartyName", "Value": "254708374149 - John Doe"},
			{"Key": "CreditPartyName", "Value": creditParty},
			{"Key": "TransactionStatus", "Value": "Completed"},
			{"Key": "FinalisedTime", "Value": json.Number(now)},
			{"Key": "Amount", "Value": amount},
			{"Key": "ReceiptNo", "Value": receipt},
		}},
	}})
	return b
}

// A status result is taken only when it answers a query Mteja sent, by
// that query's conversation ids, and only when it is a payment to one of
// our short codes.
func TestStatusResultsMatchTheirQuery(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		ours := a.Config.DarajaShortCode() + " - Mteja Power"

		// Unasked: a well-formed result for a receipt nobody asked about.
		forged := apptest.NewReceipt()
		status, reply := a.Callback("status/result", statusResult("10000-1000000-1", "AG_20261202_forged0000000000000", forged, ours, 5000))
		if status != http.StatusOK {
			t.Errorf("unasked result: %d %s, want an acknowledgement", status, reply)
		}

		// Asked, but the answer is lost: then forged with other ids, with
		// the right ids for another business, and with the right ids for
		// another receipt.
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindStatusResult}, Drop: true})
		asked := apptest.NewReceipt()
		if _, err := a.Recovery.Find(t.Context(), asked, payment.Asker{MSISDN: c.Phone, Meter: c.Meter, Channel: "app"}); err != nil {
			t.Fatal(err)
		}
		a.Sim.Wait()
		var orig, conv string
		if err := a.DB.Read().QueryRow(`SELECT originator_id, conversation_id FROM status_queries WHERE receipt = $1`, asked).Scan(&orig, &conv); err != nil || conv == "" {
			t.Fatalf("the query's ids: %q %q %v", orig, conv, err)
		}
		for _, tc := range []struct {
			name string
			body []byte
		}{
			{"other ids", statusResult("10000-1000000-9", "AG_20261202_other000000000000", asked, ours, 5000)},
			{"another receipt", statusResult(orig, conv, apptest.NewReceipt(), ours, 5000)},
			{"another business", statusResult(orig, conv, asked, "600999 - Someone Else", 5000)},
		} {
			if status, reply := a.Callback("status/result", tc.body); status != http.StatusOK {
				t.Errorf("%s: %d %s, want an acknowledgement", tc.name, status, reply)
			}
		}
		if n := a.Count(`SELECT count(*) FROM payments`); n != 0 {
			t.Errorf("%d payments recorded from results Mteja must not take", n)
		}
		l, err := a.Recovery.Find(t.Context(), asked, payment.Asker{MSISDN: c.Phone, Channel: "app"})
		if err != nil || !l.NotFound {
			t.Errorf("after a result for another business: %+v, %v; want not found", l, err)
		}
		if !strings.Contains(a.Logs(), "status result for no query of ours") {
			t.Errorf("unasked results were not logged")
		}
	})
}

// stkCallback is a successful STK callback body.
func stkCallback(merchant, checkout, receipt, phone string, amount int64) []byte {
	b, _ := json.Marshal(map[string]any{"Body": map[string]any{"stkCallback": map[string]any{
		"MerchantRequestID": merchant, "CheckoutRequestID": checkout, "ResultCode": 0,
		"ResultDesc": "The service request is processed successfully.",
		"CallbackMetadata": map[string]any{"Item": []map[string]any{
			{"Name": "Amount", "Value": amount},
			{"Name": "MpesaReceiptNumber", "Value": receipt},
			{"Name": "TransactionDate", "Value": json.Number(mpesa.Timestamp(time.Now()))},
			{"Name": "PhoneNumber", "Value": json.Number(phone)},
		}},
	}}})
	return b
}

// An STK callback is held to the push Mteja sent: one for a push Mteja
// never sent, or with another amount, merchant request or phone, goes to
// suspense with the reason and makes no token.
func TestSTKCallbackHeldToThePush(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindSTK}, Drop: true})
		var pushes []payment.STKRequest
		for range 4 {
			r := purchase(a, a.Admin, c.Meter, c.Phone, 300)
			s, err := payment.GetSTK(t.Context(), a.DB.Read(), r.CheckoutRequestID)
			if err != nil {
				t.Fatal(err)
			}
			pushes = append(pushes, s)
		}
		a.Sim.Wait()
		for _, tc := range []struct {
			name   string
			body   []byte
			reason string
		}{
			{"unknown push", stkCallback("29115-1-1", "ws_CO_02122026000000999999", apptest.NewReceipt(), c.Phone, 300), "did not send"},
			{"amount raised", stkCallback(pushes[0].MerchantRequestID, pushes[0].CheckoutRequestID, apptest.NewReceipt(), c.Phone, 30000), "differs from the 300.00"},
			{"amount lowered", stkCallback(pushes[1].MerchantRequestID, pushes[1].CheckoutRequestID, apptest.NewReceipt(), c.Phone, 10), "differs from the 300.00"},
			{"merchant request", stkCallback("99999-9-9", pushes[2].CheckoutRequestID, apptest.NewReceipt(), c.Phone, 300), "MerchantRequestID"},
			{"another phone", stkCallback(pushes[3].MerchantRequestID, pushes[3].CheckoutRequestID, apptest.NewReceipt(), "254799000111", 300), "not the"},
		} {
			var receipt string
			{
				var m map[string]any
				json.Unmarshal(tc.body, &m)
				items := m["Body"].(map[string]any)["stkCallback"].(map[string]any)["CallbackMetadata"].(map[string]any)["Item"].([]any)
				receipt = fmt.Sprint(items[1].(map[string]any)["Value"])
			}
			if status, reply := a.Callback("stk/callback", tc.body); status != http.StatusOK {
				t.Errorf("%s: %d %s", tc.name, status, reply)
				continue
			}
			p, ok := a.Payment(receipt)
			if !ok || p.State != payment.Suspense || !strings.Contains(p.Reason, tc.reason) {
				t.Errorf("%s: payment %+v (stored %v); want suspense saying %q", tc.name, p, ok, tc.reason)
			}
		}
		a.Settle()
		if n := len(a.Vends(c.Meter)); n != 0 {
			t.Errorf("%d vends from callbacks that disagree with their push", n)
		}
		if n := a.Count(`SELECT count(*) FROM payments WHERE state <> 'suspense'`); n != 0 {
			t.Errorf("%d payments outside suspense", n)
		}
	})
}

// A C2B payment to another business's short code is not ours: validation
// refuses it with C2B00015, and a confirmation is kept as a dead letter for
// staff, not booked.
func TestC2BForAnotherShortCode(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		receipt := apptest.NewReceipt()
		body := strings.Replace(string(a.C2B(receipt, c.Meter, c.Phone, money.Amount(500_00))),
			`"BusinessShortCode":"`+a.Config.DarajaShortCode()+`"`, `"BusinessShortCode":"600999"`, 1)
		status, reply := a.Callback("c2b/validation", []byte(body))
		if status != http.StatusOK || !strings.Contains(string(reply), mpesa.C2BInvalidShortCode) {
			t.Errorf("validation for another short code: %d %s, want %s", status, reply, mpesa.C2BInvalidShortCode)
		}
		status, reply = a.Callback("c2b/confirmation", []byte(body))
		if status != http.StatusBadRequest || !strings.Contains(string(reply), "600999") {
			t.Errorf("confirmation for another short code: %d %s, want 400 naming it", status, reply)
		}
		if _, ok := a.Payment(receipt); ok {
			t.Errorf("a payment to another business was booked")
		}
		if n := a.Count(`SELECT count(*) FROM dead_letters WHERE body LIKE $1`, "%"+receipt+"%"); n != 1 {
			t.Errorf("%d dead letters keep it, want 1", n)
		}
	})
}
