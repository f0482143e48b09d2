package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/staff"
)

// runDemo starts a complete Mteja on a fresh SQLite database with the
// sample utility, the Daraja simulator and an in-process SMS route, makes
// one M-Pesa payment and shows its token, then keeps serving.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	once := false
	var rest []string
	for _, a := range args {
		if a == "--once" || a == "-once" {
			once = true
			continue
		}
		rest = append(rest, a)
	}
	if !hasFlag(rest, "data") && os.Getenv("MTEJA_DATA") == "" {
		dir, err := os.MkdirTemp("", "mteja-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		rest = append(rest, "-data", dir)
	}
	cfg, err := parseConfig("demo", rest, stderr)
	if err != nil {
		return err
	}
	if strings.HasPrefix(cfg.DB, "postgres") {
		return fmt.Errorf("%w: the demo runs on its own SQLite file; use 'mteja serve' for PostgreSQL", errUsage)
	}
	if !loopback(cfg.Addr) {
		// The demo's simulators mint payments for whoever asks.
		return fmt.Errorf("%w: -addr %s: the demo listens on this machine only (127.0.0.1 or [::1]); use 'mteja serve' to serve others", errUsage, cfg.Addr)
	}
	for _, r := range []struct {
		addr *string
		port string
	}{{&cfg.RadiusAuthAddr, "1812"}, {&cfg.RadiusAcctAddr, "1813"}} {
		if *r.addr == "" {
			*r.addr = freeUDP("127.0.0.1:" + r.port)
		}
		if !loopback(*r.addr) {
			// The demo router's shared secret is printed for all to read.
			return fmt.Errorf("%w: RADIUS on %s: the demo listens on this machine only (127.0.0.1 or [::1]); use 'mteja serve' to serve routers", errUsage, *r.addr)
		}
	}
	if cfg.MetricsToken == "" {
		cfg.MetricsToken = randomToken()
	}
	if !hasFlag(rest, "quiet-hours") && os.Getenv("MTEJA_QUIET_HOURS") == "" {
		// The demo tells its stories at whatever hour it is run; between
		// 21:00 and 07:00 quiet hours would hold the compensation and
		// outage notices it waits for until the morning.
		cfg.QuietHours = notify.QuietHours{Off: true}
	}
	logW := io.Discard
	if os.Getenv("MTEJA_DEMO_LOG") != "" {
		logW = stderr
	}
	a, err := app.New(ctx, cfg, app.Options{Demo: true, Log: logger(logW)})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Seed(ctx); err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	key, err := staff.CreateAPIKey(ctx, a.DB, "demo", staff.RoleAdmin)
	if err != nil {
		return err
	}
	u := a.URL()
	first := app.DemoCustomers[0]
	fmt.Fprintf(stdout, "Mteja demo: %s on a fresh SQLite database (%s)\n\n", u, cfg.DB)
	fmt.Fprintf(stdout, "Sample utility %q, tariff %q, test vending key (test meters only). Customers:\n", cfg.Utility, app.SampleTariffID)
	for _, c := range app.DemoCustomers {
		fmt.Fprintf(stdout, "  %-14s phone %s  meter %s  (%s)\n", c.Name, c.Phone, c.Meter, c.Language)
	}
	fmt.Fprintf(stdout, "\nDaraja simulator at %s/sim/daraja (C2B URLs registered with it).\n", u)

	fmt.Fprintf(stdout, "\nPaying KES 500 by M-Pesa Paybill %s for meter %s ...\n", cfg.DarajaShortCode(), first.Meter)
	start := time.Now()
	receipt, err := a.Sim.PayBill(ctx, first.Phone, first.Meter, money.MustFromMajor(500))
	if err != nil {
		return fmt.Errorf("demo payment: %w", err)
	}
	msg, err := waitForSMS(ctx, a, first.Phone, 30*time.Second)
	if err != nil {
		return fmt.Errorf("demo payment %s: %w", receipt, err)
	}
	fmt.Fprintf(stdout, "M-Pesa receipt %s became a token in %d ms. The SMS to %s:\n\n%s\n\n", receipt, time.Since(start).Milliseconds(), first.Phone, indent(msg.Text))
	fmt.Fprintf(stdout, `Try next:
  Pay again (C2B Paybill, through the simulator):
    curl -s -X POST '%[1]s/demo/pay?phone=%[2]s&meter=%[3]s&amount=250'
  Buy with an STK push (the simulated phone approves after 2 s):
    curl -s -H 'Authorization: Bearer %[4]s' -d '{"meter":"%[3]s","phone":"%[2]s","amount":300}' %[1]s/api/v1/purchases
  The meter's tokens and itemised receipts:
    curl -s -H 'Authorization: Bearer %[4]s' %[1]s/api/v1/meters/%[3]s/vends
  Dial the USSD menu:        go run ./cmd/mteja ussd-sim -url %[5]s -phone +%[2]s
  What a meter's message means, by SMS (answer at /demo/sms):
    curl -s -X POST '%[1]s/demo/sms?phone=%[2]s&text=METER+REJECT'
  Report a problem by SMS: it becomes a ticket (staff see it at /staff/tickets), and a
  token that did not come is found and sent again by itself:
    curl -s -X POST '%[1]s/demo/sms?phone=%[2]s&text=HELP+my+token+did+not+come'
  SMS the demo sent:         %[1]s/demo/sms
  Customer portal:           %[1]s/
  Metrics:                   curl -s -H 'Authorization: Bearer %[6]s' %[1]s/metrics
  API document:              %[1]s/api/openapi.json
  Admin API key (this run):  %[4]s

Callback URLs of this run (each gateway has its own secret):
`, u, first.Phone, first.Meter, key, a.USSDURL(), cfg.MetricsToken)
	printCallbacks(stdout, a.Config, true)
	printISPDemo(stdout, a)
	printSpoolDemo(stdout, a)
	// The outage story comes before the stories that text Mary and John
	// several times: a bulk message waits while its handset has had five
	// messages in the last minute.
	if err := printOutageDemo(ctx, stdout, a); err != nil {
		return err
	}
	if err := demoAgent(ctx, stdout, a); err != nil {
		return err
	}
	if err := printHotspotDemo(ctx, stdout, a); err != nil {
		return err
	}
	if err := demoInvoice(ctx, stdout, a); err != nil {
		return err
	}
	if err := demoCharter(ctx, stdout, a); err != nil {
		return err
	}
	demoHub(ctx, stdout, a)
	printReminderDemo(stdout, a.BuyingWays(), time.Now())
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	if once {
		return nil
	}
	<-ctx.Done()
	return nil
}

func waitForSMS(ctx context.Context, a *app.App, to string, timeout time.Duration) (notify.SinkMessage, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, m := range a.Sink.Messages() {
			if m.To == to {
				return m, nil
			}
		}
		select {
		case <-ctx.Done():
			return notify.SinkMessage{}, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return notify.SinkMessage{}, fmt.Errorf("no token SMS within %s", timeout)
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// loopback reports whether addr (HOST:PORT) listens on this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func randomToken() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// freeUDP returns addr when a UDP socket can be opened on it now, and the
// same host with port 0 (any free port) when not: a RADIUS server already
// running on this machine does not stop the demo.
func freeUDP(addr string) string {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		host, _, _ := net.SplitHostPort(addr)
		return net.JoinHostPort(host, "0")
	}
	c.Close()
	return addr
}

// printISPDemo tells the ISP's side of the demo: the router settings, and
// the story of a hotspot bundle bought, used, ended and bought again, as
// a newcomer plays it with radtest and radclient.
func printISPDemo(w io.Writer, a *app.App) {
	if a.Radius == nil || a.ISP == nil {
		return
	}
	auth, acct := a.Radius.AuthAddr(), a.Radius.AcctAddr()
	kamau := app.DemoCustomers[0]
	acctLine := func(status, extra string) string {
		return fmt.Sprintf(`echo 'User-Name=%s,Acct-Status-Type=%s,Acct-Session-Id=demo-1,Framed-IP-Address=10.5.50.20,Calling-Station-Id=AA:BB:CC:00:00:01%s' | radclient %s acct %s`,
			app.DemoShortUsername, status, extra, acct, app.DemoNASSecret)
	}
	fmt.Fprintf(w, `
Internet service (%[1]q, Paybill %[2]s). A router is told: RADIUS server %[3]s, authentication
port %[4]d, accounting port %[5]d, secret %[6]s (the demo lists one router: this machine).
Subscriber %[7]s (password %[8]s) is on the %[9]s bundle, not yet paid. Debian's freeradius-utils
has radtest and radclient:
  1. Pay the bundle, KES 5 to the ISP's Paybill (simulated M-Pesa):
       curl -s -X POST '%[10]s/demo/pay?phone=%[11]s&account=%[7]s&amount=5'
  2. Log in as the hotspot would (Access-Accept with Mikrotik-Rate-Limit, Session-Timeout, the data limit):
       radtest -t pap %[7]s %[8]s %[3]s:%[4]d 0 %[6]s
  3. The router's accounting (a session starts, 45 MB counted, the user logs off), then ask for
     the usage by SMS (the answer is at %[10]s/demo/sms):
       %[12]s
       %[13]s
       %[15]s
       curl -s -X POST '%[10]s/demo/sms?phone=%[11]s&text=USAGE'
  4. Five minutes after paying the bundle ends: radtest again is answered with
     Mikrotik-Address-List = %[14]s (the walled garden: only the payment page). Pay again (step 1)
     and the next radtest is back on the bundle.
`, a.Config.ISPName, a.Config.ISPShortCodes[0], auth.IP, auth.Port, acct.Port, app.DemoNASSecret, app.DemoShortUsername, app.DemoISPPassword,
		app.DemoISPPlans[2].Name, a.URL(), kamau.Phone, acctLine("Start", ""),
		acctLine("Interim-Update", ",Acct-Session-Time=60,Acct-Input-Octets=5000000,Acct-Output-Octets=40000000"), a.Config.ISPWalledGarden,
		acctLine("Stop", ",Acct-Session-Time=90,Acct-Input-Octets=5000000,Acct-Output-Octets=40000000"))
}
