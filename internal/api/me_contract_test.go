package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/store"
)

// meClient calls the customer app's API and checks every request body and
// every reply against the OpenAPI document.
type meClient struct {
	t   *testing.T
	a   *apptest.App
	doc *openAPI

	mu   sync.Mutex
	seen map[string]bool // "METHOD /template STATUS"
}

// call sends a request (body marshalled as JSON unless it is a string) and
// requires status want. It returns the decoded reply (nil for none).
func (c *meClient) call(method, path, token string, body any, want int) map[string]any {
	c.t.Helper()
	tmpl, op, err := c.doc.match(method, strings.SplitN(path, "?", 2)[0])
	if err != nil {
		c.t.Fatal(err)
	}
	var raw []byte
	if body != nil {
		if s, ok := body.(string); ok {
			raw = []byte(s)
		} else if raw, err = json.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
		// A well-formed request must be one the document allows; the
		// malformed ones are sent as strings on purpose.
		if _, isString := body.(string); !isString {
			var v any
			decodeDocJSON(raw, &v)
			if errs := c.doc.validate(c.doc.requestSchema(op), v, "request", false); len(errs) > 0 && want < 400 {
				c.t.Fatalf("%s %s: the test sends a body the document refuses: %v", method, path, errs)
			}
		}
	}
	req, err := http.NewRequest(method, c.a.URL()+path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.a.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	reply, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, reply)
	}
	c.mu.Lock()
	c.seen[fmt.Sprintf("%s %s %d", method, tmpl, resp.StatusCode)] = true
	c.mu.Unlock()
	schema, err := c.doc.responseSchema(op, resp.StatusCode)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		c.t.Errorf("%s %s: 429 without Retry-After", method, path)
	}
	if schema == nil {
		if len(reply) != 0 {
			c.t.Fatalf("%s %s: status %d is documented without a body, but got %q", method, path, resp.StatusCode, reply)
		}
		return nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Fatalf("%s %s: Content-Type %q, want JSON: %s", method, path, ct, reply)
	}
	var v any
	if err := decodeDocJSON(reply, &v); err != nil {
		c.t.Fatalf("%s %s: reply is not JSON: %v: %s", method, path, err, reply)
	}
	if errs := c.doc.validate(schema, v, "reply", true); len(errs) > 0 {
		c.t.Fatalf("%s %s %d: the reply does not match the document: %s\n%s", method, path, resp.StatusCode, strings.Join(errs, "; "), reply)
	}
	var out map[string]any
	json.Unmarshal(reply, &out)
	return out
}

// match finds the documented operation for a request path: a literal
// path before a templated one, as the router matches them.
func (d *openAPI) match(method, path string) (tmpl string, op map[string]any, err error) {
	paths, _ := d.root["paths"].(map[string]any)
	tmpls := sortedKeys(paths)
	sort.SliceStable(tmpls, func(i, j int) bool { return strings.Count(tmpls[i], "{") < strings.Count(tmpls[j], "{") })
	for _, tmpl := range tmpls {
		pat := regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`)
		if !regexp.MustCompile("^" + pat + "$").MatchString(path) {
			continue
		}
		item, _ := paths[tmpl].(map[string]any)
		op, ok := item[strings.ToLower(method)].(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("%s %s: the document has %s but no %s on it", method, path, tmpl, method)
		}
		return tmpl, op, nil
	}
	return "", nil, fmt.Errorf("%s %s: not in the document", method, path)
}

// responseSchema returns the schema documented for an operation's status,
// nil for a response without a body.
func (d *openAPI) responseSchema(op map[string]any, status int) (any, error) {
	rs, _ := op["responses"].(map[string]any)
	r, ok := rs[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("status %d is not documented", status)
	}
	r, err := d.deref(r)
	if err != nil {
		return nil, err
	}
	content, ok := r["content"].(map[string]any)
	if !ok {
		return nil, nil
	}
	media, ok := content["application/json"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("status %d: no application/json content", status)
	}
	return media["schema"], nil
}

// requestSchema returns an operation's JSON request body schema, or nil.
func (d *openAPI) requestSchema(op map[string]any) any {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	return media["schema"]
}

var otpRE = regexp.MustCompile(`(?:code is|ni) (\d{6})\b`)

// waitCode returns the newest login code texted to msisdn that is not in
// used.
func waitCode(t *testing.T, a *apptest.App, msisdn string, used map[string]bool) string {
	t.Helper()
	var code string
	apptest.Eventually(t, "a login code SMS to "+msisdn, func() bool {
		ms := a.SMSTo(msisdn)
		for i := len(ms) - 1; i >= 0; i-- {
			if m := otpRE.FindStringSubmatch(ms[i].Text); m != nil && !used[ms[i].ProviderID] {
				used[ms[i].ProviderID], code = true, m[1]
				return true
			}
		}
		return false
	})
	return code
}

// slowly polls cond five times a second until it holds, for at most 20 s:
// a guard against a hung test, not a timing assertion.
func slowly(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func wrongCode(code string) string {
	if code == "111111" {
		return "222222"
	}
	return "111111"
}

// TestMeContract walks the customer app's API through a customer's day,
// on both databases, and validates every reply against the document.
func TestMeContract(t *testing.T) {
	doc := loadDoc(t)
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := &meClient{t: t, a: a, doc: doc, seen: map[string]bool{}}
		john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
		used := map[string]bool{}

		// Log in.
		c.call("POST", "/api/v1/login/otp", "", map[string]any{"phone": "07x"}, 400)
		c.call("POST", "/api/v1/login/otp", "", `{"phone": "0708374149", "pin": 1}`, 400)
		got := c.call("POST", "/api/v1/login/otp", "", map[string]any{"phone": "0708 374 149"}, 202)
		if ph, _ := got["phone"].(string); !strings.Contains(ph, "*") || strings.Contains(ph, "374") {
			t.Errorf("otp reply phone %q; want the number masked", ph)
		}
		c.call("POST", "/api/v1/login/otp", "", map[string]any{"phone": "0708374149"}, 429)
		code := waitCode(t, a, john.Phone, used)
		c.call("POST", "/api/v1/login/verify", "", map[string]any{"phone": john.Phone, "code": wrongCode(code)}, 401)
		c.call("POST", "/api/v1/login/verify", "", map[string]any{"phone": "x", "code": code}, 400)
		sess := c.call("POST", "/api/v1/login/verify", "", map[string]any{"phone": "+254708374149", "code": code}, 200)
		tok, _ := sess["token"].(string)
		c.call("POST", "/api/v1/login/verify", "", map[string]any{"phone": john.Phone, "code": code}, 401) // used

		// Who am I, my meters.
		c.call("GET", "/api/v1/me", "", nil, 401)
		c.call("GET", "/api/v1/me", "mts_forged", nil, 401)
		if me := c.call("GET", "/api/v1/me", tok, nil, 200); me["phone"] != john.Phone || me["language"] != "en" {
			t.Errorf("me = %v", me)
		}
		ms := c.call("GET", "/api/v1/me/meters", tok, nil, 200)["meters"].([]any)
		if len(ms) != 1 || ms[0].(map[string]any)["drn"] != john.Meter {
			t.Fatalf("my meters = %v; want John's one meter", ms)
		}

		// A Paybill payment: its token and itemised receipt.
		receipt := a.PayBill(john.Phone, john.Meter, 500)
		a.WaitPayment(receipt, "applied")
		vs := c.call("GET", "/api/v1/me/meters/"+john.Meter+"/tokens", tok, nil, 200)["vends"].([]any)
		if len(vs) != 1 || vs[0].(map[string]any)["receipt"] != receipt {
			t.Fatalf("tokens = %v; want the vend of %s", vs, receipt)
		}
		c.call("GET", "/api/v1/me/meters/"+john.Meter+"/tokens?limit=0", tok, nil, 400)
		c.call("GET", "/api/v1/me/meters/"+mary.Meter+"/tokens", tok, nil, 404) // not John's
		ps := c.call("GET", "/api/v1/me/purchases?limit=5", tok, nil, 200)["purchases"].([]any)
		if len(ps) != 1 || ps[0].(map[string]any)["vend"] == nil {
			t.Fatalf("purchases = %v; want one with its vend", ps)
		}
		c.call("GET", "/api/v1/me/purchases?limit=x", tok, nil, 400)

		// Paid but no token: by receipt; unknown here, M-Pesa is asked.
		if p := c.call("GET", "/api/v1/me/payments/"+strings.ToLower(receipt), tok, nil, 200); p["status"] != "vended" || p["vend"] == nil {
			t.Errorf("payment look-up = %v; want vended with the token", p)
		}
		// Another's payment: whoever holds the receipt code sees its token
		// (it works only in that meter), not what was bought.
		marys := a.PayBill(mary.Phone, mary.Meter, 300)
		a.WaitPayment(marys, "applied")
		if p := c.call("GET", "/api/v1/me/payments/"+marys, tok, nil, 200); p["status"] != "vended" || p["vend"] != nil || p["tokens"] == nil {
			t.Errorf("another's payment = %v; want its tokens alone", p)
		} else if b, _ := json.Marshal(p); strings.Contains(string(b), `"amount"`) || strings.Contains(string(b), "kwh") || strings.Contains(string(b), "receipt_lines") {
			t.Errorf("another's payment tells what was bought: %s", b)
		}
		if p := c.call("GET", "/api/v1/me/payments/"+apptest.NewReceipt()+"?meter="+john.Meter, tok, nil, 200); p["status"] != "checking" {
			t.Errorf("unknown receipt = %v; want checking", p)
		}
		c.call("GET", "/api/v1/me/payments/SHORT", tok, nil, 400)
		c.call("GET", "/api/v1/me/payments/"+apptest.NewReceipt()+"?meter="+mary.Meter, tok, nil, 404)

		// Buy by STK push; the simulated phone approves.
		c.call("POST", "/api/v1/me/purchases", tok, map[string]any{"meter": john.Meter, "amount": 0}, 400)
		c.call("POST", "/api/v1/me/purchases", tok, map[string]any{"meter": john.Meter, "amount": 10_000_000}, 400)
		c.call("POST", "/api/v1/me/purchases", tok, `{"meter": "`+john.Meter+`", "amount": 300, "phone": "0700000000"}`, 400)
		stk := c.call("POST", "/api/v1/me/purchases", tok, map[string]any{"meter": john.Meter, "amount": 300}, 202)
		checkout, _ := stk["checkout_request_id"].(string)
		if stk["state"] != "pending" {
			t.Errorf("purchase = %v; want pending", stk)
		}
		var paid map[string]any
		// Poll as an app would, slowly enough for the per-session throttle.
		slowly(t, "the STK purchase to be vended", func() bool {
			paid = c.call("GET", "/api/v1/me/purchases/"+checkout, tok, nil, 200)
			return paid["vend"] != nil
		})
		if paid["state"] != "paid" || paid["receipt"] == "" {
			t.Errorf("purchase = %v; want paid with a receipt", paid)
		}
		c.call("GET", "/api/v1/me/purchases/ws_CO_nope", tok, nil, 404)

		// Re-send, faults, outages, language.
		if r := c.call("POST", "/api/v1/me/resend", tok, map[string]any{"meter": john.Meter, "count": 2}, 202); r["queued"] != float64(1) {
			t.Errorf("resend = %v; want one SMS queued", r)
		}
		c.call("POST", "/api/v1/me/resend", tok, map[string]any{"meter": mary.Meter}, 404)
		c.call("POST", "/api/v1/me/resend", tok, map[string]any{"meter": john.Meter, "count": 9}, 400)
		c.call("POST", "/api/v1/me/faults", tok, map[string]any{"meter": john.Meter, "kind": "fire"}, 400)
		c.call("POST", "/api/v1/me/faults", tok, map[string]any{"meter": mary.Meter, "kind": "no_power"}, 404)
		f := c.call("POST", "/api/v1/me/faults", tok, map[string]any{"meter": john.Meter, "kind": "no_power", "note": "since 6 am"}, 201)
		if again := c.call("POST", "/api/v1/me/faults", tok, map[string]any{"meter": john.Meter, "kind": "no_power"}, 201); again["ref"] != f["ref"] {
			t.Errorf("a second report within 10 minutes got %v; want the first, %v", again["ref"], f["ref"])
		}
		if ref, _ := f["ref"].(string); ref != "" {
			if tk, err := care.GetTicket(context.Background(), a.DB.Read(), ref); err != nil || tk.Channel != care.ChannelApp || tk.Category != care.CategoryOutage {
				t.Errorf("the app's report %s: %+v, %v; want an outage ticket from the app", ref, tk, err)
			}
		}
		c.call("POST", "/api/v1/me/faults", tok, map[string]any{"meter": john.Meter, "kind": "meter"}, 201)
		c.call("POST", "/api/v1/me/faults", tok, map[string]any{"meter": john.Meter, "kind": "other"}, 429)

		if o := c.call("GET", "/api/v1/me/outages", tok, nil, 200); len(o["outages"].([]any)) != 0 {
			t.Errorf("outages = %v; want none yet", o)
		}
		ends := time.Now().Add(3 * time.Hour)
		if _, err := care.AnnounceOutage(context.Background(), a.DB, care.Outage{Area: "Nairobi West", Kind: "planned", Message: "Line maintenance",
			MessageSW: "Matengenezo ya laini", EndsAt: ends}, "test"); err != nil {
			t.Fatal(err)
		}
		c.call("PUT", "/api/v1/me/language", tok, map[string]any{"language": "fr"}, 400)
		c.call("PUT", "/api/v1/me/language", tok, map[string]any{"language": "sw"}, 200)
		o := c.call("GET", "/api/v1/me/outages", tok, nil, 200)["outages"].([]any)
		if len(o) != 1 || o[0].(map[string]any)["message"] != "Matengenezo ya laini" {
			t.Errorf("outages = %v; want the planned one, in Swahili", o)
		}
		if me := c.call("GET", "/api/v1/me", tok, nil, 200); me["language"] != "sw" {
			t.Errorf("language after PUT = %v; want sw", me["language"])
		}

		// A web session's token is not an app token.
		svc := &login.Service{DB: a.DB}
		if _, err := svc.RequestCode(context.Background(), mary.Phone, ""); err != nil {
			t.Fatal(err)
		}
		_, webTok, err := svc.Verify(context.Background(), mary.Phone, waitCode(t, a, mary.Phone, used), login.KindWeb, "")
		if err != nil {
			t.Fatal(err)
		}
		c.call("GET", "/api/v1/me/meters", webTok, nil, 401)

		// Logout ends the token.
		c.call("POST", "/api/v1/me/logout", tok, nil, 204)
		c.call("GET", "/api/v1/me/meters", tok, nil, 401)

		// Every operation was called with success, and no status went
		// unchecked that the document does not know (call fails on those).
		var missing []string
		for _, op := range doc.operations() {
			if _, path, _ := strings.Cut(op, " "); !selfService(path) {
				continue
			}
			ok := false
			for status := 200; status < 300; status++ {
				ok = ok || c.seen[fmt.Sprintf("%s %d", op, status)]
			}
			if !ok {
				missing = append(missing, op)
			}
		}
		if len(missing) > 0 {
			t.Errorf("operations never called successfully: %v", missing)
		}
	})
}

// TestMeThrottle: a flood from one client is refused with 429 and
// Retry-After before it reaches the database.
func TestMeThrottle(t *testing.T) {
	doc := loadDoc(t)
	a := apptest.Start(t, apptest.Options{})
	c := &meClient{t: t, a: a, doc: doc, seen: map[string]bool{}}
	refused := 0
	for i := 0; i < 100 && refused == 0; i++ {
		req, _ := http.NewRequest("POST", a.URL()+"/api/v1/login/otp", strings.NewReader(`{"phone":"07x"}`))
		resp, err := a.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("100 requests at once from one address were all served; want the throttle to refuse some")
	}
	c.call("POST", "/api/v1/login/otp", "", map[string]any{"phone": "0708374149"}, 429)
}
