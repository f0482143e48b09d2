package hotspot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/isp"
)

// phone is a small phone's window, where captive pages open.
var phone = browsertest.Screen{Width: 320, Height: 640, Mobile: true}

// newTab opens a tab with scripts off: the captive page must work in a
// captive browser that runs none.
func newTab(t *testing.T, ctx context.Context, a *apptest.App) *browsertest.Tab {
	tb := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)
	if _, err := chromedp.Call(tb.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	return tb
}

var credentialsRE = regexp.MustCompile(`Username\s+(wifi[a-z0-9]{5})\s+Password\s+([a-z0-9]{8})`)

// TestBrowserHotspot drives the captive page in headless Chromium with
// scripts off, sent there by the demo's router: a bundle bought by the
// simulated M-Pesa, the page waiting by itself until paid, the account
// shown and the router's login posted by CHAP; then a voucher, a code
// that is none, and the page in Swahili. No page may break its policy.
func TestBrowserHotspot(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	bg := context.Background()

	t.Run("buy by M-Pesa", func(t *testing.T) {
		tb := newTab(t, ctx, a)
		p := tb.Open("captive", app.DemoHotspotPath)
		if !strings.HasPrefix(p.Path, "/hotspot/?") || p.H1 != "Get online" || !strings.Contains(p.Text, "Hotspot day 2 GB") {
			t.Fatalf("the router's redirect: %s %q:\n%s", p.Path, p.H1, p.Text)
		}
		p = tb.Load("wait",
			chromedp.Click(chromedp.CSS(`input[name="plan"][value="hotspot-day"]`)),
			chromedp.SendKeys(chromedp.ID("phone"), "0712 345 678"),
			chromedp.Click(chromedp.CSS(`form[action="/hotspot/buy"] button`)))
		if !strings.HasPrefix(p.Path, "/hotspot/wait?") || !strings.Contains(p.Text, "Enter your M-Pesa PIN on your phone to pay KES\u00a050.00") {
			t.Fatalf("after Pay: %s:\n%s", p.Path, p.Text)
		}
		// The page reloads itself (a meta refresh, no script) until the
		// simulated phone has paid; the test reloads too, in case a
		// refresh fell between two checks.
		p = tb.ReloadUntil("wait refresh", "Password", 30*time.Second)
		m := credentialsRE.FindStringSubmatch(p.Text)
		if m == nil || p.H1 != "You are ready" {
			t.Fatalf("the paid page:\n%s", p.Text)
		}
		u, err := a.ISP.ByUsername(bg, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if us, err := a.ISP.UsageOf(bg, u.ID); err != nil || us.State != isp.Active || us.Plan != "Hotspot day 2 GB" || len(u.Phones) != 0 {
			t.Errorf("the account bought: %+v, phones %v, %v", us, u.Phones, err)
		}
		a.WaitSMS("254712345678", "for "+m[1])
		// MikroTik's hotspots ask for CHAP: the form sends the response
		// to the router's challenge, never the password itself.
		if sent := tb.Eval(`document.querySelector('input[name=password]').value`); len(sent) != 32 || sent == m[2] {
			t.Errorf("the login form sends %q as the password; want a CHAP response", sent)
		}
		p = tb.Load("router login", chromedp.Click(chromedp.CSS(`main form button`)))
		if !strings.Contains(p.Text, "You are logged in as "+m[1]) {
			t.Errorf("the router's answer to the login posted:\n%s", p.Text)
		}
		if len(p.CSP) > 0 {
			t.Errorf("policy violations: %v", p.CSP)
		}
	})

	t.Run("voucher", func(t *testing.T) {
		b, err := a.ISP.NewVouchers(bg, "hotspot-5min", 1, time.Now().Add(24*time.Hour), "browser test", "test")
		if err != nil {
			t.Fatal(err)
		}
		_, vs, err := a.ISP.Vouchers(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		code := vs[0].Code
		tests := []struct {
			typed, want string
		}{
			{code[:4] + " " + code[4:8] + " " + code[8:], "You are logged in as " + code},
			{"0000 0000 0000", "Login refused"},
		}
		for _, tt := range tests {
			tb := newTab(t, ctx, a)
			tb.Open("captive", app.DemoHotspotPath)
			p := tb.Load("connect", chromedp.SendKeys(chromedp.ID("code"), tt.typed), chromedp.Click(chromedp.CSS(`form[action="/hotspot/voucher"] button`)))
			if p.H1 != "Connect" {
				t.Fatalf("voucher %s: %q:\n%s", tt.typed, p.H1, p.Text)
			}
			p = tb.Load("router login", chromedp.Click(chromedp.CSS(`main form button`)))
			if !strings.Contains(p.Text, tt.want) || len(p.CSP) > 0 {
				t.Errorf("voucher %s: the router says\n%s\nwant %q (policy violations %v)", tt.typed, p.Text, tt.want, p.CSP)
			}
		}
		if _, vs, _ := a.ISP.Vouchers(bg, b.ID); vs[0].RedeemedAt.IsZero() {
			t.Error("the voucher was not redeemed")
		}
	})

	t.Run("Swahili", func(t *testing.T) {
		tb := newTab(t, ctx, a)
		tb.Open("captive", app.DemoHotspotPath)
		p := tb.Load("captive sw", chromedp.Click(chromedp.CSS(`header a[lang="sw"]`)))
		if p.Lang != "sw" || p.H1 != "Ingia mtandaoni" || !strings.Contains(p.Text, "Lipa kwa M-Pesa") {
			t.Errorf("after the switch: %s %q:\n%s", p.Lang, p.H1, p.Text)
		}
		p = tb.Load("bad phone sw", chromedp.SendKeys(chromedp.ID("phone"), "12"), chromedp.Click(chromedp.CSS(`form[action="/hotspot/buy"] button`)))
		if p.Lang != "sw" || !strings.Contains(p.Text, "Hiyo si nambari ya simu") {
			t.Errorf("a bad number in Swahili: %s:\n%s", p.Lang, p.Text)
		}
	})
}
