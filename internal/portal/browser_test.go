package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
)

// phone is the window the portal is tested in: a small phone's.
var phone = browsertest.Screen{Width: 320, Height: 640, Mobile: true}

// logIn logs in through the two forms with the keyboard alone: the phone
// typed and sent with Enter, then the code from the SMS.
func logIn(tb *browsertest.Tab, a *apptest.App, msisdn string, seen map[string]bool) browsertest.Page {
	tb.T.Helper()
	tb.Open("login", "/")
	tb.Load("code form", chromedp.SendKeys(chromedp.ID("phone"), "0"+msisdn[3:]+kb.Enter))
	code := lastCode(tb.T, a, msisdn, seen)
	return tb.Load("after login", chromedp.SendKeys(chromedp.ID("code"), code+kb.Enter))
}

// TestBrowser drives the portal in headless Chromium at a phone's width:
// log in with the SMS code, meters and tokens, buy by STK push (the
// simulated phone approves), the language switch, a fault report, and the
// same portal with JavaScript off.
func TestBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
	seen := map[string]bool{}
	receipt := a.PayBill(john.Phone, john.Meter, 500)
	a.WaitPayment(receipt, "applied")
	token := a.VendOf(receipt).Tokens[0].Grouped()
	tb := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)

	t.Run("keyboard", func(t *testing.T) {
		tb.T = t
		tb.Open("login", "/login")
		tb.CheckSkipLink()
	})

	t.Run("login with code", func(t *testing.T) {
		tb.T = t
		p := logIn(tb, a, john.Phone, seen)
		if p.Path != "/meters" || p.H1 != "My meters" || !strings.Contains(p.Text, token) {
			t.Fatalf("after login: %s %q; want my meters with token %s:\n%s", p.Path, p.H1, token, p.Text)
		}
	})

	t.Run("meters and tokens", func(t *testing.T) {
		tb.T = t
		p := tb.Load("tokens", chromedp.Click(chromedp.CSS(`a[href="/meters/`+john.Meter+`/tokens"]`)))
		if !strings.Contains(p.H1, john.Meter) || !strings.Contains(p.Text, token) {
			t.Fatalf("tokens page: %q:\n%s", p.H1, p.Text)
		}
		// Without a script the token is one tap to select; with one, a
		// button copies it.
		if got := tb.Eval(`getComputedStyle(document.querySelector('.tok')).userSelect`); got != "all" {
			t.Errorf("token user-select %q; want all", got)
		}
		tb.Do(chromedp.Click(chromedp.CSS(`button.copy`)))
		// The clipboard answers asynchronously: poll for its answer.
		copied := func(s string) bool { return strings.HasPrefix(s, "Copied|") || strings.HasSuffix(s, "|"+token) }
		got := ""
		for deadline := time.Now().Add(5 * time.Second); !copied(got) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			got = tb.Eval(`document.querySelector('button.copy').textContent + '|' + getSelection().toString()`)
		}
		if !copied(got) {
			t.Errorf("after the copy button: %q; want it to say Copied or the token selected", got)
		}
		p = tb.Load("receipt", chromedp.Click(chromedp.CSS(`a[href="/receipts/`+receipt+`"]`)))
		if !strings.Contains(p.Text, "Total") || !strings.Contains(p.Text, "KES\u00a0500.00") {
			t.Errorf("receipt page:\n%s", p.Text)
		}
		tb.Open("purchases", "/purchases")
		tb.Open("outages", "/outages")
		tb.Open("paid form", "/paid")
		p = tb.Load("paid found", chromedp.SendKeys(chromedp.ID("receipt"), strings.ToLower(receipt)+kb.Enter))
		if !strings.Contains(p.Text, token) {
			t.Errorf("paid look-up by receipt did not show the token:\n%s", p.Text)
		}
	})

	t.Run("buy by STK push", func(t *testing.T) {
		tb.T = t
		tb.Open("buy form", "/buy")
		p := tb.Load("buy pending", chromedp.SendKeys(chromedp.ID("amount"), "300"), chromedp.Click(chromedp.CSS(`main button`)))
		if !strings.HasPrefix(p.Path, "/buy/") || !strings.Contains(p.Text, "Approve the prompt on your phone") {
			t.Fatalf("after Pay: %s:\n%s", p.Path, p.Text)
		}
		// The customer refreshes until the token is there.
		p = tb.ReloadUntil("buy refresh", "Paid.", 20*time.Second)
		vs := a.Vends(john.Meter)
		if len(vs) != 2 || !strings.Contains(p.Text, vs[0].Tokens[0].Grouped()) {
			t.Errorf("purchase page does not show the new token:\n%s", p.Text)
		}
	})

	t.Run("language switch", func(t *testing.T) {
		tb.T = t
		tb.Open("meters", "/meters")
		p := tb.Load("meters in Swahili", chromedp.Click(chromedp.CSS(`header button[lang="sw"]`)))
		if p.Lang != "sw" || p.H1 != "Mita zangu" || p.Path != "/meters" {
			t.Errorf("after the switch: %s %q at %s; want Mita zangu in sw", p.Lang, p.H1, p.Path)
		}
		p = tb.Open("purchases (sw)", "/purchases")
		if p.H1 != "Manunuzi" {
			t.Errorf("purchases after the switch: %q; want Manunuzi", p.H1)
		}
		lang, err := customer.LanguageOf(context.Background(), a.DB.Read(), john.Phone)
		if err != nil || lang != "sw" {
			t.Errorf("stored language %q, %v; want sw, for SMS and USSD too", lang, err)
		}
		p = tb.Load("back to English", chromedp.Click(chromedp.CSS(`header button[lang="en"]`)))
		if p.Lang != "en" || p.H1 != "Purchases" || p.Path != "/purchases" {
			t.Errorf("after switching back: %s %q at %s; want Purchases in en", p.Lang, p.H1, p.Path)
		}
	})

	t.Run("report a problem", func(t *testing.T) {
		tb.T = t
		tb.Open("report form", "/report?meter="+john.Meter)
		p := tb.Load("report sent",
			chromedp.Click(chromedp.CSS(`input[name="kind"][value="token_rejected"]`)),
			chromedp.SendKeys(chromedp.ID("note"), "Meter shows reject 1"),
			chromedp.Click(chromedp.CSS(`main button`)))
		fs, err := care.Faults(context.Background(), a.DB, john.Phone, 5)
		if err != nil || len(fs) != 1 {
			t.Fatalf("faults = %v, %v; want one", fs, err)
		}
		if f := fs[0]; f.Kind != care.FaultTokenRejected || f.MeterDRN != john.Meter || f.Note != "Meter shows reject 1" || !strings.Contains(p.Text, f.Ref) {
			t.Errorf("fault %+v; page:\n%s", f, p.Text)
		}
	})

	t.Run("without JavaScript", func(t *testing.T) {
		nojs := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)
		if _, err := chromedp.Call(nojs.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		marys := a.PayBill(mary.Phone, mary.Meter, 300)
		a.WaitPayment(marys, "applied")
		p := logIn(nojs, a, mary.Phone, seen)
		if p.Lang != "sw" || !strings.Contains(p.Text, a.VendOf(marys).Tokens[0].Grouped()) {
			t.Errorf("Mary's meters without JavaScript: %s:\n%s", p.Lang, p.Text)
		}
		if got := nojs.Eval(`String(document.querySelectorAll('button.copy').length)`); got != "0" {
			t.Errorf("%s copy buttons with scripts off; want none (the token is selectable instead)", got)
		}
		p = nojs.Load("report without JavaScript",
			chromedp.Click(chromedp.CSS(`nav a[href="/report"]`)))
		p = nojs.Load("report sent without JavaScript",
			chromedp.Click(chromedp.CSS(`input[name="kind"][value="no_power"]`)),
			chromedp.Click(chromedp.CSS(`main button`)))
		if !strings.Contains(p.Text, "F-") {
			t.Errorf("report without JavaScript:\n%s", p.Text)
		}
	})
}
