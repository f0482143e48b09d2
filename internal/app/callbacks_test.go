package app_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
)

var callbackPaths = []string{"c2b/validation", "c2b/confirmation", "stk/callback", "status/result", "status/timeout"}

// Every Daraja callback answers a malformed body with a 4xx that says what
// was wrong, never a 500, and stores nothing.
func TestCallbacksRejectMalformedBodies(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		var noTransID map[string]any
		json.Unmarshal(a.C2B(apptest.NewReceipt(), c.Meter, c.Phone, money.MustFromMajor(500)), &noTransID)
		delete(noTransID, "TransID")
		noTransIDBody, _ := json.Marshal(noTransID)
		huge := `{"TransID":"` + strings.Repeat("A", 10<<20) + `"}`

		bodies := []struct{ name, body string }{
			{"empty", ""},
			{"not JSON", "TransID=ABC123DEF4&TransAmount=500"},
			{"truncated JSON", `{"TransID": "ABC123DEF4", "TransAmount": `},
			{"JSON array", `[1, 2, 3]`},
			{"JSON null", `null`},
			{"empty object", `{}`},
			{"C2B without TransID", string(noTransIDBody)},
			{"wrong types", `{"TransID": 12, "TransAmount": {"x": 1}, "Body": "x", "Result": 7}`},
			{"STK without CheckoutRequestID", `{"Body":{"stkCallback":{"MerchantRequestID":"29115-34620561-1","ResultCode":0,"ResultDesc":"ok"}}}`},
			{"result without ids", `{"Result":{"ResultType":0,"ResultCode":0,"ResultDesc":"ok"}}`},
			{"10 MB", huge},
		}
		for _, path := range callbackPaths {
			for _, b := range bodies {
				status, reply, err := a.Post(a.CallbackURL(path), []byte(b.body))
				if err != nil {
					t.Errorf("%s, %s: %v", path, b.name, err)
					continue
				}
				var e struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				json.Unmarshal(reply, &e)
				if status < 400 || status >= 500 || e.Error.Message == "" {
					t.Errorf("%s, %s: %d %.200s; want a 4xx with a reason", path, b.name, status, reply)
				}
			}
		}
		a.Sim.Wait()
		if n := a.Count(`SELECT count(*) FROM payments`); n != 0 {
			t.Errorf("%d payments stored from malformed bodies", n)
		}
	})
}

// The callbacks hide behind the operator's secret: a wrong or missing one
// gets a plain 404, as for a path that does not exist.
func TestCallbacksNeedTheSecret(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	c := app.DemoCustomers[0]
	body := a.C2B(apptest.NewReceipt(), c.Meter, c.Phone, money.MustFromMajor(500))
	for _, path := range callbackPaths {
		for _, secret := range []string{"wrong", strings.ToUpper(a.Config.DarajaSecret), a.Config.DarajaSecret[:len(a.Config.DarajaSecret)-1], "%20"} {
			status, reply, err := a.Post(a.URL()+"/daraja/"+secret+"/"+path, body)
			if err != nil || status != http.StatusNotFound {
				t.Errorf("%s with secret %q: %d %s %v, want 404", path, secret, status, reply, err)
			}
		}
		if status, _, _ := a.Post(a.URL()+"/daraja/"+path, body); status != http.StatusNotFound {
			t.Errorf("%s without a secret: %d, want 404", path, status)
		}
	}
	if n := a.Count(`SELECT count(*) FROM payments`); n != 0 {
		t.Errorf("%d payments stored without the secret", n)
	}
}

// With a source allow-list, callbacks from elsewhere get a 404; from an
// allowed address they work.
func TestCallbacksSourceAllowList(t *testing.T) {
	c := app.DemoCustomers[0]
	for _, tc := range []struct {
		allow string
		want  int
	}{
		{"196.201.214.0/24", http.StatusNotFound}, // Safaricom's, not ours
		{"10.0.0.0/8, 196.201.214.200/32", http.StatusNotFound},
		{"127.0.0.1/32", http.StatusOK},
		{"192.168.0.0/16, 127.0.0.0/8", http.StatusOK},
	} {
		t.Run(tc.allow, func(t *testing.T) {
			var allow peer.AllowList
			for _, s := range strings.Split(tc.allow, ",") {
				allow.Prefixes = append(allow.Prefixes, netip.MustParsePrefix(strings.TrimSpace(s)))
			}
			a := apptest.Start(t, apptest.Options{DarajaAllow: allow})
			receipt := apptest.NewReceipt()
			status, reply := a.Callback("c2b/confirmation", a.C2B(receipt, c.Meter, c.Phone, money.MustFromMajor(500)))
			if status != tc.want {
				t.Fatalf("confirmation from 127.0.0.1 with allow-list %s: %d %s, want %d", tc.allow, status, reply, tc.want)
			}
			_, stored := a.Payment(receipt)
			if stored != (tc.want == http.StatusOK) {
				t.Errorf("payment stored: %v", stored)
			}
		})
	}
}
