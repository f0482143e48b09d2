package portal_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
)

// TestCharterPage: the charter report is public, linked from every page
// (the log-in page too), in both languages, and its CSV carries the same
// figures; a breach shows there, and the customer's next token carries
// the compensation, shown on the receipt.
func TestCharterPage(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	john := app.DemoCustomers[0]
	// A "no token" complaint opened five hours ago and never resolved:
	// the ticket is backdated, as the evaluator reads its time.
	tk, _, err := a.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: john.Phone, MeterDRN: john.Meter, Category: care.CategoryNoToken, Note: "no token"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Write().ExecContext(ctx, `UPDATE tickets SET created_at = created_at - 18000000000 WHERE id = $1`, tk.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Evaluator.RunOnce(ctx); err != nil || n.Breached != 1 {
		t.Fatalf("evaluation: %+v, %v; want one breach", n, err)
	}

	v := newVisitor(t, a)
	login := v.get("/login")
	if !strings.Contains(login.body, `<a href="/charter">`) {
		t.Error("the log-in page does not link the charter report")
	}
	month := charter.MonthOf(a.DB.Now())
	for lang, want := range map[string][]string{
		"en": {"Service charter", "complaint resolved within 4 hours", month.Format("January 2006"), "Kept: 0.0%", "Missed: 1", "Compensation paid: KES\u00a050.00"},
		"sw": {"Mkataba wa huduma", "kutatuliwa ndani ya saa 4", "Haikutimizwa: 1", "Fidia iliyolipwa: KES\u00a050.00"},
	} {
		v.post("/language", map[string][]string{"lang": {lang}, "back": {"/charter"}})
		p := v.get("/charter")
		if p.status != 200 || p.url != "/charter" {
			t.Fatalf("%s /charter: status %d at %s", lang, p.status, p.url)
		}
		checkPage(t, lang+" /charter", p, lang)
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s /charter lacks %q", lang, w)
			}
		}
	}
	c := v.get("/charter.csv")
	if c.status != 200 || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("/charter.csv: %d %s", c.status, c.header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs[1:] {
		if r[0] == month.Format("2006-01") && r[1] == "no_token_resolved" {
			found = true
			if strings.Join(r[4:], ",") != "1,0,1,0,0.0,50.00" {
				t.Errorf("csv row %q; want 1 case, 0 met, 1 breached, 0 open, 0.0%%, 50.00", r)
			}
		}
	}
	if !found || recs[0][0] != "month" {
		t.Errorf("csv lacks this month's no_token_resolved row: %q", recs)
	}

	// John's meter card says the compensation is coming.
	v.login(john.Phone, map[string]bool{})
	v.post("/language", map[string][]string{"lang": {"en"}, "back": {"/meters"}})
	if p := v.get("/meters"); !strings.Contains(p.body, "KES\u00a050.00 compensation for a missed service promise comes with your next token.") {
		t.Errorf("meters page does not say the compensation is coming:\n%s", p.body)
	}
	// The next payment carries the compensation, on the SMS and the receipt.
	receipt := a.PayBill(john.Phone, john.Meter, 200)
	a.WaitPayment(receipt, "applied")
	if vd := a.VendOf(receipt); vd.Compensation.String() != "50.00" {
		t.Fatalf("vend compensation %s; want 50.00", vd.Compensation)
	}
	a.WaitSMS(john.Phone, "Compensation:50.00")
	a.CheckBooks()
	if p := v.get("/meters"); strings.Contains(p.body, "comes with your next token") {
		t.Errorf("meters page still says compensation is coming after it came")
	}
	if p := v.get("/receipts/" + receipt); !strings.Contains(p.body, "Compensation for a missed service promise") || !strings.Contains(p.body, "KES\u00a050.00") {
		t.Errorf("receipt page does not show the compensation")
	}
}

// TestCharterBrowser: the public charter page in headless Chromium at a
// phone's width, reached from the log-in page's footer, with JavaScript
// off: it needs none.
func TestCharterBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	tb := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)
	if _, err := chromedp.Call(tb.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	tb.Open("login", "/login")
	p := tb.Load("charter", chromedp.Click(chromedp.CSS(`footer a[href="/charter"]`)))
	if p.Path != "/charter" || p.H1 != "Service charter" || !strings.Contains(p.Text, "Supply restored within 24 hours of an outage") {
		t.Fatalf("charter page: %s %q:\n%s", p.Path, p.H1, p.Text)
	}
	tb.CheckSkipLink()
	p = tb.Load("charter in Swahili", chromedp.Click(chromedp.CSS(`header button`)))
	if p.Lang != "sw" || p.H1 != "Mkataba wa huduma" {
		t.Errorf("after the language switch: %s %q", p.Lang, p.H1)
	}
}
