package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// ussd posts one USSD gateway request to path and returns the status and
// the reply.
func ussd(t *testing.T, a *apptest.App, path, phone, text string) (int, string) {
	t.Helper()
	form := url.Values{"sessionId": {"ATUid_" + phone + text}, "serviceCode": {"*384*123#"}, "phoneNumber": {"+" + phone}, "networkCode": {"63902"}, "text": {text}}
	resp, err := a.HTTP.Post(a.URL()+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A stranger who posts to the USSD callback as if they were the gateway,
// naming a customer's phone, gets a 404 and learns nothing, starts nothing:
// without the USSD gateway's own secret (the Daraja and SMS secrets do not
// open it), or from outside its allow-list. The gateway, with its secret,
// is served.
func TestUSSDGate(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		victim := app.DemoCustomers[0]
		for _, path := range []string{
			"/ussd",
			"/ussd?secret=" + a.Config.USSDSecret,
			"/ussd/" + a.Config.DarajaSecret,
			"/ussd/" + a.Config.SMSSecret,
			"/ussd/" + strings.ToUpper(a.Config.USSDSecret),
			"/ussd/" + a.Config.USSDSecret[:len(a.Config.USSDSecret)-1],
			"/ussd//events",
		} {
			for _, text := range []string{"", "2", "2*1", "1*1*500*1", "5*1*1*1"} {
				status, body := ussd(t, a, path, victim.Phone, text)
				if status != http.StatusNotFound || strings.Contains(body, victim.Meter) {
					t.Errorf("%s text %q: %d %q, want a plain 404", path, text, status, body)
				}
			}
		}
		for _, table := range []string{"stk_requests", "faults", "quota_hits"} {
			if n := a.Count(`SELECT count(*) FROM ` + table); n != 0 {
				t.Errorf("%d %s rows written for requests without the secret", n, table)
			}
		}
		status, body := ussd(t, a, "/ussd/"+a.Config.USSDSecret, victim.Phone, "2")
		if status != http.StatusOK || !strings.Contains(body, victim.Meter) {
			t.Errorf("the gateway with its secret: %d %q", status, body)
		}
	})
}

// With an allow-list, the USSD and SMS gateways' callbacks admit only those
// networks, even holding the secret.
func TestGatewayAllowLists(t *testing.T) {
	a := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.USSDAllow = mustAllow(t, "10.0.0.0/8")
		c.SMSAllow = mustAllow(t, "10.0.0.0/8")
	}})
	victim := app.DemoCustomers[0]
	if status, _ := ussd(t, a, "/ussd/"+a.Config.USSDSecret, victim.Phone, "2"); status != http.StatusNotFound {
		t.Errorf("USSD from 127.0.0.1, allow-list 10.0.0.0/8: %d, want 404", status)
	}
	resp, err := a.HTTP.Post(a.SMSURL("inbound"), "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"from": {"+" + victim.Phone}, "to": {"22384"}, "text": {"TOKEN"}, "id": {"1"}, "date": {"2026-12-02 10:00:00"}, "linkId": {"x"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("inbound SMS from 127.0.0.1, allow-list 10.0.0.0/8: %d, want 404", resp.StatusCode)
	}
	if n := a.Count(`SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d messages queued for refused callbacks", n)
	}
}

// The HTTP SMS gateway has its own secret: the Daraja secret, which it
// shared before, no longer opens it.
func TestSMSGatewaySecret(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	victim := app.DemoCustomers[0]
	form := url.Values{"from": {"+" + victim.Phone}, "to": {"22384"}, "text": {"TOKEN"}, "id": {"1"}, "date": {"2026-12-02 10:00:00"}, "linkId": {"x"}}.Encode()
	for _, secret := range []string{a.Config.DarajaSecret, a.Config.USSDSecret, "", a.Config.SMSSecret + "x"} {
		resp, err := a.HTTP.Post(a.URL()+"/sms/"+secret+"/inbound", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("inbound SMS with secret %q: %d, want 404", secret, resp.StatusCode)
		}
	}
	if n := a.Count(`SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d replies queued for refused callbacks", n)
	}
	resp, err := a.HTTP.Post(a.SMSURL("inbound"), "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("inbound SMS with the gateway's secret: %d", resp.StatusCode)
	}
}

// Through the real menus, a caller sees of another's meter only its
// tokens: no amounts, units, receipts, debt or owner; no purchases, no
// re-send. Each caller may look up only so many other meters, counted in
// the database, so the limit holds on every node.
func TestUSSDAnothersMeter(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		owner := app.DemoCustomers[0]
		const stranger = "254799000111"
		receipt := a.PayBill(owner.Phone, owner.Meter, 500)
		a.WaitPayment(receipt, "applied")
		tok := a.VendOf(receipt).Tokens
		path := "/ussd/" + a.Config.USSDSecret

		_, body := ussd(t, a, path, stranger, "2*"+owner.Meter)
		if !strings.Contains(body, tok[len(tok)-1].Grouped()) {
			t.Errorf("tokens of another's meter: %q lacks the token", body)
		}
		for _, secret := range []string{"kWh", "KES", receipt, "Send by SMS"} {
			if strings.Contains(body, secret) {
				t.Errorf("tokens of another's meter: %q tells %q", body, secret)
			}
		}
		if _, body := ussd(t, a, path, stranger, "2*"+owner.Meter+"*1"); !strings.Contains(body, "Invalid choice") {
			t.Errorf("re-send of another's meter: %q", body)
		}
		if _, body := ussd(t, a, path, stranger, "4*"+owner.Meter); !strings.Contains(body, "only to its registered phones") {
			t.Errorf("purchases of another's meter: %q", body)
		}
		if _, body := ussd(t, a, path, stranger, "1*"+owner.Meter); strings.Contains(body, "*") || !strings.Contains(body, "Enter amount") {
			t.Errorf("buying for another's meter shows %q; want no owner name", body)
		}
		// The owner sees everything, whatever strangers did.
		if _, body := ussd(t, a, path, owner.Phone, "2*1"); !strings.Contains(body, "kWh") {
			t.Errorf("the owner's tokens: %q", body)
		}

		// Other meters, up to the limit; the meter already looked up is free.
		for i := 1; i < customer.OtherMeters.Max; i++ {
			drn := app.DemoCustomers[i%len(app.DemoCustomers)].Meter
			if i >= len(app.DemoCustomers) {
				drn = validDRN(t, i)
			}
			ussd(t, a, path, stranger, "2*"+drn)
		}
		if _, body := ussd(t, a, path, stranger, "2*"+owner.Meter); !strings.Contains(body, tok[len(tok)-1].Grouped()) {
			t.Errorf("a meter already looked up: %q", body)
		}
		if _, body := ussd(t, a, path, stranger, "2*"+validDRN(t, 99)); !strings.Contains(body, "looked up many meters") {
			t.Errorf("a look-up past the limit: %q", body)
		}
	})
}

// validDRN returns an 11-digit meter number with a right check digit that
// no demo meter has.
func validDRN(t *testing.T, i int) string {
	t.Helper()
	d, err := sts.WithCheckDigit(fmt.Sprintf("8888%06d", i))
	if err != nil {
		t.Fatal(err)
	}
	return string(d)
}

func mustAllow(t *testing.T, s string) peer.AllowList {
	t.Helper()
	l, err := peer.ParseAllowList(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
