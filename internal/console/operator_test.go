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
