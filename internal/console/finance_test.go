package console_test

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/reconcile"
	"github.com/mteja/mteja/internal/report"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// upload sends a statement file through the console's import form, as a
// browser posts it.
func (b *browser) upload(name string, content []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("statement", name)
	if err == nil {
		_, err = fw.Write(content)
	}
	if err != nil || mw.Close() != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", b.a.URL()+"/staff/reconcile/statements", &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

// transfers are statement rows that move no customer's money (the
// utility's own transfers), kept and counted, never vended: padding, and
// the ends of a statement's span.
func transfers(at time.Time, n int) []apptest.StatementRow {
	out := make([]apptest.StatementRow, n)
	for i := range out {
		out[i] = apptest.StatementRow{Receipt: apptest.NewReceipt(), At: at, Details: "Business Transfer to Working", Withdrawn: "-10.00",
			Reason: "Organization Move Funds", Party: "888880 - Mteja Power"}
	}
	return out
}

// rawKey finds a phrase key shown as itself: a phrase missing from the
// console's texts.
var rawKey = regexp.MustCompile(`\b(recon|rep)\.[a-z_.]+[a-z]`)

func checkPage(t *testing.T, name string, status, want int, page string) {
	t.Helper()
	if status != want {
		t.Errorf("%s: %d, want %d:\n%s", name, status, want, page)
	}
	if len(page) > 60<<10 {
		t.Errorf("%s: %d bytes, over 60 KB", name, len(page))
	}
	if k := rawKey.FindString(page); k != "" {
		t.Errorf("%s shows the phrase key %q: the phrase is missing", name, k)
	}
}

// A statement uploaded through the console: with one bad row it reports
// that row by its line and imports nothing; corrected, it records and
// vends the payment whose confirmation M-Pesa never delivered, without the
// customer doing anything, exactly once, however often the file comes.
// The file is larger than the console's other forms may be; one over the
// import's own bound is refused whole. Only finance imports.
func TestStatementThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		receipt := a.PayBillUnconfirmed(c.Phone, c.Meter, 700)
		fin := staffMember(t, a, "fin1", staff.RoleFinance)
		paid := a.PaidRow(receipt)
		// Rows from the 6th line on: four heading lines, a blank one, the
		// header.
		bad := transfers(time.Now(), 1)[0]
		bad.Withdrawn = "lots"
		status, page := fin.upload("bad.csv", []byte(a.Statement(paid, bad)))
		checkPage(t, "a statement with a bad row", status, http.StatusBadRequest, page)
		if !strings.Contains(page, "Nothing was imported: 1 rows are bad") || !strings.Contains(page, `<td class="n">7</td>`) || !strings.Contains(page, "lots") {
			t.Errorf("the bad row's line and problem are not shown:\n%s", page)
		}
		if n := a.Count(`SELECT count(*) FROM recon_statements`) + a.Count(`SELECT count(*) FROM mpesa_records`); n != 0 {
			t.Errorf("a statement with a bad row left %d statements and records", n)
		}

		good := []byte(a.Statement(append([]apptest.StatementRow{paid}, transfers(time.Now(), 400)...)...))
		if len(good) <= 32<<10 {
			t.Fatalf("the statement is %d bytes; it should be over the console's 32 KB form bound", len(good))
		}
		status, page = fin.upload("december.csv", good)
		checkPage(t, "a good statement", status, http.StatusOK, page)
		for _, want := range []string{"Imported and reconciled.", "<dd>401</dd>", receipt, "recorded and vended"} {
			if !strings.Contains(page, want) {
				t.Errorf("the import's outcome lacks %q:\n%s", want, page)
			}
		}
		if p := a.WaitPayment(receipt, payment.Applied); p.MeterDRN != c.Meter {
			t.Errorf("the payment recorded from the statement: %+v", p)
		}
		v := a.VendOf(receipt)
		a.WaitSMS(c.Phone, v.Tokens[len(v.Tokens)-1].Grouped())

		status, page = fin.upload("december.csv", good)
		checkPage(t, "the same statement again", status, http.StatusOK, page)
		if !strings.Contains(page, "This file was imported before: nothing was added.") {
			t.Errorf("the same statement again:\n%s", page)
		}
		a.Settle()
		a.WaitDelivered()
		if n := len(a.Vends(c.Meter)); n != 1 {
			t.Errorf("%d vends, want 1", n)
		}
		if n := len(a.SMSTo(c.Phone)); n != 1 {
			t.Errorf("%d SMS to the customer, want 1", n)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'reconcile.statement' AND actor = 'staff:fin1' AND detail LIKE 'december.csv%'`); n != 1 {
			t.Errorf("%d audit events of the import, want 1", n)
		}

		huge := append(good, bytes.Repeat(good[bytes.LastIndexByte(good[:len(good)-1], '\n')+1:], 16<<20/100)...)
		status, page = fin.upload("huge.csv", huge)
		checkPage(t, "a statement over 16 MB", status, http.StatusRequestEntityTooLarge, page)
		if !strings.Contains(page, "larger than 16 MB") {
			t.Errorf("a statement over 16 MB:\n%s", page)
		}
		if status, page := fin.upload("", nil); status != http.StatusBadRequest || !strings.Contains(page, "Choose the statement file") {
			t.Errorf("no file: %d\n%s", status, page)
		}

		aud := staffMember(t, a, "aud1", staff.RoleAuditor)
		if status, _ := aud.upload("december.csv", good); status != http.StatusForbidden {
			t.Errorf("an auditor imports a statement: %d", status)
		}
		status, page = aud.get("/staff/reconcile")
		checkPage(t, "the reconciliation page (auditor)", status, http.StatusOK, page)
		if !strings.Contains(page, "december.csv") || strings.Contains(page, `action="/staff/reconcile/statements"`) {
			t.Errorf("an auditor's reconciliation page: the statement imported, and no import form, wanted:\n%s", page)
		}
	})
}

// exceptionOf returns the exception of receipt.
func exceptionOf(t *testing.T, a *apptest.App, receipt string) reconcile.Exception {
	t.Helper()
	es, err := reconcile.Exceptions(t.Context(), a.DB.Read(), reconcile.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Receipt == receipt {
			return e
		}
	}
	t.Fatalf("no exception for %s", receipt)
	return reconcile.Exception{}
}

// An exception worked through its form: refused without the note the
// domain requires, or for an action it does not allow, saying why; done
// with a note, it is resolved and audited with the note,
// and cannot be done twice. An auditor reads the exceptions, with a phone
// number a customer typed as the account masked, and has no form.
func TestExceptionThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		onlyHere := a.PayBill(c.Phone, c.Meter, 300) // M-Pesa's statement will not list it
		a.WaitPayment(onlyHere, payment.Applied)
		at := a.PaidRow(onlyHere).At
		const typed = "0712345678" // a phone number typed as the account
		phoneRow := apptest.StatementRow{Receipt: apptest.NewReceipt(), At: at, Details: "Pay Bill", PaidIn: "250.00", Reason: "Pay Bill",
			Party: "2547*****001 - PETER", Account: typed}
		rows := append(transfers(at.Add(-time.Minute), 1), phoneRow)
		rows = append(rows, transfers(at.Add(time.Minute), 1)...)
		fin := staffMember(t, a, "fin2", staff.RoleFinance)
		if status, page := fin.upload("span.csv", []byte(a.Statement(rows...))); status != http.StatusOK {
			t.Fatalf("import: %d\n%s", status, page)
		}
		e := exceptionOf(t, a, onlyHere)
		if e.Kind != reconcile.MissingInMpesa || e.State != reconcile.Open {
			t.Fatalf("exception %+v; want one open, missing in M-Pesa", e)
		}
		status, page := fin.get("/staff/reconcile/exceptions")
		checkPage(t, "open exceptions", status, http.StatusOK, page)
		if !strings.Contains(page, "/staff/reconcile/exceptions/"+e.ID) || strings.Contains(page, phoneRow.Receipt) {
			t.Errorf("the open exceptions: want %s's, not the one done by Mteja:\n%s", onlyHere, page)
		}
		detail := "/staff/reconcile/exceptions/" + e.ID
		status, page = fin.get(detail)
		checkPage(t, "an exception", status, http.StatusOK, page)
		if !strings.Contains(page, `name="action" value="dismiss"`) || !strings.Contains(page, `name="action" value="reverse"`) || strings.Contains(page, `value="assign"`) {
			t.Errorf("the exception's forms: want reverse and dismiss only:\n%s", page)
		}

		resolve := func(form url.Values, want int) string {
			t.Helper()
			status, hd, page := fin.post(detail+"/resolve", form)
			if status != want {
				t.Errorf("resolve %v: %d, want %d:\n%s", form, status, want, page)
			}
			return hd.Get("Location") + page
		}
		if page := resolve(url.Values{"action": {"dismiss"}, "note": {" "}}, http.StatusBadRequest); !strings.Contains(page, "Write a note saying why") {
			t.Errorf("dismiss without a note:\n%s", page)
		}
		if page := resolve(url.Values{"action": {"assign"}, "meter": {c.Meter}, "note": {"kept"}}, http.StatusBadRequest); !strings.Contains(page, "Not done: action not possible") {
			t.Errorf("an action the exception does not allow:\n%s", page)
		}
		if loc := resolve(url.Values{"action": {"dismiss"}, "note": {"on tomorrow's statement"}}, http.StatusSeeOther); loc != detail+"?done=resolved" {
			t.Errorf("after dismissing: sent to %q", loc)
		}
		_, page = fin.get(detail + "?done=resolved")
		if !strings.Contains(page, "Done, and recorded in the audit log.") || !strings.Contains(page, "dismissed") || !strings.Contains(page, "staff:fin2") ||
			strings.Contains(page, `name="action"`) {
			t.Errorf("the resolved exception:\n%s", page)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'reconcile.resolve' AND actor = 'staff:fin2' AND subject = $1 AND detail LIKE '%tomorrow%'`, e.ID); n != 1 {
			t.Errorf("%d audit events of the dismissal, want 1", n)
		}
		if page := resolve(url.Values{"action": {"dismiss"}, "note": {"again"}}, http.StatusConflict); !strings.Contains(page, "not open") {
			t.Errorf("dismissing twice:\n%s", page)
		}
		if p, _ := a.Payment(onlyHere); p.State != payment.Applied {
			t.Errorf("a dismissed exception changed its payment: %s", p.State)
		}

		aud := staffMember(t, a, "aud2", staff.RoleAuditor)
		if status, _, _ := aud.post(detail+"/resolve", url.Values{"action": {"dismiss"}, "note": {"x"}}); status != http.StatusForbidden {
			t.Errorf("an auditor resolves: %d", status)
		}
		masked := exceptionOf(t, a, phoneRow.Receipt)
		for _, path := range []string{"/staff/reconcile", "/staff/reconcile/exceptions?state=", "/staff/reconcile/exceptions/" + masked.ID, detail, "/staff/suspense"} {
			status, page := aud.get(path)
			checkPage(t, path+" (auditor)", status, http.StatusOK, page)
			if strings.Contains(page, typed) || strings.Contains(page, "254"+typed[1:]) || strings.Contains(page, c.Phone) || strings.Contains(page, `name="action"`) {
				t.Errorf("%s shows an auditor a phone number, or a form:\n%s", path, page)
			}
		}
		if _, page := fin.get("/staff/reconcile/exceptions/" + masked.ID); !strings.Contains(page, typed) {
			t.Errorf("finance does not see the account typed:\n%s", page)
		}
		if status, _ := staffMember(t, a, "care2", staff.RoleCare).get("/staff/reconcile/exceptions"); status != http.StatusForbidden {
			t.Errorf("care reads the exceptions: %d", status)
		}
	})
}

// A day closed through the console fixes its figures; a statement that
// then brings a payment of that day books a correction of its own, which
// the day's page shows beside the close with the figures now. A day not
// over, a day closed with nothing changed since, and text that is not a
// day are refused with a page that says so.
func TestDayCloseThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		fin := staffMember(t, a, "fin3", staff.RoleFinance)
		yesterday := time.Now().In(mpesa.EAT).AddDate(0, 0, -1)
		day := yesterday.Format(time.DateOnly)
		noon := time.Date(yesterday.Year(), yesterday.Month(), yesterday.Day(), 12, 0, 0, 0, mpesa.EAT)
		row := func() apptest.StatementRow { // a payment naming no meter: held in suspense
			return apptest.StatementRow{Receipt: apptest.NewReceipt(), At: noon, Details: "Pay Bill", PaidIn: "1,200.00", Reason: "Pay Bill",
				Party: "2547*****001 - PETER", Account: "99999999999"}
		}
		if status, page := fin.upload("first.csv", []byte(a.Statement(row()))); status != http.StatusOK {
			t.Fatalf("import: %d\n%s", status, page)
		}
		status, page := fin.get("/staff/reconcile/days")
		checkPage(t, "yesterday's figures", status, http.StatusOK, page)
		if !strings.Contains(page, "Not closed yet.") || !strings.Contains(page, "1 · KES\u00a01,200.00") || !strings.Contains(page, `action="/staff/reconcile/days/`+day+`/close"`) {
			t.Errorf("yesterday's figures before the close:\n%s", page)
		}
		status, hd, page := fin.post("/staff/reconcile/days/"+day+"/close", url.Values{})
		if status != http.StatusSeeOther || hd.Get("Location") != "/staff/reconcile/days?day="+day+"&done=close" {
			t.Fatalf("close: %d %v\n%s", status, hd, page)
		}
		_, page = fin.get(hd.Get("Location"))
		if !strings.Contains(page, day+" is closed") || !strings.Contains(page, "by staff:fin3") || strings.Contains(page, `/close"`) {
			t.Errorf("after the close:\n%s", page)
		}
		if status, _, page := fin.post("/staff/reconcile/days/"+day+"/close", url.Values{}); status != http.StatusConflict || !strings.Contains(page, "have not changed") {
			t.Errorf("closing again with nothing changed: %d\n%s", status, page)
		}

		status, page = fin.upload("second.csv", []byte(a.Statement(row())))
		if status != http.StatusOK || !strings.Contains(page, "A correction of "+day+" was booked.") {
			t.Errorf("a statement bringing a payment of the closed day: %d\n%s", status, page)
		}
		status, page = fin.get("/staff/reconcile/days?day=" + day)
		checkPage(t, "a closed day with a correction", status, http.StatusOK, page)
		for _, want := range []string{"Correction 2", "Corrected 1 times since.", "2 · KES\u00a02,400.00", "1 · KES\u00a01,200.00"} {
			if !strings.Contains(page, want) {
				t.Errorf("the corrected day lacks %q:\n%s", want, page)
			}
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'reconcile.close' AND actor = 'staff:fin3' AND subject = $1`, day); n != 1 {
			t.Errorf("%d audit events of the close, want 1", n)
		}

		today := time.Now().In(mpesa.EAT).Format(time.DateOnly)
		for _, c := range []struct {
			day, want string
			status    int
		}{{today, "not over", http.StatusBadRequest}, {"yesterday", "YYYY-MM-DD", http.StatusBadRequest}} {
			status, _, page := fin.post("/staff/reconcile/days/"+c.day+"/close", url.Values{})
			if status != c.status || !strings.Contains(page, c.want) {
				t.Errorf("close %s: %d\n%s", c.day, status, page)
			}
		}
		aud := staffMember(t, a, "aud3", staff.RoleAuditor)
		if status, page := aud.get("/staff/reconcile/days?day=" + day); status != http.StatusOK || !strings.Contains(page, "Correction 2") || strings.Contains(page, "<form method=\"post\" action=\"/staff/reconcile") {
			t.Errorf("an auditor's view of the day: %d\n%s", status, page)
		}
		if status, _, _ := aud.post("/staff/reconcile/days/"+day+"/close", url.Values{}); status != http.StatusForbidden {
			t.Errorf("an auditor closes a day: %d", status)
		}
	})
}

var svgRE = regexp.MustCompile(`(?s)<svg.*?</svg>`)

// wellFormed checks that an SVG is well-formed XML.
func wellFormed(s string) error {
	dec := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Every report, for the default period (the last week, which has this
// test's payments): its page shows its charts as well-formed inline SVG
// and its table; its CSV downloads as an attachment, parses, and holds the
// same rows, its header in the page's language. An auditor sees no phone
// number in any of it; care is not let in. A malformed date, a period
// ending before it starts or longer than report.MaxDays is a 400 page
// that says what to change.
func TestReportsThroughConsole(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		c := app.DemoCustomers[0]
		for _, major := range []int64{200, 300} {
			a.WaitPayment(a.PayBill(c.Phone, c.Meter, major), payment.Applied)
		}
		a.WaitDelivered()
		fin := staffMember(t, a, "fin4", staff.RoleFinance)
		aud := staffMember(t, a, "aud4", staff.RoleAuditor)
		status, page := fin.get("/staff/reports")
		checkPage(t, "the reports", status, http.StatusOK, page)
		for _, r := range report.All {
			if !strings.Contains(page, `href="/staff/reports/`+r.ID+`"`) {
				t.Errorf("the reports page lacks %s", r.ID)
			}
		}
		for _, r := range report.All {
			for _, who := range []*browser{fin, aud} {
				status, page := who.get("/staff/reports/" + r.ID)
				checkPage(t, r.ID, status, http.StatusOK, page)
				svgs := svgRE.FindAllString(page, -1)
				if len(svgs) == 0 {
					t.Errorf("%s: no chart", r.ID)
				}
				for _, s := range svgs {
					if err := wellFormed(s); err != nil {
						t.Errorf("%s: a chart is not well-formed XML: %v\n%s", r.ID, err, s)
					}
				}
				if !strings.Contains(page, "<table>") || !strings.Contains(page, `/staff/reports/`+r.ID+`/csv?from=`) {
					t.Errorf("%s: no table or no CSV link", r.ID)
				}
				status, hd, body := who.do("GET", "/staff/reports/"+r.ID+"/csv", nil, nil)
				if status != http.StatusOK || hd.Get("Content-Type") != "text/csv; charset=utf-8" ||
					!regexp.MustCompile(`^attachment; filename="`+r.ID+`_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv"$`).MatchString(hd.Get("Content-Disposition")) {
					t.Errorf("%s CSV: %d %v", r.ID, status, hd)
				}
				recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil || len(recs) < 1 {
					t.Errorf("%s CSV does not parse: %v\n%s", r.ID, err, body)
				}
				if who == aud {
					for _, s := range []string{page, body} {
						if strings.Contains(s, c.Phone) || strings.Contains(s, "0"+c.Phone[3:]) || strings.Contains(s, c.Phone[3:]) {
							t.Errorf("%s shows an auditor the customer's phone number", r.ID)
						}
					}
				}
			}
		}

		// The revenue of the period has this test's payments, in the table
		// and the CSV; the CSV's header is in the page's language.
		_, page = fin.get("/staff/reports/revenue")
		if !strings.Contains(page, "500.00") {
			t.Errorf("the revenue page does not show the week's collections:\n%s", page)
		}
		_, _, body := fin.do("GET", "/staff/reports/revenue/csv", nil, http.Header{"Accept-Language": {"sw"}})
		recs, _ := csv.NewReader(strings.NewReader(body)).ReadAll()
		var collected int
		for i, h := range recs[0] {
			if h == "Makusanyo" {
				collected = i
			}
		}
		var sum float64
		for _, rec := range recs[1:] {
			var v float64
			fmt.Sscan(rec[collected], &v)
			sum += v
		}
		if recs[0][0] != "Siku" || collected == 0 || sum != 500 {
			t.Errorf("the revenue CSV in Swahili: header %q, collected %v; want Siku ... Makusanyo adding up to 500", recs[0], sum)
		}
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'report.download' AND actor = 'staff:fin4' AND subject = 'revenue'`); n != 2 {
			t.Errorf("%d audit events of finance's revenue downloads, want 2", n)
		}

		long := time.Now().In(mpesa.EAT).AddDate(0, 0, -report.MaxDays)
		for query, want := range map[string]string{
			"from=2026-13-01":                                     `&#34;2026-13-01&#34; is not a date`,
			"to=1%2F12%2F2026":                                    `&#34;1/12/2026&#34; is not a date`,
			"from=2026-12-01&to=2026-11-01":                       "ends before it starts",
			"from=" + long.Format(time.DateOnly):                  fmt.Sprintf("at most %d days; this period has %d", report.MaxDays, report.MaxDays+1),
			"from=" + long.AddDate(0, 0, 1).Format(time.DateOnly): "", // the longest period
		} {
			status, page := fin.get("/staff/reports/revenue?" + query)
			if want == "" {
				checkPage(t, "?"+query, status, http.StatusOK, page)
				continue
			}
			checkPage(t, "?"+query, status, http.StatusBadRequest, page)
			if !strings.Contains(page, want) || !strings.Contains(page, `id="from"`) || strings.Contains(page, "<svg") {
				t.Errorf("?%s: want the form and %q, and no chart:\n%s", query, want, page)
			}
			if status, _, _ := fin.do("GET", "/staff/reports/revenue/csv?"+query, nil, nil); status != http.StatusBadRequest {
				t.Errorf("CSV ?%s: %d, want 400", query, status)
			}
		}
		if status, _ := fin.get("/staff/reports/nothing"); status != http.StatusNotFound {
			t.Errorf("a report that does not exist: %d", status)
		}
		if status, _ := staffMember(t, a, "care4", staff.RoleCare).get("/staff/reports/revenue"); status != http.StatusForbidden {
			t.Errorf("care reads a report: %d", status)
		}
	})
}
