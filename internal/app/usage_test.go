package app_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/store"
)

var loginCodeRE = regexp.MustCompile(`(?:code is|ni) (\d{6})\b`)

// portalVisitor logs into the portal as phone and returns a browser (a
// cookie jar) holding the session.
func portalVisitor(t *testing.T, a *apptest.App, phone string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := c.PostForm(a.URL()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	post("/login", url.Values{"phone": {phone}})
	var code string
	apptest.Eventually(t, "a login code", func() bool {
		for _, m := range a.SMSTo(phone) {
			if c := loginCodeRE.FindStringSubmatch(m.Text); c != nil {
				code = c[1]
			}
		}
		return code != ""
	})
	if resp := post("/login/code", url.Values{"code": {code}, "next": {"/meters"}}); resp.Request.URL.Path != "/meters" {
		t.Fatalf("login: at %s, want /meters", resp.Request.URL.Path)
	}
	return c
}

// Each channel counts the functions customers use: a USSD session once
// however often the menus replay it, keywords by what they ask, portal
// pages and API calls that were answered, and not a page that sent the
// visitor to log in, a form shown empty or a call refused.
func TestSelfServiceIsCounted(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]

		// Last tokens, pick the meter; the gateway sends the last request
		// again, and the menus fetch the tokens for each.
		for _, text := range []string{"2", "2*1", "2*1"} {
			if status, _ := ussd(t, a, "/ussd/"+a.Config.USSDSecret, c.Phone, text); status != http.StatusOK {
				t.Fatalf("ussd %s: %d", text, status)
			}
		}
		for _, text := range []string{"TOKEN", "SALIO", "GIBBERISH"} {
			resp, err := a.HTTP.PostForm(a.SMSURL("inbound"), url.Values{"from": {"+" + c.Phone}, "to": {"22384"}, "text": {text}, "id": {text}, "date": {"2026-12-02 10:00:00"}, "linkId": {"x"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}

		if status, _ := a.Do("GET", "/meters", "", nil); status != http.StatusOK {
			t.Fatalf("a visitor not logged in: %d after the redirect to log in", status)
		}
		web := portalVisitor(t, a, c.Phone)
		for _, path := range []string{"/meters/" + c.Meter + "/tokens", "/paid", "/paid?receipt=SKL0000000"} {
			resp, err := web.Get(a.URL() + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}

		a.JSON("GET", "/api/v1/meters/"+c.Meter, a.Key("integration"), nil, http.StatusOK, nil)
		a.JSON("GET", "/api/v1/suspense", a.Key("care"), nil, http.StatusOK, nil)
		if status, _ := a.Do("GET", "/api/v1/suspense", a.Key("integration"), nil); status != http.StatusForbidden {
			t.Errorf("integration key on the suspense list: %d", status)
		}

		if err := a.Usage.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		got, err := store.Strings(context.Background(), a.DB.Read(), `SELECT channel || ' ' || action || ' ' || CAST(uses AS TEXT) FROM usage_daily ORDER BY channel, action`)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"api meters 1", "sms balance 1", "sms tokens 1", "staff suspense 1", "ussd tokens 1", "web meters 1", "web paid 1", "web tokens 1"}
		if !slices.Equal(got, want) {
			t.Errorf("uses counted:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
		}
	})
}
