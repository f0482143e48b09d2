package apptest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/sts"
)

// NewReceipt returns a fresh receipt code of M-Pesa's shape: ten upper-case
// letters and digits.
func NewReceipt() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	b[0] = 'T' // receipts start with a letter
	return string(b)
}

// C2B returns a C2B validation or confirmation body shaped as Daraja posts
// it to this app's short code: the payer's number hashed, the amount a
// string with two decimals, the time in EAT without a zone.
func (a *App) C2B(receipt, billRef, msisdn string, amount money.Amount) []byte {
	a.T.Helper()
	return a.C2BTo(a.Config.DarajaShortCode(), receipt, billRef, msisdn, amount)
}

// C2BTo is C2B for a payment to shortCode (the ISP's, another's).
func (a *App) C2BTo(shortCode, receipt, billRef, msisdn string, amount money.Amount) []byte {
	a.T.Helper()
	b, err := json.Marshal(map[string]string{
		"TransactionType":   "Pay Bill",
		"TransID":           receipt,
		"TransTime":         mpesa.Timestamp(time.Now()),
		"TransAmount":       amount.Plain(),
		"BusinessShortCode": shortCode,
		"BillRefNumber":     billRef,
		"InvoiceNumber":     "",
		"OrgAccountBalance": "",
		"ThirdPartyTransID": "",
		"MSISDN":            mpesa.HashMSISDN(msisdn),
		"FirstName":         "JOHN",
		"MiddleName":        "",
		"LastName":          "",
	})
	if err != nil {
		a.T.Fatal(err)
	}
	return b
}

// PayBill makes a Paybill payment through the simulator and returns its
// receipt; the test fails if M-Pesa refused it.
func (a *App) PayBill(msisdn, billRef string, major int64) string {
	a.T.Helper()
	return a.payBill(a.Sim, msisdn, billRef, major)
}

// PayISP makes a Paybill payment to the ISP's short code through its
// simulator and returns its receipt; the test fails if M-Pesa refused it.
func (a *App) PayISP(msisdn, account string, major int64) string {
	a.T.Helper()
	return a.payBill(a.ISPSim, msisdn, account, major)
}

func (a *App) payBill(sim *mpesa.Simulator, msisdn, billRef string, major int64) string {
	a.T.Helper()
	amt, err := money.FromMajor(major)
	if err != nil {
		a.T.Fatalf("paybill %d for %s: %v", major, billRef, err)
	}
	r, err := sim.PayBill(context.Background(), msisdn, billRef, amt)
	if err != nil {
		a.T.Fatalf("paybill %d to %s for %s: %v", major, sim.ShortCode(), billRef, err)
	}
	return r
}

// PayBillUnconfirmed makes a Paybill payment whose confirmation M-Pesa
// never delivers, as when Mteja's database restarts or the network cuts,
// and returns its receipt: M-Pesa has the money, Mteja no payment.
func (a *App) PayBillUnconfirmed(msisdn, billRef string, major int64) string {
	a.T.Helper()
	a.Sim.SetFaults(mpesa.Faults{Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}, Drop: true})
	defer a.Sim.SetFaults(mpesa.Faults{})
	receipt := a.PayBill(msisdn, billRef, major)
	a.Sim.Wait()
	if _, ok := a.Payment(receipt); ok {
		a.T.Fatalf("payment %s exists though its confirmation was dropped", receipt)
	}
	return receipt
}

// Decode reads a token as meter drn would: with the decoder key derived
// from the demo vending key and the meter's stored key parameters.
func (a *App) Decode(drn, digits string) (sts.Decoded, error) {
	a.T.Helper()
	m, err := customer.GetMeter(context.Background(), a.DB.Read(), drn)
	if err != nil {
		return sts.Decoded{}, err
	}
	sm, err := m.STS()
	if err != nil {
		return sts.Decoded{}, err
	}
	return DecodeFor(sm, digits)
}

// DecodeFor reads a token as meter m, keyed from the demo vending key.
func DecodeFor(m sts.Meter, digits string) (sts.Decoded, error) {
	vk, err := sts.ParseVendingKey(app.DemoVendingKey)
	if err != nil {
		return sts.Decoded{}, err
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		return sts.Decoded{}, err
	}
	key, err := gen.DecoderKey(m)
	if err != nil {
		return sts.Decoded{}, err
	}
	tok, err := sts.Parse(digits)
	if err != nil {
		return sts.Decoded{}, fmt.Errorf("token %q: %w", digits, err)
	}
	return sts.Decode(tok, key)
}

// SMSTo returns the messages the sink accepted for msisdn, oldest first.
func (a *App) SMSTo(msisdn string) []notify.SinkMessage {
	var out []notify.SinkMessage
	all := a.Sink.Messages()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == msisdn {
			out = append(out, all[i])
		}
	}
	return out
}

// WaitSMS waits until msisdn has a message containing text and returns it.
func (a *App) WaitSMS(msisdn, text string) notify.SinkMessage {
	a.T.Helper()
	var found notify.SinkMessage
	Eventually(a.T, fmt.Sprintf("an SMS to %s with %q", msisdn, text), func() bool {
		for _, m := range a.SMSTo(msisdn) {
			if strings.Contains(m.Text, text) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// WaitDelivered waits until the outbox has nothing queued, so that counting
// the sink's messages is final.
func (a *App) WaitDelivered() {
	a.T.Helper()
	Eventually(a.T, "the outbox to empty", func() bool {
		return a.Count(`SELECT count(*) FROM messages WHERE state = 'queued'`) == 0
	})
}
