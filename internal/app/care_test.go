package app_test

import (
	"fmt"
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
		a.JSON("POST", "/api/v1/meters/"+c.Meter+"/resend", a.Key("care"), map[string]any{"phone": "0799000111", "count": 1, "reason": "customer lost the phone"}, http.StatusAccepted, &q)
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

// Integrations and agents re-send only to a meter's registered phones;
// care and admin may name another number only with a reason, which the
// audit log keeps. A refused re-send queues and audits nothing.
func TestResendOnlyToRegisteredPhones(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		a.WaitPayment(a.PayBill(c.Phone, c.Meter, 500), payment.Applied)
		keys := map[string]string{"admin": a.Admin}
		for _, r := range []string{"integration", "agent", "care"} {
			keys[r] = a.Key(r)
		}
		const stranger = "254799000222"
		queued := func(to string) int {
			return a.Count(`SELECT count(*) FROM messages WHERE recipient = $1 AND template = 'token_resend'`, to)
		}
		audits := func() int { return a.Count(`SELECT count(*) FROM audit_events WHERE action = 'meter.resend'`) }

		for _, tc := range []struct {
			role   string
			body   map[string]any
			want   int
			say    string // in the error message
			to     string // who gets the SMS when accepted
			reason string // in the audit event when accepted
		}{
			{role: "integration", body: map[string]any{"phone": "0799000222"}, want: 403, say: "registered"},
			{role: "integration", body: map[string]any{"phone": "0799000222", "reason": "the customer asked"}, want: 403, say: "registered"},
			{role: "agent", body: map[string]any{"phone": "0799000222"}, want: 403, say: "registered"},
			{role: "care", body: map[string]any{"phone": "0799000222"}, want: 400, say: "reason"},
			{role: "care", body: map[string]any{"phone": "0799000222", "reason": "   "}, want: 400, say: "reason"},
			{role: "admin", body: map[string]any{"phone": "0799000222"}, want: 400, say: "reason"},
			{role: "care", body: map[string]any{"phone": "0799000222", "reason": strings.Repeat("x", 501)}, want: 400, say: "reason"},
			{role: "integration", body: map[string]any{"phone": "0708374149"}, want: 202, to: c.Phone},
			{role: "agent", want: 202, to: c.Phone},
			{role: "care", body: map[string]any{"phone": "+254 799 000 222", "reason": "lost phone, ticket 42"}, want: 202, to: stranger, reason: "lost phone, ticket 42"},
			{role: "admin", body: map[string]any{"phone": stranger, "reason": "new SIM, ticket 43"}, want: 202, to: stranger, reason: "new SIM, ticket 43"},
		} {
			what := fmt.Sprintf("%s re-sending with %v", tc.role, tc.body)
			owner, other, events := queued(c.Phone), queued(stranger), audits()
			var body any
			if tc.body != nil {
				body = tc.body
			}
			status, reply := a.Do("POST", "/api/v1/meters/"+c.Meter+"/resend", keys[tc.role], body)
			if status != tc.want || (tc.say != "" && !strings.Contains(string(reply), tc.say)) {
				t.Errorf("%s: %d %s, want %d saying %q", what, status, reply, tc.want, tc.say)
			}
			wantOwner, wantOther, wantEvents := owner, other, events
			switch tc.to {
			case c.Phone:
				wantOwner++
			case stranger:
				wantOther++
			}
			if tc.want == http.StatusAccepted {
				wantEvents++
			}
			if queued(c.Phone) != wantOwner || queued(stranger) != wantOther || audits() != wantEvents {
				t.Errorf("%s: re-sends queued to the owner %d, to the stranger %d, audited %d; want %d, %d, %d",
					what, queued(c.Phone), queued(stranger), audits(), wantOwner, wantOther, wantEvents)
			}
			if tc.reason != "" {
				if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'meter.resend' AND detail LIKE $1`, "%"+tc.reason+"%"); n != 1 {
					t.Errorf("%s: %d audit events keep the reason, want 1", what, n)
				}
			}
		}
	})
}
