package app_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// liveSub is the demo subscriber's live subscription.
func liveSub(t *testing.T, a *apptest.App) (isp.Subscriber, isp.Subscription) {
	t.Helper()
	u, err := a.ISP.ByUsername(context.Background(), app.DemoISPUsername)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := a.ISP.Live(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u, sub
}

// A Paybill payment to the ISP's short code, through M-Pesa's validation
// and confirmation, activates the subscriber's bundle within a second and
// tells them by SMS; more than the price waits in the wallet; an account
// that names nobody is refused at validation, and kept in suspense when
// M-Pesa confirms it anyway. The utility's payments go on as before.
func TestISPPayBill(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		ctx := context.Background()
		mary := app.DemoCustomers[1]
		if _, sub := liveSub(t, a); sub.State != isp.Pending {
			t.Fatalf("the demo subscriber starts %s", sub.State)
		}

		receipt := a.PayISP(mary.Phone, "Wanjiku", 50)
		paid := time.Now()
		for {
			if _, sub := liveSub(t, a); sub.State == isp.Active {
				break
			}
			if time.Since(paid) > time.Second {
				t.Fatalf("the bundle was not active a second after M-Pesa took the money (payment %s)", receipt)
			}
			time.Sleep(5 * time.Millisecond)
		}
		p := a.WaitPayment(receipt, payment.Applied)
		if p.Service != payment.Internet || p.ShortCode != app.DemoISPShortCode || p.MeterDRN != "" {
			t.Fatalf("payment %+v", p)
		}
		a.WaitSMS(mary.Phone, "tumepokea KES 50.00 ("+receipt+") kwa wanjiku. Hotspot day 2 GB inatumika hadi")
		d1 := authorize(t, a, app.DemoISPUsername, app.DemoISPPassword)
		if d1.Verdict != radius.Accept || d1.DataLimit != 2*isp.GB {
			t.Fatalf("after paying: %+v", d1)
		}

		// Overpaid: another day, and the rest in the wallet.
		a.WaitPayment(a.PayISP(mary.Phone, "wanjiku", 120), payment.Applied)
		u, sub := liveSub(t, a)
		if u.Balance != money.MustFromMajor(70) || sub.DataLimit != 4*isp.GB {
			t.Fatalf("overpaid: wallet %s, data %d", u.Balance, sub.DataLimit)
		}

		// Nobody's account: M-Pesa's validation refuses it...
		if _, err := a.ISPSim.PayBill(ctx, mary.Phone, "nosuchuser", money.MustFromMajor(30)); err == nil {
			t.Fatal("M-Pesa took a payment for an account that names nobody")
		}
		// ...and a confirmation that comes anyway waits in suspense, in
		// the ISP's books.
		lost := apptest.NewReceipt()
		if status, reply := a.Callback("c2b/confirmation", a.C2BTo(app.DemoISPShortCode, lost, "nosuchuser", mary.Phone, money.MustFromMajor(30))); status != 200 {
			t.Fatalf("confirmation: %d %s", status, reply)
		}
		if p := a.WaitPayment(lost, payment.Suspense); p.Service != payment.Internet || !strings.Contains(p.Reason, "no subscriber") {
			t.Fatalf("unknown account: %+v", p)
		}
		// An ISP payment naming a meter buys no token.
		meter := apptest.NewReceipt()
		a.Callback("c2b/confirmation", a.C2BTo(app.DemoISPShortCode, meter, mary.Meter, mary.Phone, money.MustFromMajor(40)))
		a.WaitPayment(meter, payment.Suspense)

		// The utility's payments go on as before, beside the ISP's.
		token := a.PayBill(mary.Phone, mary.Meter, 200)
		a.WaitPayment(token, payment.Applied)
		if v := a.VendOf(token); len(v.Tokens) != 1 {
			t.Fatalf("vend %+v", v)
		}
		a.Settle()
		bal, err := ledger.Balances(ctx, a.DB.Read())
		if err != nil {
			t.Fatal(err)
		}
		if bal[ledger.ISPClearing] != money.MustFromMajor(240) || bal[ledger.ISPSuspense] != -money.MustFromMajor(70) || bal[ledger.MpesaClearing] != money.MustFromMajor(200) {
			t.Fatalf("balances %v", bal)
		}

		// USAGE by SMS, in Swahili.
		if err := a.Inbound(ctx, sms.Inbound{From: mary.Phone, Text: "matumizi"}); err != nil {
			t.Fatal(err)
		}
		a.WaitSMS(mary.Phone, "wanjiku: Hotspot day 2 GB. Data iliyobaki: 4.00 GB kati ya 4.00 GB.")
	})
}

// A bundle bought by STK push through the ISP's own short code: the
// prompt is paid and the ordered plan is active.
func TestISPBundleBySTK(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		mary := app.DemoCustomers[1]
		r, err := a.ISP.BuyBundle(context.Background(), mary.Phone, app.DemoISPUsername, "home-10", "portal")
		if err != nil {
			t.Fatal(err)
		}
		if r.Amount != money.MustFromMajor(2500) {
			t.Fatalf("push %+v", r)
		}
		apptest.Eventually(t, "the ordered plan to be active", func() bool {
			_, sub := liveSub(t, a)
			return sub.State == isp.Active && sub.PlanID == "home-10"
		})
		tx, ok := a.ISPSim.Transaction(r.CheckoutRequestID)
		if !ok || tx.Amount != money.MustFromMajor(2500) {
			t.Fatalf("M-Pesa's record of the push: %+v, %v", tx, ok)
		}
		d1 := authorize(t, a, app.DemoISPUsername, app.DemoISPPassword)
		if d1.Verdict != radius.Accept || d1.RateLimit != "10M/10M" {
			t.Fatalf("on the PPPoE plan: %+v", d1)
		}
	})
}

func authorize(t *testing.T, a *apptest.App, user, password string) radius.AuthDecision {
	t.Helper()
	ctx := context.Background()
	nas, ok, err := a.ISP.NASByAddr(ctx, netipLocal)
	if err != nil || !ok || string(nas.Secret) != app.DemoNASSecret {
		t.Fatalf("the demo router: %+v, %v, %v", nas, ok, err)
	}
	d, err := a.ISP.Authorize(ctx, radius.AuthRequest{NAS: nas, Username: user, Check: func(pw string) bool { return pw == password }, CallingStationID: "AA:BB:CC:DD:EE:01"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var netipLocal = netip.MustParseAddr("127.0.0.1")
