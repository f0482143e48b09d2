package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
)

// TestHubInBrowser walks a hub attendant's counter in headless Chromium,
// where no script runs, at a desk's width and a phone's: a number given
// and called, a consent code sent and typed, "where is my token?" answered
// on the one screen, the customer's portal under its banner, and done.
// Every page is checked as tab.load says, and the GET pages in Swahili and
// back.
func TestHubInBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	// Chromium asks for /favicon.ico on the portal's pages (the console's
	// policy allows no image from the server, so it never asks there); the
	// app serves none, and that 404 is not the hub's to check.
	a.Mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	hb, err := hub.Create(t.Context(), a.DB, "Kisumu Central", "Kisumu")
	if err != nil {
		t.Fatal(err)
	}
	// A customer of their own at each screen: a phone gets one code in 30 s.
	walkIns := map[string]app.DemoCustomer{"desk": app.DemoCustomers[0], "phone": app.DemoCustomers[1]}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			c := walkIns[sc.name]
			receipt := a.PayBill(c.Phone, c.Meter, 300)
			a.WaitPayment(receipt, payment.Applied)
			token := a.VendOf(receipt).Tokens[0].Grouped()

			username := "hub-" + sc.name
			tb := enrol(t, ctx, a, sc.Screen, username, staff.RoleHub)
			users, err := a.Staff.Users(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if u.Username == username {
					if err := hub.Attach(t.Context(), a.DB, u.ID, hb.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			p := tb.visit("hub", chromedp.Navigate(a.URL()+"/staff/hub"))
			if p.H1 != "Hub: Kisumu Central" || strings.Contains(p.Text, token) {
				t.Fatalf("the hub screen: %q:\n%s", p.H1, p.Text)
			}
			p = tb.visit("number given", chromedp.Click(chromedp.CSS(`form[action="/staff/hub/tickets"] button`)))
			if !strings.Contains(p.Text, "issued: write it on the slip") {
				t.Errorf("after giving a number:\n%s", p.Text)
			}
			p = tb.visit("number called", chromedp.Click(chromedp.CSS(`form[action="/staff/hub/call"] button`)))
			if !strings.Contains(p.Text, "to the counter") {
				t.Errorf("after calling:\n%s", p.Text)
			}
			p = tb.load("consent sent",
				chromedp.SendKeys(chromedp.ID("phone"), c.Phone),
				chromedp.Click(chromedp.CSS(`form[action="/staff/hub/consent"] button`)))
			if !strings.Contains(p.Text, "Ask the customer for the code") {
				t.Fatalf("after sending the consent code:\n%s", p.Text)
			}
			code := consentCodeRE.FindStringSubmatch(a.WaitSMS(c.Phone, "Kisumu Central").Text)
			if code == nil {
				t.Fatal("no code in the consent SMS")
			}
			p = tb.visit("where is my token",
				chromedp.SendKeys(chromedp.ID("code"), code[1]),
				chromedp.Click(chromedp.CSS(`form[action="/staff/hub/assist"] button`)))
			for _, want := range []string{"Where is my token?", token, receipt, c.Meter} {
				if !strings.Contains(p.Text, want) {
					t.Errorf("the look-up lacks %q:\n%s", want, p.Text)
				}
			}
			p = tb.load("customer's portal", chromedp.Click(chromedp.CSS(`a[href="/"]`)))
			// In the customer's language: Mary reads Swahili.
			banner := map[string]string{"desk": "Assisted session: Test hub at Kisumu Central", "phone": "Kipindi cha kusaidiwa: Test hub wa Kisumu Central"}[sc.name]
			if !strings.Contains(p.Text, banner) {
				t.Errorf("the portal in the assisted session has no banner:\n%s", p.Text)
			}
			tb.load("back to the hub", chromedp.Click(chromedp.CSS(`a[href="/staff/hub"]`)))
			p = tb.visit("done", chromedp.Click(chromedp.CSS(`form[action="/staff/hub/assist/end"] button`)))
			if !strings.Contains(p.Text, "session is ended") || strings.Contains(p.Text, token) {
				t.Errorf("after done:\n%s", p.Text)
			}
		})
	}
}
