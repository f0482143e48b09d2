package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/app/proxytest"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
)

// These tests run the app behind nginx, which terminates TLS as
// deploy/nginx.conf recommends and connects to the app from 127.0.0.1. The
// app trusts exactly that address; the tests' clients connect from
// 127.0.0.2 and up, to the proxy or, past it, to the app.
var proxyOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// behindProxy starts an app with o behind nginx, at the proxy's https URL.
// When the test ends, the proxy's access log must hold none of the app's
// callback secrets, whatever the test sent.
func behindProxy(t *testing.T, o apptest.Options) (*apptest.App, *proxytest.Proxy) {
	t.Helper()
	px := proxytest.New(t)
	o.PublicURL, o.NoStart = px.URL, true
	a := apptest.Start(t, o)
	// Cleanups run last first: this one after the proxy has stopped, when
	// its log holds every request.
	t.Cleanup(func() { logHidesSecrets(t, a, px) })
	px.Start(a.Addr())
	// The demo's Daraja client calls the simulator in the app at the
	// public URL, through the proxy, as soon as the app starts.
	a.Daraja.HTTP = px.Client("127.0.0.1")
	a.StartNow()
	return a, px
}

// logHidesSecrets fails the test if the proxy's access log holds one of
// the app's callback secrets.
func logHidesSecrets(t *testing.T, a *apptest.App, px *proxytest.Proxy) {
	t.Helper()
	log := px.Log()
	secrets := map[string]string{"daraja": a.Config.DarajaSecret, "ussd": a.Config.USSDSecret, "sms": a.Config.SMSSecret}
	for _, g := range app.Gateways {
		if s := secrets[g.Name]; s == "" || strings.Contains(log, s) {
			t.Errorf("the proxy's access log holds the %s secret (or it is empty)", g.Name)
		}
	}
}

// registerPhones gives n new customers a phone each and returns the
// numbers, so that each login code asked for is really sent.
func registerPhones(t *testing.T, a *apptest.App, n int) []string {
	t.Helper()
	var phones []string
	err := a.DB.InTx(t.Context(), func(tx *store.Tx) error {
		phones = phones[:0]
		for i := range n {
			p := fmt.Sprintf("2547119%05d", i)
			if err := customer.Create(tx, &customer.Customer{Name: fmt.Sprintf("Proxy %d", i), Phones: []string{p}}); err != nil {
				return err
			}
			phones = append(phones, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("register phones: %v", err)
	}
	return phones
}

// send makes a request with c and returns the answer, its body read and
// closed. body is sent as a form when it is url.Values, as JSON when it is
// []byte; header is added (what a client forges, say).
func send(t *testing.T, c *http.Client, method, target string, body any, header http.Header) *http.Response {
	t.Helper()
	var r io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		r, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case []byte:
		r, contentType = bytes.NewReader(b), "application/json"
	default:
		t.Fatalf("send: body of type %T", body)
	}
	req, err := http.NewRequest(method, target, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, peer.RedactPath(req.URL.Path), err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// askCode posts the portal's login form for phone and returns the status:
// 303 to the code form when a code was sent, 429 when a limit refused it.
func askCode(t *testing.T, c *http.Client, base, phone string, header http.Header) int {
	t.Helper()
	resp := send(t, c, http.MethodPost, base+"/login", url.Values{"phone": {phone}}, header)
	if resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/login/code") {
		t.Fatalf("ask a code for %s: sent to %s, want the code form", phone, resp.Header.Get("Location"))
	}
	return resp.StatusCode
}

// buckets counts the login requests recorded per client address.
func buckets(t *testing.T, a *apptest.App) map[string]int {
	t.Helper()
	rows, err := a.DB.Read().QueryContext(t.Context(), `SELECT bucket, count(*) FROM quota_hits WHERE bucket LIKE 'login.address:%' GROUP BY bucket`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var b string
		var n int
		if err := rows.Scan(&b, &n); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(b, "login.address:")] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ipPerHour is the portal's limit of login codes asked for from one client
// address in an hour.
const ipPerHour = 20

// Behind the proxy each customer is counted as themselves: 25 customers
// at 25 addresses all get their code, although the proxy alone would have
// used up the limit of 20 per address. One address still gets 20 and no
// more.
func TestProxyLoginLimitPerClient(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a, px := behindProxy(t, apptest.Options{Dialect: d, TrustedProxies: proxyOnly})
		phones := registerPhones(t, a, 25+ipPerHour+1)

		for i, phone := range phones[:25] {
			from := fmt.Sprintf("127.0.0.%d", 2+i)
			if status := askCode(t, px.Client(from), px.URL, phone, nil); status != http.StatusSeeOther {
				t.Fatalf("code %d, from %s: %d, want 303 to the code form", i+1, from, status)
			}
		}
		got := buckets(t, a)
		if len(got) != 25 || got["127.0.0.1"] != 0 || got["127.0.0.2"] != 1 || got["127.0.0.26"] != 1 {
			t.Errorf("login requests per address %v, want one at each of 127.0.0.2 to 127.0.0.26", got)
		}
		if n := a.Count(`SELECT count(*) FROM login_codes`); n != 25 {
			t.Errorf("%d login codes stored, want 25", n)
		}

		one := px.Client("127.0.0.30")
		for i, phone := range phones[25:] {
			want := http.StatusSeeOther
			if i == ipPerHour {
				want = http.StatusTooManyRequests
			}
			if status := askCode(t, one, px.URL, phone, nil); status != want {
				t.Fatalf("code %d from 127.0.0.30: %d, want %d", i+1, status, want)
			}
		}
	})
}

// A client cannot choose its own address by writing X-Forwarded-For:
// through the proxy, which appends the real one, or past it, where the
// header is not believed. Each request below names another address, and
// the 21st is refused all the same.
func TestProxyForgedForwardedFor(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a, px := behindProxy(t, apptest.Options{Dialect: d, TrustedProxies: proxyOnly})
		phones := registerPhones(t, a, 2*(ipPerHour+1))
		for i, tc := range []struct {
			name, from, base string
			c                *http.Client
		}{
			{"through the proxy", "127.0.0.40", px.URL, px.Client("127.0.0.40")},
			{"past the proxy", "127.0.0.50", a.URL(), proxytest.Direct(t, "127.0.0.50")},
		} {
			for j, phone := range phones[i*(ipPerHour+1) : (i+1)*(ipPerHour+1)] {
				forged := http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", j+1)}}
				want := http.StatusSeeOther
				if j == ipPerHour {
					want = http.StatusTooManyRequests
				}
				if status := askCode(t, tc.c, tc.base, phone, forged); status != want {
					t.Fatalf("%s, code %d from %s claiming %s: %d, want %d", tc.name, j+1, tc.from, forged.Get("X-Forwarded-For"), status, want)
				}
			}
		}
		if got := buckets(t, a); len(got) != 2 || got["127.0.0.40"] != ipPerHour || got["127.0.0.50"] != ipPerHour {
			t.Errorf("login requests per address %v, want %d at each of 127.0.0.40 and 127.0.0.50 and none elsewhere", got, ipPerHour)
		}
	})
}

// The control: an app that does not trust its proxy counts every customer
// behind it as the proxy, so the 21st customer is refused. (Were this to
// pass with trusted proxies set, the tests above would prove nothing.)
func TestProxyUntrustedIsOneClient(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a, px := behindProxy(t, apptest.Options{Dialect: d})
		phones := registerPhones(t, a, ipPerHour+1)
		for i, phone := range phones {
			want := http.StatusSeeOther
			if i == ipPerHour {
				want = http.StatusTooManyRequests
			}
			from := fmt.Sprintf("127.0.0.%d", 2+i)
			if status := askCode(t, px.Client(from), px.URL, phone, nil); status != want {
				t.Fatalf("code %d, from %s: %d, want %d", i+1, from, status, want)
			}
		}
		if got := buckets(t, a); len(got) != 1 || got["127.0.0.1"] != ipPerHour {
			t.Errorf("login requests per address %v, want all %d at the proxy's 127.0.0.1", got, ipPerHour)
		}
	})
}
