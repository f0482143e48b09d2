package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/api"
	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// The customer app's routes are checked by their own tests.
func selfService(path string) bool {
	return path == "/api/v1/me" || strings.HasPrefix(path, "/api/v1/me/") || strings.HasPrefix(path, "/api/v1/login/")
}

// operation returns the document's operation for "METHOD /path".
func (d *openAPI) operation(op string) (map[string]any, error) {
	method, path, _ := strings.Cut(op, " ")
	paths, _ := d.root["paths"].(map[string]any)
	item, ok := paths[path].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("path %s is not in the document", path)
	}
	o, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not in the document", op)
	}
	return o, nil
}

// operations lists every "METHOD /path" of the document.
func (d *openAPI) operations() []string {
	var out []string
	paths, _ := d.root["paths"].(map[string]any)
	for p, item := range paths {
		for m := range item.(map[string]any) {
			switch m {
			case "get", "put", "post", "delete", "patch":
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// parameter finds an operation's parameter (or its path item's) by place
// and name.
func (d *openAPI) parameter(op, in, name string) (map[string]any, error) {
	o, err := d.operation(op)
	if err != nil {
		return nil, err
	}
	_, path, _ := strings.Cut(op, " ")
	item := d.root["paths"].(map[string]any)[path].(map[string]any)
	params, _ := o["parameters"].([]any)
	shared, _ := item["parameters"].([]any)
	for _, p := range append(params, shared...) {
		pm, err := d.deref(p.(map[string]any))
		if err != nil {
			return nil, err
		}
		if pm["in"] == in && pm["name"] == name {
			return pm, nil
		}
	}
	return nil, fmt.Errorf("%s: no %s parameter %q in the document", op, in, name)
}

// call is one request of the contract walk.
type call struct {
	op     string            // "GET /api/v1/meters/{drn}", as in the document
	params map[string]string // path parameters
	query  string            // raw query, "limit=2"
	key    string            // API key, "" for none
	body   any               // nil: no body; []byte or string: as is; else JSON
	want   int
	// bad marks input the document itself forbids (a missing required
	// property, a limit out of range): it is not checked against the
	// document before it is sent.
	bad bool
}

func (c call) String() string {
	s := c.op
	if c.query != "" {
		s += "?" + c.query
	}
	return fmt.Sprintf("%s %v", s, c.params)
}

// The API keeps its OpenAPI document true: every operation, called with
// valid input, answers with a status the document declares and a body that
// its schema for that status accepts; so do the error answers tried. Every
// operation is called at least once with success. Runs on each database.
func TestContract(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		doc := loadDoc(t)
		a := apptest.Start(t, apptest.Options{Dialect: d})
		owner, second, third := app.DemoCustomers[0], app.DemoCustomers[1], app.DemoCustomers[2]
		keys := map[string]string{"admin": a.Admin}
		for _, r := range []string{"integration", "agent", "care", "finance"} {
			keys[r] = a.Key(r)
		}

		// Something to look at: a vend, and two payments in suspense.
		receipt := a.PayBill(owner.Phone, owner.Meter, 500)
		a.WaitPayment(receipt, payment.Applied)
		v := a.VendOf(receipt)
		var suspended []string
		for range 2 {
			r := apptest.NewReceipt()
			a.Callback("c2b/confirmation", a.C2B(r, "NO-SUCH-METER", owner.Phone, 50000))
			suspended = append(suspended, a.WaitPayment(r, payment.Suspense).ID)
		}
		// The walk's STK push is cancelled, so it leaves nothing to vend.
		a.Sim.SetPhoneBehaviour(owner.Phone, mpesa.CustomerCancels)
		// A statement that disagrees on the vended payment's amount, for an
		// exception to act on; and another to import in the walk.
		stmt := func(rows ...string) string {
			return "Receipt No.,Completion Time,Paid In,Reason Type,A/C No.\n" + strings.Join(rows, "\n") + "\n"
		}
		row := func(receipt, paid, account string) string {
			return receipt + "," + time.Now().In(mpesa.EAT).Format("2006-01-02 15:04:05") + "," + paid + ",Pay Bill," + account
		}
		var imported struct {
			Exceptions []struct{ ID, Receipt string } `json:"exceptions"`
		}
		a.JSON("POST", "/api/v1/reconcile/statements", keys["finance"], map[string]string{"csv": stmt(row(receipt, "600.00", owner.Meter))}, 200, &imported)
		exc := map[string]string{}
		for _, e := range imported.Exceptions {
			if e.Receipt == receipt {
				exc["id"] = e.ID
			}
		}
		if exc["id"] == "" {
			t.Fatalf("the statement's exceptions: %+v; want one about %s", imported.Exceptions, receipt)
		}
		walkCSV := stmt(row(apptest.NewReceipt(), "1,000.00", "no such meter"))
		today := time.Now().In(mpesa.EAT).Format(time.DateOnly)

		drn := map[string]string{"drn": owner.Meter}
		fresh, replacement := withCheckDigit(t, "0700000001"), withCheckDigit(t, "0700000002")
		freshDRN := map[string]string{"drn": fresh}
		calls := []call{
			{op: "GET /api/v1/meters/{drn}", params: drn, key: keys["integration"], want: 200},
			{op: "GET /api/v1/meters/{drn}", params: map[string]string{"drn": "545-0032-0905"}, key: keys["care"], want: 200},
			{op: "GET /api/v1/meters/{drn}", params: map[string]string{"drn": "12345678903"}, key: keys["agent"], want: 404},
			{op: "GET /api/v1/meters/{drn}", params: drn, want: 401},
			{op: "GET /api/v1/meters/{drn}", params: drn, key: "mtk_thisisnotakeythisisnotakey", want: 401},

			{op: "GET /api/v1/meters/{drn}/vends", params: drn, key: keys["integration"], want: 200},
			{op: "GET /api/v1/meters/{drn}/vends", params: drn, query: "limit=1", key: keys["agent"], want: 200},
			{op: "GET /api/v1/meters/{drn}/vends", params: map[string]string{"drn": third.Meter}, key: keys["finance"], want: 200},
			{op: "GET /api/v1/meters/{drn}/vends", params: drn, key: keys["finance"], want: 200}, // without token digits
			{op: "GET /api/v1/meters/{drn}/vends", params: drn, query: "limit=0", key: keys["care"], want: 400, bad: true},
			{op: "GET /api/v1/meters/{drn}/vends", params: drn, query: "limit=many", key: keys["care"], want: 400, bad: true},
			{op: "GET /api/v1/meters/{drn}/vends", params: map[string]string{"drn": "12345678903"}, key: keys["care"], want: 404},
			{op: "GET /api/v1/meters/{drn}/vends", params: drn, want: 401},

			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], want: 202},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["integration"], body: map[string]any{"phone": "0708374149", "count": 2}, want: 202},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["agent"], body: map[string]any{}, want: 202},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], body: map[string]any{"phone": "0799000111", "reason": "lost phone", "count": 1}, want: 202},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], body: map[string]any{"phone": "0799000111"}, want: 400},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["integration"], body: map[string]any{"phone": "0799000111"}, want: 403},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], body: map[string]any{"count": 9}, want: 400, bad: true},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], body: map[string]any{"phone": "not a phone"}, want: 400},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], body: map[string]any{"colour": "red"}, want: 400, bad: true},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["care"], body: "{not json", want: 400, bad: true},
			{op: "POST /api/v1/meters/{drn}/resend", params: map[string]string{"drn": second.Meter}, key: keys["care"], want: 404}, // no tokens yet
			{op: "POST /api/v1/meters/{drn}/resend", params: map[string]string{"drn": "12345678903"}, key: keys["care"], want: 404},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, key: keys["finance"], want: 403},
			{op: "POST /api/v1/meters/{drn}/resend", params: drn, want: 401},

			{op: "GET /api/v1/vends/{id}", params: map[string]string{"id": v.ID}, key: keys["agent"], want: 200},
			{op: "GET /api/v1/vends/{id}", params: map[string]string{"id": v.ID}, key: keys["finance"], want: 200}, // without token digits
			{op: "GET /api/v1/vends/{id}", params: map[string]string{"id": "no-such-vend"}, key: keys["agent"], want: 404},
			{op: "GET /api/v1/vends/{id}", params: map[string]string{"id": v.ID}, want: 401},

			{op: "GET /api/v1/payments", key: keys["care"], want: 200},
			{op: "GET /api/v1/payments", query: "state=applied&meter=" + url.QueryEscape(owner.Meter) + "&limit=5", key: keys["finance"], want: 200},
			{op: "GET /api/v1/payments", query: "state=suspense", key: keys["finance"], want: 200},
			{op: "GET /api/v1/payments", query: "state=lost", key: keys["care"], want: 400, bad: true},
			{op: "GET /api/v1/payments", query: "limit=501", key: keys["care"], want: 400, bad: true},
			{op: "GET /api/v1/payments", key: keys["integration"], want: 403},
			{op: "GET /api/v1/payments", want: 401},

			{op: "GET /api/v1/payments/{receipt}", params: map[string]string{"receipt": receipt}, key: keys["integration"], want: 200},
			{op: "GET /api/v1/payments/{receipt}", params: map[string]string{"receipt": strings.ToLower(receipt)}, key: keys["care"], want: 200},
			{op: "GET /api/v1/payments/{receipt}", params: map[string]string{"receipt": "SHORT"}, key: keys["care"], want: 400, bad: true},
			{op: "GET /api/v1/payments/{receipt}", params: map[string]string{"receipt": apptest.NewReceipt()}, key: keys["care"], want: 404},
			{op: "GET /api/v1/payments/{receipt}", params: map[string]string{"receipt": receipt}, key: keys["agent"], want: 403},
			{op: "GET /api/v1/payments/{receipt}", params: map[string]string{"receipt": receipt}, want: 401},

			{op: "GET /api/v1/suspense", key: keys["care"], want: 200},
			{op: "GET /api/v1/suspense", key: keys["integration"], want: 403},
			{op: "GET /api/v1/suspense", want: 401},

			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, key: keys["care"], body: map[string]any{}, want: 400, bad: true},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, key: keys["care"], body: map[string]any{"meter": owner.Meter, "note": "x"}, want: 400, bad: true},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, key: keys["care"], body: map[string]any{"meter": "12345678903"}, want: 404},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": "no-such-payment"}, key: keys["care"], body: map[string]any{"meter": owner.Meter}, want: 404},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, key: keys["agent"], body: map[string]any{"meter": owner.Meter}, want: 403},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, body: map[string]any{"meter": owner.Meter}, want: 401},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, key: keys["care"], body: map[string]any{"meter": owner.Meter}, want: 200},
			{op: "POST /api/v1/suspense/{id}/assign", params: map[string]string{"id": suspended[0]}, key: keys["care"], body: map[string]any{"meter": owner.Meter}, want: 409},

			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": suspended[1]}, key: keys["finance"], body: map[string]any{}, want: 400, bad: true},
			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": suspended[1]}, key: keys["care"], body: map[string]any{"reason": "wrong account"}, want: 403},
			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": "no-such-payment"}, key: keys["finance"], body: map[string]any{"reason": "wrong account"}, want: 404},
			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": suspended[1]}, body: map[string]any{"reason": "wrong account"}, want: 401},
			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": suspended[1]}, key: keys["finance"], body: map[string]any{"reason": "wrong account"}, want: 200},
			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": suspended[1]}, key: keys["finance"], body: map[string]any{"reason": "again"}, want: 409},
			{op: "POST /api/v1/suspense/{id}/refund", params: map[string]string{"id": suspended[0]}, key: keys["finance"], body: map[string]any{"reason": "assigned already"}, want: 409},

			{op: "POST /api/v1/tickets", key: keys["agent"], body: map[string]any{"meter": second.Meter, "phone": second.Phone, "category": "no_token", "note": "paid at the counter"}, want: 201},
			{op: "POST /api/v1/tickets", key: keys["care"], body: map[string]any{"phone": "0799000444", "category": "billing"}, want: 201},
			{op: "POST /api/v1/tickets", key: keys["agent"], body: map[string]any{"phone": owner.Phone, "category": "flood"}, want: 400},
			{op: "POST /api/v1/tickets", key: keys["agent"], body: map[string]any{"category": "billing"}, want: 400},
			{op: "POST /api/v1/tickets", key: keys["agent"], body: map[string]any{"meter": "12345678903", "category": "billing"}, want: 404},
			{op: "POST /api/v1/tickets", key: keys["integration"], body: map[string]any{"phone": owner.Phone, "category": "billing"}, want: 403},
			{op: "POST /api/v1/purchases", key: keys["care"], body: map[string]any{"meter": owner.Meter, "phone": owner.Phone, "amount": 300}, want: 202},
			{op: "POST /api/v1/purchases", key: keys["integration"], body: map[string]any{"meter": owner.Meter, "phone": owner.Phone, "amount": 50}, want: 400},
			{op: "POST /api/v1/purchases", key: keys["agent"], body: map[string]any{"meter": "12345678903", "phone": owner.Phone, "amount": 300}, want: 400},
			{op: "POST /api/v1/purchases", key: keys["agent"], body: map[string]any{"meter": owner.Meter, "phone": "12", "amount": 300}, want: 400},
			{op: "POST /api/v1/purchases", key: keys["agent"], body: map[string]any{"meter": owner.Meter, "phone": owner.Phone}, want: 400, bad: true},
			{op: "POST /api/v1/purchases", key: keys["agent"], body: map[string]any{"meter": owner.Meter, "phone": owner.Phone, "amount": "300"}, want: 400, bad: true},
			{op: "POST /api/v1/purchases", key: keys["finance"], body: map[string]any{"meter": owner.Meter, "phone": owner.Phone, "amount": 300}, want: 403},
			{op: "POST /api/v1/purchases", body: map[string]any{"meter": owner.Meter, "phone": owner.Phone, "amount": 300}, want: 401},

			// A meter's life, on a meter of its own.
			{op: "POST /api/v1/meters", key: keys["admin"], body: map[string]any{"drn": fresh, "sgc": "123456", "tariff": app.SampleTariffID, "area": "Kisumu",
				"debt_minor": 15050, "customer": map[string]any{"name": "Grace Achieng", "language": "sw", "phones": []string{"0712000111"}}}, want: 201},
			{op: "POST /api/v1/meters", key: keys["admin"], body: map[string]any{"drn": fresh, "sgc": "123456", "tariff": app.SampleTariffID, "customer_id": "x"}, want: 409},
			{op: "POST /api/v1/meters", key: keys["admin"], body: map[string]any{"drn": "54500320906", "sgc": "123456", "tariff": "nope", "customer": map[string]any{"phones": []string{"07x"}}}, want: 400},
			{op: "POST /api/v1/meters", key: keys["admin"], body: map[string]any{"drn": fresh, "sgc": "123456", "tariff": app.SampleTariffID}, want: 400}, // no owner
			{op: "POST /api/v1/meters", key: keys["admin"], body: map[string]any{"drn": fresh, "sgc": "123456", "tariff": app.SampleTariffID, "colour": "red"}, want: 400, bad: true},
			{op: "POST /api/v1/meters", key: keys["care"], body: map[string]any{"drn": fresh, "sgc": "123456", "tariff": app.SampleTariffID, "customer_id": "x"}, want: 403},
			{op: "POST /api/v1/meters", body: map[string]any{"drn": fresh, "sgc": "123456", "tariff": app.SampleTariffID, "customer_id": "x"}, want: 401},
			{op: "PATCH /api/v1/meters/{drn}", params: freshDRN, key: keys["care"], body: map[string]any{"area": "Kibos", "phones": []string{"0722000222"}}, want: 200},
			{op: "PATCH /api/v1/meters/{drn}", params: freshDRN, key: keys["care"], body: map[string]any{"tariff": app.SampleTariffID}, want: 403},
			{op: "PATCH /api/v1/meters/{drn}", params: freshDRN, key: keys["admin"], body: map[string]any{"tariff": app.SampleTariffID}, want: 200},
			{op: "PATCH /api/v1/meters/{drn}", params: freshDRN, key: keys["care"], body: map[string]any{}, want: 400},
			{op: "PATCH /api/v1/meters/{drn}", params: map[string]string{"drn": "12345678903"}, key: keys["care"], body: map[string]any{"area": "x"}, want: 404},
			{op: "PATCH /api/v1/meters/{drn}", params: freshDRN, key: keys["agent"], body: map[string]any{"area": "x"}, want: 403},
			{op: "POST /api/v1/meters/{drn}/deactivate", params: freshDRN, key: keys["care"], body: map[string]any{"reason": "tenant left"}, want: 200},
			{op: "POST /api/v1/meters/{drn}/deactivate", params: freshDRN, key: keys["care"], want: 409},
			{op: "POST /api/v1/meters/{drn}/deactivate", params: freshDRN, key: keys["agent"], want: 403},
			{op: "POST /api/v1/meters/{drn}/reactivate", params: freshDRN, key: keys["admin"], want: 200},
			{op: "POST /api/v1/meters/{drn}/reactivate", params: map[string]string{"drn": "12345678903"}, key: keys["care"], want: 404},
			{op: "POST /api/v1/meters/{drn}/move", params: freshDRN, key: keys["care"], body: map[string]any{"customer": map[string]any{"name": "New Tenant", "phones": []string{"0733000333"}}}, want: 200},
			{op: "POST /api/v1/meters/{drn}/move", params: freshDRN, key: keys["care"], body: map[string]any{"customer_id": "nobody"}, want: 400},
			{op: "POST /api/v1/meters/{drn}/move", params: freshDRN, key: keys["finance"], body: map[string]any{"customer_id": "nobody"}, want: 403},
			{op: "POST /api/v1/meters/{drn}/keychange", params: freshDRN, key: keys["admin"], body: map[string]any{"sgc": "654321", "krn": 2}, want: 200},
			{op: "POST /api/v1/meters/{drn}/keychange", params: freshDRN, key: keys["admin"], body: map[string]any{"base_date": 1993}, want: 400},
			{op: "POST /api/v1/meters/{drn}/keychange", params: freshDRN, key: keys["care"], body: map[string]any{"krn": 2}, want: 403},
			{op: "POST /api/v1/meters/{drn}/swap", params: freshDRN, key: keys["admin"], body: map[string]any{"new_drn": replacement, "krn": 3}, want: 200},
			{op: "POST /api/v1/meters/{drn}/swap", params: freshDRN, key: keys["admin"], body: map[string]any{"new_drn": replacement}, want: 409},
			{op: "POST /api/v1/meters/{drn}/swap", params: map[string]string{"drn": replacement}, key: keys["admin"], body: map[string]any{"new_drn": "54500320906"}, want: 400},
			{op: "PATCH /api/v1/meters/{drn}", params: freshDRN, key: keys["care"], body: map[string]any{"area": "x"}, want: 409},
			{op: "GET /api/v1/meters/{drn}", params: freshDRN, key: keys["care"], want: 200}, // retired
			{op: "POST /api/v1/reconcile/statements", key: keys["finance"], body: map[string]any{"name": "walk.csv", "csv": walkCSV}, want: 200},
			{op: "POST /api/v1/reconcile/statements", key: keys["admin"], body: map[string]any{"csv": walkCSV}, want: 200}, // already imported
			{op: "POST /api/v1/reconcile/statements", key: keys["finance"], body: map[string]any{"csv": "Date,Amount\n2026-12-01,5\n"}, want: 400},
			{op: "POST /api/v1/reconcile/statements", key: keys["finance"], body: map[string]any{"csv": stmt("NOT-A-RECEIPT,yesterday,5,Pay Bill,1")}, want: 400},
			{op: "POST /api/v1/reconcile/statements", key: keys["finance"], body: map[string]any{"name": "empty.csv"}, want: 400, bad: true},
			{op: "POST /api/v1/reconcile/statements", key: keys["care"], body: map[string]any{"csv": walkCSV}, want: 403},
			{op: "POST /api/v1/reconcile/statements", body: map[string]any{"csv": walkCSV}, want: 401},

			{op: "GET /api/v1/reconcile/exceptions", key: keys["finance"], want: 200},
			{op: "GET /api/v1/reconcile/exceptions", query: "state=open&day=" + today + "&limit=5", key: keys["admin"], want: 200},
			{op: "GET /api/v1/reconcile/exceptions", query: "state=auto", key: keys["finance"], want: 200},
			{op: "GET /api/v1/reconcile/exceptions", query: "state=lost", key: keys["finance"], want: 400, bad: true},
			{op: "GET /api/v1/reconcile/exceptions", query: "day=2026-13-01", key: keys["finance"], want: 400},
			{op: "GET /api/v1/reconcile/exceptions", query: "limit=0", key: keys["finance"], want: 400, bad: true},
			{op: "GET /api/v1/reconcile/exceptions", key: keys["care"], want: 403},
			{op: "GET /api/v1/reconcile/exceptions", want: 401},

			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, key: keys["finance"], body: map[string]any{"action": "fly"}, want: 400, bad: true},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, key: keys["finance"], body: map[string]any{"action": "dismiss"}, want: 400},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, key: keys["finance"], body: map[string]any{"action": "assign", "meter": third.Meter}, want: 400},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: map[string]string{"id": "no-such-exception"}, key: keys["finance"], body: map[string]any{"action": "dismiss", "note": "x"}, want: 404},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, key: keys["care"], body: map[string]any{"action": "dismiss", "note": "x"}, want: 403},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, body: map[string]any{"action": "dismiss", "note": "x"}, want: 401},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, key: keys["finance"], body: map[string]any{"action": "dismiss", "note": "the statement was wrong"}, want: 200},
			{op: "POST /api/v1/reconcile/exceptions/{id}/resolve", params: exc, key: keys["finance"], body: map[string]any{"action": "dismiss", "note": "again"}, want: 409},

			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": "2020-01-01"}, key: keys["finance"], want: 200},
			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": "2020-01-01"}, key: keys["admin"], want: 409},
			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": today}, key: keys["finance"], want: 400},
			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": "2020-02-31"}, key: keys["finance"], want: 400},
			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": "yesterday"}, key: keys["finance"], want: 400, bad: true},
			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": "2020-01-02"}, key: keys["care"], want: 403},
			{op: "POST /api/v1/reconcile/days/{day}/close", params: map[string]string{"day": "2020-01-02"}, want: 401},

			// Last: it turns the owner's payment into debt on the meter.
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": receipt}, key: keys["care"], body: map[string]any{"reason": "dispute"}, want: 403},
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": "SHORT"}, key: keys["finance"], body: map[string]any{"reason": "dispute"}, want: 400, bad: true},
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": receipt}, key: keys["finance"], body: map[string]any{}, want: 400, bad: true},
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": apptest.NewReceipt()}, key: keys["finance"], body: map[string]any{"reason": "dispute"}, want: 404},
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": receipt}, body: map[string]any{"reason": "dispute"}, want: 401},
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": receipt}, key: keys["finance"], body: map[string]any{"reason": "dispute"}, want: 200},
			{op: "POST /api/v1/payments/{receipt}/reverse", params: map[string]string{"receipt": receipt}, key: keys["finance"], body: map[string]any{"reason": "again"}, want: 409},
		}

		succeeded := map[string]bool{}
		for _, c := range calls {
			if c.want < 300 {
				succeeded[c.op] = true
			}
			checkCall(t, a, doc, c)
		}
		for _, op := range doc.operations() {
			_, path, _ := strings.Cut(op, " ")
			if !selfService(path) && !succeeded[op] {
				t.Errorf("%s: no successful call in the contract walk; add one", op)
			}
		}
	})
}

func withCheckDigit(t *testing.T, digits string) string {
	t.Helper()
	d, err := sts.WithCheckDigit(digits)
	if err != nil {
		t.Fatal(err)
	}
	return string(d)
}

// requester sends one API request: the test app, or a bare handler.
type requester interface {
	Do(method, path, key string, body any) (int, []byte)
}

// checkCall sends c and checks request and reply against the document.
func checkCall(t *testing.T, a requester, doc *openAPI, c call) {
	t.Helper()
	o, err := doc.operation(c.op)
	if err != nil {
		t.Errorf("%s: %v", c, err)
		return
	}
	method, path, _ := strings.Cut(c.op, " ")
	for name, value := range c.params {
		if !c.bad {
			p, err := doc.parameter(c.op, "path", name)
			if err != nil {
				t.Errorf("%s: %v", c, err)
			} else if errs := doc.validate(p["schema"].(map[string]any), value, "path "+name, false); len(errs) > 0 {
				t.Errorf("%s: the test's own input breaks the document: %v", c, errs)
			}
		}
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(value))
	}
	if strings.Contains(path, "{") {
		t.Fatalf("%s: path parameters left in %s", c, path)
	}
	q, err := url.ParseQuery(c.query)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range q {
		p, err := doc.parameter(c.op, "query", name)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		if c.bad {
			continue
		}
		schema := p["schema"].(map[string]any)
		var v any = values[0]
		if s, _ := doc.deref(schema); s["type"] == "integer" {
			v = json.Number(values[0])
		}
		if errs := doc.validate(schema, v, "query "+name, false); len(errs) > 0 {
			t.Errorf("%s: the test's own input breaks the document: %v", c, errs)
		}
	}
	if c.body != nil && !c.bad {
		checkRequestBody(t, doc, o, c)
	}
	if c.query != "" {
		path += "?" + c.query
	}

	status, reply := a.Do(method, path, c.key, c.body)
	if status != c.want {
		t.Errorf("%s: status %d, want %d: %s", c, status, c.want, reply)
	}
	responses, _ := o["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)].(map[string]any)
	if !ok {
		resp, ok = responses["default"].(map[string]any)
	}
	if !ok {
		t.Errorf("%s: status %d is not declared in the document (%s)", c, status, reply)
		return
	}
	resp, err = doc.deref(resp)
	if err != nil {
		t.Errorf("%s: %v", c, err)
		return
	}
	content, _ := resp["content"].(map[string]any)
	media, ok := content["application/json"].(map[string]any)
	if !ok {
		if len(bytes.TrimSpace(reply)) != 0 {
			t.Errorf("%s: status %d has no JSON body in the document, but the reply has one: %s", c, status, reply)
		}
		return
	}
	var body any
	if err := decodeDocJSON(reply, &body); err != nil {
		t.Errorf("%s: status %d: reply is not JSON: %v: %s", c, status, err, reply)
		return
	}
	if errs := doc.validate(media["schema"].(map[string]any), body, "$", true); len(errs) > 0 {
		t.Errorf("%s: status %d: the reply breaks the document:\n  %s\nreply: %s", c, status, strings.Join(errs, "\n  "), reply)
	}
}

func checkRequestBody(t *testing.T, doc *openAPI, o map[string]any, c call) {
	t.Helper()
	rb, ok := o["requestBody"].(map[string]any)
	if !ok {
		t.Errorf("%s: sends a body the document does not describe", c)
		return
	}
	rb, _ = doc.deref(rb)
	media, ok := rb["content"].(map[string]any)["application/json"].(map[string]any)
	if !ok {
		t.Errorf("%s: no application/json request body in the document", c)
		return
	}
	raw, err := json.Marshal(c.body)
	if s, isString := c.body.(string); isString {
		raw = []byte(s)
	}
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := decodeDocJSON(raw, &v); err != nil {
		t.Errorf("%s: request body: %v", c, err)
		return
	}
	if errs := doc.validate(media["schema"].(map[string]any), v, "request", false); len(errs) > 0 {
		t.Errorf("%s: the test's own input breaks the document: %v", c, errs)
	}
}

// Every route the API registers under /api/v1 is in the document with the
// same method, and every documented operation is served. The routes are
// read from the package's source (calls of Handle and HandleFunc) and each
// is confirmed on the mux that api.Handler.Routes fills, so that a route
// written but not (yet) wired is not counted.
func TestContractDocumentsEveryRoute(t *testing.T) {
	doc := loadDoc(t)
	a := apptest.Start(t, apptest.Options{})
	routes := servedRoutes(t, a.Mux)
	if len(routes) < 10 {
		t.Fatalf("found only %d routes under /api/v1: is the route scan broken? %v", len(routes), routes)
	}
	for _, r := range routes {
		if _, err := doc.operation(r); err != nil {
			t.Errorf("route %s: %v", r, err)
		}
	}
	have := map[string]bool{}
	for _, r := range routes {
		have[r] = true
	}
	for _, op := range doc.operations() {
		if !have[op] {
			t.Errorf("the document describes %s, which no route serves", op)
		}
	}
}

// servedRoutes lists the routes under /api/v1 that the package's source
// registers and mux serves.
func servedRoutes(t *testing.T, mux *http.ServeMux) []string {
	t.Helper()
	var out []string
	for _, r := range registeredRoutes(t) {
		method, path, _ := strings.Cut(r, " ")
		probe := regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(path, "x")
		req := httptest.NewRequest(method, probe, nil)
		if _, pattern := mux.Handler(req); pattern == r {
			out = append(out, r)
		}
	}
	return out
}

// registeredRoutes finds the patterns passed to Handle and HandleFunc in
// the package's source: "METHOD /api/v1/...".
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route registered with a pattern that is not a literal; the contract test cannot read it", fset.Position(call.Pos()))
				return true
			}
			pattern, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			if method, path, ok := strings.Cut(pattern, " "); ok && strings.HasPrefix(path, "/api/v1/") || path == "/api/v1" {
				out = append(out, method+" "+path)
			}
			return true
		})
	}
	sort.Strings(out)
	return out
}

// Without a Daraja client, purchases are refused with the 503 the document
// declares.
func TestContractWithoutSTK(t *testing.T) {
	doc := loadDoc(t)
	a := apptest.Start(t, apptest.Options{})
	h := &api.Handler{DB: a.DB, Intake: a.Intake, Tariffs: a.Tariffs, Log: a.Log, Utility: "Test", Daraja: peer.Gate{Secret: "secret-secret-secret"}}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := app.DemoCustomers[0]
	checkCall(t, bare{a, srv.URL}, doc, call{op: "POST /api/v1/purchases", key: a.Admin,
		body: map[string]any{"meter": c.Meter, "phone": c.Phone, "amount": 300}, want: http.StatusServiceUnavailable})
	checkCall(t, bare{a, srv.URL}, doc, call{op: "GET /api/v1/meters/{drn}", params: map[string]string{"drn": c.Meter}, key: a.Admin, want: http.StatusOK})
}

// bare sends requests to another server with the test app's client.
type bare struct {
	a    *apptest.App
	base string
}

func (b bare) Do(method, path, key string, body any) (int, []byte) {
	return b.a.Do(method, b.base+path, key, body)
}

// The document served is the one in the repository, and it is JSON.
func TestOpenAPIServed(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	status, body := a.Do("GET", "/api/openapi.json", "", nil)
	want, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || !bytes.Equal(body, want) {
		t.Errorf("GET /api/openapi.json: %d, %d bytes; want 200 and the %d bytes of openapi.json", status, len(body), len(want))
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil || v["openapi"] == nil {
		t.Errorf("the document is not an OpenAPI JSON document: %v", err)
	}
}
