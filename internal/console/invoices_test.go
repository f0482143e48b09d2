package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/invoice"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// paidInvoice pays the demo's monthly line by M-Pesa and returns its
// invoice, signed by the demo's simulated eTIMS unit.
func paidInvoice(t *testing.T, a *apptest.App) isp.Invoice {
	t.Helper()
	ctx := context.Background()
	a.WaitPayment(a.PayISP(app.DemoCustomers[2].Phone, app.DemoHomeUsername, 2500), payment.Applied)
	if _, err := a.ISP.SignOnce(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := a.ISP.ByUsername(ctx, app.DemoHomeUsername)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := a.ISP.Invoices(ctx, isp.InvoiceFilter{SubscriberID: u.ID})
	if err != nil || len(invs) != 1 || !invs[0].Signed() {
		t.Fatalf("the monthly line's invoices: %+v, %v", invs, err)
	}
	return invs[0]
}

// Finance lists, reads, prints and downloads invoices and issues credit
// notes with a reason; care reads them; an auditor reads them with the
// buyer masked; every read and every credit note is audited.
func TestInvoicePages(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		inv := paidInvoice(t, a)
		fin := staffMember(t, a, "fiona", staff.RoleFinance)
		phone := app.DemoCustomers[2].Phone

		for path, want := range map[string]int{
			"/staff/internet/invoices": http.StatusOK,
			"/staff/internet/invoices?status=paid&month=" + inv.IssuedAt.In(tariff.Zone).Format("2006-01") + "&subscriber=hassan": http.StatusOK,
			"/staff/internet/invoices?status=issued":          http.StatusOK,
			"/staff/internet/invoices?month=March":            http.StatusBadRequest,
			"/staff/internet/invoices?status=lost":            http.StatusBadRequest,
			"/staff/internet/invoices?subscriber=nobody-here": http.StatusBadRequest,
		} {
			status, page := fin.get(path)
			listed := strings.Contains(page, inv.Number)
			if status != want || (status == http.StatusOK && listed == strings.Contains(path, "issued")) {
				t.Errorf("%s: %d, listed %v", path, status, listed)
			}
		}
		status, page := fin.get("/staff/internet/invoices/" + inv.ID)
		if status != http.StatusOK || !strings.Contains(page, inv.Number) || !strings.Contains(page, "/credit") || !strings.Contains(page, phone) ||
			!strings.Contains(page, "SIM-CU-DEMO-0001") {
			t.Fatalf("invoice page: %d\n%s", status, page)
		}
		status, hd, page := fin.do("GET", "/staff/internet/invoices/"+inv.ID+"/print", nil, nil)
		if status != http.StatusOK || hd.Get("Content-Security-Policy") != invoice.CSP || !strings.Contains(page, "Tax invoice") ||
			!strings.Contains(page, inv.ETIMS.Signature) || !strings.Contains(page, app.DemoISPPIN) {
			t.Fatalf("print: %d %v\n%s", status, hd, page)
		}
		status, hd, page = fin.do("GET", "/staff/internet/invoices/"+inv.ID+"/pdf", nil, nil)
		if status != http.StatusOK || hd.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(page, "%PDF-") ||
			!strings.Contains(hd.Get("Content-Disposition"), inv.Number+".pdf") || !strings.Contains(page, inv.Number) {
			t.Fatalf("PDF: %d %v", status, hd)
		}

		// Credit notes: refused with the reason shown, then issued.
		credit := "/staff/internet/invoices/" + inv.ID + "/credit"
		for _, form := range []url.Values{
			{"amount": {"3000"}, "reason": {"more than it was"}},
			{"amount": {"-5"}, "reason": {"less than nothing"}},
			{"amount": {"500"}, "reason": {""}},
		} {
			if status, _, page := fin.post(credit, form); status != http.StatusBadRequest || !strings.Contains(page, `class="err"`) || !strings.Contains(page, form.Get("reason")) {
				t.Errorf("credit %v: %d", form, status)
			}
		}
		evil := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
		if status, _, _ := fin.do("POST", credit, url.Values{"amount": {"500"}, "reason": {"cross-site credit"}}, evil); status != http.StatusForbidden {
			t.Errorf("a cross-site credit: %d, want 403", status)
		}
		if status, hd, _ := fin.post(credit, url.Values{"amount": {"500"}, "reason": {"three days without service"}}); status != http.StatusSeeOther {
			t.Fatalf("credit: %d %v", status, hd)
		}
		notes, err := a.ISP.Invoices(context.Background(), isp.InvoiceFilter{Credits: inv.ID})
		if err != nil || len(notes) != 1 || notes[0].Price != 50000 || notes[0].CreatedBy != "staff:fiona" {
			t.Fatalf("credit notes: %+v, %v", notes, err)
		}
		if _, page := fin.get("/staff/internet/invoices/" + inv.ID + "?done=credited"); !strings.Contains(page, notes[0].Number) {
			t.Errorf("the invoice page does not list its credit note")
		}
		if _, page := fin.get("/staff/internet/invoices/" + notes[0].ID + "/print"); !strings.Contains(page, "Credit note") || !strings.Contains(page, inv.Number) {
			t.Errorf("credit note printed:\n%s", page)
		}
		events, err := payment.AuditEvents(context.Background(), a.DB.Read(), payment.AuditFilter{Subject: inv.ID})
		if err != nil {
			t.Fatal(err)
		}
		var reads, credits int
		for _, e := range events {
			switch e.Action {
			case "isp.invoice.read":
				reads++
			case "isp.credit_note":
				credits++
			}
		}
		if reads < 3 || credits != 1 {
			t.Errorf("audited: %d reads, %d credit notes", reads, credits)
		}

		if _, page := fin.get("/staff/internet/subscribers/" + inv.SubscriberID); !strings.Contains(page, `href="/staff/internet/invoices?subscriber=hassan"`) {
			t.Errorf("the subscriber's page does not link to their invoices")
		}
		care := staffMember(t, a, "carol", staff.RoleCare)
		if status, page := care.get("/staff/internet/invoices/" + inv.ID); status != http.StatusOK || strings.Contains(page, "/credit\"") {
			t.Errorf("care's invoice page: %d, with the credit form: %v", status, strings.Contains(page, "/credit\""))
		}
		aud := staffMember(t, a, "audrey", staff.RoleAuditor)
		if status, page := aud.get("/staff/internet/invoices"); status != http.StatusOK || strings.Contains(page, phone) || !strings.Contains(page, inv.Number) {
			t.Errorf("the auditor's list: %d, phone shown %v", status, strings.Contains(page, phone))
		}
		if _, page := aud.get("/staff/internet/invoices/" + inv.ID + "/print"); strings.Contains(page, phone) || strings.Contains(page, app.DemoCustomers[2].Name) {
			t.Errorf("the auditor's print shows the buyer")
		}
		if status, _ := fin.get("/staff/internet/invoices/no-such-invoice/pdf"); status != http.StatusNotFound {
			t.Errorf("no such invoice: %d", status)
		}
	})
}

// Finance sets a monthly plan's dunning (audited); a wrong one is refused
// with what was typed kept; care reads it without the form.
func TestDunningPage(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	home := app.DemoISPPlans[1].ID
	fin := staffMember(t, a, "fiona", staff.RoleFinance)
	status, page := fin.get("/staff/internet/dunning")
	page = html.UnescapeString(page)
	if status != http.StatusOK || !strings.Contains(page, "-3, -1, +1, +3") || !strings.Contains(page, `action="/staff/internet/dunning/`+home+`"`) ||
		strings.Contains(page, "hotspot-day") {
		t.Fatalf("dunning page: %d\n%s", status, page)
	}
	for _, form := range []url.Values{
		{"offsets": {"-3, soon"}, "hour": {"9"}},
		{"offsets": {"-30"}, "hour": {"9"}},
		{"offsets": {"-1, +2"}, "hour": {"23"}},
		{"offsets": {"-1, +2"}, "hour": {"nine"}},
	} {
		if status, _, page := fin.post("/staff/internet/dunning/"+home, form); status != http.StatusBadRequest || !strings.Contains(page, `class="err"`) ||
			!strings.Contains(html.UnescapeString(page), `value="`+form.Get("offsets")+`"`) {
			t.Errorf("dunning %v: %d", form, status)
		}
	}
	if status, _, _ := fin.post("/staff/internet/dunning/hotspot-day", url.Values{"offsets": {"1"}, "hour": {"9"}}); status != http.StatusBadRequest {
		t.Errorf("dunning of a bundle: %d", status)
	}
	if status, hd, _ := fin.post("/staff/internet/dunning/"+home, url.Values{"offsets": {"+2, -1"}, "hour": {"8"}}); status != http.StatusSeeOther {
		t.Fatalf("dunning set: %d %v", status, hd)
	}
	d, err := a.ISP.DunningOf(ctx, home)
	if err != nil || d.Hour != 8 || d.Suspend || len(d.Offsets) != 2 || d.Offsets[0] != -1 {
		t.Errorf("dunning saved: %+v, %v", d, err)
	}
	events, err := payment.AuditEvents(ctx, a.DB.Read(), payment.AuditFilter{Action: "isp.dunning"})
	if err != nil || len(events) != 1 || events[0].Actor != "staff:fiona" {
		t.Errorf("audited: %+v, %v", events, err)
	}
	care := staffMember(t, a, "carol", staff.RoleCare)
	if status, page := care.get("/staff/internet/dunning"); status != http.StatusOK || strings.Contains(page, "<form class=\"row\"") || !strings.Contains(html.UnescapeString(page), "-1, +2") {
		t.Errorf("care's dunning page: %d", status)
	}
}
