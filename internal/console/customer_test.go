package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// Care answers "where is my token?" from one screen: found by the M-Pesa
// code, the customer's page shows the payment, the vend with its receipt
// lines, the token, and its SMS with route and state; a re-send shows up
// there too. Finance sees no token digits; an auditor sees no full phone
// number; every look-up is audited.
func TestCustomerPage(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		receipt, tok, state := tokenSent(t, a, c)

		care := staffMember(t, a, "care1", staff.RoleCare)
		status, h, _ := care.do("GET", "/staff/search?q="+strings.ToLower(receipt), nil, nil)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/staff/customers/") {
			t.Fatalf("search by receipt: %d %s", status, h.Get("Location"))
		}
		page := h.Get("Location")
		status, body := care.get(page)
		for _, want := range []string{c.Name, c.Meter, receipt, tok, "sink", "KES\u00a0500.00", "VAT", c.Phone} {
			if !strings.Contains(body, want) {
				t.Errorf("the customer page lacks %q", want)
			}
		}
		if !strings.Contains(body, ">submitted<") && !strings.Contains(body, ">delivered<") {
			t.Errorf("the customer page does not say where the SMS is (it was %s)", state)
		}
		if status != http.StatusOK || len(body) > 60<<10 {
			t.Errorf("customer page: %d, %d bytes", status, len(body))
		}
		for _, q := range []string{c.Phone, "0" + c.Phone[3:], c.Meter, tok, strings.ToLower(c.Name[:4])} {
			if status, h, _ := care.do("GET", "/staff/search?q="+url.QueryEscape(q), nil, nil); status != http.StatusSeeOther || h.Get("Location") != page {
				t.Errorf("search %q: %d %s, want %s", q, status, h.Get("Location"), page)
			}
		}

		// Re-send: to another number only with a reason, audited.
		if status, _, _ := care.post("/staff/meters/"+c.Meter+"/resend", url.Values{"phone": {"0799111222"}}); status != http.StatusBadRequest {
			t.Errorf("re-send elsewhere without a reason: %d", status)
		}
		if status, h, _ := care.post("/staff/meters/"+c.Meter+"/resend", url.Values{"phone": {"0799111222"}, "reason": {"caller lost the phone"}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=resent") {
			t.Errorf("re-send elsewhere with a reason: %d %v", status, h)
		}
		a.WaitSMS("254799111222", tok)
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE actor = 'staff:care1' AND detail LIKE '%lost the phone%'`); n != 1 {
			t.Errorf("%d audit events for the re-send", n)
		}
		if _, body := care.get(page); !strings.Contains(body, "254799111222") {
			t.Errorf("the re-send is not on the timeline")
		}

		fin := staffMember(t, a, "fin1", staff.RoleFinance)
		if _, body := fin.get(page); strings.Contains(body, tok) || !strings.Contains(body, receipt) {
			t.Errorf("finance sees the token digits, or not the payment")
		}
		if status, _, _ := fin.post("/staff/meters/"+c.Meter+"/resend", url.Values{}); status != http.StatusForbidden {
			t.Errorf("finance re-sends: %d", status)
		}
		aud := staffMember(t, a, "aud1", staff.RoleAuditor)
		_, body = aud.get(page)
		if strings.Contains(body, c.Phone) || strings.Contains(body, c.Name) || strings.Contains(body, tok) || strings.Contains(body, "254799111222") {
			t.Errorf("an auditor sees a full phone number, name or token")
		}
		if !strings.Contains(body, receipt) {
			t.Errorf("an auditor does not see the payment")
		}
		_, body = aud.get("/staff/audit")
		if strings.Contains(body, "254799111222") || strings.Contains(body, c.Phone) || !strings.Contains(body, "staff:care1") {
			t.Errorf("the audit log shows an auditor a full phone number, or not care's actions")
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'customer.read'`); n < 4 {
			t.Errorf("%d customer reads audited", n)
		}
	})
}

// tokenSent pays for c's meter by Paybill and waits until the token's SMS
// is with its route: submitted, or delivered once the receipt is in (which
// on PostgreSQL may wait for the receipt sweep). It returns the M-Pesa
// receipt, the token and where the SMS is.
func tokenSent(t *testing.T, a *apptest.App, c app.DemoCustomer) (receipt, tok, state string) {
	t.Helper()
	receipt = a.PayBill(c.Phone, c.Meter, 500)
	a.WaitPayment(receipt, payment.Applied)
	v := a.VendOf(receipt)
	tok = v.Tokens[len(v.Tokens)-1].Grouped()
	a.WaitSMS(c.Phone, tok)
	apptest.Eventually(t, "the token SMS to be recorded sent", func() bool {
		a.DB.Read().QueryRow(`SELECT state FROM messages WHERE recipient = $1 AND lane = 'token'`, c.Phone).Scan(&state)
		return state == "submitted" || state == "delivered"
	})
	return receipt, tok, state
}

// A token read out over the phone: ours (which meter, TID, credit, sale);
// one digit wrong, not a token for this meter; unknown without a meter, a
// request for one.
func TestDecodeToken(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	c := app.DemoCustomers[0]
	receipt := a.PayBill(c.Phone, c.Meter, 500)
	a.WaitPayment(receipt, payment.Applied)
	v := a.VendOf(receipt)
	tok := v.Tokens[len(v.Tokens)-1]
	b := staffMember(t, a, "care2", staff.RoleCare)
	_, body := b.get("/staff/decode?token=" + url.QueryEscape(tok.Grouped()))
	for _, want := range []string{"Ours: made by us for this meter", c.Meter, fmt.Sprint(tok.TID), sts.FormatTenths(uint64(tok.Tenths)) + " kWh", receipt} {
		if !strings.Contains(body, want) {
			t.Errorf("decoding our token: the page lacks %q", want)
		}
	}
	// One digit mistyped anywhere: a different class (a reserved one
	// among them) or a block that fails its CRC.
	var wrong []byte
	for i := 2; i < 20; i++ {
		wrong = []byte(tok.Digits)
		wrong[i] = '0' + (wrong[i]-'0'+1)%10
		_, body = b.get("/staff/decode?token=" + string(wrong) + "&meter=" + c.Meter)
		if !strings.Contains(body, "Not a token for this meter") {
			t.Errorf("%s, token %s mistyped at digit %d, is not refused", tok.Digits, wrong, i+1)
		}
	}
	_, body = b.get("/staff/decode?token=" + string(wrong))
	if !strings.Contains(body, "Give the meter number") {
		t.Errorf("an unknown token without a meter does not ask for one")
	}
	if status, _ := b.get("/staff/decode?token=12345"); status != http.StatusBadRequest {
		t.Errorf("a short token: %d", status)
	}
}

// A payment whose account named no meter waits in suspense with why; care
// matches it to its meter and the token is made; finance refunds another,
// with a reason.
func TestSuspense(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[1]
		typo := apptest.NewReceipt()
		if status, reply := a.Callback("c2b/confirmation", a.C2B(typo, "5450O320905", c.Phone, 300_00)); status != http.StatusOK {
			t.Fatalf("confirmation: %d %s", status, reply)
		}
		other := apptest.NewReceipt()
		a.Callback("c2b/confirmation", a.C2B(other, "nonsense", c.Phone, 700_00))
		p := a.WaitPayment(typo, payment.Suspense)
		care := staffMember(t, a, "care3", staff.RoleCare)
		if _, body := care.get("/staff/suspense"); !strings.Contains(body, typo) || !strings.Contains(body, "5450O320905") {
			t.Errorf("the suspense page lacks the payment or its account")
		}
		if status, h, _ := care.post("/staff/suspense/"+p.ID+"/assign", url.Values{"meter": {c.Meter}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "assigned") {
			t.Errorf("assign: %d %v", status, h)
		}
		a.WaitPayment(typo, payment.Applied)
		q, _ := a.Payment(other)
		if status, _, _ := care.post("/staff/suspense/"+q.ID+"/refund", url.Values{"reason": {"customer asked"}}); status != http.StatusForbidden {
			t.Errorf("care refunds: %d", status)
		}
		fin := staffMember(t, a, "fin3", staff.RoleFinance)
		if status, _, _ := fin.post("/staff/suspense/"+q.ID+"/refund", url.Values{}); status != http.StatusBadRequest {
			t.Errorf("refund without a reason: %d", status)
		}
		if status, _, _ := fin.post("/staff/suspense/"+q.ID+"/refund", url.Values{"reason": {"customer asked, paid twice"}}); status != http.StatusSeeOther {
			t.Errorf("refund: %d", status)
		}
		a.WaitPayment(other, payment.Reversed)
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE actor IN ('staff:care3', 'staff:fin3') AND action IN ('payment.assign', 'payment.refund')`); n != 2 {
			t.Errorf("%d audit events for assign and refund", n)
		}
	})
}

// An admin makes a staff account in the console and gets its set-up link
// once; an admin cannot disable themselves.
func TestUsersPage(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	adm := staffMember(t, a, "admin9", staff.RoleAdmin)
	status, _, body := adm.post("/staff/users", url.Values{"username": {"newcare"}, "name": {"New Care"}, "role": {"care"}})
	if status != http.StatusOK || !strings.Contains(body, "/staff/setup/mtu_") {
		t.Fatalf("create: %d", status)
	}
	if status, _, _ := adm.post("/staff/users", url.Values{"username": {"newcare"}, "role": {"care"}}); status != http.StatusBadRequest {
		t.Errorf("a taken username: %d", status)
	}
	if status, _, _ := adm.post("/staff/users", url.Values{"username": {"x y"}, "role": {"care"}}); status != http.StatusBadRequest {
		t.Errorf("a bad username: %d", status)
	}
	me, _ := a.Staff.Users(t.Context())
	for _, u := range me {
		if u.Username == "admin9" {
			if status, _, _ := adm.post("/staff/users/"+u.ID+"/status", url.Values{"enable": {"0"}}); status != http.StatusBadRequest {
				t.Errorf("an admin disables themselves: %d", status)
			}
		}
	}
}

// The operations page shows the vends of the last hour, SMS latency by lane
// and route, and what waits; every role may open it.
func TestOpsPage(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	c := app.DemoCustomers[0]
	for range 3 {
		a.WaitPayment(a.PayBill(c.Phone, c.Meter, 200), payment.Applied)
	}
	a.WaitDelivered()
	b := staffMember(t, a, "aud2", staff.RoleAuditor)
	status, body := b.get("/staff/ops")
	for _, want := range []string{"3 in the last hour", "<svg", "token", "sink", "Waiting for staff"} {
		if !strings.Contains(body, want) {
			t.Errorf("the operations page lacks %q", want)
		}
	}
	if status != http.StatusOK || len(body) > 60<<10 {
		t.Errorf("operations page: %d, %d bytes", status, len(body))
	}
}

// Finance records M-Pesa's reversal of a vended payment from the customer's
// page, with a reason: the money becomes debt on the meter, audited.
func TestReverseFromCustomerPage(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	c := app.DemoCustomers[0]
	receipt := a.PayBill(c.Phone, c.Meter, 500)
	a.WaitPayment(receipt, payment.Applied)
	fin := staffMember(t, a, "fin4", staff.RoleFinance)
	status, h, _ := fin.do("GET", "/staff/search?q="+receipt, nil, nil)
	if status != http.StatusSeeOther {
		t.Fatalf("search: %d", status)
	}
	if _, body := fin.get(h.Get("Location")); !strings.Contains(body, "/staff/payments/"+receipt+"/reverse") {
		t.Errorf("finance is offered no reversal on the payment")
	}
	care := staffMember(t, a, "care4", staff.RoleCare)
	if _, body := care.get(h.Get("Location")); strings.Contains(body, "/reverse") {
		t.Errorf("care is offered a reversal")
	}
	if status, _, _ := fin.post("/staff/payments/"+receipt+"/reverse", url.Values{"reason": {"M-Pesa reversed it: customer dispute"}}); status != http.StatusSeeOther {
		t.Fatalf("reverse: %d", status)
	}
	a.WaitPayment(receipt, payment.Reversed)
	if n := a.Count(`SELECT count(*) FROM meters WHERE drn = $1 AND debt = 50000`, c.Meter); n != 1 {
		t.Errorf("the reversed payment is not debt on the meter")
	}
}
