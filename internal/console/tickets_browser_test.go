package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/staff"
)

// TestTicketsInBrowser walks care's help desk in headless Chromium at a
// desk's width and a phone's: the queue from the menu, a customer's
// ticket from it, a reply typed and sent; the reply is on the timeline and
// reaches the customer by SMS in their language. Every page is checked as
// tab.load says (weight, labels, CSP, no-store), and in Swahili and back.
func TestTicketsInBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	mary := app.DemoCustomers[1] // reads Swahili
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			// A category of its own at each screen: a report like one
			// made minutes before is that one.
			cat := map[string]care.Category{"desk": care.DefaultCategories[5], "phone": care.DefaultCategories[1]}[sc.name]
			tk, _, err := a.Desk.Open(t.Context(), care.Request{Channel: care.ChannelUSSD, MSISDN: mary.Phone, MeterDRN: mary.Meter,
				Category: cat.Name, Note: "skrini ya mita imezima " + sc.name})
			if err != nil {
				t.Fatal(err)
			}
			tb := enrol(t, ctx, a, sc.Screen, "desk-"+sc.name, staff.RoleCare)
			p := tb.visit("ticket queue", chromedp.Click(chromedp.CSS(`nav a[href="/staff/tickets"]`)))
			if !strings.Contains(p.Text, tk.Ref) || !strings.Contains(p.Text, "skrini ya mita imezima "+sc.name) {
				t.Fatalf("the queue lacks %s:\n%s", tk.Ref, p.Text)
			}
			p = tb.visit("ticket", chromedp.Click(chromedp.CSS(`a[href="/staff/tickets/`+tk.ID+`"]`)))
			if p.Path != "/staff/tickets/"+tk.ID || !strings.Contains(p.Text, cat.EN) {
				t.Fatalf("the ticket: %s:\n%s", p.Path, p.Text)
			}
			reply := "Fundi atakuja kesho asubuhi " + sc.name
			p = tb.visit("replied",
				chromedp.SendKeys(chromedp.ID("r-body"), reply),
				chromedp.Click(chromedp.CSS(`form[action$="/reply"] button`)))
			if p.Path != "/staff/tickets/"+tk.ID+"?done=replied" || !strings.Contains(p.Text, "Reply sent by SMS.") || !strings.Contains(p.Text, reply) {
				t.Errorf("after the reply: %s:\n%s", p.Path, p.Text)
			}
			a.WaitSMS(mary.Phone, tk.Ref+": "+reply)
			tb.visit("meter messages", chromedp.Click(chromedp.CSS(`nav a[href="/staff/meter-messages"]`)))
			tb.visit("ticket report", chromedp.Navigate(a.URL()+"/staff/tickets/report"))
			tb.visit("ticket queue again", chromedp.Navigate(a.URL()+"/staff/tickets"))
			if p := tb.visit("feedback report", chromedp.Click(chromedp.CSS(`a[href="/staff/surveys"]`))); !strings.Contains(p.Text, "By area") {
				t.Errorf("the feedback report:\n%s", p.Text)
			}
		})
	}
}
