package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/app/proxytest"
	"github.com/mteja/mteja/internal/store"
)

// Through the proxy the app knows it is served over https: its answers
// carry Strict-Transport-Security, and a customer who logs in gets the
// session in a Secure __Host- cookie, which their browser sends back.
// Straight to the app over http there is no HSTS, whatever a client says.
func TestProxyHTTPS(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a, px := behindProxy(t, apptest.Options{Dialect: d, TrustedProxies: proxyOnly})
		phone := registerPhones(t, a, 1)[0]

		browser := px.Client("127.0.0.8")
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser.Jar = jar
		// A browser without Sec-Fetch-Site sends its Origin on a form; the
		// portal compares it with the Host the proxy passes on.
		origin := http.Header{"Origin": {px.URL}}
		visit := func(method, path string, form url.Values) *http.Response {
			t.Helper()
			var body any
			if form != nil {
				body = form
			}
			resp := send(t, browser, method, px.URL+path, body, origin)
			if resp.Header.Get("Strict-Transport-Security") == "" {
				t.Errorf("%s %s through the proxy: no Strict-Transport-Security", method, path)
			}
			return resp
		}

		if resp := visit(http.MethodPost, "/login", url.Values{"phone": {phone}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("ask a code: %d, want 303", resp.StatusCode)
		}
		code := regexp.MustCompile(`\b\d{6}\b`).FindString(a.WaitSMS(phone, "login code").Text)
		resp := visit(http.MethodPost, "/login/code", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("type the code: %d, want 303", resp.StatusCode)
		}
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "__Host-mteja_session" {
				session = c
			}
		}
		if session == nil || session.Value == "" || !session.Secure || !session.HttpOnly || session.Path != "/" || session.Domain != "" {
			t.Fatalf("session cookie %v, want __Host-mteja_session: Secure, HttpOnly, Path=/, no Domain (Set-Cookie %q)", session, resp.Header.Values("Set-Cookie"))
		}
		if resp := visit(http.MethodGet, "/meters", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("my meters with the session: %d, want 200", resp.StatusCode)
		}

		for _, tc := range []struct {
			name   string
			client *http.Client
			url    string
			claim  http.Header // what the client writes itself
			hsts   bool
		}{
			{"through the proxy, client says http", px.Client("127.0.0.8"), px.URL, http.Header{"X-Forwarded-Proto": {"http"}}, true},
			{"straight to the app", proxytest.Direct(t, "127.0.0.8"), a.URL(), nil, false},
			{"straight to the app, client says https", proxytest.Direct(t, "127.0.0.8"), a.URL(), http.Header{"X-Forwarded-Proto": {"https"}}, false},
			{"straight from the proxy's address", proxytest.Direct(t, "127.0.0.1"), a.URL(), nil, false},
		} {
			resp := send(t, tc.client, http.MethodGet, tc.url+"/login", nil, tc.claim)
			h := resp.Header
			if resp.StatusCode != http.StatusOK || (h.Get("Strict-Transport-Security") != "") != tc.hsts {
				t.Errorf("%s: %d, Strict-Transport-Security %q; want 200, HSTS %v", tc.name, resp.StatusCode, h.Get("Strict-Transport-Security"), tc.hsts)
			}
			if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("%s: X-Frame-Options %q, X-Content-Type-Options %q, Referrer-Policy %q", tc.name,
					h.Get("X-Frame-Options"), h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
		}
	})
}
