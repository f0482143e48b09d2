package hotspot_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/hotspot"
	"github.com/mteja/mteja/internal/store"
)

// maxPage is the most a captive page may weigh on the wire, its style and
// headers included: it is the whole page, in one request.
const maxPage = 30 * 1024

// router is the demo router's variables as a MikroTik router sends them,
// with its login URL on this machine (the demo allows 127.0.0.1).
func router(a *apptest.App) url.Values {
	return url.Values{"link-login-only": {a.URL() + app.DemoHotspotPath + "/login"}, "link-orig": {"http://example.com/"},
		"mac": {"AA:BB:CC:DD:EE:03"}, "ip": {"10.5.50.3"}, "chap-id": {`\042`}, "chap-challenge": {`\001\002\003\004`}}
}

type client struct {
	t    *testing.T
	a    *apptest.App
	http *http.Client
}

type response struct {
	status int
	url    string
	body   string
	header http.Header
	wire   int
}

func newClient(t *testing.T, a *apptest.App) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, a: a, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.a.URL()+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var hdr strings.Builder
	resp.Header.Write(&hdr)
	return response{status: resp.StatusCode, url: resp.Header.Get("Location"), body: string(b), header: resp.Header,
		wire: len(resp.Proto) + 1 + len(resp.Status) + 2 + hdr.Len() + 2 + len(b)}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

var actionRE = regexp.MustCompile(`action="([^"]*)"`)

// TestCaptiveRefusesOtherLogins: a login URL that is not an allowed
// router's is refused on every route, with a page that has no form to it
// and a policy that lets no form post there: the page is no open redirect
// and posts credentials nowhere else.
func TestCaptiveRefusesOtherLogins(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	c := newClient(t, a)
	for _, login := range []string{"https://evil.example/login", "http://127.0.0.1@evil.example/login", "http://127.0.0.2/login",
		"javascript:alert(document.cookie)", "//evil.example/login", ""} {
		v := with(router(a), "link-login-only", login, "phone", "0712345678", "plan", "hotspot-day", "code", "123412341234")
		for _, r := range []response{
			c.do("GET", "/hotspot/?"+v.Encode(), nil),
			c.do("POST", "/hotspot/buy", v),
			c.do("POST", "/hotspot/voucher", v),
			c.do("GET", "/hotspot/wait?"+v.Encode(), nil),
		} {
			if r.status != http.StatusBadRequest || r.url != "" {
				t.Errorf("login URL %q: %d, Location %q; want 400 and no redirect", login, r.status, r.url)
			}
			if m := actionRE.FindAllStringSubmatch(r.body, -1); len(m) > 0 {
				t.Errorf("login URL %q: a page with forms %v", login, m)
			}
			if csp := r.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "form-action 'self'") || strings.Contains(csp, "evil") {
				t.Errorf("login URL %q: policy %q", login, csp)
			}
			if !strings.Contains(r.body, "Open this page from the hotspot") {
				t.Errorf("login URL %q: page without its reason:\n%s", login, r.body)
			}
		}
	}
	// A form over its bound is refused before anything reads it.
	if r := c.do("POST", "/hotspot/voucher", with(router(a), "code", strings.Repeat("1", 20<<10), "lang", "sw")); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, "The form could not be read") {
		t.Errorf("an oversize form: %d:\n%s", r.status, r.body)
	}
	// Without the slash, the page is one redirect away, on this site.
	if r := c.do("GET", "/hotspot?"+router(a).Encode(), nil); r.status != http.StatusMovedPermanently || r.url != "/hotspot/?"+router(a).Encode() {
		t.Errorf("/hotspot: %d to %q", r.status, r.url)
	}
	if n := a.Count(`SELECT count(*) FROM isp_subscribers WHERE username LIKE 'wifi%'`); n != 0 {
		t.Errorf("%d accounts made for refused requests", n)
	}
}

// TestCaptiveWeight: every captive page, in both languages, weighs at most
// 30 KB with its style and headers, and names its language.
func TestCaptiveWeight(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		for _, lang := range []string{"en", "sw"} {
			c := newClient(t, a)
			v := with(router(a), "lang", lang)
			pages := map[string]response{
				"captive":   c.do("GET", "/hotspot/?"+v.Encode(), nil),
				"refused":   c.do("GET", "/hotspot/?link-login-only=https://evil.example/&lang="+lang, nil),
				"bad phone": c.do("POST", "/hotspot/buy", with(v, "phone", "12", "plan", "hotspot-day")),
				"connect":   c.do("POST", "/hotspot/voucher", with(v, "code", "1234 5678 9012")),
			}
			buy := c.do("POST", "/hotspot/buy", with(v, "phone", "0712345678", "plan", "hotspot-day"))
			if buy.status != http.StatusSeeOther || !strings.HasPrefix(buy.url, "/hotspot/wait?") {
				t.Fatalf("buy: %d to %q:\n%s", buy.status, buy.url, buy.body)
			}
			pages["wait"] = c.do("GET", buy.url, nil)
			var done response
			apptest.Eventually(t, "the bundle to be paid and active", func() bool {
				done = c.do("GET", buy.url, nil)
				return strings.Contains(done.body, `name="username"`)
			})
			pages["done"] = done
			for name, p := range pages {
				if p.wire > maxPage {
					t.Errorf("%s (%s): %d bytes on the wire; at most %d", name, lang, p.wire, maxPage)
				}
				if !strings.Contains(p.body, `<html lang="`+lang+`">`) {
					t.Errorf("%s: not in %s", name, lang)
				}
				t.Logf("%s %-9s %5d bytes", lang, name, p.wire)
			}
		}
	})
}

// TestCaptiveLimits: the M-Pesa prompts one phone may be sent from the
// captive page are limited, whoever asks, on either engine.
func TestCaptiveLimits(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		v := with(router(a), "phone", "0712345678", "plan", "hotspot-5min")
		for i := range hotspot.PromptsPerPhone.Max {
			if r := newClient(t, a).do("POST", "/hotspot/buy", v); r.status != http.StatusSeeOther {
				t.Fatalf("prompt %d: %d:\n%s", i+1, r.status, r.body)
			}
		}
		r := newClient(t, a).do("POST", "/hotspot/buy", v)
		if r.status != http.StatusTooManyRequests || strings.Contains(r.body, "wifi") {
			t.Errorf("a prompt over the limit to one phone: %d; want 429", r.status)
		}
		// Another phone is still served.
		if r := newClient(t, a).do("POST", "/hotspot/buy", with(v, "phone", "0722000111")); r.status != http.StatusSeeOther {
			t.Errorf("another phone: %d", r.status)
		}
	})
}
