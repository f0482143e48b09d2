package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// attendant makes a hub attendant of hubName (made if new), signed in.
func attendant(t *testing.T, a *apptest.App, username, hubName string) *browser {
	t.Helper()
	b := staffMember(t, a, username, staff.RoleHub)
	ctx := context.Background()
	h, err := hub.ByName(ctx, a.DB, hubName)
	if err != nil {
		if h, err = hub.Create(ctx, a.DB, hubName, ""); err != nil {
			t.Fatal(err)
		}
	}
	users, err := a.Staff.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == username {
			if err := hub.Attach(ctx, a.DB, u.ID, h.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

// portalCookie is the customer portal's session cookie in b's jar.
func portalCookie(b *browser) *http.Cookie {
	u, _ := url.Parse(b.a.URL())
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == "mteja_session" {
			return c
		}
	}
	return nil
}

var consentCodeRE = regexp.MustCompile(`\b(\d{6})\b`)

// A walk-in customer at a hub: a number, a consent code to their phone,
// and with it their payment, token and token SMS on the attendant's one
// screen, their own portal pages under a banner, a re-send and a printed
// slip. Without the code nothing of theirs shows: not to this attendant
// for another phone, not to another attendant holding the cookie, not to
// a browser holding the cookie without the attendant's own session, not
// after "done". Every step is audited under the attendant's name.
func TestHubAssist(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
		receipt := a.PayBill(john.Phone, john.Meter, 500)
		a.WaitPayment(receipt, payment.Applied)
		apptest.Eventually(t, "the token SMS delivered", func() bool {
			return a.Count(`SELECT count(*) FROM messages WHERE recipient = $1 AND state = 'delivered'`, john.Phone) > 0
		})
		token := a.VendOf(receipt).Tokens[0].Grouped()
		// An outage in his meter's area and a ticket he opened: the look-up
		// shows both beside the token.
		ctx := context.Background()
		if _, err := care.AnnounceOutage(ctx, a.DB, care.Outage{Area: "Nairobi West", Message: "Transformer fault at Ngong Road"}, "test"); err != nil {
			t.Fatal(err)
		}
		tk, _, err := a.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: john.Phone, MeterDRN: john.Meter, Category: care.DefaultCategories[8].Name, Note: "lights flicker"})
		if err != nil {
			t.Fatal(err)
		}

		b := attendant(t, a, "akinyi", "Kisumu Central")
		status, page := b.get("/staff/hub")
		if status != http.StatusOK || !strings.Contains(page, "Give a number") || strings.Contains(page, token) || strings.Contains(page, receipt) {
			t.Fatalf("hub screen before consent: %d\n%s", status, page)
		}
		if status, hd, _ := b.post("/staff/hub/tickets", url.Values{}); status != http.StatusSeeOther || !strings.Contains(hd.Get("Location"), "n=A-001") {
			t.Errorf("issue: %d %v", status, hd)
		}
		if status, hd, _ := b.post("/staff/hub/call", url.Values{}); status != http.StatusSeeOther || !strings.Contains(hd.Get("Location"), "called&n=A-001") {
			t.Errorf("call: %d %v", status, hd)
		}

		// The answer to a consent request is the same for a customer and a
		// number nobody registered.
		alike := func(phone string) string {
			status, _, page := b.post("/staff/hub/consent", url.Values{"phone": {phone}})
			if status != http.StatusOK {
				t.Fatalf("consent for %s: %d\n%s", phone, status, page)
			}
			return strings.ReplaceAll(page, phone, "PHONE")
		}
		stranger := alike("254799000111")
		if got := alike(john.Phone); got != stranger {
			t.Errorf("the consent answer tells a customer's phone from a stranger's")
		}
		sms := a.WaitSMS(john.Phone, "akinyi at Kisumu Central")
		code := consentCodeRE.FindStringSubmatch(sms.Text)[1]

		// Mary's code is not John's: typing his code for her opens nothing.
		if status, _, _ := b.post("/staff/hub/assist", url.Values{"phone": {mary.Phone}, "code": {code}}); status != http.StatusBadRequest {
			t.Errorf("John's code for Mary's phone: %d, want 400", status)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if status, _, page := b.post("/staff/hub/assist", url.Values{"phone": {john.Phone}, "code": {wrong}}); status != http.StatusBadRequest || !strings.Contains(page, "wrong or has expired") {
			t.Errorf("a wrong code: %d", status)
		}
		if status, hd, _ := b.post("/staff/hub/assist", url.Values{"phone": {john.Phone}, "code": {code}}); status != http.StatusSeeOther || portalCookie(b) == nil {
			t.Fatalf("the right code: %d %v", status, hd)
		}
		status, page = b.get("/staff/hub")
		for _, want := range []string{token, receipt, "delivered", "Where is my token?", "/staff/hub/print/", "/staff/hub/resend/" + john.Meter,
			"Transformer fault at Ngong Road", "Open ticket " + tk.Ref} {
			if !strings.Contains(page, want) {
				t.Errorf("hub screen after consent lacks %q: %d\n%s", want, status, page)
			}
		}

		// The customer's own portal pages, under a banner naming her.
		status, page = b.get("/meters")
		if status != http.StatusOK || !strings.Contains(page, john.Meter) || !strings.Contains(page, "Assisted session") || !strings.Contains(page, "Kisumu Central") {
			t.Errorf("portal in the assisted session: %d\n%s", status, page)
		}

		// The cookie alone, without her staff session, opens nothing; nor
		// in another attendant's browser.
		stolen := portalCookie(b)
		thief := newBrowser(t, a)
		other := attendant(t, a, "otieno", "Kisumu Central")
		u, _ := url.Parse(a.URL())
		for name, x := range map[string]*browser{"no staff session": thief, "another attendant": other} {
			x.http.Jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/"}})
			if status, _ := x.get("/meters"); status != http.StatusSeeOther {
				t.Errorf("the assisted cookie with %s: %d, want sent to log in", name, status)
			}
		}
		other.http.Jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/"}})
		if _, page := other.get("/staff/hub"); strings.Contains(page, token) || strings.Contains(page, receipt) {
			t.Errorf("another attendant with the cookie sees John's record")
		}
		if status, _, _ := other.post("/staff/hub/resend/"+john.Meter, url.Values{}); status != http.StatusConflict {
			t.Errorf("another attendant's re-send: %d, want 409", status)
		}

		// Re-send, to John's own phone only, and a printed slip.
		before := len(a.SMSTo(john.Phone))
		if status, _, _ := b.post("/staff/hub/resend/"+john.Meter, url.Values{}); status != http.StatusSeeOther {
			t.Errorf("re-send: %d", status)
		}
		if status, _, _ := b.post("/staff/hub/resend/"+mary.Meter, url.Values{}); status != http.StatusNotFound {
			t.Errorf("re-send of Mary's meter in John's session: %d, want 404", status)
		}
		a.WaitDelivered()
		if n := len(a.SMSTo(john.Phone)); n != before+1 {
			t.Errorf("%d SMS after the re-send, want %d", n, before+1)
		}
		vendID := a.VendOf(receipt).ID
		if status, page := b.get("/staff/hub/print/" + vendID); status != http.StatusOK || !strings.Contains(page, token) {
			t.Errorf("print: %d\n%s", status, page)
		}

		// Done: the session ends, on the server.
		if status, _, _ := b.post("/staff/hub/assist/end", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("end: %d", status)
		}
		b.http.Jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/"}})
		if status, _ := b.get("/meters"); status != http.StatusSeeOther {
			t.Errorf("portal after done: %d, want sent to log in", status)
		}
		if _, page := b.get("/staff/hub"); strings.Contains(page, token) {
			t.Errorf("hub screen after done still shows the token")
		}
		if status, _ := b.get("/staff/hub/print/" + vendID); status != http.StatusConflict {
			t.Errorf("print after done: %d, want 409", status)
		}

		// Signing out ends an assisted session still open in the browser.
		ali := app.DemoCustomers[2]
		b.post("/staff/hub/consent", url.Values{"phone": {ali.Phone}})
		aliCode := consentCodeRE.FindStringSubmatch(a.WaitSMS(ali.Phone, "Kisumu Central").Text)[1]
		if status, _, _ := b.post("/staff/hub/assist", url.Values{"phone": {ali.Phone}, "code": {aliCode}}); status != http.StatusSeeOther {
			t.Fatalf("Ali's code: %d", status)
		}
		aliCookie := portalCookie(b)
		if status, hd, _ := b.post("/staff/signout", url.Values{}); status != http.StatusSeeOther || !strings.Contains(strings.Join(hd.Values("Set-Cookie"), " "), "mteja_session=;") {
			t.Errorf("sign out: %d %v", status, hd)
		}
		if _, err := a.Portal.Login.AuthenticateAssisted(ctx, aliCookie.Value); err == nil {
			t.Errorf("the assisted session outlived the attendant's sign-out")
		}

		for _, action := range []string{"hub.ticket.issue", "hub.ticket.call", "hub.consent.ask", "hub.assist.open", "hub.lookup", "assisted.request", "meter.resend", "hub.print", "hub.assist.end"} {
			if a.Count(`SELECT count(*) FROM audit_events WHERE actor = 'staff:akinyi' AND action LIKE $1`, action+"%") == 0 {
				t.Errorf("no audit event %s by staff:akinyi", action)
			}
		}
	})
}

// Admins add hubs and attach attendants; admins and auditors read each
// hub's day: numbers given, served, and wait and service times.
func TestHubsPage(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	admin := staffMember(t, a, "root", staff.RoleAdmin)
	att := staffMember(t, a, "wanjiru", staff.RoleHub)
	if status, _ := att.get("/staff/hub"); status != http.StatusOK {
		t.Errorf("an attendant of no hub: %d, want a page saying so", status)
	}
	if status, hd, _ := admin.post("/staff/hubs", url.Values{"name": {"Nakuru Town"}, "area": {"Nakuru"}}); status != http.StatusSeeOther || !strings.Contains(hd.Get("Location"), "done=created") {
		t.Fatalf("create hub: %d %v", status, hd)
	}
	if status, _, _ := admin.post("/staff/hubs", url.Values{"name": {"nakuru town"}}); status != http.StatusConflict {
		t.Errorf("a second hub of one name: %d, want 409", status)
	}
	if status, _, _ := admin.post("/staff/hubs", url.Values{"name": {"x"}}); status != http.StatusBadRequest {
		t.Errorf("a one-letter hub: %d, want 400", status)
	}
	ctx := context.Background()
	h, err := hub.ByName(ctx, a.DB, "Nakuru Town")
	if err != nil {
		t.Fatal(err)
	}
	var attID, rootID string
	users, _ := a.Staff.Users(ctx)
	for _, u := range users {
		switch u.Username {
		case "wanjiru":
			attID = u.ID
		case "root":
			rootID = u.ID
		}
	}
	if status, _, _ := admin.post("/staff/hubs/attach", url.Values{"user": {rootID}, "hub": {h.ID}}); status != http.StatusBadRequest {
		t.Errorf("attach an admin to a hub: %d, want 400", status)
	}
	if status, _, _ := admin.post("/staff/hubs/attach", url.Values{"user": {attID}, "hub": {h.ID}}); status != http.StatusSeeOther {
		t.Fatalf("attach: %d", status)
	}
	att.post("/staff/hub/tickets", url.Values{})
	att.post("/staff/hub/call", url.Values{})
	_, page := att.get("/staff/hub")
	m := regexp.MustCompile(`/staff/hub/tickets/([0-9a-f-]+)/done`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no called ticket to serve on the hub screen:\n%s", page)
	}
	if status, _, _ := att.post("/staff/hub/tickets/"+m[1]+"/done", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("served: %d", status)
	}
	status, page := admin.get("/staff/hubs")
	row := regexp.MustCompile(`<tr><td>Nakuru Town</td><td>Nakuru</td><td class="n">1</td><td class="n">1</td>`)
	if status != http.StatusOK || !row.MatchString(page) || !strings.Contains(page, `action="/staff/hubs/attach"`) {
		t.Errorf("the hubs page for an admin: %d\n%s", status, page)
	}
	auditor := staffMember(t, a, "audrey", staff.RoleAuditor)
	if status, page := auditor.get("/staff/hubs"); status != http.StatusOK || !row.MatchString(page) || strings.Contains(page, `method="post" action="/staff/hubs"`) {
		t.Errorf("the hubs page for an auditor: %d, want the report and no form\n%s", status, page)
	}
	if status, _ := admin.get("/staff/hubs?day=tomorrow"); status != http.StatusBadRequest {
		t.Errorf("a day that is no date: %d, want 400", status)
	}
}
