package app_test

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"layeh.com/radius/rfc2866"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius/radiustest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// offsetClock is the time now plus an offset the test moves forward: the
// app runs in real time, and a bundle's end comes when the test says.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *offsetClock) Forward(d time.Duration) { c.offset.Add(int64(d)) }

// radtools skips a test when Debian's freeradius-utils is missing.
func radtools(t *testing.T) {
	for _, tool := range []string{"radtest", "radclient"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s not installed (Debian freeradius-utils; scripts/test installs it)", tool)
		}
	}
}

// The demo's internet story on `mteja serve`'s RADIUS server, played by
// radtest and radclient as the README tells a newcomer: the five-minute
// bundle bought by M-Pesa, a login with its speed and limits, usage
// rising from accounting (a retransmitted Interim-Update counted once),
// the router told to disconnect the user at the bundle's exact end and
// the next login put in the walled garden, and a payment that brings the
// user back within seconds.
func TestISPStoryOverRadius(t *testing.T) {
	radtools(t)
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a := apptest.Start(t, apptest.Options{Dialect: d, NoStart: true, Configure: func(c *config.Config) {
			c.RadiusAuthAddr, c.RadiusAcctAddr = "127.0.0.1:0", "127.0.0.1:0"
		}})
		clock := &offsetClock{}
		a.DB.Now = clock.Now
		// The demo router, listening for CoA and Disconnect as a router does.
		router, err := radiustest.NewNAS([]byte(app.DemoNASSecret), radiustest.AlwaysACK)
		if err != nil {
			t.Fatal(err)
		}
		defer router.Close()
		nas, err := a.ISP.Routers(ctx)
		if err != nil || len(nas) != 1 {
			t.Fatalf("routers %v, %v", nas, err)
		}
		if err := a.ISP.RemoveNAS(ctx, nas[0].ID, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ISP.AddNAS(ctx, "demo-hotspot", netipLocal, app.DemoNASSecret, router.Port(), "test"); err != nil {
			t.Fatal(err)
		}
		a.StartNow()
		auth, acct := a.Radius.AuthAddr().String(), a.Radius.AcctAddr().String()
		kamau := app.DemoCustomers[0]
		radtest := func(kind string) string {
			t.Helper()
			out, _ := exec.Command("radtest", "-t", kind, app.DemoShortUsername, app.DemoISPPassword, auth, "0", app.DemoNASSecret).CombinedOutput()
			return string(out)
		}
		radclient := func(attrs string) {
			t.Helper()
			cmd := exec.Command("radclient", "-r", "1", "-t", "3", acct, "acct", app.DemoNASSecret)
			cmd.Stdin = strings.NewReader(fmt.Sprintf("User-Name=%s,Acct-Session-Id=demo-1,Framed-IP-Address=10.5.50.20,Calling-Station-Id=AA:BB:CC:00:00:01,%s\n",
				app.DemoShortUsername, attrs))
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Accounting-Response") {
				t.Fatalf("radclient %s: %v\n%s", attrs, err, out)
			}
		}
		user, err := a.ISP.ByUsername(ctx, app.DemoShortUsername)
		if err != nil {
			t.Fatal(err)
		}

		// The README's probe: either port says the server is up (the
		// Decider is the ISP service, whose database answers).
		for _, addr := range []string{auth, acct} {
			cmd := exec.Command("radclient", "-r", "1", "-t", "3", addr, "status", app.DemoNASSecret)
			cmd.Stdin = strings.NewReader("Message-Authenticator = 0x00\n")
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Received") {
				t.Fatalf("radclient status %s: %v\n%s", addr, err, out)
			}
		}

		// Not paid yet: the walled garden, not a reject.
		if out := radtest("pap"); !strings.Contains(out, "Access-Accept") || !strings.Contains(out, `Mikrotik-Address-List = "mteja-pay-now"`) {
			t.Fatalf("before paying:\n%s", out)
		}

		// 1. Paid by M-Pesa: active within a second, told by SMS.
		receipt := a.PayISP(kamau.Phone, app.DemoShortUsername, 5)
		paid := time.Now()
		apptest.Eventually(t, "the bundle to be active", func() bool {
			sub, err := a.ISP.Live(ctx, user.ID)
			return err == nil && sub.State == isp.Active
		})
		if took := time.Since(paid); took > time.Second {
			t.Errorf("the bundle was active %s after the payment", took)
		}
		a.WaitPayment(receipt, payment.Applied)
		a.WaitSMS(kamau.Phone, "received KES 5.00 ("+receipt+") for kamau. Hotspot 5 minutes is active until")

		// 2. A login, by PAP and by CHAP: the bundle's speed, its time
		// left and its data.
		for _, kind := range []string{"pap", "chap"} {
			out := radtest(kind)
			for _, want := range []string{"Access-Accept", `Mikrotik-Rate-Limit = "1M/2M"`, `Session-Timeout = (29\d|300)\n`, "Mikrotik-Total-Limit = 100000000", "Message-Authenticator"} {
				if !regexp.MustCompile(want).MatchString(out) {
					t.Errorf("%s login lacks %q:\n%s", kind, want, out)
				}
			}
			if strings.Contains(out, "Mikrotik-Address-List") {
				t.Errorf("%s login of a paid user is in the walled garden:\n%s", kind, out)
			}
		}

		// 3. Accounting: the usage rises by what the router counted, once.
		radclient("Acct-Status-Type=Start")
		interim := "Acct-Status-Type=Interim-Update,Acct-Session-Time=60,Acct-Input-Octets=5000000,Acct-Output-Octets=40000000"
		radclient(interim)
		radclient(interim) // sent again, as a router does when an answer is lost
		u, err := a.ISP.UsageOf(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.DataUsed != 45_000_000 || u.Online != 1 {
			t.Fatalf("usage after 45 MB: %+v", u)
		}

		// 4. The bundle's end, to the minute: the sweep suspends it, the
		// router is told to disconnect the session, and the next login
		// is put in the walled garden.
		sub, err := a.ISP.Live(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock.Forward(sub.EndsAt.Sub(clock.Now()) - time.Second)
		if err := a.ISP.SweepOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if sub, _ := a.ISP.Live(ctx, user.ID); sub.State != isp.Active {
			t.Fatalf("a second before its end the bundle is %s", sub.State)
		}
		clock.Forward(2 * time.Second)
		if err := a.ISP.SweepOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if sub, _ := a.ISP.Live(ctx, user.ID); sub.State != isp.Suspended {
			t.Fatalf("a second after its end the bundle is %s", sub.State)
		}
		select {
		case p := <-router.Got():
			if id := rfc2866.AcctSessionID_GetString(p); id != "demo-1" {
				t.Errorf("the router was told about session %q", id)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the router was not told to disconnect the user at the bundle's end")
		}
		if out := radtest("pap"); !strings.Contains(out, "Access-Accept") || !strings.Contains(out, `Mikrotik-Address-List = "mteja-pay-now"`) {
			t.Fatalf("after the end:\n%s", out)
		}
		radclient("Acct-Status-Type=Stop,Acct-Session-Time=300,Acct-Input-Octets=5000000,Acct-Output-Octets=40000000")

		// 5. Paid again: back on the bundle within seconds.
		a.PayISP(kamau.Phone, app.DemoShortUsername, 5)
		apptest.Eventually(t, "the bundle to be active again", func() bool {
			sub, err := a.ISP.Live(ctx, user.ID)
			return err == nil && sub.State == isp.Active
		})
		if out := radtest("pap"); !strings.Contains(out, `Mikrotik-Rate-Limit = "1M/2M"`) || strings.Contains(out, "Mikrotik-Address-List") {
			t.Fatalf("after paying again:\n%s", out)
		}
		if u, _ := a.ISP.UsageOf(ctx, user.ID); u.Wallet != money.Amount(0) {
			t.Errorf("wallet %s after paying the price twice", u.Wallet)
		}
	})
}

// Without MTEJA_RADIUS_AUTH_ADDR and MTEJA_RADIUS_ACCT_ADDR no RADIUS
// listener opens: routers reach billing only where the operator says.
func TestRadiusOffByDefault(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	if a.Radius != nil {
		t.Fatalf("a RADIUS server runs with no address set: auth %v, acct %v", a.Radius.AuthAddr(), a.Radius.AcctAddr())
	}
}
