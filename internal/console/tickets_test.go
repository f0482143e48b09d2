package console_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// dialUSSD answers one USSD request as the gateway sends it.
func dialUSSD(t *testing.T, a *apptest.App, phone, text string) string {
	t.Helper()
	form := url.Values{"sessionId": {"ATUid_" + phone + text}, "serviceCode": {"*384*123#"}, "phoneNumber": {"+" + phone}, "networkCode": {"63902"}, "text": {text}}
	resp, err := a.HTTP.Post(a.URL()+"/ussd/"+a.Config.USSDSecret, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var refRE = regexp.MustCompile(`F-[A-Z0-9]{6}`)

// A complaint made on USSD and one sent by SMS appear in care's queue;
// the customer's SMS reply lands on their ticket; care replies, notes,
// routes and resolves it from the console, and the customer hears each
// answer in their own language. An auditor reads the queue and the ticket
// with phone numbers masked and no forms; a cross-site post is refused.
func TestTicketsThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john, mary := app.DemoCustomers[0], app.DemoCustomers[1] // English, Swahili

		body := dialUSSD(t, a, john.Phone, "5*1*1*1")
		ussdRef := refRE.FindString(body)
		if ussdRef == "" {
			t.Fatalf("USSD fault report: %q; want a reference", body)
		}
		a.WaitSMS(john.Phone, ussdRef)
		if err := a.Inbound(t.Context(), sms.Inbound{From: mary.Phone, Text: "MSAADA mita yangu inasema ERROR"}); err != nil {
			t.Fatal(err)
		}
		ack := a.WaitSMS(mary.Phone, "Tumepokea ripoti yako")
		smsRef := refRE.FindString(ack.Text)
		if err := a.Inbound(t.Context(), sms.Inbound{From: mary.Phone, Text: "Bado haifanyi kazi"}); err != nil {
			t.Fatal(err)
		}
		a.WaitSMS(mary.Phone, "Imeongezwa kwenye ripoti yako "+smsRef)

		c := staffMember(t, a, "care1", staff.RoleCare)
		status, queue := c.get("/staff/tickets")
		if status != http.StatusOK || !strings.Contains(queue, ussdRef) || !strings.Contains(queue, smsRef) {
			t.Fatalf("queue: %d, without %s or %s", status, ussdRef, smsRef)
		}
		tk, err := care.GetTicket(t.Context(), a.DB.Read(), smsRef)
		if err != nil || tk.Channel != care.ChannelSMS {
			t.Fatalf("the SMS ticket: %+v, %v", tk, err)
		}
		if u, _ := care.GetTicket(t.Context(), a.DB.Read(), ussdRef); u.Channel != care.ChannelUSSD || u.Category != care.CategoryOutage {
			t.Errorf("the USSD ticket: %+v", u)
		}
		// Beside the ticket: the customer's payments, tokens and messages.
		receipt := a.PayBill(john.Phone, john.Meter, 500)
		a.WaitPayment(receipt, "applied")
		tok := a.VendOf(receipt).Tokens[0].Grouped()
		u, _ := care.GetTicket(t.Context(), a.DB.Read(), ussdRef)
		if _, view := c.get("/staff/tickets/" + u.ID); !strings.Contains(view, receipt) || !strings.Contains(view, tok) {
			t.Errorf("John's ticket page lacks his payment %s or its token", receipt)
		}
		page := "/staff/tickets/" + tk.ID
		if _, view := c.get(page); !strings.Contains(view, "Bado haifanyi kazi") || !strings.Contains(view, mary.Phone) {
			t.Errorf("the ticket page lacks Mary's reply or her phone")
		}
		steps := []struct {
			path string
			form url.Values
		}{
			{"/reply", url.Values{"body": {"Tafadhali weka tokeni tena"}, "then": {"pending_customer"}}},
			{"/note", url.Values{"body": {"meter may need a key change"}}},
			{"/update", url.Values{"priority": {"urgent"}, "team": {"field"}, "assignee": {"me"}}},
			{"/state", url.Values{"state": {"resolved"}}},
		}
		for _, s := range steps {
			if status, h, _ := c.post(page+s.path, s.form); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), page+"?done=") {
				t.Errorf("%s: %d %s", s.path, status, h.Get("Location"))
			}
		}
		a.WaitSMS(mary.Phone, smsRef+": Tafadhali weka tokeni tena")
		a.WaitSMS(mary.Phone, "Ripoti yako "+smsRef+" imeshughulikiwa")
		for _, m := range a.SMSTo(mary.Phone) {
			if strings.Contains(m.Text, "key change") {
				t.Error("the customer got an internal note")
			}
		}
		tk, _ = care.GetTicket(t.Context(), a.DB.Read(), smsRef)
		if tk.State != care.StateResolved || tk.Priority != "urgent" || tk.Team != "field" || tk.Assignee != "staff:care1" || tk.FirstResponseAt.IsZero() {
			t.Errorf("after care's work: %+v", tk)
		}
		if status, _, _ := c.post(page+"/state", url.Values{"state": {"new"}}); status != http.StatusConflict {
			t.Errorf("a resolved ticket made new: %d, want 409", status)
		}
		if status, _, _ := c.post(page+"/update", url.Values{"priority": {"whenever"}}); status != http.StatusBadRequest {
			t.Errorf("an unknown priority: %d, want 400", status)
		}
		if status, _, _ := c.post(page+"/update", url.Values{"priority": {"urgent"}, "assignee": {"staff:nobody"}}); status != http.StatusBadRequest {
			t.Errorf("assigned to no staff member: %d, want 400", status)
		}

		// One reply to the area's tickets: John's (his meter is in Nairobi
		// West) gets it in English; a reply missing a language is refused.
		if status, h, _ := c.post("/staff/tickets/bulk", url.Values{"area": {"Nairobi West"}, "en": {"Power is back in Nairobi West"}, "sw": {"Umeme umerudi Nairobi West"}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=bulk") {
			t.Errorf("bulk reply: %d %s", status, h.Get("Location"))
		}
		a.WaitSMS(john.Phone, ussdRef+": Power is back in Nairobi West")
		if status, _, _ := c.post("/staff/tickets/bulk", url.Values{"area": {"Nairobi West"}, "en": {"Power is back"}}); status != http.StatusBadRequest {
			t.Errorf("a bulk reply without Swahili: %d, want 400", status)
		}

		// A caller: care opens a ticket on their behalf.
		status, h, _ := c.post("/staff/tickets", url.Values{"phone": {"0722000111"}, "category": {"billing"}, "note": {"charged twice"}})
		if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=opened") {
			t.Fatalf("open for a caller: %d %s", status, h.Get("Location"))
		}
		a.WaitSMS("254722000111", "We received your report")
		if status, _, _ := c.post("/staff/tickets", url.Values{"category": {"billing"}}); status != http.StatusBadRequest {
			t.Errorf("a ticket for nobody: %d, want 400", status)
		}

		evil := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}, "Content-Type": {"application/x-www-form-urlencoded"}}
		if status, _, _ := c.do("POST", page+"/reply", url.Values{"body": {"phish"}}, evil); status != http.StatusForbidden {
			t.Errorf("a cross-site reply: %d, want 403", status)
		}

		status, report := c.get("/staff/tickets/report")
		if status != http.StatusOK || !strings.Contains(report, "<td><b>3</b></td>") || !strings.Contains(report, "3 tickets opened this month") {
			t.Errorf("the month's report: %d, want 3 tickets in all", status)
		}
		if status, _ := c.get("/staff/tickets/report?month=March"); status != http.StatusBadRequest {
			t.Errorf("a report for month %q: %d, want 400", "March", status)
		}

		aud := staffMember(t, a, "aud1", staff.RoleAuditor)
		if _, view := aud.get("/staff/tickets/" + u.ID); !strings.Contains(view, receipt) || strings.Contains(view, tok) {
			t.Errorf("an auditor on John's ticket: want his payment without the token digits")
		}
		for _, p := range []string{"/staff/tickets", page, "/staff/meter-messages", "/staff/tickets/report"} {
			status, view := aud.get(p)
			if status != http.StatusOK || strings.Contains(view, mary.Phone) || strings.Contains(view, "<form method=\"post\" action=\"/staff/tickets") {
				t.Errorf("auditor on %s: %d, a full phone number or a form to change a ticket", p, status)
			}
		}
		if status, _, _ := aud.post(page+"/note", url.Values{"body": {"seen"}}); status != http.StatusForbidden {
			t.Errorf("an auditor notes: %d, want 403", status)
		}
		if status, view := c.get("/staff/meter-messages"); status != http.StatusOK || !strings.Contains(view, "REJECT") {
			t.Errorf("meter messages page: %d", status)
		}
	})
}

// Admins keep saved replies in both languages; care sends one and each
// customer gets it in their own language; care may not edit them.
func TestMacrosThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
		adm := staffMember(t, a, "adm1", staff.RoleAdmin)
		form := url.Values{"id": {""}, "name": {"crew"}, "en": {"A crew is on the way."}, "sw": {"Mafundi wako njiani."}}
		if status, h, _ := adm.post("/staff/macros", form); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=saved") {
			t.Fatalf("save a macro: %d %s", status, h.Get("Location"))
		}
		if status, _, _ := adm.post("/staff/macros", url.Values{"id": {""}, "name": {"half"}, "en": {"only English"}}); status != http.StatusBadRequest {
			t.Errorf("a macro without Swahili: %d, want 400", status)
		}
		all, err := care.Macros(t.Context(), a.DB.Read())
		var ms []care.Macro
		for _, m := range all {
			if m.Name == "crew" {
				ms = append(ms, m)
			}
		}
		if err != nil || len(ms) != 1 {
			t.Fatalf("macros %+v, %v; want the one saved", all, err)
		}
		c := staffMember(t, a, "care2", staff.RoleCare)
		if status, _, _ := c.post("/staff/macros", form); status != http.StatusForbidden {
			t.Errorf("care edits a macro: %d, want 403", status)
		}
		for _, who := range []app.DemoCustomer{john, mary} {
			tk, _, err := a.Desk.Open(t.Context(), care.Request{Channel: care.ChannelUSSD, MSISDN: who.Phone, MeterDRN: who.Meter, Category: care.CategoryOutage})
			if err != nil {
				t.Fatal(err)
			}
			if status, _, _ := c.post("/staff/tickets/"+tk.ID+"/reply", url.Values{"macro": {ms[0].ID}, "body": {""}}); status != http.StatusSeeOther {
				t.Errorf("reply with a macro: %d", status)
			}
		}
		a.WaitSMS(john.Phone, "A crew is on the way.")
		a.WaitSMS(mary.Phone, "Mafundi wako njiani.")
		if status, _ := c.get("/staff/macros"); status != http.StatusOK {
			t.Errorf("care reads the macros: %d", status)
		}
		if status, _, _ := adm.post("/staff/macros/"+ms[0].ID+"/delete", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("delete a macro: %d", status)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action IN ('macro.create', 'macro.delete') AND actor = 'staff:adm1'`); n != 2 {
			t.Errorf("%d macro audit events, want 2", n)
		}
	})
}

// "Paid, no token" on USSD settles itself: the desk finds the caller's
// payment and texts its token (the stored one: no second token), and the
// ticket is resolved before a person sees it.
func TestNoTokenOnUSSDSettlesItself(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john := app.DemoCustomers[0]
		receipt := a.PayBill(john.Phone, john.Meter, 500)
		a.WaitPayment(receipt, "applied")
		tok := a.VendOf(receipt).Tokens[0].Grouped()
		ref := refRE.FindString(dialUSSD(t, a, john.Phone, "5*5*1*1"))
		if ref == "" {
			t.Fatal("no reference for the no-token report")
		}
		a.WaitSMS(john.Phone, "Token: "+tok)
		tk, err := care.GetTicket(t.Context(), a.DB.Read(), ref)
		if err != nil || tk.State != care.StateResolved || tk.Category != care.CategoryNoToken || tk.Channel != care.ChannelUSSD {
			t.Errorf("the no-token ticket: %+v, %v; want it resolved", tk, err)
		}
		if n := a.Count(`SELECT count(*) FROM tokens`); n != 1 {
			t.Errorf("%d tokens; want the one", n)
		}
	})
}
