package console_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// postFile posts a multipart form with fields and one file, as a browser
// sends an upload.
func (b *browser) postFile(path string, fields url.Values, name, content string) (int, http.Header, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, content)
	mw.Close()
	req, err := http.NewRequest("POST", b.a.URL()+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

var (
	tagRE    = regexp.MustCompile(`<[^>]*>`)
	spacesRE = regexp.MustCompile(`\s+`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
)

// text is the words of a page's main part without their markup, one
// space between them.
func text(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return strings.TrimSpace(spacesRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(page, " ")), " "))
}

// formOf returns the hidden fields of the form posting to action.
func formOf(t *testing.T, page, action string) url.Values {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form to %s in:\n%s", action, text(page))
	}
	form := url.Values{}
	end := strings.Index(page[i:], "</form>")
	for _, m := range hiddenRE.FindAllStringSubmatch(page[i:i+end], -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	return form
}

// nextVersion is the demo tariff with a second version from 2099-07-01:
// the July 2024 pass-through figures and a KES 50 minimum.
const nextVersion = `name: kenya-domestic-sample
currency: KES
versions:
  - effective_from: 2023-04-01
    energy_blocks:
      - up_to_kwh: 30
        rate: 12.2200
      - up_to_kwh: 100
        rate: 16.5400
      - rate: 19.0800
    fixed_monthly_charge: 0.00
    pass_through_per_kwh:
      fuel_energy_cost: 3.5900
      forex_adjustment: 1.2100
      inflation_adjustment: 0.4600
    levies:
      energy_regulator_levy_per_kwh: 0.0800
      rural_electrification_levy_pct_of_energy: 0.05
      water_resources_levy_per_kwh: 0.0125
    vat_pct: 0.16
    debt_recovery_pct: 0.25
    min_purchase: 100.00
    max_purchase: 35000.00
  - effective_from: 2099-07-01
    pass_through_per_kwh:
      fuel_energy_cost: 2.7800
      forex_adjustment: 0.9900
      inflation_adjustment: 0.4600
    min_purchase: 50.00
`

// lineOf is the line of the demo tariff's file where s first stands.
func lineOf(t *testing.T, s string) int {
	t.Helper()
	src := string(tariff.SampleYAML())
	i := strings.Index(src, s)
	if i < 0 {
		t.Fatalf("%q is not in the sample tariff", s)
	}
	return strings.Count(src[:i], "\n") + 1
}

// An admin imports a tariff file in two steps: the dry run shows every
// problem at its line, or what the file changes and what sample payments
// buy under the version in force and the new one; the confirmation
// imports exactly the file checked, onto the tariff as it was checked.
// Finance reads tariffs and quotes payments; neither imports.
func TestTariffImportPage(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		adm := staffMember(t, a, "admin-t", staff.RoleAdmin)
		const preview, confirm = "/staff/tariffs/preview", "/staff/tariffs/import"

		bad := strings.NewReplacer("rate: 12.2200", "rate: 12,22", "vat_pct: 0.16", "vat_pct: 16", "max_purchase: 35000.00", "max_purchase: 50.00").
			Replace(string(tariff.SampleYAML()))
		status, _, page := adm.postFile(preview, url.Values{"id": {app.SampleTariffID}}, "bad.yaml", bad)
		words := text(page)
		for _, want := range []string{"The file has 3 problems",
			"Line " + strconv.Itoa(lineOf(t, "rate: 12.2200")) + ": energy_blocks[0].rate: \"12,22\" is not a plain decimal number",
			"Line " + strconv.Itoa(lineOf(t, "vat_pct")) + ": vat_pct: VAT of 1600% is out of range",
			"Line " + strconv.Itoa(lineOf(t, "max_purchase")) + ": max_purchase: maximum purchase 50.00 is below the minimum purchase 100.00"} {
			if !strings.Contains(words, want) {
				t.Errorf("the dry run of a bad file does not say %q:\n%s", want, words)
			}
		}
		if status != http.StatusBadRequest || strings.Contains(page, `action="`+confirm+`"`) {
			t.Errorf("a bad file: %d, and a form to import it", status)
		}

		if status, _, page := adm.postFile(preview, url.Values{"id": {"Domestic Tariff"}}, "bad.yaml", bad); status != http.StatusBadRequest ||
			!strings.Contains(text(page), "The file has 4 problems") || !strings.Contains(page, "lower-case letters") {
			t.Errorf("a bad file under a bad id: %d; want the id's problem with the file's", status)
		}

		// Too large a file, and too large a post, are refused as such.
		for _, size := range []int{70 << 10, 200 << 10} {
			if status, _, _ := adm.postFile(preview, nil, "big.yaml", strings.Repeat("#\n", size/2)); status != http.StatusRequestEntityTooLarge {
				t.Errorf("a file of %d bytes: %d", size, status)
			}
		}

		status, _, page = adm.postFile(preview, url.Values{"id": {app.SampleTariffID}}, "next.yaml", nextVersion)
		words = text(page)
		for _, want := range []string{"Version from 2023-04-01: unchanged (in force)", "Version from 2099-07-01: new (to come)",
			"fuel_energy_cost 3.5900 per kWh, VAT → 2.7800 per kWh, VAT",
			"What customers get from 2099-07-01, against the version in force (from 2023-04-01)",
			"KES\u00a0500.00, the month's first purchase Units (kWh) 23.83 25.27 Token Amt 291.22 308.82 VAT 66.65 66.51 Fuel Energy Charge 85.56 70.25",
			"KES\u00a0100.00, 50 kWh bought this month",
		} {
			if !strings.Contains(words, want) {
				t.Errorf("the dry run does not show %q:\n%s", want, words)
			}
		}
		if status != http.StatusOK || len(page) > 60<<10 {
			t.Errorf("the dry run: %d, %d bytes", status, len(page))
		}
		checked := formOf(t, page, confirm)
		if _, body := adm.get("/staff/tariffs/" + app.SampleTariffID); strings.Contains(body, "2099-07-01") {
			t.Errorf("the dry run stored the new version")
		}

		// Another file, swapped in for the one checked, is refused.
		_, _, other := adm.postFile(preview, url.Values{"id": {app.SampleTariffID}}, "other.yaml", strings.Replace(nextVersion, "fuel_energy_cost: 2.7800", "fuel_energy_cost: 1.0000", 1))
		swapped := formOf(t, other, confirm)
		swapped.Set("seal", checked.Get("seal"))
		if status, _, page := adm.post(confirm, swapped); status != http.StatusBadRequest || !strings.Contains(page, "This is not the file that was checked") {
			t.Errorf("a file other than the one checked: %d", status)
		}
		if _, body := adm.get("/staff/tariffs/" + app.SampleTariffID); strings.Contains(body, "2099-07-01") {
			t.Fatalf("a file other than the one checked was stored")
		}

		status, h, _ := adm.post(confirm, checked)
		if status != http.StatusSeeOther || h.Get("Location") != "/staff/tariffs/"+app.SampleTariffID+"?done=imported" {
			t.Fatalf("confirm: %d %s", status, h.Get("Location"))
		}
		_, body := adm.get(h.Get("Location"))
		if words := text(body); !strings.Contains(words, "Imported.") || !strings.Contains(words, "Version from 2099-07-01 to come") ||
			!strings.Contains(words, "Fuel Energy Charge fuel_energy_cost 2.7800 per kWh, VAT") {
			t.Errorf("the tariff after the import:\n%s", words)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE actor = 'staff:admin-t' AND action = 'tariff.import' AND subject = $1 AND detail LIKE '%2099-07-01%'`, app.SampleTariffID); n != 1 {
			t.Errorf("%d audit events for the import", n)
		}
		// The same confirmation again: the tariff is no longer the one
		// the preview was judged against.
		if status, _, page := adm.post(confirm, checked); status != http.StatusConflict || !strings.Contains(page, "changed by another import") {
			t.Errorf("a confirmation replayed: %d", status)
		}

		fin := staffMember(t, a, "fin-t", staff.RoleFinance)
		if status, body := fin.get("/staff/tariffs"); status != http.StatusOK || !strings.Contains(body, `href="/staff/tariffs/`+app.SampleTariffID+`"`) || strings.Contains(body, preview) {
			t.Errorf("finance's tariffs page: %d, or it offers the import", status)
		}
		if status, _, _ := fin.postFile(preview, nil, "next.yaml", nextVersion); status != http.StatusForbidden {
			t.Errorf("finance checks a tariff file: %d", status)
		}
		c := app.DemoCustomers[0]
		status, body = fin.get("/staff/quote?tariff=" + app.SampleTariffID + "&amount=500&meter=" + c.Meter)
		if words := text(body); status != http.StatusOK || !strings.Contains(words, "Token Amt 291.22 VAT 66.65") || !strings.Contains(words, "Units (kWh) 23.83 kWh") {
			t.Errorf("a quote: %d\n%s", status, words)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE actor = 'staff:fin-t' AND action = 'tariff.quote' AND subject = $1`, c.Meter); n != 1 {
			t.Errorf("%d audit events for a quote for a meter", n)
		}
		if status, body := fin.get("/staff/quote?tariff=" + app.SampleTariffID + "&amount=50"); status != http.StatusBadRequest || !strings.Contains(body, "Below the minimum purchase, KES\u00a0100.00.") {
			t.Errorf("a quote below the minimum: %d", status)
		}
	})
}

// alert is a page's alert: the problems it lists.
func alert(page string) string {
	i := strings.Index(page, `role="alert"`)
	if i < 0 {
		return ""
	}
	return page[i : i+strings.Index(page[i:], "</div>")]
}

// Meter numbers new to the demo utility, with valid check digits.
const (
	newMeter   = "07770000003"
	swapMeter  = "07770000011"
	otherMeter = "07770000029"
)

// audited fails unless actor recorded action on subject exactly once, with
// a detail containing each of details.
func audited(t *testing.T, a *apptest.App, actor, action, subject string, details ...string) {
	t.Helper()
	q := `SELECT count(*) FROM audit_events WHERE actor = $1 AND action = $2 AND subject = $3`
	args := []any{actor, action, subject}
	for _, d := range details {
		args = append(args, "%"+d+"%")
		q += " AND detail LIKE $" + strconv.Itoa(len(args))
	}
	if n := a.Count(q, args...); n != 1 {
		t.Errorf("%d audit events %s by %s on %s with %q; want 1", n, action, actor, subject, details)
	}
}

// A meter's life through the console's forms: an admin registers it
// (every problem of a bad form at once, a meter registered twice a
// conflict of its own); care edits its area and phones, deactivates and
// reactivates it with a reason and moves it to a new customer, but may not
// change its tariff, queue a key change or record a swap, which an admin
// does. Each change is audited under the staff member's name.
func TestMeterForms(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		adm := staffMember(t, a, "admin-m", staff.RoleAdmin)
		care := staffMember(t, a, "care-m", staff.RoleCare)

		if status, body := adm.get("/staff/meters/new"); status != http.StatusOK || !strings.Contains(body, `value="2014"`) {
			t.Errorf("the register form: %d, or without the default key parameters", status)
		}
		reg := url.Values{"drn": {"12345678901"}, "sgc": {""}, "ti": {"1"}, "krn": {"1"}, "kt": {"2"}, "ken": {"255"}, "base_date": {"2014"},
			"algorithm": {"EA07"}, "dkga": {"02"}, "tariff": {app.SampleTariffID}, "area": {"Kisumu"},
			"name": {"Grace Achieng"}, "language": {"sw"}, "phones": {"0712 000 111"}}
		status, _, page := adm.post("/staff/meters", reg)
		if words := text(page); status != http.StatusBadRequest || strings.Count(alert(page), "<li>") != 2 || !strings.Contains(words, "check digit") ||
			!strings.Contains(words, "sgc: required") || !strings.Contains(page, `value="Grace Achieng"`) {
			t.Errorf("a bad registration: %d; want both problems and the form as typed:\n%s", status, words)
		}
		reg.Set("drn", "0777-0000-003")
		reg.Set("sgc", "123456")
		status, h, _ := adm.post("/staff/meters", reg)
		if status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "?done=registered") {
			t.Fatalf("register: %d %s", status, h.Get("Location"))
		}
		customerPage := strings.TrimSuffix(h.Get("Location"), "?done=registered")
		if _, body := care.get(h.Get("Location")); !strings.Contains(body, "Grace Achieng") || !strings.Contains(body, newMeter) || !strings.Contains(body, "254712000111") {
			t.Errorf("the new customer's page lacks the name, meter or phone")
		}
		audited(t, a, "staff:admin-m", "meter.register", newMeter, "new customer", "tariff domestic", "sgc 123456")
		if status, _, page := adm.post("/staff/meters", reg); status != http.StatusConflict || !strings.Contains(page, "already registered") {
			t.Errorf("a meter registered twice: %d", status)
		}

		manage := "/staff/meters/" + newMeter + "/manage"
		if status, body := care.get(manage); status != http.StatusOK || strings.Contains(body, "/keychange") || strings.Contains(body, `name="tariff"`) {
			t.Errorf("care's meter page: %d, or it offers what is the admin's", status)
		}
		audited(t, a, "staff:care-m", "customer.read", strings.TrimPrefix(customerPage, "/staff/customers/"), "meter "+newMeter)
		status, h, _ = care.post("/staff/meters/"+newMeter+"/edit", url.Values{"area": {"Kibos"}, "phones": {"0712000111\n0733 000 333"}})
		if status != http.StatusSeeOther || h.Get("Location") != manage+"?done=edited" {
			t.Errorf("care edits: %d %s", status, h.Get("Location"))
		}
		audited(t, a, "staff:care-m", "meter.edit", newMeter, `area "Kisumu" → "Kibos"`, "→ 2547*****111, 2547*****333")
		if status, _, _ := care.post("/staff/meters/"+newMeter+"/edit", url.Values{"area": {"Kibos"}, "tariff": {app.SampleTariffID}}); status != http.StatusForbidden {
			t.Errorf("care changes the tariff: %d", status)
		}
		if status, _, page := care.post("/staff/meters/"+newMeter+"/edit", url.Values{"phones": {"07x"}}); status != http.StatusBadRequest || !strings.Contains(page, "Nothing was changed") {
			t.Errorf("a bad phone: %d", status)
		}

		if status, _, page := care.post("/staff/meters/"+newMeter+"/deactivate", url.Values{}); status != http.StatusBadRequest || !strings.Contains(page, "Give a reason") {
			t.Errorf("deactivate without a reason: %d", status)
		}
		if status, _, _ := care.post("/staff/meters/"+newMeter+"/deactivate", url.Values{"reason": {"tampered seal"}}); status != http.StatusSeeOther {
			t.Errorf("deactivate: %d", status)
		}
		audited(t, a, "staff:care-m", "meter.deactivate", newMeter, "active → inactive: tampered seal")
		if status, _, page := care.post("/staff/meters/"+newMeter+"/deactivate", url.Values{"reason": {"tampered seal"}}); status != http.StatusConflict || !strings.Contains(page, "is inactive already") {
			t.Errorf("deactivate twice: %d", status)
		}
		if status, _, _ := care.post("/staff/meters/"+newMeter+"/reactivate", url.Values{"reason": {"seal replaced"}}); status != http.StatusSeeOther {
			t.Errorf("reactivate: %d", status)
		}
		audited(t, a, "staff:care-m", "meter.reactivate", newMeter, "inactive → active: seal replaced")

		if status, _, page := care.post("/staff/meters/"+newMeter+"/move", url.Values{"customer": {"x"}, "name": {"New Tenant"}}); status != http.StatusBadRequest || !strings.Contains(page, "not both") {
			t.Errorf("a move to two customers: %d", status)
		}
		status, h, _ = care.post("/staff/meters/"+newMeter+"/move", url.Values{"name": {"New Tenant"}, "language": {"en"}, "phones": {"0799000111"}})
		if status != http.StatusSeeOther || h.Get("Location") != manage+"?done=moved" {
			t.Errorf("move: %d %s", status, h.Get("Location"))
		}
		audited(t, a, "staff:care-m", "meter.move", newMeter, "to new customer", "2547*****111")
		if _, body := care.get(customerPage); strings.Contains(body, newMeter) {
			t.Errorf("the meter is still on its former customer's page")
		}

		keys := url.Values{"sgc": {"123456"}, "ti": {"1"}, "krn": {"2"}, "kt": {"2"}, "ken": {"255"}, "base_date": {"2014"}, "dkga": {"02"}}
		if status, _, _ := care.post("/staff/meters/"+newMeter+"/keychange", keys); status != http.StatusForbidden {
			t.Errorf("care queues a key change: %d", status)
		}
		if status, h, _ := adm.post("/staff/meters/"+newMeter+"/keychange", keys); status != http.StatusSeeOther || h.Get("Location") != manage+"?done=keychange" {
			t.Errorf("key change: %d %s", status, h.Get("Location"))
		}
		audited(t, a, "staff:admin-m", "meter.keychange", newMeter, "krn 1 kt 2", "krn 2 kt 2")
		if _, body := adm.get(manage + "?done=keychange"); !strings.Contains(body, "Key change queued") || !strings.Contains(body, "KRN 2") {
			t.Errorf("the meter's page does not show the key change queued")
		}

		swap := url.Values{"new_drn": {swapMeter}}
		for k, v := range keys {
			swap[k] = v
		}
		swap.Set("krn", "1")
		if status, _, _ := care.post("/staff/meters/"+newMeter+"/swap", swap); status != http.StatusForbidden {
			t.Errorf("care records a swap: %d", status)
		}
		status, h, _ = adm.post("/staff/meters/"+newMeter+"/swap", swap)
		if status != http.StatusSeeOther || h.Get("Location") != "/staff/meters/"+swapMeter+"/manage?done=swapped" {
			t.Fatalf("swap: %d %s", status, h.Get("Location"))
		}
		audited(t, a, "staff:admin-m", "meter.swap", newMeter, "retired, replaced by "+swapMeter)
		audited(t, a, "staff:admin-m", "meter.swap", swapMeter, "replaces "+newMeter)
		if _, body := adm.get(manage); !strings.Contains(body, "retired") || strings.Contains(body, "/swap\"") {
			t.Errorf("the retired meter's page still offers changes")
		}
		if status, _, page := adm.post("/staff/meters/"+newMeter+"/edit", url.Values{"area": {"x"}}); status != http.StatusConflict || !strings.Contains(page, "retired") {
			t.Errorf("an edit of a retired meter: %d", status)
		}
	})
}

// Care registers another phone for a customer on their page, and a re-send
// then goes to it as one of the customer's own (no reason asked); care
// reports a fault for the customer's meter, which the timeline shows open
// with a form to close it, and closes it with a note. Each is audited.
func TestPhonesAndFaults(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[1]
		_, tok, _ := tokenSent(t, a, c)
		care := staffMember(t, a, "care-p", staff.RoleCare)
		_, h, _ := care.do("GET", "/staff/search?q="+c.Meter, nil, nil)
		page := h.Get("Location")
		id := strings.TrimPrefix(page, "/staff/customers/")
		resend := "/staff/meters/" + c.Meter + "/resend"
		const added = "254799222333"

		if status, _, _ := care.post(resend, url.Values{"phone": {"0799 222 333"}}); status != http.StatusBadRequest {
			t.Errorf("a re-send to a number not the customer's, without a reason: %d", status)
		}
		if status, _, _ := care.post("/staff/customers/"+id+"/phones", url.Values{"phone": {"07x"}}); status != http.StatusBadRequest {
			t.Errorf("a phone that is not one: %d", status)
		}
		status, h, _ := care.post("/staff/customers/"+id+"/phones", url.Values{"phone": {"0799 222 333"}})
		if status != http.StatusSeeOther || h.Get("Location") != page+"?done=phone" {
			t.Fatalf("add a phone: %d %s", status, h.Get("Location"))
		}
		if _, body := care.get(h.Get("Location")); !strings.Contains(body, added) || !strings.Contains(body, c.Phone) || !strings.Contains(body, "Phone added") {
			t.Errorf("the customer page does not show both phones")
		}
		audited(t, a, "staff:care-p", "meter.edit", c.Meter, "→ 2547*****678, 2547*****333")
		if status, _, _ := care.post(resend, url.Values{"phone": {"0799 222 333"}}); status != http.StatusSeeOther {
			t.Errorf("a re-send to the phone added: %d", status)
		}
		a.WaitSMS(added, tok)
		fin := staffMember(t, a, "fin-p", staff.RoleFinance)
		if status, _, _ := fin.post("/staff/customers/"+id+"/phones", url.Values{"phone": {"0799 222 444"}}); status != http.StatusForbidden {
			t.Errorf("finance adds a phone: %d", status)
		}

		raise := "/staff/meters/" + c.Meter + "/faults"
		if status, _, _ := care.post(raise, url.Values{"kind": {"flood"}}); status != http.StatusBadRequest {
			t.Errorf("a fault of no kind: %d", status)
		}
		status, h, _ = care.post(raise, url.Values{"kind": {"no_power"}, "phone": {c.Phone}, "note": {"whole street dark"}})
		if status != http.StatusSeeOther || h.Get("Location") != page+"?done=fault" {
			t.Fatalf("report a fault: %d %s", status, h.Get("Location"))
		}
		_, body := care.get(h.Get("Location"))
		m := regexp.MustCompile(`action="/staff/faults/([0-9a-f-]+)/close"`).FindStringSubmatch(body)
		if m == nil || !regexp.MustCompile(`no_power · <span class="mono">`+c.Meter+`</span> · <span class="tag bad">open</span>`).MatchString(body) {
			t.Fatalf("the timeline does not show the fault open, with a form to close it")
		}
		fault := m[1]
		audited(t, a, "staff:care-p", "fault.report", fault, "no_power, meter "+c.Meter, "whole street dark")
		if _, body := care.get("/staff/faults"); !strings.Contains(body, "whole street dark") {
			t.Errorf("the open faults lack the fault")
		}
		if status, _, _ := fin.post(raise, url.Values{"kind": {"no_power"}}); status != http.StatusForbidden {
			t.Errorf("finance reports a fault: %d", status)
		}

		close := "/staff/faults/" + fault + "/close"
		if status, _, _ := care.post(close, url.Values{"note": {"ok"}, "meter": {c.Meter}}); status != http.StatusBadRequest {
			t.Errorf("close without saying what was done: %d", status)
		}
		status, h, _ = care.post(close, url.Values{"note": {"feeder fuse replaced"}, "meter": {c.Meter}})
		if status != http.StatusSeeOther || h.Get("Location") != page+"?done=closed" {
			t.Fatalf("close: %d %s", status, h.Get("Location"))
		}
		_, body = care.get(h.Get("Location"))
		if !strings.Contains(body, `<span class="tag good">closed</span>`) || strings.Contains(body, close) {
			t.Errorf("the timeline does not show the fault closed")
		}
		audited(t, a, "staff:care-p", "fault.close", fault, "feeder fuse replaced")
		if status, _, _ := care.post(close, url.Values{"note": {"feeder fuse replaced"}}); status != http.StatusConflict {
			t.Errorf("close twice: %d", status)
		}
		if _, body := care.get("/staff/faults"); strings.Contains(body, "whole street dark") {
			t.Errorf("a closed fault is still in the queue")
		}
	})
}
