package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/store"
)

// A purchase amount whose cents do not fit an int64 is refused with a 400
// naming it, on the staff route and the customer app's alike, and nothing
// is pushed to M-Pesa or stored: 4611686018427388004 shillings, multiplied
// unchecked, came to KES 100.
func TestPurchaseAmountBounds(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		john := app.DemoCustomers[0]
		if status, reply := a.Do("POST", "/api/v1/login/otp", "", map[string]any{"phone": john.Phone}); status != http.StatusAccepted {
			t.Fatalf("login code: %d %s", status, reply)
		}
		var session struct {
			Token string `json:"token"`
		}
		a.JSON("POST", "/api/v1/login/verify", "", map[string]any{"phone": john.Phone, "code": waitCode(t, a, john.Phone, map[string]bool{})},
			http.StatusOK, &session)
		care := a.Key("care")

		for _, tc := range []struct {
			amount string // as written in the JSON body
			say    string // in the error message
		}{
			{"4611686018427388004", "amount 4611686018427388004: too large"},
			{"4611686018427387904", "amount 4611686018427387904: too large"}, // 2^62
			{"92233720368547759", "amount 92233720368547759: too large"},     // MaxInt64/100 + 1
			{"9223372036854775807", "amount 9223372036854775807: too large"}, // MaxInt64
			{"-9223372036854775808", "amount -9223372036854775808"},          // MinInt64
			{"9223372036854775808", "amount"},                                // 2^63: no int64 at all
			{"1e30", "amount"},
			{"0", "amount 0"},
			{"-500", "amount -500"},
		} {
			for _, call := range []struct{ path, key, body string }{
				{"/api/v1/purchases", care, fmt.Sprintf(`{"meter": %q, "phone": %q, "amount": %s}`, john.Meter, john.Phone, tc.amount)},
				{"/api/v1/me/purchases", session.Token, fmt.Sprintf(`{"meter": %q, "amount": %s}`, john.Meter, tc.amount)},
			} {
				status, reply := a.Do("POST", call.path, call.key, call.body)
				if status != http.StatusBadRequest || !strings.Contains(string(reply), tc.say) {
					t.Errorf("POST %s with amount %s: %d %s; want 400 saying %q", call.path, tc.amount, status, reply, tc.say)
				}
			}
		}
		if txs := a.Sim.Transactions(); len(txs) != 0 {
			t.Errorf("M-Pesa got %d requests, want none: %+v", len(txs), txs)
		}
		if n := a.Count(`SELECT count(*) FROM stk_requests`) + a.Count(`SELECT count(*) FROM payments`); n != 0 {
			t.Errorf("%d STK requests and payments stored, want none", n)
		}
	})
}
