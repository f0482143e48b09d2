package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// netOnly is a phone registered to an internet account and to no meter.
const netOnly = "254711000222"

// netSubscriber adds an internet account for netOnly on the demo's day
// bundle, paid, and returns its username.
func netSubscriber(t *testing.T, a *apptest.App) string {
	t.Helper()
	ctx := context.Background()
	u, _, err := a.ISP.CreateSubscriber(ctx, isp.Subscriber{Username: "otieno", Name: "Otieno", Language: "en", Phones: []string{netOnly}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ISP.Subscribe(ctx, u.ID, app.DemoISPPlans[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	a.PayISP(netOnly, u.Username, 50)
	apptest.Eventually(t, "the day bundle to start", func() bool {
		us, err := a.ISP.UsageOf(ctx, u.ID)
		return err == nil && us.State == isp.Active
	})
	return u.Username
}

var checkoutRE = regexp.MustCompile(`^/internet/buy/([^/]+)$`)

// TestPortalInternet: a phone with only an internet account logs in and
// lands on its account: plan, state, data and time left, wallet and
// purchases, in English and Swahili; it buys a bundle by M-Pesa, buys one
// for a friend, redeems a voucher, and cannot touch another's account.
func TestPortalInternet(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		ctx := context.Background()
		user := netSubscriber(t, a)
		v := newVisitor(t, a)
		v.loginAt(netOnly, map[string]bool{}, "/meters", "/internet")

		p := v.get("/internet")
		checkPage(t, "internet", p, "en")
		for _, want := range []string{"Account otieno", "Active", "Hotspot day 2 GB", "2.00 GB of 2.00 GB", "KES\u00a050.00 · M-Pesa or wallet", "Buy for a friend"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("internet page lacks %q:\n%s", want, p.body)
			}
		}
		if !regexp.MustCompile(`Time left</dt><dd>2[34] hours \d+ minutes \(until `).MatchString(p.body) {
			t.Errorf("the day bundle's time left is not about a day")
		}
		// The expiry is shown in Nairobi's time.
		us, err := a.ISP.UsageOf(ctx, mustUser(t, a, user).ID)
		if err != nil {
			t.Fatal(err)
		}
		if eat := us.EndsAt.In(time.FixedZone("EAT", 3*3600)).Format("02/01/2006 15:04"); !strings.Contains(p.body, eat) {
			t.Errorf("the page does not show the end %s in EAT", eat)
		}

		// Buying for themselves: the prompt goes to their phone, the page
		// waits, and the paid bundle adds a day.
		p = v.post("/internet/buy", url.Values{"username": {user}, "plan": {"hotspot-day"}})
		m := checkoutRE.FindStringSubmatch(p.url)
		if p.status != http.StatusOK || m == nil || !strings.Contains(p.body, "enter your M-Pesa PIN to pay KES\u00a050.00 for account otieno") {
			t.Fatalf("buy: %d at %s:\n%s", p.status, p.url, p.body)
		}
		checkPage(t, "internet buy", p, "en")
		apptest.Eventually(t, "the bundle bought by STK to be paid", func() bool {
			return strings.Contains(v.get(p.url).body, "Paid. M-Pesa receipt")
		})
		apptest.Eventually(t, "a second day on the account", func() bool {
			u2, err := a.ISP.UsageOf(ctx, mustUser(t, a, user).ID)
			return err == nil && u2.DataLimit == 4*isp.GB
		})

		// For a friend: Mary's account, paid from this phone.
		p = v.post("/internet/buy", url.Values{"friend": {" Wanjiku "}, "plan": {"hotspot-day"}})
		if !checkoutRE.MatchString(p.url) || !strings.Contains(p.body, "for account wanjiku") {
			t.Fatalf("buy for a friend: %d at %s:\n%s", p.status, p.url, p.body)
		}
		r, err := payment.GetSTK(ctx, a.DB.Read(), checkoutRE.FindStringSubmatch(p.url)[1])
		if err != nil || r.MSISDN != netOnly || r.MeterDRN != app.DemoISPUsername {
			t.Fatalf("the friend's push: %+v, %v", r, err)
		}
		if p = v.post("/internet/buy", url.Values{"friend": {"nobody-here"}, "plan": {"hotspot-day"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "There is no account nobody-here") {
			t.Errorf("buy for an unknown account: %d:\n%s", p.status, p.body)
		}
		if p = v.post("/internet/buy", url.Values{"username": {user}, "plan": {"no-such-plan"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Choose a bundle") {
			t.Errorf("buy an unknown plan: %d", p.status)
		}

		// A voucher, then the same one again and one that is none.
		b, err := a.ISP.NewVouchers(ctx, "hotspot-5min", 1, time.Now().Add(48*time.Hour), "test", "test")
		if err != nil {
			t.Fatal(err)
		}
		_, vs, err := a.ISP.Vouchers(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		code := vs[0].Code[:4] + " " + vs[0].Code[4:8] + " " + vs[0].Code[8:]
		tests := []struct {
			username, code string
			status         int
			want           string
		}{
			{user, code, http.StatusOK, "Voucher used: its bundle is on otieno."},
			{user, code, http.StatusBadRequest, "That voucher has been used."},
			{user, "123412341234", http.StatusBadRequest, "That is not a voucher code."},
			{app.DemoISPUsername, code, http.StatusNotFound, "We could not find that page."},
		}
		for _, tt := range tests {
			p = v.post("/internet/voucher", url.Values{"username": {tt.username}, "code": {tt.code}})
			if p.status != tt.status || !strings.Contains(p.body, tt.want) {
				t.Errorf("voucher %q for %s: %d; want %d with %q:\n%s", tt.code, tt.username, p.status, tt.status, tt.want, p.body)
			}
		}

		// Another phone's purchase page is not found.
		other, err := a.ISP.BuyBundle(ctx, app.DemoCustomers[1].Phone, app.DemoISPUsername, "hotspot-day", "test")
		if err != nil {
			t.Fatal(err)
		}
		if p = v.get("/internet/buy/" + other.CheckoutRequestID); p.status != http.StatusNotFound {
			t.Errorf("another phone's purchase: %d; want 404", p.status)
		}

		// In Swahili.
		v.post("/language", url.Values{"lang": {"sw"}, "back": {"/internet"}})
		p = v.get("/internet")
		checkPage(t, "internet sw", p, "sw")
		for _, want := range []string{"Akaunti otieno", "Inatumika", "Mnunulie rafiki"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("Swahili internet page lacks %q", want)
			}
		}
	})
}

// TestPortalVoucherLimit: the codes a phone tries on the portal count
// against the limit its SMS and USSD share, so no channel adds guesses.
func TestPortalVoucherLimit(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	user := netSubscriber(t, a)
	v := newVisitor(t, a)
	v.loginAt(netOnly, map[string]bool{}, "/internet", "/internet")
	for i := range isp.VoucherTries.Max {
		if p := v.post("/internet/voucher", url.Values{"username": {user}, "code": {"1234 5678 9012"}}); p.status != http.StatusBadRequest {
			t.Fatalf("guess %d: %d", i+1, p.status)
		}
	}
	p := v.post("/internet/voucher", url.Values{"username": {user}, "code": {"1234 5678 9013"}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Errorf("a guess over the limit: %d, Retry-After %q; want 429", p.status, p.header.Get("Retry-After"))
	}
}

func mustUser(t *testing.T, a *apptest.App, username string) isp.Subscriber {
	t.Helper()
	u, err := a.ISP.ByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
