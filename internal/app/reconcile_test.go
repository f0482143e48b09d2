package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/reconcile"
	"github.com/mteja/mteja/internal/store"
)

type importReply struct {
	StatementID string         `json:"statement_id"`
	Already     bool           `json:"already_imported"`
	Rows        int            `json:"rows"`
	New         int            `json:"new"`
	Kinds       map[string]int `json:"kinds"`
	Recorded    int            `json:"recorded"`
	Exceptions  []struct {
		ID, Kind, Receipt, State, Action, Detail string
		Actions                                  []string
	} `json:"exceptions"`
}

func importStatement(a *apptest.App, key, name, csv string) importReply {
	a.T.Helper()
	var r importReply
	a.JSON("POST", "/api/v1/reconcile/statements", key, map[string]string{"name": name, "csv": csv}, http.StatusOK, &r)
	return r
}

// dropConfirmations makes M-Pesa take the money of the payments that
// follow without ever confirming them to Mteja, as when Mteja's database
// restarts or the network cuts.
func dropConfirmations(a *apptest.App, kinds ...mpesa.CallbackKind) {
	a.Sim.SetFaults(mpesa.Faults{Kinds: kinds, Drop: true})
}

// lateCallbackChangesNothing posts a lost callback at last, and checks
// that the meter still has one vend and the phone still sms messages.
func lateCallbackChangesNothing(a *apptest.App, path string, body []byte, meter, phone string, sms int) {
	a.T.Helper()
	if status, reply := a.Callback(path, body); status != http.StatusOK {
		a.T.Fatalf("late %s: %d %s", path, status, reply)
	}
	a.Settle()
	a.WaitDelivered()
	if n := len(a.Vends(meter)); n != 1 {
		a.T.Errorf("%d vends, want 1", n)
	}
	if n := len(a.SMSTo(phone)); n != sms {
		a.T.Errorf("%d SMS, want %d", n, sms)
	}
}

// A Paybill payment whose confirmation never came is vended from the
// statement, without the customer doing anything, exactly once: importing
// the statement again, a second export holding the same row, the pull
// listing it, and the lost confirmation arriving late add nothing.
func TestReconcileLostConfirmationVendedOnce(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		finance := a.Key("finance")
		dropConfirmations(a, mpesa.KindConfirmation)
		receipt := a.PayBill(c.Phone, c.Meter, 700)
		a.Sim.Wait()
		a.Sim.SetFaults(mpesa.Faults{})
		if _, ok := a.Payment(receipt); ok {
			t.Fatal("the payment exists though its confirmation was dropped")
		}
		lost := callbacksFor(a, mpesa.KindConfirmation, receipt)
		if len(lost) != 1 || !lost[0].Dropped {
			t.Fatalf("dropped confirmation: %+v", lost)
		}

		csv := a.Statement(a.PaidRow(receipt))
		r := importStatement(a, finance, "statement.csv", csv)
		if r.Already || r.Rows != 1 || r.New != 1 || r.Recorded != 1 || len(r.Exceptions) != 1 {
			t.Fatalf("import: %+v", r)
		}
		if e := r.Exceptions[0]; e.Kind != reconcile.MissingInMteja || e.Receipt != receipt || e.State != reconcile.Auto || e.Action != reconcile.ActRecorded || len(e.Actions) != 0 {
			t.Errorf("exception %+v; want the payment recorded by itself", e)
		}
		p := a.WaitPayment(receipt, payment.Applied)
		if p.MeterDRN != c.Meter || p.Amount != money.MustFromMajor(700) || p.Provider != payment.MpesaC2B {
			t.Errorf("payment %+v", p)
		}
		v := a.VendOf(receipt)
		a.WaitSMS(c.Phone, v.Tokens[len(v.Tokens)-1].Grouped())

		if r := importStatement(a, finance, "statement.csv", csv); !r.Already || r.StatementID == "" || r.Recorded != 0 || len(r.Exceptions) != 0 {
			t.Errorf("the same statement again: %+v", r)
		}
		if r := importStatement(a, a.Admin, "again.csv", "Exported again\n"+csv); r.Already || r.New != 0 || r.Recorded != 0 || len(r.Exceptions) != 0 {
			t.Errorf("another export with the same row: %+v", r)
		}
		pulled, err := a.Pull.Pull(t.Context())
		if err != nil || pulled.Rows != 1 || pulled.New != 0 || pulled.Recorded != 0 || len(pulled.Exceptions) != 0 {
			t.Errorf("pull: %+v, %v; want the row seen, nothing new", pulled, err)
		}
		lateCallbackChangesNothing(a, "c2b/confirmation", lost[0].Body, c.Meter, c.Phone, 1)
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'reconcile.recorded' AND subject = $1 AND actor = $2`, p.ID, reconcile.System); n != 1 {
			t.Errorf("%d audit events of the recording, want 1", n)
		}
		if n := a.Count(`SELECT count(*) FROM mpesa_records WHERE receipt = $1 AND statement_id <> '' AND pulled_at <> 0`, receipt); n != 1 {
			t.Errorf("M-Pesa's record of %s is not marked as seen in both the statement and the pull", receipt)
		}
	})
}

// An STK push the customer paid whose callback never came (the STK query
// poller has heard it was paid, but learns no receipt) is settled from the
// pull: the payment is recorded for the push's meter and the token goes to
// the phone prompted, with no action by the customer. The callback turning
// up late, and a second pull, change nothing.
func TestReconcileSTKSettledFromPull(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[1]
		dropConfirmations(a, mpesa.KindSTK)
		push, err := a.STK.Start(t.Context(), c.Phone, c.Meter, money.MustFromMajor(300), "test")
		if err != nil {
			t.Fatal(err)
		}
		a.Sim.Wait()
		a.Sim.SetFaults(mpesa.Faults{})
		tx, ok := a.Sim.Transaction(push.CheckoutRequestID)
		if !ok || tx.State != mpesa.TxCompleted || tx.Receipt == "" {
			t.Fatalf("the simulator's transaction: %+v", tx)
		}
		receipt := tx.Receipt
		poller := &payment.STKPoller{DB: a.DB, Client: a.Daraja, After: time.Nanosecond, Wake: a.Delivery.Wake}
		if n, err := poller.PollOnce(t.Context()); err != nil || n != 1 {
			t.Fatalf("poll: %d, %v", n, err)
		}
		if r, _ := payment.GetSTK(t.Context(), a.DB.Read(), push.CheckoutRequestID); r.State != payment.STKPending || r.ResultCode != 0 || r.Receipt != "" {
			t.Fatalf("the push after the poll: %+v; want it pending, known paid, without a receipt", r)
		}

		pulled, err := a.Pull.Pull(t.Context())
		if err != nil || pulled.Recorded != 1 || len(pulled.Exceptions) != 1 {
			t.Fatalf("pull: %+v, %v", pulled, err)
		}
		if e := pulled.Exceptions[0]; e.Kind != reconcile.MissingInMteja || e.Receipt != receipt || e.State != reconcile.Auto || e.Action != reconcile.ActRecordedSTK ||
			!strings.Contains(e.Detail, push.CheckoutRequestID) {
			t.Errorf("exception %+v", e)
		}
		p := a.WaitPayment(receipt, payment.Applied)
		if p.Provider != payment.MpesaSTK || p.MeterDRN != c.Meter || p.NotifyMSISDN != c.Phone || p.Amount != money.MustFromMajor(300) {
			t.Errorf("payment %+v", p)
		}
		if r, _ := payment.GetSTK(t.Context(), a.DB.Read(), push.CheckoutRequestID); r.State != payment.STKPaid || r.Receipt != receipt {
			t.Errorf("the push after the pull: %+v; want it paid with %s", r, receipt)
		}
		v := a.VendOf(receipt)
		a.WaitSMS(c.Phone, v.Tokens[len(v.Tokens)-1].Grouped())

		late := callbacksFor(a, mpesa.KindSTK, push.CheckoutRequestID)
		if len(late) != 1 || !late[0].Dropped {
			t.Fatalf("dropped STK callback: %+v", late)
		}
		// Two messages: the poller's notice that the payment arrived, and
		// the token.
		lateCallbackChangesNothing(a, "stk/callback", late[0].Body, c.Meter, c.Phone, 2)
		if again, err := a.Pull.Pull(t.Context()); err != nil || again.Recorded != 0 || len(again.Exceptions) != 0 {
			t.Errorf("second pull: %+v, %v", again, err)
		}
		a.Settle()
		if n := len(a.Vends(c.Meter)); n != 1 {
			t.Errorf("%d vends after the second pull, want 1", n)
		}
	})
}

// A hand-built statement with a row of every kind of exception, besides a
// payment that agrees, a charge, a reversal, a transfer, heading lines and
// optional columns left out: each gets exactly its outcome. What is safe is
// done at once (recorded and vended, or recorded in suspense, or nothing
// when M-Pesa reversed it); the rest waits for finance, whose actions then
// change the payments, each audited.
func TestReconcileStatement(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john, mary, ali := app.DemoCustomers[0], app.DemoCustomers[1], app.DemoCustomers[2]
		finance := a.Key("finance")
		paid := func(who app.DemoCustomer, major int64) string {
			t.Helper()
			r := a.PayBill(who.Phone, who.Meter, major)
			a.WaitPayment(r, payment.Applied)
			return r
		}
		lost := func(who app.DemoCustomer, major int64) string {
			t.Helper()
			dropConfirmations(a, mpesa.KindConfirmation)
			defer a.Sim.SetFaults(mpesa.Faults{})
			r := a.PayBill(who.Phone, who.Meter, major)
			a.Sim.Wait()
			return r
		}
		agrees := paid(john, 500)           // in both, the same
		differs := paid(john, 600)          // M-Pesa says 650
		reversedThere := paid(john, 400)    // M-Pesa reversed it
		lostC2B := lost(john, 700)          // confirmation lost: vended from the statement
		lostDisputed := lost(ali, 900)      // confirmation lost, and the statement says 950
		onlyHere := paid(john, 300)         // M-Pesa does not list it
		dropConfirmations(a, mpesa.KindSTK) // a paid push whose callback is lost
		push, err := a.STK.Start(t.Context(), mary.Phone, mary.Meter, money.MustFromMajor(200), "test")
		if err != nil {
			t.Fatal(err)
		}
		a.Sim.Wait()
		a.Sim.SetFaults(mpesa.Faults{})
		stkTx, _ := a.Sim.Transaction(push.CheckoutRequestID)
		noMeter, reversedBefore, reversal1, reversal2, transfer := apptest.NewReceipt(), apptest.NewReceipt(), apptest.NewReceipt(), apptest.NewReceipt(), apptest.NewReceipt()
		now := time.Now()

		rowDiffers := a.PaidRow(differs)
		rowDiffers.PaidIn = "650.00"
		rowDisputed := a.PaidRow(lostDisputed)
		rowDisputed.PaidIn = "950.00"
		csv := a.Statement(
			a.PaidRow(agrees),
			apptest.StatementRow{Receipt: agrees, At: a.PaidRow(agrees).At, Details: "Pay Bill Charge", Withdrawn: "-5.00", Reason: "Pay Utility Charge", Linked: agrees},
			rowDiffers,
			a.PaidRow(reversedThere),
			a.PaidRow(lostC2B),
			rowDisputed,
			a.PaidRow(stkTx.Receipt),
			apptest.StatementRow{Receipt: noMeter, At: now, Details: "Pay Bill", PaidIn: "1,200.00", Reason: "Pay Bill", Party: "2547*****001 - PETER", Account: "99999999999"},
			apptest.StatementRow{Receipt: reversedBefore, At: now, Details: "Pay Bill", PaidIn: "250.00", Reason: "Pay Bill", Party: "2547*****002 - JANE", Account: john.Meter},
			apptest.StatementRow{Receipt: reversal1, At: now, Details: "Reversal", Withdrawn: "-250.00", Reason: "Reversal", Linked: reversedBefore},
			apptest.StatementRow{Receipt: reversal2, At: now, Details: "Reversal", Withdrawn: "-400.00", Reason: "Reversal", Linked: reversedThere},
			apptest.StatementRow{Receipt: transfer, At: now, Details: "Business Transfer to Working", Withdrawn: "-10,000.00", Reason: "Organization Move Funds", Party: "888880 - Mteja Power"},
		)
		if !strings.Contains(csv, "\n\nReceipt No.,") || strings.Contains(csv, "Initiation Time") {
			t.Fatalf("the statement is not shaped as meant:\n%s", csv)
		}
		r := importStatement(a, finance, "december.csv", csv)
		if r.Rows != 12 || r.New != 12 || r.Recorded != 4 || r.Kinds["payment"] != 8 || r.Kinds["charge"] != 1 || r.Kinds["reversal"] != 2 || r.Kinds["other"] != 1 {
			t.Errorf("import: rows %d, new %d, recorded %d, kinds %v", r.Rows, r.New, r.Recorded, r.Kinds)
		}
		type outcome struct {
			kind, state, action, actions string
		}
		want := map[string]outcome{
			differs:        {reconcile.AmountDiffers, reconcile.Open, "", "reverse dismiss"},
			reversedThere:  {reconcile.ReversedInMpesa, reconcile.Open, "", "reverse dismiss"},
			lostC2B:        {reconcile.MissingInMteja, reconcile.Auto, reconcile.ActRecorded, ""},
			lostDisputed:   {reconcile.MissingInMteja, reconcile.Open, "", "assign refund reverse dismiss"},
			stkTx.Receipt:  {reconcile.MissingInMteja, reconcile.Auto, reconcile.ActRecordedSTK, ""},
			noMeter:        {reconcile.MissingInMteja, reconcile.Auto, reconcile.ActSuspense, ""},
			reversedBefore: {reconcile.MissingInMteja, reconcile.Auto, reconcile.ActNone, ""},
			onlyHere:       {reconcile.MissingInMpesa, reconcile.Open, "", "reverse dismiss"},
		}
		ids := map[string]string{}
		for _, e := range r.Exceptions {
			got := outcome{e.Kind, e.State, e.Action, strings.Join(e.Actions, " ")}
			if w, ok := want[e.Receipt]; !ok || got != w {
				t.Errorf("exception for %s: %+v, want %+v (%s)", e.Receipt, got, w, e.Detail)
			}
			ids[e.Receipt] = e.ID
		}
		if len(r.Exceptions) != len(want) {
			t.Errorf("%d exceptions, want %d: %+v", len(r.Exceptions), len(want), r.Exceptions)
		}

		// What was done at once.
		if p := a.WaitPayment(lostC2B, payment.Applied); p.MeterDRN != john.Meter {
			t.Errorf("the lost Paybill payment: %+v", p)
		}
		if p := a.WaitPayment(stkTx.Receipt, payment.Applied); p.MeterDRN != mary.Meter || p.Provider != payment.MpesaSTK {
			t.Errorf("the lost STK payment: %+v", p)
		}
		a.WaitSMS(mary.Phone, a.VendOf(stkTx.Receipt).Tokens[0].Grouped())
		if p, _ := a.Payment(noMeter); p.State != payment.Suspense || p.Amount != money.MustFromMajor(1200) || !strings.Contains(p.Reason, "99999999999") {
			t.Errorf("the payment naming no meter: %+v", p)
		}
		if p, _ := a.Payment(lostDisputed); p.State != payment.Suspense || p.Amount != money.MustFromMajor(950) || !strings.Contains(p.Reason, "validation request said 900.00") {
			t.Errorf("the disputed payment: %+v", p)
		}
		if _, ok := a.Payment(reversedBefore); ok {
			t.Error("a payment M-Pesa reversed was recorded")
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE actor = $1 AND action LIKE 'reconcile.%'`, reconcile.System); n != 4 {
			t.Errorf("%d audit events of what was done at once, want 4", n)
		}

		// What finance does.
		var e struct {
			State, Action, Note string
			ResolvedBy          string `json:"resolved_by"`
		}
		resolve := func(receipt string, body map[string]string, status int) {
			t.Helper()
			a.JSON("POST", "/api/v1/reconcile/exceptions/"+ids[receipt]+"/resolve", finance, body, status, &e)
		}
		resolve(lostC2B, map[string]string{"action": "dismiss", "note": "fine"}, http.StatusConflict)
		resolve(onlyHere, map[string]string{"action": "assign", "meter": ali.Meter}, http.StatusBadRequest)
		resolve(onlyHere, map[string]string{"action": "dismiss"}, http.StatusBadRequest)
		resolve(lostDisputed, map[string]string{"action": "assign", "meter": ali.Meter, "note": "M-Pesa's statement is right"}, http.StatusOK)
		if e.State != reconcile.Resolved || e.Action != reconcile.ActAssign || !strings.HasPrefix(e.ResolvedBy, "finance:") {
			t.Errorf("resolved exception %+v", e)
		}
		a.WaitPayment(lostDisputed, payment.Applied)
		resolve(reversedThere, map[string]string{"action": "reverse", "note": "reversed by M-Pesa"}, http.StatusOK)
		if p, _ := a.Payment(reversedThere); p.State != payment.Reversed {
			t.Errorf("the payment M-Pesa reversed is %s", p.State)
		}
		resolve(onlyHere, map[string]string{"action": "dismiss", "note": "on tomorrow's statement"}, http.StatusOK)
		resolve(onlyHere, map[string]string{"action": "dismiss", "note": "again"}, http.StatusConflict)
		if p, _ := a.Payment(onlyHere); p.State != payment.Applied {
			t.Errorf("a dismissed exception changed its payment: %s", p.State)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'reconcile.resolve' AND actor LIKE 'finance:%'`); n != 3 {
			t.Errorf("%d audit events of finance's actions, want 3", n)
		}
		var open struct {
			Exceptions []struct{ Receipt string } `json:"exceptions"`
		}
		a.JSON("GET", "/api/v1/reconcile/exceptions?state=open", finance, nil, http.StatusOK, &open)
		if len(open.Exceptions) != 1 || open.Exceptions[0].Receipt != differs {
			t.Errorf("open exceptions: %+v, want only %s's", open.Exceptions, differs)
		}
	})
}
