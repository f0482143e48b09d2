package console_test

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/staff"
)

// TestBrowserInternet walks an admin through the ISP's pages in headless
// Chromium at a desk's width and a phone's, each page also in Swahili:
// a plan created (a bad price first, shown beside its field), a subscriber
// added with the plan, a bundle sold by the simulated M-Pesa, the session
// seen online after a RADIUS accounting Start and disconnected, a voucher
// batch printed and its A4 sheet opened, the routers, and the sales by
// plan, with the sale in it.
func TestBrowserInternet(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	nas, _, err := a.ISP.NASByAddr(t.Context(), netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			tb := enrol(t, ctx, a, sc.Screen, "net-"+sc.name, staff.RoleAdmin)
			plan, user, phone := "walk-"+sc.name, "walk."+sc.name, "25473300010"+string(rune('1'+i))

			tb.visit("internet", chromedp.Click(chromedp.CSS(`nav a[href="/staff/internet"]`)))
			tb.visit("plans", chromedp.Click(chromedp.CSS(`main a[href="/staff/internet/plans"]`)))
			tb.visit("new plan", chromedp.Click(chromedp.CSS(`main a[href="/staff/internet/plans/new"]`)))
			// Refused, the form comes back as typed with a 400, which the
			// browser reports on its console: that, and nothing else.
			p := tb.Load("plan refused",
				chromedp.SendKeys(chromedp.ID("p-id"), plan),
				chromedp.SendKeys(chromedp.ID("p-name"), "Walk "+sc.name),
				chromedp.SendKeys(chromedp.ID("p-price"), "20.50"),
				chromedp.SendKeys(chromedp.ID("p-duration"), "1h"),
				chromedp.SendKeys(chromedp.ID("p-data"), "500 MB"),
				chromedp.SendKeys(chromedp.ID("p-rate"), "1M/2M"),
				chromedp.Click(chromedp.CSS(`main form button`)))
			if err := tb.Eval(`(document.getElementById('p-price-err') || {}).textContent || ''`); !strings.Contains(err, "Whole shillings") ||
				tb.Eval(`document.getElementById('p-price').getAttribute('aria-invalid')`) != "true" {
				t.Errorf("a price in cents: %q beside the price; page:\n%s", err, p.Text)
			}
			if len(p.Console) != 1 || !strings.Contains(p.Console[0], "400") || len(p.CSP) > 0 {
				t.Errorf("the refused form: console errors %q, policy violations %q; want the 400 alone", p.Console, p.CSP)
			}
			p = tb.visit("plan created",
				chromedp.SetValue(chromedp.ID("p-price"), "20"),
				chromedp.Click(chromedp.CSS(`main form button`)))
			if p.Path != "/staff/internet/plans/"+plan+"?done=saved" || !strings.Contains(p.Text, "The plan is saved.") {
				t.Fatalf("after creating the plan: %s\n%s", p.Path, p.Text)
			}

			tb.visit("subscribers", chromedp.Navigate(tb.Base+"/staff/internet/subscribers"))
			p = tb.load("subscriber added",
				chromedp.SendKeys(chromedp.ID("s-username"), user),
				chromedp.SendKeys(chromedp.ID("s-name"), "Walk Tester"),
				chromedp.SendKeys(chromedp.ID("s-phone"), "0"+phone[3:]),
				chromedp.SetValue(chromedp.ID("s-plan"), plan),
				chromedp.Click(chromedp.CSS(`form[action="/staff/internet/subscribers"][method="post"] button`)))
			if pw := tb.Eval(`(document.getElementById('password') || {}).textContent || ''`); len(pw) != 8 || !strings.Contains(p.Text, user) {
				t.Fatalf("the new subscriber's password %q:\n%s", pw, p.Text)
			}

			// The bundle sold by the simulated M-Pesa, paid to the username.
			a.WaitPayment(a.PayISP(phone, user, 20), payment.Applied)
			p = tb.visit("subscriber", chromedp.Click(chromedp.CSS(`main a[href^="/staff/internet/subscribers/"]`)))
			if !regexp.MustCompile(`State\s+active`).MatchString(p.Text) || !strings.Contains(p.Text, "Walk "+sc.name) {
				t.Errorf("the subscriber after paying: want the plan active:\n%s", p.Text)
			}
			subPage := p.Path

			// A router's accounting Start: the session is online.
			if _, err := a.ISP.Account(t.Context(), radius.AcctRecord{NAS: nas, Status: radius.AcctStart, Username: user, SessionID: "walk-" + sc.name,
				FramedIP: netip.MustParseAddr("10.5.50.2" + string(rune('0'+i))), InputBytes: 2_000_000, OutputBytes: 9_000_000, At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			p = tb.visit("online", chromedp.Navigate(tb.Base+"/staff/internet/sessions"))
			if !strings.Contains(p.Text, user) || !strings.Contains(p.Text, "10.5.50.2"+string(rune('0'+i))) || !strings.Contains(p.Text, "demo-hotspot") {
				t.Errorf("who is online lacks the session:\n%s", p.Text)
			}
			row := `//tr[td/a[text()="` + user + `"]]`
			p = tb.visit("disconnected",
				chromedp.SendKeys(row+`//input[@name="reason"]`, "a walk through the console"),
				chromedp.Click(row+`//button`))
			if !strings.Contains(p.Text, "The router is asked to end the session.") {
				t.Errorf("after disconnecting:\n%s", p.Text)
			}
			p = tb.visit("subscriber's requests", chromedp.Navigate(tb.Base+subPage))
			if !strings.Contains(p.Text, "a walk through the console") {
				t.Errorf("the subscriber's page lacks the Disconnect:\n%s", p.Text)
			}

			tb.visit("vouchers", chromedp.Navigate(tb.Base+"/staff/internet/vouchers"))
			p = tb.visit("batch",
				chromedp.SetValue(chromedp.ID("v-plan"), plan),
				chromedp.SetValue(chromedp.ID("v-count"), "3"),
				chromedp.SendKeys(chromedp.ID("v-note"), "walk "+sc.name+kb.Enter))
			if !strings.HasPrefix(p.Path, "/staff/internet/vouchers/") || !strings.Contains(p.Text, "0 of 3") {
				t.Fatalf("after printing a batch: %s\n%s", p.Path, p.Text)
			}
			sheet := tb.Eval(`document.querySelector('main a[href$="/sheet"]').getAttribute('href')`)
			tb.Do(chromedp.Navigate(tb.Base + sheet))
			if n := tb.Eval(`String(document.querySelectorAll('.card .code').length)`); n != "3" {
				t.Errorf("the sheet shows %s cards; want 3", n)
			}
			if c, v := tb.Problems(); len(c) > 0 || len(v) > 0 {
				t.Errorf("the sheet: console errors %q, policy violations %q", c, v)
			}

			tb.visit("routers", chromedp.Navigate(tb.Base+"/staff/internet/routers"))
			p = tb.visit("sales by plan", chromedp.Navigate(tb.Base+"/staff/reports/"+report.ISPPlansID))
			if !strings.Contains(p.Text, "Walk "+sc.name) {
				t.Errorf("the sales by plan lack the bundle sold:\n%s", p.Text)
			}
			tb.visit("sales by month", chromedp.Navigate(tb.Base+"/staff/reports/"+report.ISPMonthsID))
			tb.visit("plan", chromedp.Navigate(tb.Base+"/staff/internet/plans/"+plan))
			if sub, err := a.ISP.ByUsername(t.Context(), user); err != nil || sub.Balance != 0 {
				t.Errorf("the subscriber's wallet after the bundle: %+v %v", sub, err)
			}
		})
	}
}
