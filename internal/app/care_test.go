package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// A meter's owner is masked for integrations and shown to care, and care's
// look-up is audited. Re-sending sends the stored token again, to the
// registered phone or another, and never makes a new one.
func TestMeterLookupAndResend(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		receipt := a.PayBill(c.Phone, c.Meter, 500)
		a.WaitPayment(receipt, payment.Applied)
		tok := a.VendOf(receipt).Tokens[0]
		a.WaitSMS(c.Phone, tok.Grouped())

		var m struct {
			Owner string `json:"owner"`
		}
		a.JSON("GET", "/api/v1/meters/"+c.Meter, a.Key("integration"), nil, http.StatusOK, &m)
		if m.Owner == c.Name || m.Owner == "" || strings.Contains(m.Owner, "Kamau") {
			t.Errorf("integration sees the owner as %q, want it masked", m.Owner)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'meter.read'`); n != 0 {
			t.Errorf("%d audit events for a masked look-up, want 0", n)
		}
		a.JSON("GET", "/api/v1/meters/"+c.Meter, a.Key("care"), nil, http.StatusOK, &m)
		if m.Owner != c.Name {
			t.Errorf("care sees the owner as %q, want %q", m.Owner, c.Name)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'meter.read' AND subject = $1`, c.Meter); n != 1 {
			t.Errorf("%d audit events for care's look-up, want 1", n)
		}

		const other = "254799000111"
		var q struct {
			Queued int `json:"queued"`
		}
		a.JSON("POST", "/api/v1/meters/"+c.Meter+"/resend", a.Key("care"), map[string]any{"phone": "0799000111", "count": 1}, http.StatusAccepted, &q)
		if q.Queued != 1 {
			t.Errorf("queued %d, want 1", q.Queued)
		}
		a.WaitSMS(other, tok.Grouped())
		a.JSON("POST", "/api/v1/meters/"+c.Meter+"/resend", a.Key("integration"), nil, http.StatusAccepted, &q)
		apptest.Eventually(t, "the re-sent SMS to the registered phone", func() bool { return len(a.SMSTo(c.Phone)) == 2 })
		if !strings.Contains(a.SMSTo(c.Phone)[1].Text, tok.Grouped()) {
			t.Errorf("the re-sent SMS does not carry the token %s:\n%s", tok.Grouped(), a.SMSTo(c.Phone)[1].Text)
		}
		if n := a.Count(`SELECT count(*) FROM tokens`); n != 1 {
			t.Errorf("%d tokens after re-sending, want 1", n)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'meter.resend'`); n != 2 {
			t.Errorf("%d re-send audit events, want 2", n)
		}
	})
}
