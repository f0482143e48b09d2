package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/mteja/mteja/internal/app"
)

// printHotspotDemo tells the customer's side of the ISP: the demo
// hotspot's captive page, with a voucher to try on it, and John Kamau's
// internet account in the portal.
func printHotspotDemo(ctx context.Context, w io.Writer, a *app.App) error {
	if a.ISP == nil {
		return nil
	}
	plan := app.DemoISPPlans[2]
	b, err := a.ISP.NewVouchers(ctx, plan.ID, 1, time.Now().Add(7*24*time.Hour), "demo", "demo")
	if err != nil {
		return fmt.Errorf("demo voucher: %w", err)
	}
	_, vs, err := a.ISP.Vouchers(ctx, b.ID)
	if err != nil || len(vs) != 1 {
		return fmt.Errorf("demo voucher: %v", err)
	}
	code := vs[0].Code
	kamau := app.DemoCustomers[0]
	local := "0" + kamau.Phone[3:]
	fmt.Fprintf(w, `
The hotspot's captive page, as the demo router sends a customer to it (open it in a browser):
    %[1]s%[2]s
  Buy a bundle with any phone number (the simulated phone approves after 2 s): the page waits by
  itself, then shows the new account's username and password and logs in to the demo router by
  CHAP. Or type this voucher (%[3]s): %[4]s %[5]s %[6]s
  A router's own login page sends customers to
    %[1]s/hotspot/
  with its variables link-login-only, link-orig, mac, ip, chap-id and chap-challenge; the login
  URL must be a private address or a host listed in MTEJA_ISP_HOTSPOT_HOSTS.

John Kamau's internet in the customer portal: log in at
    %[1]s/login
  with %[7]s (the code SMS is at %[1]s/demo/sms), then open
    %[1]s/internet
  for %[8]s's plan and state, data and time left, wallet and purchases; buy a bundle by STK
  push for %[8]s or for a friend (%[9]s), or redeem a voucher. The same on a feature phone:
    go run ./cmd/mteja ussd-sim -url %[10]s -phone +%[11]s
  and choose 8 Internet; or by SMS: USAGE, VOUCHER <code>.
`, a.URL(), app.DemoHotspotPath, plan.Name, code[:4], code[4:8], code[8:], local[:4]+" "+local[4:7]+" "+local[7:],
		app.DemoShortUsername, app.DemoISPUsername, a.USSDURL(), kamau.Phone)
	return nil
}
