package app_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/vend"
)

// A Paybill payment goes through validation and confirmation and becomes
// one vend with one token that the meter accepts, and one SMS.
func TestPayBillBecomesOneToken(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]

		receipt := a.PayBill(c.Phone, c.Meter, 500)
		p := a.WaitPayment(receipt, payment.Applied)
		if p.Provider != payment.MpesaC2B || p.MeterDRN != c.Meter || p.Amount != money.MustFromMajor(500) || p.AccountRef != c.Meter {
			t.Errorf("payment = %+v", p)
		}
		if p.Payer != mpesa.HashMSISDN(c.Phone) {
			t.Errorf("payer %q: want the hash Daraja sent", p.Payer)
		}

		// M-Pesa asked first and was told yes, then got its acknowledgement.
		a.Sim.Wait()
		var kinds []mpesa.CallbackKind
		for _, cb := range a.Sim.Callbacks() {
			if cb.Ref != receipt {
				continue
			}
			kinds = append(kinds, cb.Kind)
			if cb.Status != http.StatusOK || !strings.Contains(cb.Reply, `"ResultCode":`) {
				t.Errorf("%s: status %d reply %s", cb.Kind, cb.Status, cb.Reply)
			}
			if cb.Kind == mpesa.KindValidation && !strings.Contains(cb.Reply, `"ResultCode":"0"`) {
				t.Errorf("validation reply %s: want accepted", cb.Reply)
			}
		}
		if !slices.Equal(kinds, []mpesa.CallbackKind{mpesa.KindValidation, mpesa.KindConfirmation}) {
			t.Errorf("callbacks %v: want validation then confirmation", kinds)
		}

		vs := a.Vends(c.Meter)
		if len(vs) != 1 || vs[0].Receipt != receipt || len(vs[0].Tokens) != 1 {
			t.Fatalf("vends of %s: %+v: want one with one token", c.Meter, vs)
		}
		v, tok := vs[0], vs[0].Tokens[0]
		if tok.Kind != vend.KindCredit || len(tok.Digits) != 20 || tok.Tenths != v.Tenths || tok.Tenths <= 0 {
			t.Errorf("token %+v of vend tenths %d", tok, v.Tenths)
		}
		dec, err := a.Decode(c.Meter, tok.Digits)
		if err != nil {
			t.Fatalf("the meter refuses token %s: %v", tok.Grouped(), err)
		}
		if dec.Class != sts.ClassCredit || dec.Subclass != 0 || int64(dec.TID) != tok.TID || int64(dec.Amount.Value()) != tok.Tenths {
			t.Errorf("decoded %+v: want electricity credit, TID %d, %d tenths", dec.Fields, tok.TID, tok.Tenths)
		}

		sms := a.WaitSMS(c.Phone, tok.Grouped())
		if !strings.Contains(sms.Text, receipt) {
			t.Errorf("token SMS does not name the receipt %s:\n%s", receipt, sms.Text)
		}
		a.WaitDelivered()
		if n := len(a.SMSTo(c.Phone)); n != 1 {
			t.Errorf("%d SMS to %s, want 1", n, c.Phone)
		}
		if n := len(a.Sink.Messages()); n != 1 {
			t.Errorf("%d SMS in all, want 1 (the payer's number is hashed)", n)
		}

		var got struct {
			State  string `json:"state"`
			VendID string `json:"vend_id"`
			Payer  string `json:"payer"`
		}
		a.JSON("GET", "/api/v1/payments/"+strings.ToLower(receipt), a.Admin, nil, http.StatusOK, &got)
		if got.State != payment.Applied || got.VendID != v.ID {
			t.Errorf("payment by API: %+v, want applied with vend %s", got, v.ID)
		}
	})
}

// Daraja repeats callbacks, sometimes at the same instant. Three concurrent
// copies from the simulator and twenty more posted at once by hand make one
// payment, one vend, one token and one SMS; every copy is acknowledged.
func TestDuplicatedConcurrentCallbacks(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[1]
		a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}, Copies: 3, Concurrent: true})

		receipt := a.PayBill(c.Phone, c.Meter, 1000)
		var body []byte
		for _, cb := range a.Sim.Callbacks() {
			if cb.Kind == mpesa.KindConfirmation && cb.Ref == receipt {
				body = cb.Body
				break
			}
		}
		if body == nil {
			t.Fatal("the simulator recorded no confirmation")
		}

		const n = 20
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				<-start
				status, reply, err := a.Post(a.CallbackURL("c2b/confirmation"), body)
				switch {
				case err != nil:
					errs <- err
				case status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`):
					errs <- fmt.Errorf("status %d reply %s", status, reply)
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("repeated confirmation: %v", err)
		}
		a.Sim.Wait()
		copies := 0
		for _, cb := range a.Sim.Callbacks() {
			if cb.Kind == mpesa.KindConfirmation && cb.Ref == receipt {
				copies++
				if cb.Status != http.StatusOK || !strings.Contains(cb.Reply, `"ResultCode":0`) {
					t.Errorf("copy %d: status %d reply %q err %q", cb.Copy, cb.Status, cb.Reply, cb.Err)
				}
			}
		}
		if copies != 3 {
			t.Errorf("the simulator sent %d copies, want 3", copies)
		}

		a.WaitPayment(receipt, payment.Applied)
		a.Settle()
		if n := a.Count(`SELECT count(*) FROM payments`); n != 1 {
			t.Errorf("%d payments, want 1", n)
		}
		if n := a.Count(`SELECT count(*) FROM vends`); n != 1 {
			t.Errorf("%d vends, want 1", n)
		}
		if n := a.Count(`SELECT count(*) FROM tokens`); n != 1 {
			t.Errorf("%d tokens, want 1", n)
		}
		a.WaitDelivered()
		if n := len(a.SMSTo(c.Phone)); n != 1 {
			t.Errorf("%d SMS to %s, want 1", n, c.Phone)
		}
		bal, err := ledger.Balances(t.Context(), a.DB.Read())
		if err != nil {
			t.Fatal(err)
		}
		if bal[ledger.MpesaClearing] != money.MustFromMajor(1000) {
			t.Errorf("M-Pesa clearing holds %s, want 1000.00 once", bal[ledger.MpesaClearing])
		}
	})
}

// Many payments for one meter at once, each callback duplicated: one vend
// each, every token accepted by the meter, no TID twice, and the meter
// remembers the highest TID (vend loops that ran side by side may have
// dated their vends in another order than they took TIDs).
func TestConcurrentPaymentsOneMeter(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[2]
		a.Sim.SetFaults(mpesa.Faults{Copies: 3, Concurrent: true})

		const n = 12
		receipts := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				receipts[i], errs[i] = a.Sim.PayBill(t.Context(), c.Phone, c.Meter, money.MustFromMajor(int64(100+10*i)))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("payment %d: %v", i, err)
			}
		}
		a.Settle()
		for _, r := range receipts {
			a.WaitPayment(r, payment.Applied)
		}
		vs := a.Vends(c.Meter)
		if len(vs) != n {
			t.Fatalf("%d vends, want %d", len(vs), n)
		}
		tids := map[int64]bool{}
		var highest int64
		for _, v := range vs {
			tok := v.Tokens[len(v.Tokens)-1]
			if dec, err := a.Decode(c.Meter, tok.Digits); err != nil || int64(dec.TID) != tok.TID {
				t.Errorf("vend %s: token %s decodes to %+v, %v", v.Receipt, tok.Grouped(), dec.Fields, err)
			}
			if tids[tok.TID] {
				t.Errorf("TID %d used twice", tok.TID)
			}
			tids[tok.TID] = true
			highest = max(highest, tok.TID)
		}
		m, err := customer.GetMeter(t.Context(), a.DB.Read(), c.Meter)
		if err != nil || m.LastTID != highest {
			t.Errorf("meter's last TID %d, %v; want the highest issued, %d", m.LastTID, err, highest)
		}
		a.WaitDelivered()
		if got := len(a.SMSTo(c.Phone)); got != n {
			t.Errorf("%d SMS, want %d", got, n)
		}
	})
}

// Many payments for several meters, each confirmation posted four times,
// all at once and shuffled, so that concurrent intake batches hold the same
// receipts in different orders: every copy is acknowledged, and each
// payment is stored and vended once.
func TestManyDuplicatedConfirmationsAtOnce(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		const payments, copies = 30, 4
		var bodies [][]byte
		for i := range payments {
			c := app.DemoCustomers[i%len(app.DemoCustomers)]
			b := a.C2B(apptest.NewReceipt(), c.Meter, c.Phone, money.MustFromMajor(int64(100+i)))
			for range copies {
				bodies = append(bodies, b)
			}
		}
		rand.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })

		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, len(bodies))
		for _, b := range bodies {
			wg.Go(func() {
				<-start
				status, reply, err := a.Post(a.CallbackURL("c2b/confirmation"), b)
				if err == nil && (status != http.StatusOK || !strings.Contains(string(reply), `"ResultCode":0`)) {
					err = fmt.Errorf("status %d reply %s", status, reply)
				}
				if err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("confirmation: %v", err)
		}
		a.Settle()
		if n := a.Count(`SELECT count(*) FROM payments WHERE state = 'applied'`); n != payments {
			t.Errorf("%d applied payments, want %d", n, payments)
		}
		if n := a.Count(`SELECT count(*) FROM vends`); n != payments {
			t.Errorf("%d vends, want %d", n, payments)
		}
		a.WaitDelivered()
		if n := len(a.Sink.Messages()); n != payments {
			t.Errorf("%d SMS, want %d", n, payments)
		}
	})
}
