package portal_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
)

// chromiumPath is Debian's chromium; MTEJA_CHROMIUM names another.
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium for the test, with a fresh profile,
// or skips the test, loudly, when there is none.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("MTEJA_CHROMIUM")
	if path == "" {
		path = chromiumPath
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("portal browser tests SKIPPED: no Chromium at %s (Debian: apt-get install chromium; scripts/test installs it)", path)
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab is one browser tab on the app at a phone's width, counting what
// every page costs on the wire.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu    sync.Mutex
	bytes float64
	urls  []string
}

// newTab opens a tab in a browser context of its own: its own cookies, as
// another person's browser.
func newTab(t *testing.T, parent context.Context, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tb.urls = append(tb.urls, e.Request.URL)
		case *network.EventLoadingFinished:
			tb.bytes += e.EncodedDataLength
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// pageInfo is what a page shows of itself at 320 pixels.
type pageInfo struct {
	Path      string   `json:"path"`
	Lang      string   `json:"lang"`
	H1        string   `json:"h1"`
	Text      string   `json:"text"`
	Width     int      `json:"width"`
	Scroll    int      `json:"scroll"`
	Unlabeled []string `json:"unlabeled"`
}

const pageInfoJS = `(() => {
	const d = document.documentElement;
	return {
		path: location.pathname + location.search,
		lang: d.lang,
		h1: (document.querySelector('h1') || {}).textContent || '',
		text: document.body.innerText,
		width: d.clientWidth,
		scroll: d.scrollWidth,
		unlabeled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
			.filter(e => !e.labels || e.labels.length === 0).map(e => e.name),
	};
})()`

// load runs steps that end in a page load (a navigation, a click, a form
// sent) and checks the page that loads: its weight on the wire, every
// request on this site, no sideways scrolling at 320 px, every control
// labelled.
func (tb *tab) load(name string, steps ...chromedp.Action[chromedp.Void]) pageInfo {
	tb.t.Helper()
	tb.mu.Lock()
	tb.bytes, tb.urls = 0, nil
	tb.mu.Unlock()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v", name, err)
	}
	info, err := chromedp.Run(ctx, chromedp.Evaluate[pageInfo](pageInfoJS))
	if err != nil {
		tb.t.Fatalf("%s: %v", name, err)
	}
	tb.mu.Lock()
	bytes, urls := tb.bytes, tb.urls
	tb.mu.Unlock()
	if bytes > maxPage {
		tb.t.Errorf("%s (%s): %.0f bytes transferred; at most %d", name, info.Path, bytes, maxPage)
	}
	if bytes == 0 {
		tb.t.Errorf("%s (%s): no transfer counted: is the network listener broken?", name, info.Path)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, tb.base+"/") {
			tb.t.Errorf("%s: requested %s, outside the app", name, u)
		}
	}
	if info.Width != 320 || info.Scroll > info.Width {
		tb.t.Errorf("%s (%s): %d px of content in a %d px window; want 320 with no sideways scroll", name, info.Path, info.Scroll, info.Width)
	}
	if len(info.Unlabeled) > 0 {
		tb.t.Errorf("%s (%s): controls without a label: %v", name, info.Path, info.Unlabeled)
	}
	tb.t.Logf("%-22s %-36s %5.0f bytes", name, info.Path, bytes)
	return info
}

func (tb *tab) open(name, path string) pageInfo {
	tb.t.Helper()
	return tb.load(name, chromedp.Navigate(tb.base+path))
}

func (tb *tab) eval(js string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.t.Fatalf("%s: %v", js, err)
	}
	return s
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatal(err)
	}
}

// logIn logs in through the two forms with the keyboard alone: the phone
// typed and sent with Enter, then the code from the SMS.
func (tb *tab) logIn(a *apptest.App, msisdn string, seen map[string]bool) pageInfo {
	tb.t.Helper()
	tb.open("login", "/")
	tb.load("code form", chromedp.SendKeys(chromedp.ID("phone"), "0"+msisdn[3:]+kb.Enter))
	code := lastCode(tb.t, a, msisdn, seen)
	return tb.load("after login", chromedp.SendKeys(chromedp.ID("code"), code+kb.Enter))
}

// TestBrowser drives the portal in headless Chromium at a phone's width:
// log in with the SMS code, meters and tokens, buy by STK push (the
// simulated phone approves), the language switch, a fault report, and the
// same portal with JavaScript off.
func TestBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browser(t)
	john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
	seen := map[string]bool{}
	receipt := a.PayBill(john.Phone, john.Meter, 500)
	a.WaitPayment(receipt, "applied")
	token := a.VendOf(receipt).Tokens[0].Grouped()
	tb := newTab(t, ctx, a.URL())

	t.Run("keyboard", func(t *testing.T) {
		tb.t = t
		tb.open("login", "/login")
		tb.do(chromedp.KeyEvent(kb.Tab))
		if got := tb.eval(`document.activeElement.getAttribute('href') + ' ' + getComputedStyle(document.activeElement).outlineStyle`); got != "#main solid" {
			t.Errorf("first Tab focuses %q; want the skip link, with a visible outline", got)
		}
		tb.do(chromedp.KeyEvent(kb.Enter))
		if got := tb.eval(`location.hash`); got != "#main" {
			t.Errorf("Enter on the skip link: at %q; want #main", got)
		}
	})

	t.Run("login with code", func(t *testing.T) {
		tb.t = t
		p := tb.logIn(a, john.Phone, seen)
		if p.Path != "/meters" || p.H1 != "My meters" || !strings.Contains(p.Text, token) {
			t.Fatalf("after login: %s %q; want my meters with token %s:\n%s", p.Path, p.H1, token, p.Text)
		}
	})

	t.Run("meters and tokens", func(t *testing.T) {
		tb.t = t
		p := tb.load("tokens", chromedp.Click(chromedp.CSS(`a[href="/meters/`+john.Meter+`/tokens"]`)))
		if !strings.Contains(p.H1, john.Meter) || !strings.Contains(p.Text, token) {
			t.Fatalf("tokens page: %q:\n%s", p.H1, p.Text)
		}
		// Without a script the token is one tap to select; with one, a
		// button copies it.
		if got := tb.eval(`getComputedStyle(document.querySelector('.tok')).userSelect`); got != "all" {
			t.Errorf("token user-select %q; want all", got)
		}
		tb.do(chromedp.Click(chromedp.CSS(`button.copy`)))
		// The clipboard answers asynchronously: poll for its answer.
		copied := func(s string) bool { return strings.HasPrefix(s, "Copied|") || strings.HasSuffix(s, "|"+token) }
		got := ""
		for deadline := time.Now().Add(5 * time.Second); !copied(got) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			got = tb.eval(`document.querySelector('button.copy').textContent + '|' + getSelection().toString()`)
		}
		if !copied(got) {
			t.Errorf("after the copy button: %q; want it to say Copied or the token selected", got)
		}
		p = tb.load("receipt", chromedp.Click(chromedp.CSS(`a[href="/receipts/`+receipt+`"]`)))
		if !strings.Contains(p.Text, "Total") || !strings.Contains(p.Text, "KES\u00a0500.00") {
			t.Errorf("receipt page:\n%s", p.Text)
		}
		tb.open("purchases", "/purchases")
		tb.open("outages", "/outages")
		tb.open("paid form", "/paid")
		p = tb.load("paid found", chromedp.SendKeys(chromedp.ID("receipt"), strings.ToLower(receipt)+kb.Enter))
		if !strings.Contains(p.Text, token) {
			t.Errorf("paid look-up by receipt did not show the token:\n%s", p.Text)
		}
	})

	t.Run("buy by STK push", func(t *testing.T) {
		tb.t = t
		tb.open("buy form", "/buy")
		p := tb.load("buy pending", chromedp.SendKeys(chromedp.ID("amount"), "300"), chromedp.Click(chromedp.CSS(`main button`)))
		if !strings.HasPrefix(p.Path, "/buy/") || !strings.Contains(p.Text, "Approve the prompt on your phone") {
			t.Fatalf("after Pay: %s:\n%s", p.Path, p.Text)
		}
		// The customer refreshes until the token is there; a guard, not a
		// timing assertion, stops a hung run.
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(p.Text, "Paid."); time.Sleep(300 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no token on the purchase page after 20 s:\n%s", p.Text)
			}
			p = tb.load("buy refresh", chromedp.Reload())
		}
		vs := a.Vends(john.Meter)
		if len(vs) != 2 || !strings.Contains(p.Text, vs[0].Tokens[0].Grouped()) {
			t.Errorf("purchase page does not show the new token:\n%s", p.Text)
		}
	})

	t.Run("language switch", func(t *testing.T) {
		tb.t = t
		tb.open("meters", "/meters")
		p := tb.load("meters in Swahili", chromedp.Click(chromedp.CSS(`header button[lang="sw"]`)))
		if p.Lang != "sw" || p.H1 != "Mita zangu" || p.Path != "/meters" {
			t.Errorf("after the switch: %s %q at %s; want Mita zangu in sw", p.Lang, p.H1, p.Path)
		}
		p = tb.open("purchases (sw)", "/purchases")
		if p.H1 != "Manunuzi" {
			t.Errorf("purchases after the switch: %q; want Manunuzi", p.H1)
		}
		lang, err := customer.LanguageOf(context.Background(), a.DB.Read(), john.Phone)
		if err != nil || lang != "sw" {
			t.Errorf("stored language %q, %v; want sw, for SMS and USSD too", lang, err)
		}
		p = tb.load("back to English", chromedp.Click(chromedp.CSS(`header button[lang="en"]`)))
		if p.Lang != "en" || p.H1 != "Purchases" || p.Path != "/purchases" {
			t.Errorf("after switching back: %s %q at %s; want Purchases in en", p.Lang, p.H1, p.Path)
		}
	})

	t.Run("report a problem", func(t *testing.T) {
		tb.t = t
		tb.open("report form", "/report?meter="+john.Meter)
		p := tb.load("report sent",
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
		nojs := newTab(t, ctx, a.URL())
		if _, err := chromedp.Call(nojs.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		marys := a.PayBill(mary.Phone, mary.Meter, 300)
		a.WaitPayment(marys, "applied")
		p := nojs.logIn(a, mary.Phone, seen)
		if p.Lang != "sw" || !strings.Contains(p.Text, a.VendOf(marys).Tokens[0].Grouped()) {
			t.Errorf("Mary's meters without JavaScript: %s:\n%s", p.Lang, p.Text)
		}
		if got := nojs.eval(`String(document.querySelectorAll('button.copy').length)`); got != "0" {
			t.Errorf("%s copy buttons with scripts off; want none (the token is selectable instead)", got)
		}
		p = nojs.load("report without JavaScript",
			chromedp.Click(chromedp.CSS(`nav a[href="/report"]`)))
		p = nojs.load("report sent without JavaScript",
			chromedp.Click(chromedp.CSS(`input[name="kind"][value="no_power"]`)),
			chromedp.Click(chromedp.CSS(`main button`)))
		if !strings.Contains(p.Text, "F-") {
			t.Errorf("report without JavaScript:\n%s", p.Text)
		}
	})
}
