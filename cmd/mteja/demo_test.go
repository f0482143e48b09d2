package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/sts"
)

// clearEnv keeps the developer's MTEJA_* settings out of a command's
// configuration.
func clearEnv(t *testing.T) {
	for _, k := range []string{"MTEJA_ADDR", "MTEJA_DATA", "MTEJA_DB", "MTEJA_PUBLIC_URL", "MTEJA_DARAJA_URL", "MTEJA_DARAJA_SECRET",
		"MTEJA_DARAJA_ALLOW", "MTEJA_VENDING_KEY", "MTEJA_VENDING_KEY_FILE", "MTEJA_SMPP_ADDR", "MTEJA_HTTPSMS_URL", "MTEJA_ADMIN_API_KEY", "MTEJA_DEMO_LOG",
		"MTEJA_USSD_SECRET", "MTEJA_SMS_SECRET", "MTEJA_USSD_ALLOW", "MTEJA_SMS_ALLOW", "MTEJA_TRUSTED_PROXIES", "MTEJA_METRICS_ADDR",
		"MTEJA_METRICS_TOKEN", "MTEJA_DARAJA_VERIFY_ABOVE", "MTEJA_DARAJA_SHORTCODE", "MTEJA_RADIUS_AUTH_ADDR", "MTEJA_RADIUS_ACCT_ADDR", "MTEJA_ISP_HOTSPOT_HOSTS"} {
		t.Setenv(k, "")
	}
}

var tokenRE = regexp.MustCompile(`\b(\d{4})-(\d{4})-(\d{4})-(\d{4})-(\d{4})\b`)

// `mteja demo --once` starts everything on a fresh SQLite database, pays
// once through the Daraja simulator and prints the token the SMS carried:
// a token the first demo meter accepts.
func TestDemoOnce(t *testing.T) {
	clearEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	start := time.Now()
	code := run(ctx, []string{"demo", "--once", "--addr", "127.0.0.1:0"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("mteja demo --once: exit %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errOut)
	}
	t.Logf("demo took %s", time.Since(start))
	text := out.String()
	m := tokenRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no 4-4-4-4-4 token in the demo's output:\n%s", text)
	}
	for _, want := range []string{"/daraja/", "/c2b/validation", "/c2b/confirmation", "M-Pesa receipt", "Try next", "/api/v1/purchases", app.DemoCustomers[0].Meter,
		"radtest -t pap kamau demo-pass 127.0.0.1:", "radclient 127.0.0.1:", "secret mteja-demo-radius-secret", "/demo/pay?phone=254708374149&account=kamau&amount=5",
		"/demo/hotspot\n", "/hotspot/\n  with its variables link-login-only", "/login\n  with 0708 374 149", "/internet\n  for kamau's plan",
		"-phone +254708374149\n  and choose 8 Internet", "text=METER+REJECT",
		"Invoice INV-", "was issued and paid: net 1,874.06, excise 281.11, VAT 344.83", "seller PIN P000000000D (made up, demo only)",
		"signed by the simulated eTIMS unit SIM-CU-DEMO-0001", "/staff/internet/invoices/",
		"found 1 breach", "Fidia ya KES 50.00", "compensation 50.00", "Fidia:50.00 imo", "/charter  (CSV: ",
		`"No token" complaint resolved within 4 hours         cases 1, met 0.0%, breached 1, compensation KES 50.00`,
		"Mteja Power: power is off in Nairobi West (feeder NW-11)", "umeme umekatika Nairobi West (laini NW-11)", "Ali Hassan, on feeder NW-12, was not texted", "/status\n",
		"after confirmation", "Mteja Power: power is back in Nairobi West (feeder NW-11). Reply 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's output does not mention %q:\n%s", want, text)
		}
	}

	if !regexp.MustCompile(`Or type this voucher \(Hotspot 5 minutes\): \d{4} \d{4} \d{4}\n`).MatchString(text) {
		t.Errorf("the demo's output gives no voucher to try:\n%s", text)
	}

	// The demo seeds its first meter with these key parameters.
	first := customer.Meter{DRN: app.DemoCustomers[0].Meter, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255, BaseDate: 2014, Algorithm: "EA07", DKGA: "02"}
	sm, err := first.STS()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := apptest.DecodeFor(sm, strings.Join(m[1:], ""))
	if err != nil {
		t.Fatalf("meter %s refuses the demo's token %s: %v", first.DRN, m[0], err)
	}
	if dec.Class != sts.ClassCredit || dec.Amount.Value() == 0 {
		t.Errorf("the demo's token decodes to %+v, want electricity credit", dec.Fields)
	}
}

// The demo runs only on its own SQLite file; asking for PostgreSQL is a
// usage error.
func TestDemoRefusesPostgres(t *testing.T) {
	clearEnv(t)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"demo", "--once", "--addr", "127.0.0.1:0", "-db", "postgres://nobody@127.0.0.1:1/none"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "SQLite") {
		t.Errorf("demo on PostgreSQL: exit %d, stderr %q; want 2 and a reason", code, errOut.String())
	}
}
