package app_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/app/proxytest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
)

// Behind the proxy the Daraja allow-list admits the client the proxy
// names: with only 127.0.0.5 allowed, a confirmation from it is stored,
// and one from anywhere else, the proxy included, gets the 404 of a path
// that does not exist and stores nothing, whatever it claims.
func TestProxyDarajaAllowList(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		allow := peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.5/32")}}
		a, px := behindProxy(t, apptest.Options{Dialect: d, TrustedProxies: proxyOnly, DarajaAllow: allow})
		c := app.DemoCustomers[0]
		direct := a.URL() + "/daraja/" + a.Config.DarajaSecret + "/c2b/confirmation"
		claim5 := http.Header{"X-Forwarded-For": {"127.0.0.5"}}
		for _, tc := range []struct {
			name   string
			client *http.Client
			url    string
			claim  http.Header // what the client writes itself
			want   int
		}{
			{"allowed client through the proxy", px.Client("127.0.0.5"), a.CallbackURL("c2b/confirmation"), nil, http.StatusOK},
			{"other client through the proxy", px.Client("127.0.0.6"), a.CallbackURL("c2b/confirmation"), nil, http.StatusNotFound},
			{"other client through the proxy, claiming the allowed one", px.Client("127.0.0.6"), a.CallbackURL("c2b/confirmation"), claim5, http.StatusNotFound},
			{"the proxy's own address", px.Client("127.0.0.1"), a.CallbackURL("c2b/confirmation"), nil, http.StatusNotFound},
			{"allowed client past the proxy", proxytest.Direct(t, "127.0.0.5"), direct, nil, http.StatusOK},
			{"other client past the proxy, claiming the allowed one", proxytest.Direct(t, "127.0.0.6"), direct, claim5, http.StatusNotFound},
		} {
			receipt := apptest.NewReceipt()
			body := a.C2B(receipt, c.Meter, c.Phone, money.MustFromMajor(500))
			if status := send(t, tc.client, http.MethodPost, tc.url, body, tc.claim).StatusCode; status != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, status, tc.want)
			}
			if _, stored := a.Payment(receipt); stored != (tc.want == http.StatusOK) {
				t.Errorf("%s: payment stored %v", tc.name, stored)
			}
		}
	})
}

// The proxy's access log, in the format deploy/nginx.conf recommends,
// names every gateway callback as the app's own logs do (peer.RedactPath),
// and holds none of the secrets.
func TestProxyAccessLogHidesSecrets(t *testing.T) {
	a, px := behindProxy(t, apptest.Options{TrustedProxies: proxyOnly})
	c := app.DemoCustomers[0]
	client := px.Client("127.0.0.9")
	for _, cb := range a.Callbacks() {
		body := []byte("{}") // refused by each, but logged all the same
		if cb.Name == "C2B confirmation" {
			body = a.C2B(apptest.NewReceipt(), c.Meter, c.Phone, money.MustFromMajor(500))
		}
		send(t, client, http.MethodPost, cb.URL, body, nil)
	}
	px.Stop()
	log := px.Log()
	for _, cb := range a.Callbacks() {
		u, err := url.Parse(cb.URL)
		if err != nil {
			t.Fatal(err)
		}
		if want := `"POST ` + peer.RedactPath(u.Path) + ` HTTP/1.1"`; !strings.Contains(log, want) {
			t.Errorf("%s %s: no line with %s", cb.Gateway, cb.Name, want)
		}
	}
	logHidesSecrets(t, a, px)
	if t.Failed() {
		t.Logf("access log:\n%s", log)
	}
}
