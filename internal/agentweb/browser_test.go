package agentweb_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/browsertest"
)

// phone is the window the agent page is tested in: a small phone's, as
// agents use.
var phone = browsertest.Screen{Width: 320, Height: 640, Mobile: true}

// maxPage is what a page may weigh on the wire: light enough for 2G.
const maxPage = 30 * 1024

// TestBrowser drives the agent page in headless Chromium at a phone's
// width, with the keyboard: sign in, sell, the receipt as printed (58 mm
// wide, nothing else on the sheet), the shift close, Swahili.
func TestBrowser(t *testing.T) {
	a := setup(t)
	ctx := browsertest.Start(t)
	tb := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)
	meter := app.DemoCustomers[0].Meter

	p := tb.Open("sign-in", "/agent/")
	if p.H1 != "Agent sign-in" {
		t.Fatalf("sign-in page: %q", p.H1)
	}
	tb.Do(chromedp.SendKeys(chromedp.ID("phone"), "0722000333"))
	p = tb.Load("home", chromedp.SendKeys(chromedp.ID("pin"), agentPIN+kb.Enter))
	if p.Path != "/agent/" || !strings.Contains(p.Text, "Sell a token for cash") {
		t.Fatalf("after sign-in: %s:\n%s", p.Path, p.Text)
	}
	tb.Do(chromedp.SendKeys(chromedp.ID("meter"), meter))
	p = tb.Load("receipt", chromedp.SendKeys(chromedp.ID("amount"), "250"+kb.Enter))
	if !strings.HasPrefix(p.Path, "/agent/receipts/AG") {
		t.Fatalf("after the sale: %s:\n%s", p.Path, p.Text)
	}
	receipt := strings.TrimPrefix(p.Path, "/agent/receipts/")
	a.WaitPayment(receipt, "applied")
	token := a.VendOf(receipt).Tokens[0].Grouped()
	p = tb.ReloadUntil("receipt with token", token, 0)
	if !strings.Contains(p.Text, meter) || !strings.Contains(p.Text, "KES\u00a0250.00") {
		t.Errorf("receipt:\n%s", p.Text)
	}
	if len(p.Console) > 0 || len(p.CSP) > 0 {
		t.Errorf("receipt: console %v, CSP %v", p.Console, p.CSP)
	}
	// As printed: the receipt alone, 58 mm wide (about 219 CSS px).
	if _, err := chromedp.Call(tb.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	w, err := strconv.ParseFloat(tb.Eval(`String(document.getElementById('receipt').getBoundingClientRect().width)`), 64)
	if err != nil || w < 210 || w > 225 {
		t.Errorf("printed receipt %v px wide (%v); want 58 mm, about 219 px", w, err)
	}
	if got := tb.Eval(`getComputedStyle(document.querySelector('header')).display`); got != "none" {
		t.Errorf("printed header display %q; want none", got)
	}
	if _, err := chromedp.Call(tb.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	p = tb.Open("home again", "/agent/")
	if !strings.Contains(p.Text, "Receipt "+receipt) {
		t.Errorf("the sale is not listed for reprint:\n%s", p.Text)
	}
	p = tb.Load("shift closed", chromedp.SendKeys(chromedp.ID("counted"), "250"+kb.Enter))
	if p.H1 != "Shift closed" || !strings.Contains(p.Text, "Balanced") {
		t.Fatalf("shift close:\n%s", p.Text)
	}
	p = tb.Load("Swahili", chromedp.Click(chromedp.CSS(`button[lang="sw"]`)))
	if p.Lang != "sw" || p.H1 != "Uza tokeni" {
		t.Errorf("after the language switch: lang %q, h1 %q", p.Lang, p.H1)
	}
}
