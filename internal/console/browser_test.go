package console_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/console"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/staff"
)

// maxPage is the most a console page may transfer, headers included.
const maxPage = 60 << 10

// screens are the windows the console is tested in: a desk's and a phone's.
var screens = []struct {
	name string
	browsertest.Screen
}{
	{"desk", browsertest.Screen{Width: 1280, Height: 800}},
	{"phone", browsertest.Screen{Width: 360, Height: 740, Mobile: true}},
}

// tab is a console tab: every page it loads is checked as the portal's are
// (weight, requests, width, labels), and also for console errors,
// Content-Security-Policy violations, a skip link first, and no-store.
type tab struct{ *browsertest.Tab }

func newTab(t *testing.T, ctx context.Context, a *apptest.App, s browsertest.Screen) tab {
	tb := browsertest.NewTab(t, ctx, a.URL(), s, maxPage)
	tb.DataURIs = true // the QR code at set-up
	return tab{tb}
}

func (tb tab) load(name string, steps ...chromedp.Action[chromedp.Void]) browsertest.Page {
	tb.T.Helper()
	p := tb.Load(name, steps...)
	if len(p.Console) > 0 {
		tb.T.Errorf("%s (%s): console errors: %q", name, p.Path, p.Console)
	}
	if len(p.CSP) > 0 {
		tb.T.Errorf("%s (%s): Content-Security-Policy violations: %q", name, p.Path, p.CSP)
	}
	if p.Skip != "#main" {
		tb.T.Errorf("%s (%s): the first link is not a skip link to #main", name, p.Path)
	}
	if cc := header(p.Response, "Cache-Control"); cc != "no-store" {
		tb.T.Errorf("%s (%s): Cache-Control %q; want no-store", name, p.Path, cc)
	}
	if broken := tb.Eval(brokenWordsJS); broken != "" {
		tb.T.Errorf("%s (%s): words in tables broken across lines: %s", name, p.Path, broken)
	}
	return p
}

// brokenWordsJS lists the words (between spaces and hyphens) of table
// cells that the page breaks across lines: a narrow table should scroll
// in its box, not read "t o k e n" down a column.
const brokenWordsJS = `(() => {
	const out = [];
	for (const cell of document.querySelectorAll('th, td')) {
		const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
		for (let n; (n = walk.nextNode());) {
			for (const m of n.data.matchAll(/[^\s\-]+/g)) {
				const r = document.createRange();
				r.setStart(n, m.index);
				r.setEnd(n, m.index + m[0].length);
				if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) out.push(m[0]);
			}
		}
	}
	return [...new Set(out)].slice(0, 10).join(' ');
})()`

func (tb tab) open(name, path string) browsertest.Page {
	tb.T.Helper()
	return tb.load(name, chromedp.Navigate(tb.Base+path))
}

// visit loads a page, then switches it to Swahili and back with the
// header's button: the same page each time, in the language chosen, with
// no phrase shown by its key for want of its text.
func (tb tab) visit(name string, steps ...chromedp.Action[chromedp.Void]) browsertest.Page {
	tb.T.Helper()
	p := tb.load(name, steps...)
	sw := tb.load(name+" (sw)", chromedp.Click(chromedp.CSS(`header button[lang="sw"]`)))
	if sw.Lang != "sw" || sw.Path != p.Path || sw.H1 == p.H1 {
		tb.T.Errorf("%s in Swahili: %s %q at %s; want lang sw, a Swahili title, at %s", name, sw.Lang, sw.H1, sw.Path, p.Path)
	}
	en := tb.load(name+" (en)", chromedp.Click(chromedp.CSS(`header button[lang="en"]`)))
	if en.Lang != "en" || en.Path != p.Path || en.H1 != p.H1 {
		tb.T.Errorf("%s back in English: %s %q at %s; want %q at %s", name, en.Lang, en.H1, en.Path, p.H1, p.Path)
	}
	for _, pg := range []browsertest.Page{sw, en} {
		if keys := missingPhrase.FindAllString(pg.Text, -1); len(keys) > 0 {
			tb.T.Errorf("%s (%s): phrases without text: %q", name, pg.Lang, keys)
		}
	}
	return en
}

// missingPhrase is how a phrase with no text shows: its key (t returns
// the key itself). Keys are lower-case words joined by dots, which no
// sentence of the console's has.
var missingPhrase = regexp.MustCompile(`\b(nav|net|plans?|subs?|sessions|routers|vouchers|batch|substate|coa|paidby|entry|search|rep|recon)\.[a-z][a-z_.]*[a-z]`)

// focused names the element that has the keyboard's focus.
func (tb tab) focused() string {
	tb.T.Helper()
	return tb.Eval(`(e => e.id || e.getAttribute('href') || e.tagName)(document.activeElement)`)
}

// header is a response header's value, "" without it.
func header(r *network.Response, name string) string {
	if r == nil {
		return ""
	}
	for k, v := range r.Headers {
		if s, ok := v.(string); ok && strings.EqualFold(k, name) {
			return s
		}
	}
	return ""
}

const passphrase = "a long enough passphrase"

// enrol makes an account of role and, in a browser of its own, sets it up
// through its link as its owner would: the QR code shown, the password
// typed twice and a code from the key on the page, the recovery codes;
// then signs in with the keyboard alone.
func enrol(t *testing.T, ctx context.Context, a *apptest.App, s browsertest.Screen, username, role string) tab {
	t.Helper()
	_, link, err := a.Staff.CreateUser(t.Context(), username, "Test "+role, role, "test")
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, ctx, a, s)
	p := tb.visit("set-up", chromedp.Navigate(a.URL()+"/staff/setup/"+link))
	if p.H1 != "Set up your account" {
		t.Fatalf("set-up link: %q:\n%s", p.H1, p.Text)
	}
	if w := tb.Eval(`String(document.querySelector('main img').naturalWidth)`); w == "0" {
		t.Errorf("the QR code did not load")
	}
	secret := tb.Eval(`document.querySelector('main .tok').textContent`)
	now := time.Now()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatalf("the key on the page %q: %v", secret, err)
	}
	p = tb.load("set-up done",
		chromedp.SendKeys(chromedp.ID("password"), passphrase),
		chromedp.SendKeys(chromedp.ID("password2"), passphrase),
		chromedp.SendKeys(chromedp.ID("code"), code+kb.Enter))
	if n := tb.Eval(`String(document.querySelectorAll('main ul li').length)`); p.H1 != "Your account is ready" || n != "10" {
		t.Fatalf("after set-up: %q with %s recovery codes:\n%s", p.H1, n, p.Text)
	}

	// The keyboard alone: Tab to the sign-in link, Enter; the username has
	// the focus; Tab from field to field; Enter sends.
	for range 10 {
		if tb.focused() == "/staff/signin" {
			break
		}
		tb.Do(chromedp.KeyEvent(kb.Tab))
	}
	if f := tb.focused(); f != "/staff/signin" {
		t.Fatalf("Tab does not reach the sign-in link; the focus is on %s", f)
	}
	p = tb.visit("sign-in", chromedp.KeyEvent(kb.Enter))
	// autofocus takes effect after the page loads, a moment later on a
	// busy machine: give it that moment before looking.
	for deadline := time.Now().Add(3 * time.Second); tb.focused() != "username" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	for _, f := range []struct{ id, keys string }{{"username", username + kb.Tab}, {"password", passphrase + kb.Tab}, {"code", ""}} {
		if got := tb.focused(); got != f.id {
			t.Fatalf("sign-in: the focus is on %s; want %s", got, f.id)
		}
		if f.keys != "" {
			tb.Do(chromedp.KeyEvent(f.keys))
		}
	}
	// A code is good once: sign in with the next step's.
	code, _ = totp.GenerateCode(secret, now.Add(30*time.Second))
	p = tb.load("signed in", chromedp.KeyEvent(code+kb.Enter))
	if role == staff.RoleHub {
		// An attendant's console is their hub's screen.
		if p.Path != "/staff/hub" {
			t.Fatalf("after signing in as %s: %q at %s:\n%s", username, p.H1, p.Path, p.Text)
		}
		return tb
	}
	if p.Path != "/staff/" || p.H1 != "Welcome" {
		t.Fatalf("after signing in as %s: %q at %s:\n%s", username, p.H1, p.Path, p.Text)
	}
	return tb
}

// noPhone fails when the page shows any of the numbers (2547...) in any
// form: 2547..., 07..., +2547..., or spaced out.
func noPhone(t *testing.T, tb tab, name string, numbers ...string) {
	t.Helper()
	text := tb.Eval(`document.body.innerText`)
	html := tb.Eval(`document.documentElement.outerHTML`)
	digits := regexp.MustCompile(`[\s\-.()]`).ReplaceAllString(text, "")
	for _, n := range numbers {
		for _, form := range []string{n, "0" + n[3:], "+" + n} {
			if strings.Contains(text, form) || strings.Contains(html, form) {
				t.Errorf("%s shows the number %s", name, form)
			}
		}
		if strings.Contains(digits, n[3:]) {
			t.Errorf("%s shows the number %s, spaced out", name, n)
		}
	}
}

// TestBrowser drives the staff console in headless Chromium at a desk's
// width and a phone's: set-up through the link and sign-in by keyboard;
// care finds a payment by its M-Pesa code, decodes its token and re-sends
// it elsewhere with a reason; finance imports a statement by the form (a
// file from disk), opens the exception it finds, a day's figures and every
// report, each chart no wider than its 32rem box; an auditor sees no full
// phone number, in reconciliation and the reports either; signed
// out, every page sends to sign-in, and the back button shows no page
// from before the sign-out. Every page is checked as tab.load says, and
// switched to Swahili and back.
func TestBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	c := app.DemoCustomers[0]
	receipt, tok, _ := tokenSent(t, a, c)
	const elsewhere = "254799111222"

	t.Run("listener", func(t *testing.T) {
		// The checks hear a violation: a style attribute the test puts in
		// is refused by the policy, and reported.
		tb := newTab(t, ctx, a, screens[0].Screen)
		tb.open("sign-in", "/staff/signin")
		tb.Eval(`document.body.insertAdjacentHTML('beforeend', '<p style="color:red">x</p>'), ''`)
		var errs, csp []string
		for deadline := time.Now().Add(5 * time.Second); (len(errs) == 0 || len(csp) == 0) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			e, v := tb.Problems()
			errs, csp = append(errs, e...), append(csp, v...)
		}
		if len(errs) == 0 || len(csp) == 0 {
			t.Errorf("an inline style: console errors %q, violations %q; want both: are the listeners broken?", errs, csp)
		}
	})

	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			var customerPage string
			t.Run("care", func(t *testing.T) {
				tb := enrol(t, ctx, a, sc.Screen, "care-"+sc.name, staff.RoleCare)
				tb.CheckSkipLink()
				tb.visit("search", chromedp.Click(chromedp.CSS(`nav a[href="/staff/search"]`)))
				p := tb.load("found by receipt", chromedp.SendKeys(chromedp.ID("q"), strings.ToLower(receipt)+kb.Enter))
				customerPage = p.Path
				if !strings.HasPrefix(p.Path, "/staff/customers/") || !strings.Contains(p.Text, tok) ||
					!regexp.MustCompile(`token · \S+ · (submitted|delivered)`).MatchString(p.Text) {
					t.Fatalf("search by receipt: %s; want the customer page with the token and its SMS's state:\n%s", p.Path, p.Text)
				}
				tb.visit("customer", chromedp.Reload())

				// A fault reported from the meter's actions shows open on the
				// customer's timeline, and in the queue (of a kind of its own
				// at each screen: a report like one made minutes before is
				// that one).
				kind := map[string]string{"desk": "token_rejected", "phone": "meter"}[sc.name]
				tb.visit("meter actions", chromedp.Click(chromedp.CSS(`a[href="/staff/meters/`+c.Meter+`/manage"]`)))
				p = tb.visit("fault reported",
					chromedp.SetValue(chromedp.ID("f-kind"), kind),
					chromedp.SendKeys(chromedp.ID("f-note"), "the meter shows reject, "+sc.name),
					chromedp.Click(chromedp.CSS(`form[action$="/faults"] button`)))
				if p.Path != customerPage+"?done=fault" || !regexp.MustCompile(kind+` · `+c.Meter+` · open`).MatchString(p.Text) {
					t.Errorf("after reporting a fault: %s; want the customer page with the fault open:\n%s", p.Path, p.Text)
				}
				p = tb.visit("open faults", chromedp.Click(chromedp.CSS(`nav a[href="/staff/faults"]`)))
				if !strings.Contains(p.Text, "the meter shows reject, "+sc.name) {
					t.Errorf("the open faults lack the one reported:\n%s", p.Text)
				}

				tb.visit("decode form", chromedp.Click(chromedp.CSS(`nav a[href="/staff/decode"]`)))
				p = tb.visit("decoded", chromedp.SendKeys(chromedp.ID("token"), tok+kb.Enter))
				if !strings.Contains(p.Text, "Ours: made by us for this meter") || !strings.Contains(p.Text, receipt) {
					t.Errorf("decoding the token:\n%s", p.Text)
				}

				tb.open("customer", customerPage)
				p = tb.visit("re-sent",
					chromedp.SendKeys(chromedp.ID("to-"+c.Meter), "0"+elsewhere[3:]),
					chromedp.SendKeys(chromedp.ID("why-"+c.Meter), "caller lost the phone"+kb.Enter))
				if p.Path != customerPage+"?done=resent" || !strings.Contains(p.Text, "The tokens will be sent again shortly.") {
					t.Errorf("after the re-send: %s:\n%s", p.Path, p.Text)
				}
				a.WaitSMS(elsewhere, tok)

				p = tb.visit("operations", chromedp.Click(chromedp.CSS(`nav a[href="/staff/ops"]`)))
				if p.H1 != "Operations now" || !strings.Contains(p.Text, "in the last hour") || !regexp.MustCompile(`\bapplied\s+\d`).MatchString(p.Text) {
					t.Errorf("operations page: %q; want the vends of the last hour, and payments by state:\n%s", p.H1, p.Text)
				}
				tb.visit("suspense", chromedp.Click(chromedp.CSS(`nav a[href="/staff/suspense"]`)))
				if p := tb.open("meter", "/staff/meters/"+c.Meter); p.Path != customerPage {
					t.Errorf("the meter's page: at %s; want its customer's, %s", p.Path, customerPage)
				}

				// Signed out, the page before is not shown again: not by the
				// back button, nor by a reload.
				p = tb.load("signed out", chromedp.Click(chromedp.CSS(`header form[action="/staff/signout"] button`)))
				if p.Path != "/staff/signin" {
					t.Errorf("after signing out: at %s", p.Path)
				}
				for _, step := range []struct {
					name string
					act  chromedp.Action[chromedp.Void]
				}{{"back after sign-out", chromedp.NavigateBack()}, {"reload after sign-out", chromedp.Reload()}} {
					p = tb.load(step.name, step.act)
					if !strings.HasPrefix(p.Path, "/staff/signin") || strings.Contains(p.Text, tok) || strings.Contains(p.Text, c.Phone) {
						t.Errorf("%s: at %s; want the sign-in page:\n%s", step.name, p.Path, p.Text)
					}
				}
			})
			if customerPage == "" {
				t.FailNow()
			}

			t.Run("finance", func(t *testing.T) {
				tb := enrol(t, ctx, a, sc.Screen, "fin-"+sc.name, staff.RoleFinance)
				tb.visit("reconciliation", chromedp.Click(chromedp.CSS(`nav a[href="/staff/reconcile"]`)))
				// A statement that spans the care test's payment without
				// listing it, chosen from disk and sent by the form.
				at := a.PaidRow(receipt).At
				file := filepath.Join(t.TempDir(), "statement-"+sc.name+".csv")
				rows := append(transfers(at.Add(-time.Minute), 1), transfers(at.Add(time.Minute), 1)...)
				if err := os.WriteFile(file, []byte(a.Statement(rows...)), 0o600); err != nil {
					t.Fatal(err)
				}
				p := tb.load("statement imported", chromedp.SetUploadFiles(chromedp.CSS(`#statement`), []string{file}),
					chromedp.Click(chromedp.CSS(`main form[enctype] button`)))
				if p.H1 != "Statement import" || !strings.Contains(p.Text, "Imported and reconciled.") {
					t.Errorf("after the upload: %q:\n%s", p.H1, p.Text)
				}
				tb.load("back to reconciliation", chromedp.Click(chromedp.CSS(`main a[href="/staff/reconcile"]`)))
				p = tb.visit("open exceptions", chromedp.Click(chromedp.CSS(`main a[href="/staff/reconcile/exceptions"]`)))
				if !strings.Contains(p.Text, receipt) || !strings.Contains(p.Text, "Missing in M-Pesa") {
					t.Errorf("the open exceptions lack the payment M-Pesa's statement does not list:\n%s", p.Text)
				}
				tb.visit("exception", chromedp.Click(chromedp.CSS(`main td a`)))
				tb.visit("days", chromedp.Click(chromedp.CSS(`main a[href^="/staff/reconcile/days"]`)))
				tb.visit("reports", chromedp.Click(chromedp.CSS(`nav a[href="/staff/reports"]`)))
				for _, r := range report.All {
					p := tb.open("report "+r.ID, "/staff/reports/"+r.ID)
					if !strings.Contains(p.Text, "Download the table (CSV)") {
						t.Errorf("report %s:\n%s", r.ID, p.Text)
					}
					// A chart is as wide as its box, which stops at 32rem.
					if w, _ := strconv.Atoi(tb.Eval(`String(Math.round(document.querySelector('.chart svg').getBoundingClientRect().width))`)); w < 300 || w > 512 {
						t.Errorf("report %s: a chart %d px wide; want 300 to 512", r.ID, w)
					}
				}
				tb.visit("revenue", chromedp.Navigate(a.URL()+"/staff/reports/revenue"))
			})

			t.Run("auditor", func(t *testing.T) {
				tb := enrol(t, ctx, a, sc.Screen, "aud-"+sc.name, staff.RoleAuditor)
				p := tb.visit("customer (auditor)", chromedp.Navigate(a.URL()+customerPage))
				if !strings.Contains(p.Text, receipt) {
					t.Errorf("the auditor does not see the payment:\n%s", p.Text)
				}
				noPhone(t, tb, "the customer page", c.Phone, elsewhere)
				p = tb.visit("audit log", chromedp.Click(chromedp.CSS(`nav a[href="/staff/audit"]`)))
				if !strings.Contains(p.Text, "staff:care-"+sc.name) {
					t.Errorf("the audit log lacks care's actions:\n%s", p.Text)
				}
				noPhone(t, tb, "the audit log", c.Phone, elsewhere)
				for _, path := range []string{"/staff/reconcile", "/staff/reconcile/exceptions?state=", "/staff/reports/revenue", "/staff/reports/messages"} {
					tb.open(path, path)
					noPhone(t, tb, path, c.Phone, elsewhere)
				}
			})

			t.Run("admin", func(t *testing.T) {
				tb := enrol(t, ctx, a, sc.Screen, "admin-"+sc.name, staff.RoleAdmin)
				p := tb.visit("staff accounts", chromedp.Click(chromedp.CSS(`nav a[href="/staff/users"]`)))
				if !strings.Contains(p.Text, "care-"+sc.name) {
					t.Errorf("the staff page lacks care-%s:\n%s", sc.name, p.Text)
				}
				operatorPages(t, tb, c, sc.name)
			})

			t.Run("signed out", func(t *testing.T) {
				tb := newTab(t, ctx, a, sc.Screen)
				for _, r := range (&console.Handler{}).Table() {
					if r.Open || r.Method != "GET" {
						continue
					}
					path := fill(r.Pattern)
					if p := tb.open("signed out "+r.Pattern, path); !strings.HasPrefix(p.Path, "/staff/signin?next=") || p.H1 != "Sign in" {
						t.Errorf("%s signed out: %q at %s; want the sign-in page", path, p.H1, p.Path)
					}
				}
			})
		})
	}
}

// operatorPages walks an admin through the operator's set-up: the tariffs,
// one tariff's figures, a quote; a tariff file checked then imported (each
// screen's file with a version of its own date); the form that registers a
// meter, and a meter's actions with every form.
func operatorPages(t *testing.T, tb tab, c app.DemoCustomer, screen string) {
	t.Helper()
	tb.visit("tariffs", chromedp.Click(chromedp.CSS(`nav a[href="/staff/tariffs"]`)))
	tb.visit("tariff", chromedp.Click(chromedp.CSS(`a[href="/staff/tariffs/`+app.SampleTariffID+`"]`)))
	tb.visit("quote form", chromedp.Click(chromedp.CSS(`main a[href^="/staff/quote"]`)))
	p := tb.visit("quote", chromedp.SendKeys(chromedp.ID("amount"), "500"+kb.Enter))
	if !strings.Contains(p.Text, "Token Amt") || !strings.Contains(p.Text, "291.22") {
		t.Errorf("the quote of KES 500 lacks its receipt lines:\n%s", p.Text)
	}

	date := map[string]string{"desk": "2099-07-01", "phone": "2098-07-01"}[screen]
	file := filepath.Join(t.TempDir(), "next.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(nextVersion, "2099-07-01", date, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tb.open("tariffs", "/staff/tariffs")
	p = tb.load("tariff file checked",
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.SendKeys(chromedp.ID("tariff-id"), app.SampleTariffID),
		chromedp.Click(chromedp.CSS(`form[action="/staff/tariffs/preview"] button`)))
	if !strings.Contains(p.Text, "What customers get from "+date) || !strings.Contains(p.Text, "Units (kWh)") {
		t.Errorf("the dry run of a tariff file:\n%s", p.Text)
	}
	p = tb.visit("tariff imported", chromedp.Click(chromedp.CSS(`form[action="/staff/tariffs/import"] button`)))
	if p.Path != "/staff/tariffs/"+app.SampleTariffID+"?done=imported" || !strings.Contains(p.Text, "Version from "+date) {
		t.Errorf("after the import: %s:\n%s", p.Path, p.Text)
	}

	tb.visit("register a meter", chromedp.Click(chromedp.CSS(`nav a[href="/staff/meters/new"]`)))
	p = tb.visit("meter actions (admin)", chromedp.Navigate(tb.Base+"/staff/meters/"+c.Meter+"/manage"))
	for _, form := range []string{"edit", "deactivate", "faults", "move", "keychange", "swap"} {
		if !strings.Contains(tb.Eval(`[...document.forms].map(f => f.getAttribute('action')).join(' ')`), "/"+form) {
			t.Errorf("the admin's meter page lacks the %s form", form)
		}
	}
}
