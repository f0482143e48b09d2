package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
)

// TestBrowserInternet drives the internet pages in headless Chromium at a
// phone's width with scripts off: a phone with only an internet account
// logs in and lands on it, renews its bundle by STK push (the simulated
// phone approves) and reads the page in Swahili.
func TestBrowserInternet(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	netSubscriber(t, a)
	tb := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)
	if _, err := chromedp.Call(tb.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	p := logIn(tb, a, netOnly, map[string]bool{})
	if p.Path != "/internet" || p.H1 != "My internet" || !strings.Contains(p.Text, "Account otieno") || !strings.Contains(p.Text, "2.00 GB of 2.00 GB") {
		t.Fatalf("after login: %s %q:\n%s", p.Path, p.H1, p.Text)
	}
	p = tb.Load("renew", chromedp.Click(chromedp.CSS(`form[action="/internet/buy"] button`)))
	if !strings.HasPrefix(p.Path, "/internet/buy/") || !strings.Contains(p.Text, "enter your M-Pesa PIN to pay KES\u00a050.00 for account otieno") {
		t.Fatalf("after Pay: %s:\n%s", p.Path, p.Text)
	}
	tb.ReloadUntil("renew refresh", "Paid.", 20*time.Second)
	// The applier adds the day within a second of the payment.
	tb.Open("internet", "/internet")
	tb.ReloadUntil("internet refresh", "4.00 GB of 4.00 GB", 10*time.Second)
	p = tb.Load("internet in Swahili", chromedp.Click(chromedp.CSS(`header button[lang="sw"]`)))
	if p.Lang != "sw" || p.H1 != "Intaneti yangu" || !strings.Contains(p.Text, "Inatumika") {
		t.Errorf("after the switch: %s %q:\n%s", p.Lang, p.H1, p.Text)
	}
	if len(p.CSP) > 0 || len(p.Console) > 0 {
		t.Errorf("policy violations %v, console %v", p.CSP, p.Console)
	}
}
