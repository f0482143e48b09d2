package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// Token digits reach the roles that hand tokens to customers, and never
// finance, on every staff route that shows a vend; the payment routes
// finance uses show them to nobody. The token's kind and TID stay, for
// reconciling.
func TestTokenDigitsByRole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		owner := app.DemoCustomers[0]
		receipt := a.PayBill(owner.Phone, owner.Meter, 500)
		a.WaitPayment(receipt, payment.Applied)
		v := a.VendOf(receipt)
		tok := v.Tokens[0]
		hasDigits := func(body []byte) bool {
			return bytes.Contains(body, []byte(tok.Digits)) || bytes.Contains(body, []byte(tok.Grouped()))
		}

		for _, tc := range []struct {
			role string
			sees bool
		}{
			{staff.RoleIntegration, true},
			{staff.RoleAgent, true},
			{staff.RoleCare, true},
			{staff.RoleFinance, false},
			{staff.RoleAdmin, true},
		} {
			key := a.Admin
			if tc.role != staff.RoleAdmin {
				key = a.Key(tc.role)
			}
			for _, path := range []string{"/api/v1/meters/" + owner.Meter + "/vends", "/api/v1/vends/" + v.ID} {
				status, body := a.Do("GET", path, key, nil)
				if status != http.StatusOK {
					t.Errorf("%s GET %s: %d %s", tc.role, path, status, body)
					continue
				}
				if hasDigits(body) != tc.sees {
					t.Errorf("%s GET %s: token digits shown: %v, want %v: %s", tc.role, path, hasDigits(body), tc.sees, body)
				}
				if !bytes.Contains(body, []byte(`"kind":"credit"`)) || !bytes.Contains(body, []byte(`"tid":`)) {
					t.Errorf("%s GET %s: the token's kind or TID is missing: %s", tc.role, path, body)
				}
			}
		}
		finance := a.Key(staff.RoleFinance)
		for _, path := range []string{"/api/v1/payments", "/api/v1/payments/" + receipt, "/api/v1/suspense"} {
			status, body := a.Do("GET", path, finance, nil)
			if status != http.StatusOK || hasDigits(body) {
				t.Errorf("finance GET %s: %d, token digits shown: %v: %s", path, status, hasDigits(body), body)
			}
		}
	})
}
