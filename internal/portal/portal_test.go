package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
)

// maxPage is the most a page may weigh on the wire, headers included.
const maxPage = 30 * 1024

// visitor is a browser without JavaScript: a cookie jar that follows
// redirects.
type visitor struct {
	t    *testing.T
	a    *apptest.App
	http *http.Client
	// header is added to every request (Origin, Sec-Fetch-Site).
	header http.Header
}

func newVisitor(t *testing.T, a *apptest.App) *visitor {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &visitor{t: t, a: a, http: &http.Client{Jar: jar}, header: http.Header{}}
}

type page struct {
	status int
	url    string // after redirects
	body   string
	header http.Header
	wire   int // bytes on the wire: status line, headers and body
}

func (v *visitor) do(method, path string, form url.Values) page {
	v.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, v.a.URL()+path, body)
	if err != nil {
		v.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range v.header {
		req.Header[k] = vs
	}
	resp, err := v.http.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	var hdr strings.Builder
	resp.Header.Write(&hdr)
	return page{status: resp.StatusCode, url: resp.Request.URL.RequestURI(), body: string(b), header: resp.Header,
		wire: len(resp.Proto) + 1 + len(resp.Status) + 2 + hdr.Len() + 2 + len(b)}
}

func (v *visitor) get(path string) page { v.t.Helper(); return v.do("GET", path, nil) }
func (v *visitor) post(path string, form url.Values) page {
	v.t.Helper()
	return v.do("POST", path, form)
}

var otpRE = regexp.MustCompile(`(?:code is|ni) (\d{6})\b`)

// lastCode waits for a login code texted to msisdn that was not seen yet.
func lastCode(t *testing.T, a *apptest.App, msisdn string, seen map[string]bool) string {
	t.Helper()
	var code string
	apptest.Eventually(t, "a login code SMS to "+msisdn, func() bool {
		ms := a.SMSTo(msisdn)
		for i := len(ms) - 1; i >= 0; i-- {
			if m := otpRE.FindStringSubmatch(ms[i].Text); m != nil && !seen[ms[i].ProviderID] {
				seen[ms[i].ProviderID], code = true, m[1]
				return true
			}
		}
		return false
	})
	return code
}

// login logs the visitor in as msisdn through the two forms.
func (v *visitor) login(msisdn string, seen map[string]bool) {
	v.t.Helper()
	v.loginAt(msisdn, seen, "/meters", "/meters")
}

// loginAt logs the visitor in as msisdn, asking to go to next after, and
// checks that they land at want.
func (v *visitor) loginAt(msisdn string, seen map[string]bool, next, want string) {
	v.t.Helper()
	p := v.post("/login", url.Values{"phone": {msisdn}, "next": {next}})
	if p.status != 200 || !strings.HasPrefix(p.url, "/login/code") {
		v.t.Fatalf("login form: %d at %s", p.status, p.url)
	}
	p = v.post("/login/code", url.Values{"code": {lastCode(v.t, v.a, msisdn, seen)}, "next": {next}})
	if p.status != 200 || p.url != want {
		v.t.Fatalf("code form: %d at %s: %s", p.status, p.url, p.body)
	}
}

var (
	externalRE = regexp.MustCompile(`(?i)(?:src|href|action)\s*=\s*"(?:[a-z]+:)?//`)
	controlRE  = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*>`)
	idRE       = regexp.MustCompile(`\bid="([^"]+)"`)
)

// checkPage asserts what every portal page promises: its weight, its
// language, no outside assets, a policy, and a label for every control.
func checkPage(t *testing.T, name string, p page, lang string) {
	t.Helper()
	if p.wire > maxPage {
		t.Errorf("%s: %d bytes on the wire; at most %d", name, p.wire, maxPage)
	}
	if !strings.Contains(p.body, `<html lang="`+lang+`">`) {
		t.Errorf("%s: not marked as language %s", name, lang)
	}
	if m := externalRE.FindString(p.body); m != "" {
		t.Errorf("%s: refers to another site: %s", name, m)
	}
	if p.header.Get("Content-Security-Policy") == "" || p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: headers %v", name, p.header)
	}
	if !strings.Contains(p.body, `<a class="skip" href="#main">`) || !strings.Contains(p.body, `<main id="main"`) {
		t.Errorf("%s: no skip link to the main content", name)
	}
	for _, c := range controlRE.FindAllString(p.body, -1) {
		if strings.Contains(c, `type="hidden"`) || strings.Contains(c, `type="radio"`) {
			continue // radios sit inside their label
		}
		id := idRE.FindStringSubmatch(c)
		if id == nil || !strings.Contains(p.body, `<label for="`+id[1]+`"`) {
			t.Errorf("%s: control without a label: %s", name, c)
		}
	}
}

// TestPortalPages visits every page as a customer with many purchases and
// checks each against the page rules.
func TestPortalPages(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	john := app.DemoCustomers[0]
	v := newVisitor(t, a)
	seen := map[string]bool{}

	p := v.get("/")
	if p.url != "/login" {
		t.Fatalf("/ sent a stranger to %s; want /login", p.url)
	}
	checkPage(t, "login", p, "en")
	v.post("/login", url.Values{"phone": {john.Phone}})
	checkPage(t, "code", v.get("/login/code"), "en")
	p = v.post("/login/code", url.Values{"code": {lastCode(t, a, john.Phone, seen)}})
	if p.url != "/meters" {
		t.Fatalf("after the code: at %s; want /meters", p.url)
	}
	if !strings.Contains(p.body, "No tokens yet.") {
		t.Errorf("meters page before any purchase does not say so")
	}
	// More purchases than the tokens page shows; after the login, since
	// their token SMS would hold the login code back (per-handset limit).
	var receipts []string
	for i := range 12 {
		receipts = append(receipts, a.PayBill(john.Phone, john.Meter, int64(200+i)))
	}
	for _, r := range receipts {
		a.WaitPayment(r, "applied")
	}
	p = v.get("/meters")
	// Vends of one batch share a time; the newest is as the store orders them.
	last := a.Vends(john.Meter)[0].Tokens[0].Grouped()
	if !strings.Contains(p.body, last) {
		t.Errorf("meters page lacks the last token %s", last)
	}

	buy := v.post("/buy", url.Values{"meter": {john.Meter}, "amount": {"300"}})
	if !strings.HasPrefix(buy.url, "/buy/") || !strings.Contains(buy.body, "Approve the prompt") {
		t.Fatalf("buy: at %s: %s", buy.url, buy.body)
	}
	f := v.post("/report", url.Values{"meter": {john.Meter}, "kind": {"no_power"}, "note": {strings.Repeat("no light ", 50)}})
	if !strings.HasPrefix(f.url, "/report/F-") {
		t.Fatalf("report: at %s", f.url)
	}

	// An outage in the meter's area shows on its card and the outages page.
	if _, err := care.AnnounceOutage(context.Background(), a.DB, care.Outage{Area: "Nairobi West", Kind: "fault", Message: "Transformer fault at Madaraka",
		MessageSW: "Hitilafu ya transfoma Madaraka", EndsAt: time.Now().Add(4 * time.Hour)}, "test"); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "Transformer fault at Madaraka", "sw": "Hitilafu ya transfoma Madaraka"} {
		v.post("/language", url.Values{"lang": {lang}})
		for _, path := range []string{"/meters", "/outages"} {
			if p := v.get(path); !strings.Contains(p.body, want) {
				t.Errorf("%s %s lacks the outage notice %q", lang, path, want)
			}
		}
	}
	heaviest, weight := "", 0
	for _, lang := range []string{"en", "sw"} {
		v.post("/language", url.Values{"lang": {lang}, "back": {"/meters"}})
		for _, path := range []string{"/meters", "/meters/" + john.Meter + "/tokens", "/meters/" + john.Meter + "/tokens?sent=1",
			"/purchases", "/receipts/" + receipts[0], "/buy", buy.url, "/paid", "/paid?receipt=" + receipts[3], "/paid?receipt=bad",
			"/report", f.url, "/outages", "/meters/" + app.DemoCustomers[1].Meter + "/tokens"} {
			p := v.get(path)
			want := 200
			switch path {
			case "/paid?receipt=bad":
				want = 400
			case "/meters/" + app.DemoCustomers[1].Meter + "/tokens":
				want = 404
			}
			if p.status != want {
				t.Errorf("%s %s: status %d; want %d", lang, path, p.status, want)
			}
			checkPage(t, lang+" "+path, p, lang)
			if p.wire > weight {
				heaviest, weight = lang+" "+path, p.wire
			}
		}
	}
	t.Logf("heaviest page: %s, %d bytes of %d", heaviest, weight, maxPage)
}

// TestPortalAccess: strangers are sent to log in; a customer sees only
// what is theirs; other sites cannot post forms as the customer.
func TestPortalAccess(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
	marysReceipt := a.PayBill(mary.Phone, mary.Meter, 250)
	a.WaitPayment(marysReceipt, "applied")
	seen := map[string]bool{}

	stranger := newVisitor(t, a)
	stranger.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, path := range []string{"/meters", "/buy?meter=1", "/receipts/" + marysReceipt} {
		p := stranger.get(path)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("stranger at %s: %d to %q", path, p.status, p.header.Get("Location"))
		}
	}
	if p := stranger.post("/report", url.Values{"kind": {"no_power"}}); p.status != http.StatusSeeOther {
		t.Errorf("stranger's report: %d; want a redirect to log in", p.status)
	}

	// Mary buys, reports; John may see none of it.
	mv := newVisitor(t, a)
	mv.login(mary.Phone, seen)
	buy := mv.post("/buy", url.Values{"meter": {mary.Meter}, "amount": {"100"}})
	report := mv.post("/report", url.Values{"meter": {mary.Meter}, "kind": {"meter"}})
	if !strings.HasPrefix(buy.url, "/buy/") || !strings.HasPrefix(report.url, "/report/") {
		t.Fatalf("Mary's buy at %s, report at %s", buy.url, report.url)
	}
	if !strings.Contains(buy.body, `lang="sw"`) {
		t.Errorf("Mary's stored language is Swahili, but her pages are not")
	}
	jv := newVisitor(t, a)
	jv.login(john.Phone, seen)
	for _, path := range []string{"/meters/" + mary.Meter + "/tokens", "/receipts/" + marysReceipt, buy.url, report.url, "/receipts/NOTACODE", "/nope"} {
		if p := jv.get(path); p.status != http.StatusNotFound {
			t.Errorf("John at %s: status %d; want 404", path, p.status)
		}
	}
	for _, form := range []url.Values{
		{"meter": {mary.Meter}, "kind": {"no_power"}},
	} {
		if p := jv.post("/report", form); p.status != http.StatusBadRequest {
			t.Errorf("John reporting at Mary's meter: %d; want 400", p.status)
		}
	}
	if p := jv.post("/meters/"+mary.Meter+"/resend", nil); p.status != http.StatusNotFound {
		t.Errorf("John re-sending Mary's tokens: %d; want 404", p.status)
	}
	// The paid look-up is by receipt code, which proves the payment.
	if p := jv.get("/paid?receipt=" + marysReceipt); !strings.Contains(p.body, a.VendOf(marysReceipt).Tokens[0].Grouped()) {
		t.Errorf("paid look-up by Mary's receipt code did not show its token")
	}

	// Cross-site posts are refused, whatever the cookie.
	for _, h := range []http.Header{{"Sec-Fetch-Site": {"cross-site"}}, {"Origin": {"http://evil.example"}}} {
		jv.header = h
		if p := jv.post("/report", url.Values{"meter": {john.Meter}, "kind": {"no_power"}}); p.status != http.StatusForbidden {
			t.Errorf("cross-site post with %v: %d; want 403", h, p.status)
		}
		if p := jv.post("/logout", nil); p.status != http.StatusForbidden {
			t.Errorf("cross-site logout with %v: %d; want 403", h, p.status)
		}
	}
	jv.header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if p := jv.post("/report", url.Values{"meter": {john.Meter}, "kind": {"no_power"}}); p.status != 200 {
		t.Errorf("same-origin post: %d; want 200", p.status)
	}
	if n := a.Count(`SELECT count(*) FROM faults WHERE msisdn = $1`, john.Phone); n != 1 {
		t.Errorf("John has %d faults; want the one same-origin report", n)
	}

	// Logout ends the session on the server: the old cookie is worthless.
	u, _ := url.Parse(a.URL())
	cookies := jv.http.Jar.Cookies(u)
	jv.post("/logout", nil)
	replay := newVisitor(t, a)
	replay.http.Jar.SetCookies(u, cookies)
	if p := replay.get("/meters"); p.url != "/login?next=%2Fmeters" {
		t.Errorf("the logged-out cookie still opens /meters (at %s)", p.url)
	}
}

// TestPortalLogin: the forms' errors, the cookie and the return path.
func TestPortalLogin(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ali := app.DemoCustomers[2]
	seen := map[string]bool{}
	v := newVisitor(t, a)

	if p := v.post("/login", url.Values{"phone": {"12"}}); p.status != 400 || !strings.Contains(p.body, "not a mobile number") {
		t.Errorf("bad phone: %d", p.status)
	}
	if p := v.get("/login/code"); p.url != "/login?next=%2Fmeters" {
		t.Errorf("code form before a code was asked for: at %s", p.url)
	}
	p := v.post("/login", url.Values{"phone": {"0722 000 111"}, "next": {"//evil.example/x"}})
	if p.url != "/login/code?next=%2Fmeters" {
		t.Errorf("a foreign next survived the login form: at %s", p.url)
	}
	if p := v.post("/login", url.Values{"phone": {"0722000111"}}); p.status != 429 || !strings.Contains(p.body, "try again in") {
		t.Errorf("a second code at once: %d; want 429 with a wait", p.status)
	}
	code := lastCode(t, a, ali.Phone, seen)
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	if p := v.post("/login/code", url.Values{"code": {wrong}}); p.status != 400 || !strings.Contains(p.body, "wrong or has expired") {
		t.Errorf("wrong code: %d", p.status)
	}
	v.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p = v.post("/login/code", url.Values{"code": {code}, "next": {"/outages"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/outages" {
		t.Errorf("right code: %d to %q; want 303 to /outages", p.status, p.header.Get("Location"))
	}
	var session string
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "mteja_session=") {
			session = c
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(session, want) {
			t.Errorf("session cookie %q lacks %s", session, want)
		}
	}

	// The language switch is kept for the customer, for SMS and USSD too.
	p = v.post("/language", url.Values{"lang": {"sw"}, "back": {"https://evil.example/"}})
	if p.header.Get("Location") != "/" {
		t.Errorf("language switch sent back to %q; want /", p.header.Get("Location"))
	}
	lang, err := customer.LanguageOf(context.Background(), a.DB.Read(), ali.Phone)
	if err != nil || lang != "sw" {
		t.Errorf("Ali's stored language = %q, %v; want sw", lang, err)
	}
	if p := v.post("/language", url.Values{"lang": {"fr"}}); p.status != 400 {
		t.Errorf("language fr: %d; want 400", p.status)
	}
}
