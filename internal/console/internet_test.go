package console_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/console"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// crossSite are the headers of a form posted from another site.
var crossSite = http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}

func nightPlan(price string) url.Values {
	return url.Values{"id": {"night"}, "name": {"Night 5 GB"}, "kind": {"hotspot"}, "billing": {"bundle"}, "price": {price},
		"duration": {"8h"}, "data": {"5 GB"}, "rate": {"2M/5M"}, "shared": {"1"}, "active": {"1"}}
}

// Plans: an admin creates and changes one, each change audited with what
// changed; a bad field is shown beside it with the form kept as typed;
// finance and care may read plans but not change a price; a cross-site
// post changes nothing.
func TestInternetPlans(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	admin := staffMember(t, a, "netadmin", staff.RoleAdmin)
	finance := staffMember(t, a, "netfinance", staff.RoleFinance)
	care := staffMember(t, a, "netcare", staff.RoleCare)

	status, _, page := admin.post("/staff/internet/plans", nightPlan("50.50"))
	if status != http.StatusBadRequest || !strings.Contains(page, `id="p-price-err">Whole shillings`) || !strings.Contains(page, `id="p-price" name="price" value="50.50"`) ||
		!strings.Contains(page, `aria-invalid="true"`) || !strings.Contains(page, `value="Night 5 GB"`) {
		t.Errorf("a price in cents: %d, want 400 with the problem beside the price and the form as typed:\n%s", status, page)
	}
	bad := nightPlan("50")
	bad.Set("rate", "fast")
	bad.Set("duration", "soon")
	if status, _, page := admin.post("/staff/internet/plans", bad); status != http.StatusBadRequest || !strings.Contains(page, `id="p-rate-err"`) || !strings.Contains(page, `id="p-duration-err"`) {
		t.Errorf("a bad speed and duration: %d, want both marked:\n%s", status, page)
	}
	if status, hd, page := admin.post("/staff/internet/plans", nightPlan("50")); status != http.StatusSeeOther || hd.Get("Location") != "/staff/internet/plans/night?done=saved" {
		t.Fatalf("create a plan: %d %s\n%s", status, hd.Get("Location"), page)
	}
	if status, _, page := admin.post("/staff/internet/plans", nightPlan("70")); status != http.StatusBadRequest || !strings.Contains(page, `id="p-id-err">A plan has this id already.`) {
		t.Errorf("a plan under a taken id: %d\n%s", status, page)
	}
	for _, b := range []*browser{finance, care} {
		if status, _, _ := b.post("/staff/internet/plans/night", nightPlan("1")); status != http.StatusForbidden {
			t.Errorf("a price changed by a non-admin: %d, want 403", status)
		}
	}
	if status, _, _ := admin.do("POST", "/staff/internet/plans/night", nightPlan("2"), crossSite); status != http.StatusForbidden {
		t.Errorf("a cross-site post: %d, want 403", status)
	}
	if status, hd, _ := admin.post("/staff/internet/plans/night", nightPlan("60")); status != http.StatusSeeOther {
		t.Fatalf("change a plan: %d %v", status, hd)
	}
	p, err := a.ISP.GetPlan(t.Context(), "night")
	if err != nil || p.Price.Major() != 60 || p.Data != 5*isp.GB || p.Duration != 8*time.Hour || p.Rate.String() != "2M/5M" {
		t.Errorf("the plan after the change: %+v, %v", p, err)
	}
	audited(t, a, "staff:netadmin", "isp.plan.change", "night", "price 50.00 → 60.00")
	audited(t, a, "staff:netadmin", "isp.plan.create", "night", "price 0.00 → 50.00")
	status, page = care.get("/staff/internet/plans/night")
	if status != http.StatusOK || !strings.Contains(page, "<fieldset disabled>") || strings.Contains(page, "Save the plan") || !strings.Contains(page, `value="60"`) {
		t.Errorf("care reads a plan: %d; want it read-only:\n%s", status, page)
	}
	if status, page := finance.get("/staff/internet/plans"); status != http.StatusOK || !strings.Contains(page, "Night 5 GB") || strings.Contains(page, "/staff/internet/plans/new") {
		t.Errorf("finance's plan list: %d:\n%s", status, page)
	}
	if status, page := admin.get("/staff/"); status != http.StatusOK || !strings.Contains(page, `href="/staff/internet"`) {
		t.Errorf("the menu lacks Internet: %d", status)
	}
	if status, page := finance.get("/staff/internet"); status != http.StatusOK || !strings.Contains(page, "pending 3") ||
		!strings.Contains(page, `href="/staff/reports/isp-plans"`) || strings.Contains(page, `href="/staff/internet/plans/new"`) {
		t.Errorf("finance's overview: %d; want the demo's three pending subscriptions and the sales:\n%s", status, page)
	}
	if status, page := care.get("/staff/internet"); status != http.StatusOK || strings.Contains(page, `href="/staff/internet/vouchers"`) || strings.Contains(page, `href="/staff/reports/`) {
		t.Errorf("care's overview links pages care may not open: %d\n%s", status, page)
	}
	// A plan that cannot be given (off sale) does not lose the new
	// subscriber's password: it is shown, with what went wrong.
	off := nightPlan("60")
	off.Del("active")
	if status, _, page := admin.post("/staff/internet/plans/night", off); status != http.StatusSeeOther {
		t.Fatalf("take the plan off sale: %d\n%s", status, page)
	}
	status, _, page = care.post("/staff/internet/subscribers", url.Values{"username": {"late-night"}, "language": {"en"}, "plan": {"night"}})
	if status != http.StatusOK || !regexp.MustCompile(`id="password">[a-z2-9]{8}<`).MatchString(page) || !strings.Contains(page, "the plan could not be given") {
		t.Errorf("a subscriber added with a plan off sale: %d\n%s", status, page)
	}
}

// Subscribers, on both engines: care adds one (the password shown once),
// finds them by phone from the console's one search, sees the payment
// activate them, suspends and reconnects with reasons kept in the
// history, disconnects their session, makes a new password and
// terminates; an auditor sees the page with the phone masked and can
// change nothing. Every step is audited.
func TestInternetSubscribers(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		ctx := t.Context()
		care := staffMember(t, a, "subcare", staff.RoleCare)
		auditor := staffMember(t, a, "subaudit", staff.RoleAuditor)
		const phone = "254722000111"

		form := url.Values{"username": {"0722000111"}, "name": {"Otieno Juma"}, "phone": {"0722 000 111"}, "language": {"sw"}, "plan": {app.DemoISPPlans[0].ID}}
		if status, _, page := care.post("/staff/internet/subscribers", form); status != http.StatusBadRequest || !strings.Contains(page, `id="s-username-err"`) {
			t.Errorf("a phone number as the username: %d, want it refused beside the field:\n%s", status, page)
		}
		form.Set("username", "Otieno.J")
		status, _, page := care.post("/staff/internet/subscribers", form)
		m := regexp.MustCompile(`id="password">([a-z2-9]{8})<`).FindStringSubmatch(page)
		if status != http.StatusOK || m == nil || !strings.Contains(page, "otieno.j") {
			t.Fatalf("add a subscriber: %d, want the password shown:\n%s", status, page)
		}
		password := m[1]
		sub, err := a.ISP.ByUsername(ctx, "otieno.j")
		if err != nil || sub.Language != "sw" || len(sub.Phones) != 1 || sub.Phones[0] != phone {
			t.Fatalf("the subscriber: %+v, %v", sub, err)
		}
		audited(t, a, "staff:subcare", "isp.subscriber.create", sub.ID, "otieno.j")
		subPage := "/staff/internet/subscribers/" + sub.ID

		// The console's one search finds them by phone, in any form: the
		// phone is also an electricity customer's, whose page is opened, and
		// lists the internet account beside the meters; and by username.
		status, hd, _ := care.do("GET", "/staff/search?q="+url.QueryEscape("+254 722 000111"), nil, nil)
		if status != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/staff/customers/") {
			t.Fatalf("the console's search by phone: %d to %s; want the customer's page", status, hd.Get("Location"))
		}
		if status, page := care.get(hd.Get("Location")); status != http.StatusOK || !strings.Contains(page, `<a href="`+subPage+`">otieno.j</a>`) {
			t.Errorf("the customer's page lacks the internet account on their phone: %d\n%s", status, page)
		}
		// A phone that is only an internet subscriber's opens their page.
		only, _, err := a.ISP.CreateSubscriber(ctx, isp.Subscriber{Username: "akinyi", Phones: []string{"254733999000"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if status, hd, _ := care.do("GET", "/staff/search?q=0733999000", nil, nil); status != http.StatusSeeOther || hd.Get("Location") != "/staff/internet/subscribers/"+only.ID {
			t.Errorf("the console's search by a subscriber's phone: %d to %s", status, hd.Get("Location"))
		}
		if status, hd, _ := care.do("GET", "/staff/search?q=Otieno.J", nil, nil); status != http.StatusSeeOther || hd.Get("Location") != subPage {
			t.Errorf("the console's search by username: %d to %s, want %s", status, hd.Get("Location"), subPage)
		}
		if status, page := care.get("/staff/internet/subscribers?q=otieno"); status != http.StatusOK || !strings.Contains(page, `href="`+subPage+`"`) {
			t.Errorf("search by name: %d\n%s", status, page)
		}

		receipt := a.PayISP(phone, "otieno.j", app.DemoISPPlans[0].Price.Major())
		a.WaitPayment(receipt, payment.Applied)
		var live isp.Subscription
		apptest.Eventually(t, "the subscription to be active", func() bool {
			live, err = a.ISP.Live(ctx, sub.ID)
			return err == nil && live.State == isp.Active
		})
		status, page = care.get(subPage)
		if status != http.StatusOK || !strings.Contains(page, app.DemoISPPlans[0].Name) || strings.Contains(page, password) || !strings.Contains(page, "/suspend") {
			t.Errorf("the subscriber's page: %d; want the plan, the actions, and not the password:\n%s", status, page)
		}

		if status, _, _ := care.post(subPage+"/suspend", url.Values{"reason": {""}}); status != http.StatusBadRequest {
			t.Errorf("a suspension without a reason: %d, want 400", status)
		}
		if status, _, _ := auditor.post(subPage+"/suspend", url.Values{"reason": {"an auditor tries"}}); status != http.StatusForbidden {
			t.Errorf("an auditor suspends: %d, want 403", status)
		}
		if status, hd, _ := care.post(subPage+"/suspend", url.Values{"reason": {"reported the phone stolen"}}); status != http.StatusSeeOther || hd.Get("Location") != subPage+"?done=suspended" {
			t.Fatalf("suspend: %d %s", status, hd.Get("Location"))
		}
		if status, _, _ := care.post(subPage+"/suspend", url.Values{"reason": {"twice over"}}); status != http.StatusConflict {
			t.Errorf("suspending a suspended subscription: %d, want 409", status)
		}
		if status, _, _ := care.post(subPage+"/reconnect", url.Values{"reason": {"the phone is found"}}); status != http.StatusSeeOther {
			t.Fatalf("reconnect: %d", status)
		}
		status, page = auditor.get(subPage)
		if status != http.StatusOK || !strings.Contains(page, "reported the phone stolen") || !strings.Contains(page, "the phone is found") ||
			strings.Contains(page, phone) || strings.Contains(page, "Otieno Juma") || strings.Contains(page, "/suspend") {
			t.Errorf("the auditor's page: %d; want the history's reasons, the phone and name masked, no actions:\n%s", status, page)
		}

		// A session from the demo's router, seen online, disconnected.
		nas, ok, err := a.ISP.NASByAddr(ctx, netip.MustParseAddr("127.0.0.1"))
		if err != nil || !ok {
			t.Fatalf("the demo router: %v %v", ok, err)
		}
		if _, err := a.ISP.Account(ctx, radius.AcctRecord{NAS: nas, Status: radius.AcctStart, Username: "otieno.j", SessionID: "81a00001",
			FramedIP: netip.MustParseAddr("10.5.50.9"), At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		status, page = care.get("/staff/internet/sessions")
		key := regexp.MustCompile(`name="session" value="([^"]+)"`).FindStringSubmatch(page)
		if status != http.StatusOK || !strings.Contains(page, "otieno.j") || !strings.Contains(page, "10.5.50.9") || key == nil {
			t.Fatalf("who is online: %d\n%s", status, page)
		}
		if status, _, _ := care.post("/staff/internet/sessions/disconnect", url.Values{"session": {strings.ReplaceAll(key[1], "&#43;", "+")}, "reason": {"a stuck login"}}); status != http.StatusSeeOther {
			t.Errorf("disconnect a session: %d", status)
		}
		changes, err := a.ISP.ChangesOf(ctx, "otieno.j", 10)
		if err != nil || len(changes) != 1 || !changes[0].Disconnect || changes[0].Reason != "a stuck login" {
			t.Errorf("the router's requests after the disconnect: %+v, %v", changes, err)
		}
		if status, page := care.get(subPage); status != http.StatusOK || !strings.Contains(page, "a stuck login") {
			t.Errorf("the subscriber's page lacks the Disconnect:\n%s", page)
		}

		status, _, page = care.post(subPage+"/password", url.Values{})
		m2 := regexp.MustCompile(`id="password">([a-z2-9]{8})<`).FindStringSubmatch(page)
		if status != http.StatusOK || m2 == nil || m2[1] == password {
			t.Errorf("a new password: %d\n%s", status, page)
		}
		audited(t, a, "staff:subcare", "isp.password", sub.ID)
		if status, _, _ := care.post(subPage+"/terminate", url.Values{"reason": {"moved to Mombasa"}}); status != http.StatusSeeOther {
			t.Errorf("terminate: %d", status)
		}
		if status, page := care.get(subPage); status != http.StatusOK || !strings.Contains(page, subPage+"/plan") {
			t.Errorf("a terminated subscriber's page lacks the form to give a plan:\n%s", page)
		}
		audited(t, a, "staff:subcare", "isp.suspended", live.ID, "reported the phone stolen")
		audited(t, a, "staff:subcare", "isp.reconnect", live.ID, "the phone is found")
		audited(t, a, "staff:subcare", "isp.terminated", live.ID, "moved to Mombasa")
		audited(t, a, "staff:subcare", "isp.disconnect", key[1], "a stuck login")
		if n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'isp.subscriber.view' AND subject = $1`, sub.ID); n != 4 {
			t.Errorf("%d views of the subscriber audited, want 4", n)
		}
	})
}

// Routers: an admin adds one with a secret made and shown once (never on
// the list), and removes it; care reads the list but adds nothing.
// Vouchers: finance prints a batch and its sheet (audited, with its own
// Content-Security-Policy); care may not open vouchers, nor an auditor
// print them.
func TestInternetRoutersAndVouchers(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := t.Context()
	admin := staffMember(t, a, "nasadmin", staff.RoleAdmin)
	care := staffMember(t, a, "nascare", staff.RoleCare)
	finance := staffMember(t, a, "vfinance", staff.RoleFinance)
	auditor := staffMember(t, a, "vaudit", staff.RoleAuditor)

	router := url.Values{"name": {"hotspot-kibera"}, "addr": {"10.9.0.1"}, "secret": {""}, "port": {"3799"}}
	if status, _, _ := care.post("/staff/internet/routers", router); status != http.StatusForbidden {
		t.Errorf("care adds a router: %d, want 403", status)
	}
	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"x"}, "addr": {"not-an-ip"}}, "not an IP address"},
		{url.Values{"name": {"x"}, "addr": {"10.9.0.1"}, "secret": {"short"}}, "A shared secret of 16 to 128 characters"},
		{url.Values{"name": {""}, "addr": {"10.9.0.1"}}, "A name (the router&#39;s NAS-Identifier)"},
		{url.Values{"name": {"x"}, "addr": {"10.9.0.1"}, "port": {"70000"}}, "The CoA port is a number"},
		{url.Values{"name": {"x"}, "addr": {"127.0.0.1"}}, "A router at this address is listed already."},
	} {
		if status, _, page := admin.post("/staff/internet/routers", bad.form); status != http.StatusBadRequest || !strings.Contains(page, bad.want) {
			t.Errorf("router %v: %d, want 400 saying %q\n%s", bad.form, status, bad.want, page)
		}
	}
	status, _, page := admin.post("/staff/internet/routers", router)
	m := regexp.MustCompile(`id="secret">([A-Z2-7]{26})<`).FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("add a router: %d, want its secret shown:\n%s", status, page)
	}
	n, ok, err := a.ISP.NASByAddr(ctx, netip.MustParseAddr("10.9.0.1"))
	if err != nil || !ok || string(n.Secret) != m[1] || n.Name != "hotspot-kibera" {
		t.Fatalf("the router listed: %+v %v %v", n, ok, err)
	}
	for _, b := range []*browser{admin, care} {
		if status, page := b.get("/staff/internet/routers"); status != http.StatusOK || !strings.Contains(page, "hotspot-kibera") || strings.Contains(page, m[1]) {
			t.Errorf("the routers page: %d; want the router, not its secret", status)
		}
	}
	if status, _, _ := admin.post("/staff/internet/routers/"+n.ID+"/remove", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("remove the router: %d", status)
	}
	if _, ok, _ := a.ISP.NASByAddr(ctx, netip.MustParseAddr("10.9.0.1")); ok {
		t.Errorf("the removed router is still listed")
	}

	expires := time.Now().In(tariff.Zone).AddDate(0, 1, 0).Format(time.DateOnly)
	batch := url.Values{"plan": {app.DemoISPPlans[0].ID}, "count": {"3"}, "expires": {expires}, "note": {"shop 4, Kibera"}}
	for _, tt := range []struct{ field, value string }{{"count", "0"}, {"count", "1001"}, {"expires", "2020-01-01"}, {"expires", "tomorrow"}} {
		bad := url.Values{}
		for k, v := range batch {
			bad[k] = v
		}
		bad.Set(tt.field, tt.value)
		if status, _, _ := finance.post("/staff/internet/vouchers", bad); status != http.StatusBadRequest {
			t.Errorf("a batch with %s %q: %d, want 400", tt.field, tt.value, status)
		}
	}
	status, hd, _ := finance.post("/staff/internet/vouchers", batch)
	if status != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/staff/internet/vouchers/") {
		t.Fatalf("print a batch: %d %v", status, hd)
	}
	batchPage := hd.Get("Location")
	if status, page := finance.get(batchPage); status != http.StatusOK || !strings.Contains(page, "0 of 3") || !strings.Contains(page, batchPage+"/sheet") {
		t.Errorf("the batch: %d\n%s", status, page)
	}
	status, sh, sheet := finance.do("GET", batchPage+"/sheet", nil, nil)
	if status != http.StatusOK || len(regexp.MustCompile(`class="code">\d{4} \d{4} \d{4}<`).FindAllString(sheet, -1)) != 3 ||
		!strings.Contains(sh.Get("Content-Security-Policy"), "style-src 'sha256-") || sh.Get("Cache-Control") != "no-store" {
		t.Errorf("the sheet: %d %v\n%s", status, sh, sheet)
	}
	id := strings.TrimPrefix(batchPage, "/staff/internet/vouchers/")
	audited(t, a, "staff:vfinance", "isp.vouchers.print", id, "3 vouchers")
	if status, _ := care.get("/staff/internet/vouchers"); status != http.StatusForbidden {
		t.Errorf("care opens vouchers: %d, want 403", status)
	}
	if status, _ := auditor.get(batchPage + "/sheet"); status != http.StatusForbidden {
		t.Errorf("an auditor prints a sheet: %d, want 403", status)
	}
	if status, page := auditor.get(batchPage); status != http.StatusOK || regexp.MustCompile(`\d{4} \d{4} \d{4}`).MatchString(page) {
		t.Errorf("the auditor's batch page: %d, want no codes:\n%s", status, page)
	}
}

// An ISP payment to no account waits in suspense; care gives it to a
// subscriber by username, and it is applied to them.
func TestInternetSuspenseAssign(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	care := staffMember(t, a, "suscare", staff.RoleCare)
	// M-Pesa's validation refuses an unknown account; a confirmation that
	// comes without one (validation off, or timed out) is kept.
	receipt := apptest.NewReceipt()
	if status, reply := a.Callback("c2b/confirmation", a.C2BTo(app.DemoISPShortCode, receipt, "no-such-user", "254733000222", money.MustFromMajor(50))); status != http.StatusOK {
		t.Fatalf("the confirmation: %d %s", status, reply)
	}
	p := a.WaitPayment(receipt, payment.Suspense)
	status, page := care.get("/staff/suspense")
	if status != http.StatusOK || !strings.Contains(page, `action="/staff/internet/suspense/`+p.ID+`/assign"`) {
		t.Fatalf("the suspense page lacks the ISP's form: %d\n%s", status, page)
	}
	if status, _, _ := care.post("/staff/internet/suspense/"+p.ID+"/assign", url.Values{"username": {""}}); status != http.StatusBadRequest {
		t.Errorf("assigned to nobody: %d, want 400", status)
	}
	if status, _, _ := care.post("/staff/internet/suspense/"+p.ID+"/assign", url.Values{"username": {app.DemoISPUsername}}); status != http.StatusSeeOther {
		t.Fatalf("assign: %d", status)
	}
	a.WaitPayment(receipt, payment.Applied)
	audited(t, a, "staff:suscare", "payment.assign", p.ID, "to subscriber "+app.DemoISPUsername)

	// Finance's day figures show the ISP's money apart.
	finance := staffMember(t, a, "susfinance", staff.RoleFinance)
	day := time.Now().In(tariff.Zone).Format(time.DateOnly)
	if status, page := finance.get("/staff/reconcile/days?day=" + day); status != http.StatusOK || !strings.Contains(page, "Of which to the ISP") {
		t.Errorf("the day's figures lack the ISP's payments apart: %d\n%s", status, page)
	}
}

// Every form the console takes is refused when posted from another site,
// before its handler runs, whatever the role.
func TestCrossSitePostsRefused(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	admin := staffMember(t, a, "xadmin", staff.RoleAdmin)
	const events = `SELECT count(*) FROM audit_events`
	before := a.Count(events)
	for _, r := range (&console.Handler{}).Table() {
		if r.Method != "POST" {
			continue
		}
		status, _, page := admin.do("POST", fill(r.Pattern), url.Values{"reason": {"from another site"}}, crossSite)
		if status != http.StatusForbidden || !strings.Contains(page, "came from another site") {
			t.Errorf("%s posted cross-site: %d, want 403", r.Pattern, status)
		}
	}
	if n := a.Count(events) - before; n != 0 {
		t.Errorf("%d audit events from cross-site posts; want none", n)
	}
}
