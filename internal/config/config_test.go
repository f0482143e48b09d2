package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlagBeatsEnvironment(t *testing.T) {
	c, _, err := Parse("serve", []string{"-addr", "127.0.0.1:9000"}, env(map[string]string{"MTEJA_ADDR": "127.0.0.1:7000", "MTEJA_DATA": "d", "MTEJA_VENDING_KEY": "ABAB"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DB != "d/mteja.db" || c.VendingKey != "ABAB" {
		t.Fatalf("config = %+v", c)
	}
}

func TestBadInputIsNamed(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-addr", "nope"}, nil, "-addr"},
		{nil, map[string]string{"MTEJA_SMPP_TPS": "fast"}, "MTEJA_SMPP_TPS"},
		{[]string{"-daraja-allow", "10.0.0.0/8,bogus"}, nil, "bogus"},
		{[]string{"extra"}, nil, "unexpected argument"},
		{nil, map[string]string{"MTEJA_TOKEN_SLO": "soon"}, "MTEJA_TOKEN_SLO"},
		{[]string{"-token-slo", "1s"}, nil, "-token-slo"},
	}
	for _, tt := range tests {
		_, _, err := Parse("serve", tt.args, env(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%v, %v) error = %v; want it to mention %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestSecuritySettings(t *testing.T) {
	c, _, err := Parse("serve", []string{"-daraja-allow", "196.201.214.200, 196.201.213.0/24", "-trusted-proxies", "10.0.0.5", "-ussd-allow", "41.90.0.0/16"},
		env(map[string]string{"MTEJA_DARAJA_SHORTCODE": "888880,600100", "MTEJA_DARAJA_VERIFY_ABOVE": "10,000", "MTEJA_USSD_SECRET": "ussd-secret-0123456789"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DarajaAllow.String() != "196.201.214.200/32,196.201.213.0/24" || len(c.TrustedProxies) != 1 || c.TrustedProxies[0].String() != "10.0.0.5/32" ||
		c.USSDAllow.String() != "41.90.0.0/16" || !c.SMSAllow.Empty() {
		t.Errorf("allow-lists: %+v", c)
	}
	if c.DarajaShortCode() != "888880" || len(c.DarajaShortCodes) != 2 || c.DarajaVerifyAbove != 10000_00 || c.USSDSecret != "ussd-secret-0123456789" {
		t.Errorf("settings: %+v", c)
	}
	if c, _, _ := Parse("serve", nil, env(nil)); !c.DarajaAllow.Empty() || c.DarajaAllow.Allows(netip.MustParseAddr("196.201.214.200")) {
		t.Errorf("an empty Daraja allow-list admits someone: %+v", c.DarajaAllow)
	}
	if c, _, _ := Parse("serve", []string{"-daraja-allow", "ANY"}, env(nil)); !c.DarajaAllow.Any {
		t.Errorf("-daraja-allow ANY: %+v", c.DarajaAllow)
	}
}

func TestSecuritySettingsRefused(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-trusted-proxies", "any"}, nil, "-trusted-proxies"},
		{[]string{"-trusted-proxies", "proxy.example"}, nil, "-trusted-proxies"},
		{[]string{"-ussd-allow", "any"}, nil, "-ussd-allow"},
		{[]string{"-daraja-allow", "any,10.0.0.0/8"}, nil, "any"},
		{[]string{"-daraja-shortcode", "12ab"}, nil, "-daraja-shortcode"},
		{[]string{"-daraja-shortcode", ","}, nil, "-daraja-shortcode"},
		{[]string{"-daraja-verify-above", "-5"}, nil, "-daraja-verify-above"},
		{[]string{"-metrics-addr", "9090"}, nil, "-metrics-addr"},
		{nil, map[string]string{"MTEJA_USSD_SECRET": "short"}, "MTEJA_USSD_SECRET"},
		{nil, map[string]string{"MTEJA_SMS_SECRET": "has spaces in it, twenty+"}, "MTEJA_SMS_SECRET"},
		{nil, map[string]string{"MTEJA_DARAJA_SECRET": "with/slash/0123456789abc"}, "MTEJA_DARAJA_SECRET"},
		{nil, map[string]string{"MTEJA_METRICS_TOKEN": "tiny"}, "MTEJA_METRICS_TOKEN"},
	} {
		_, _, err := Parse("serve", tt.args, env(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%v, %v) error = %v; want it to mention %q", tt.args, tt.env, err, tt.want)
		}
	}
}

// An ISP beside the utility: its own short codes, never the utility's.
func TestISPSettings(t *testing.T) {
	c, _, err := Parse("serve", []string{"-isp-walled-garden", "pay-first"}, env(map[string]string{"MTEJA_ISP_SHORTCODE": "600100, 600101",
		"MTEJA_ISP_PASSKEY": "isp-passkey", "MTEJA_ISP_NAME": "Kijiji Net", "MTEJA_ISP_INTERIM": "2m",
		"MTEJA_ISP_HOTSPOT_HOSTS": "private,hotspot.lan"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ISPShortCodes) != 2 || c.ISPShortCodes[1] != "600101" || c.ISPPasskey != "isp-passkey" || c.ISPName != "Kijiji Net" ||
		c.ISPWalledGarden != "pay-first" || c.ISPInterim != 2*time.Minute || c.ISPHotspotHosts != "private,hotspot.lan" {
		t.Errorf("ISP settings: %+v", c)
	}
	if c, _, _ := Parse("serve", nil, env(nil)); len(c.ISPShortCodes) != 0 || c.ISPName != "Mteja Net" || c.ISPWalledGarden != "mteja-pay-now" || c.ISPInterim != 5*time.Minute ||
		c.ISPHotspotHosts != "" {
		t.Errorf("ISP defaults: %+v", c)
	}
	for _, bad := range []map[string]string{
		{"MTEJA_ISP_SHORTCODE": "888880"}, // the utility's
		{"MTEJA_ISP_SHORTCODE": "12ab5"},
		{"MTEJA_ISP_INTERIM": "10s"},
		{"MTEJA_ISP_INTERIM": "often"},
	} {
		if _, _, err := Parse("serve", nil, env(bad)); err == nil {
			t.Errorf("%v was taken", bad)
		}
	}
}

// Invoices: the seller's PIN is checked, the days before a period are
// bounded, and the tax file is named.
func TestInvoiceSettings(t *testing.T) {
	c, _, err := Parse("serve", []string{"-tax-file", "/etc/mteja/tax.yaml"}, env(map[string]string{"MTEJA_ISP_PIN": " p051234567x ", "MTEJA_ISP_INVOICE_DAYS": "10"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ISPPIN != "P051234567X" || c.ISPInvoiceDays != 10 || c.TaxFile != "/etc/mteja/tax.yaml" {
		t.Errorf("invoice settings: %q %d %q", c.ISPPIN, c.ISPInvoiceDays, c.TaxFile)
	}
	if c, _, _ := Parse("serve", nil, env(nil)); c.ISPInvoiceDays != 7 || c.ISPPIN != "" || c.TaxFile != "" {
		t.Errorf("invoice defaults: %q %d %q", c.ISPPIN, c.ISPInvoiceDays, c.TaxFile)
	}
	for _, e := range []map[string]string{
		{"MTEJA_ISP_PIN": "P05123456X"},
		{"MTEJA_ISP_PIN": "051234567"},
		{"MTEJA_ISP_INVOICE_DAYS": "0"},
		{"MTEJA_ISP_INVOICE_DAYS": "40"},
		{"MTEJA_ISP_INVOICE_DAYS": "a week"},
	} {
		if _, _, err := Parse("serve", nil, env(e)); err == nil {
			t.Errorf("%v: accepted", e)
		}
	}
}

func TestSurveySettings(t *testing.T) {
	if c, _, err := Parse("serve", nil, env(nil)); err != nil || c.SurveyDays != 30 || c.NPSSample != 0 {
		t.Errorf("survey defaults: %d days, NPS %d, %v; want 30 days, NPS off", c.SurveyDays, c.NPSSample, err)
	}
	c, _, err := Parse("serve", []string{"-nps-sample", "50"}, env(map[string]string{"MTEJA_SURVEY_DAYS": "60"}))
	if err != nil || c.SurveyDays != 60 || c.NPSSample != 50 {
		t.Errorf("survey settings: %d days, NPS %d, %v", c.SurveyDays, c.NPSSample, err)
	}
	for _, e := range []map[string]string{
		{"MTEJA_SURVEY_DAYS": "-1"},
		{"MTEJA_SURVEY_DAYS": "a month"},
		{"MTEJA_NPS_SAMPLE": "-5"},
		{"MTEJA_NPS_SAMPLE": "10", "MTEJA_SURVEY_DAYS": "0"},
	} {
		if _, _, err := Parse("serve", nil, env(e)); err == nil {
			t.Errorf("%v: accepted", e)
		}
	}
}
