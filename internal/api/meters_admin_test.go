package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// The meter routes make their change as the API key's holder: the audit
// log names the key's role and name, and the reply shows the meter as it
// now is, its new owner's phones included.
func TestMeterRoutesAudited(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		care := a.Key("care")
		drn := withCheckDigit(t, "0700000011")
		var m struct {
			DRN      string `json:"drn"`
			Status   string `json:"status"`
			Customer struct {
				Phones []string `json:"phones"`
			} `json:"customer"`
			Keys struct {
				KRN int `json:"krn"`
			} `json:"keys"`
			ReplacedBy string `json:"replaced_by"`
		}
		a.JSON(http.MethodPost, "/api/v1/meters", a.Admin, map[string]any{"drn": drn, "sgc": "123456", "tariff": app.SampleTariffID,
			"customer": map[string]any{"name": "Grace Achieng", "phones": []string{"0712000111"}}}, http.StatusCreated, &m)
		if m.DRN != drn || m.Status != "active" || len(m.Customer.Phones) != 1 || m.Customer.Phones[0] != "254712000111" || m.Keys.KRN != 1 {
			t.Errorf("registered = %+v", m)
		}
		a.JSON(http.MethodPost, "/api/v1/meters/"+drn+"/deactivate", care, map[string]any{"reason": "tenant left"}, http.StatusOK, &m)
		if m.Status != "inactive" {
			t.Errorf("deactivated = %+v", m)
		}
		for _, e := range []struct{ actor, action string }{{"admin:test-admin", "meter.register"}, {"care:test-care", "meter.deactivate"}} {
			if n := a.Count(`SELECT count(*) FROM audit_events WHERE subject = $1 AND actor = $2 AND action = $3`, drn, e.actor, e.action); n != 1 {
				t.Errorf("%d audit events %s by %s; want 1", n, e.action, e.actor)
			}
		}
		// Nothing is sold to the inactive meter: M-Pesa's validation is
		// refused, and a confirmation that comes anyway waits in suspense.
		if _, err := a.Sim.PayBill(context.Background(), "254712000111", drn, 30_000); err == nil || !strings.Contains(err.Error(), "rejected by validation") {
			t.Errorf("paybill for the inactive meter: %v; want it refused at validation", err)
		}
		receipt := apptest.NewReceipt()
		a.Callback("c2b/confirmation", a.C2B(receipt, drn, "254712000111", 30_000))
		if p := a.WaitPayment(receipt, payment.Suspense); p.Reason != "meter "+drn+" is inactive" {
			t.Errorf("a confirmation for the inactive meter: %+v", p)
		}
	})
}
