package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/invoice"
	"github.com/mteja/mteja/internal/payment"
)

// A customer reads, prints and downloads the invoices of the subscribers
// on their own phone; another customer's invoice is not found, by id or
// by PDF, exactly as an id that does not exist.
func TestMyInvoices(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ali, john := app.DemoCustomers[2], app.DemoCustomers[0]
	a.WaitPayment(a.PayISP(ali.Phone, app.DemoHomeUsername, 2500), payment.Applied)
	u, err := a.ISP.ByUsername(context.Background(), app.DemoHomeUsername)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := a.ISP.Invoices(context.Background(), isp.InvoiceFilter{SubscriberID: u.ID})
	if err != nil || len(invs) != 1 {
		t.Fatalf("invoices: %+v, %v", invs, err)
	}
	inv := invs[0]
	seen := map[string]bool{}

	stranger := newVisitor(t, a)
	stranger.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, path := range []string{"/invoices", "/invoices/" + inv.ID, "/invoices/" + inv.ID + "/pdf"} {
		if p := stranger.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("stranger at %s: %d to %q", path, p.status, p.header.Get("Location"))
		}
	}

	av := newVisitor(t, a)
	av.login(ali.Phone, seen)
	p := av.get("/invoices")
	checkPage(t, "invoices", p, "en")
	if p.status != http.StatusOK || !strings.Contains(p.body, inv.Number) || !strings.Contains(p.body, "/invoices/"+inv.ID+"/pdf") {
		t.Fatalf("Ali's invoices: %d\n%s", p.status, p.body)
	}
	p = av.get("/invoices/" + inv.ID)
	if p.status != http.StatusOK || !strings.Contains(p.body, inv.Number) || p.header.Get("Content-Security-Policy") != invoice.CSP || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Ali's invoice: %d %v", p.status, p.header)
	}
	p = av.get("/invoices/" + inv.ID + "/pdf")
	if p.status != http.StatusOK || !strings.HasPrefix(p.body, "%PDF-") || p.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("Ali's PDF: %d %v", p.status, p.header)
	}

	jv := newVisitor(t, a)
	jv.login(john.Phone, seen)
	if p := jv.get("/invoices"); p.status != http.StatusOK || strings.Contains(p.body, inv.Number) {
		t.Errorf("John's invoices list Ali's: %d", p.status)
	}
	for _, path := range []string{"/invoices/" + inv.ID, "/invoices/" + inv.ID + "/pdf", "/invoices/00000000-0000-0000-0000-000000000000", "/invoices/x'%20OR%201=1--"} {
		if p := jv.get(path); p.status != http.StatusNotFound || strings.Contains(p.body, inv.Number) {
			t.Errorf("John at %s: %d; want 404 without the invoice", path, p.status)
		}
	}
}
