package agentweb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
)

const (
	agentPhone = "254722000333"
	agentPIN   = "482913"
)

// setup starts an app with an outlet (float KES 1,000 by Paybill) and its
// user, and a second outlet whose user must never see the first's sales.
func setup(t *testing.T) *apptest.App {
	t.Helper()
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	for _, o := range []struct{ code, phone string }{{"KDL", agentPhone}, {"OTH", "254722000444"}} {
		out, err := a.Agents.CreateOutlet(ctx, "test", o.code, "Outlet "+o.code, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Agents.CreateUser(ctx, "test", out.ID, "User "+o.code, o.phone, agentPIN); err != nil {
			t.Fatal(err)
		}
	}
	receipt := a.PayBill(agentPhone, "AGENTKDL", 1000)
	a.WaitPayment(receipt, "applied")
	return a
}

// client is a browser without JavaScript: a cookie jar that does not
// follow redirects, so that each answer can be checked.
func client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, c *http.Client, a *apptest.App, method, path string, form url.Values, header ...string) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, a.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var keyRE = regexp.MustCompile(`name="key" value="([^"]+)"`)

func TestAgentPages(t *testing.T) {
	a := setup(t)
	c := client(t)
	// Signed out: the sign-in form; private pages send there.
	if code, _, body := do(t, c, a, "GET", "/agent/", nil); code != 200 || !strings.Contains(body, `action="/agent/signin"`) {
		t.Fatalf("signed out: %d %s", code, body)
	}
	if code, loc, _ := do(t, c, a, "POST", "/agent/sell", url.Values{"meter": {app.DemoCustomers[0].Meter}, "amount": {"100"}, "key": {"k"}}); code != 303 || loc != "/agent/" {
		t.Fatalf("sell signed out: %d %s", code, loc)
	}
	for _, bad := range []url.Values{{"phone": {agentPhone}, "pin": {"000000"}}, {"phone": {"0799999999"}, "pin": {agentPIN}}, {"phone": {"x"}, "pin": {"1"}}} {
		if code, _, body := do(t, c, a, "POST", "/agent/signin", bad); code != 401 || !strings.Contains(body, "Wrong phone number or PIN.") {
			t.Errorf("sign-in %v: %d %s", bad, code, body)
		}
	}
	// A form from another site is refused before anything runs.
	if code, _, _ := do(t, c, a, "POST", "/agent/signin", url.Values{"phone": {agentPhone}, "pin": {agentPIN}}, "Sec-Fetch-Site", "cross-site"); code != 403 {
		t.Errorf("cross-site sign-in: %d", code)
	}
	if code, loc, _ := do(t, c, a, "POST", "/agent/signin", url.Values{"phone": {"0722 000 333"}, "pin": {agentPIN}}); code != 303 || loc != "/agent/" {
		t.Fatalf("sign-in: %d %s", code, loc)
	}
	code, _, body := do(t, c, a, "GET", "/agent/", nil)
	if code != 200 || !strings.Contains(body, "KES\u00a01,000.00") {
		t.Fatalf("home: %d %s", code, body)
	}
	key := keyRE.FindStringSubmatch(body)[1]
	sale := url.Values{"meter": {app.DemoCustomers[0].Meter}, "amount": {"300"}, "key": {key}}
	code, loc, _ := do(t, c, a, "POST", "/agent/sell", sale)
	if code != 303 || !strings.HasPrefix(loc, "/agent/receipts/AG") {
		t.Fatalf("sell: %d %s", code, loc)
	}
	// The same form sent again is the same sale.
	if _, loc2, _ := do(t, c, a, "POST", "/agent/sell", sale); loc2 != loc {
		t.Fatalf("the form sent twice made %s and %s", loc, loc2)
	}
	receipt := strings.TrimPrefix(loc, "/agent/receipts/")
	a.WaitPayment(receipt, "applied")
	code, _, body = do(t, c, a, "GET", loc, nil)
	v := a.VendOf(receipt)
	if code != 200 || !strings.Contains(body, v.Tokens[0].Grouped()) || !strings.Contains(body, "width:58mm") {
		t.Fatalf("receipt: %d %s", code, body)
	}
	if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'agent.receipt' AND detail = $1`, receipt); n != 1 {
		t.Errorf("%d reads of the receipt audited, want 1", n)
	}
	// Re-sent by SMS to the meter's phones, audited under the agent.
	if code, loc, _ := do(t, c, a, "POST", loc+"/resend", url.Values{}); code != 303 || !strings.HasSuffix(loc, "?sent=1") {
		t.Fatalf("re-send: %d %s", code, loc)
	}
	if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'meter.resend' AND actor LIKE 'agent:%'`); n != 1 {
		t.Errorf("%d re-sends audited under the agent", n)
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"meter": {app.DemoCustomers[0].Meter}, "amount": {"800"}, "key": {"k2"}}, "float is too low"},
		{url.Values{"meter": {"01234567897"}, "amount": {"100"}, "key": {"k3"}}, "No active meter"},
		{url.Values{"meter": {app.DemoCustomers[0].Meter}, "amount": {"1.50"}, "key": {"k4"}}, "whole shillings"},
	} {
		if code, _, body := do(t, c, a, "POST", "/agent/sell", tc.form); code == 303 || !strings.Contains(body, tc.want) {
			t.Errorf("sell %v: %d, want %q in %s", tc.form, code, tc.want, body)
		}
	}
	// A customer's phone, added with the code sent to it.
	newPhone := url.Values{"meter": {app.DemoCustomers[0].Meter}, "phone": {"0733444555"}}
	if code, _, body := do(t, c, a, "POST", "/agent/phones", newPhone); code != 200 || !strings.Contains(body, "A code was sent by SMS to 0733444555") {
		t.Fatalf("phone code: %d %s", code, body)
	}
	// The code is read from the SMS as sent: once sent, the stored body
	// is withheld, and the delivery worker may have got there first.
	sms := a.WaitSMS("254733444555", "Code ").Text
	newPhone.Set("code", regexp.MustCompile(`Code (\d{6})`).FindStringSubmatch(sms)[1])
	if code, _, body := do(t, c, a, "POST", "/agent/phones/confirm", newPhone); code != 200 || !strings.Contains(body, "Phone 0733444555 added") {
		t.Fatalf("phone confirm: %d %s", code, body)
	}
	if code, _, body := do(t, c, a, "POST", "/agent/phones/confirm", newPhone); code != 400 || !strings.Contains(body, "Wrong or expired code") {
		t.Errorf("a used code again: %d %s", code, body)
	}
	// Another outlet's agent cannot see this sale.
	other := client(t)
	do(t, other, a, "POST", "/agent/signin", url.Values{"phone": {"254722000444"}, "pin": {agentPIN}})
	if code, _, _ := do(t, other, a, "GET", loc, nil); code != 404 {
		t.Errorf("another outlet's receipt: %d", code)
	}
	// An agent's session opens no staff page.
	if code, _, _ := do(t, c, a, "GET", "/staff/", nil); code == 200 {
		t.Errorf("agent session opened the staff console")
	}
	code, _, body = do(t, c, a, "POST", "/agent/shift/close", url.Values{"counted": {"300"}})
	if code != 200 || !strings.Contains(body, "Balanced: the cash, the sales and the ledger agree.") {
		t.Fatalf("close: %d %s", code, body)
	}
	if code, _, body := do(t, c, a, "POST", "/agent/shift/close", url.Values{"counted": {"300"}}); code != 409 || !strings.Contains(body, "No open shift") {
		t.Errorf("second close: %d %s", code, body)
	}
	// Swahili, by the switch.
	do(t, c, a, "POST", "/agent/language", url.Values{"lang": {"sw"}, "back": {"/agent/"}})
	if _, _, body := do(t, c, a, "GET", "/agent/", nil); !strings.Contains(body, "Uza tokeni kwa pesa taslimu") {
		t.Errorf("Swahili home: %s", body)
	}
	do(t, c, a, "POST", "/agent/signout", url.Values{})
	if _, _, body := do(t, c, a, "GET", "/agent/", nil); !strings.Contains(body, `action="/agent/signin"`) {
		t.Errorf("after sign-out: %s", body)
	}
	o, err := agent.OutletByCode(context.Background(), a.DB.Read(), "KDL")
	if err != nil || o.Float != money.MustFromMajor(700) {
		t.Errorf("float after one sale of 300: %+v %v", o, err)
	}
}
