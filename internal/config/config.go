// Package config reads Mteja's settings from flags and MTEJA_* environment
// variables (a flag wins over its variable). Secrets are read from files or
// the environment, never from flags, so that they do not show in `ps`.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/peer"
)

// Config is everything `mteja serve` needs. Each field's comment gives its
// flag, its variable and its default.
type Config struct {
	Addr      string // -addr, MTEJA_ADDR; 127.0.0.1:8080
	DataDir   string // -data, MTEJA_DATA; ./mteja-data
	DB        string // -db, MTEJA_DB; a SQLite file in the data directory, or a postgres:// DSN
	PublicURL string // -public-url, MTEJA_PUBLIC_URL; http://ADDR: the base of the callback URLs registered with Daraja

	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client; empty trusts none, and every request's client is its peer.
	TrustedProxies []netip.Prefix // -trusted-proxies, MTEJA_TRUSTED_PROXIES; comma-separated CIDRs

	// Metrics: /metrics is served on MetricsAddr (a separate listener, for
	// a private network) and, when MetricsToken is set, on the main address
	// to holders of the token. With neither, it is not served at all.
	MetricsAddr  string // -metrics-addr, MTEJA_METRICS_ADDR; ""
	MetricsToken string // MTEJA_METRICS_TOKEN; ""

	Utility  string // -utility, MTEJA_UTILITY; "Mteja Power": the name on token messages
	USSDCode string // -ussd-code, MTEJA_USSD_CODE; *384*123#
	SMSFrom  string // -sms-from, MTEJA_SMS_FROM; MTEJA: the sender ID

	// Daraja. The secret path segment and the source allow-list guard the
	// callback URLs.
	DarajaURL string // -daraja-url, MTEJA_DARAJA_URL; "" (no Daraja client)
	// DarajaShortCodes are the Paybill and till numbers that are ours; the
	// first is the one requests (STK push, status queries) are made for.
	DarajaShortCodes     []string       // -daraja-shortcode, MTEJA_DARAJA_SHORTCODE; comma-separated; 888880
	DarajaSecret         string         // MTEJA_DARAJA_SECRET (or a generated one kept in the data directory)
	DarajaAllow          peer.AllowList // -daraja-allow, MTEJA_DARAJA_ALLOW; CIDRs or "any"; serve refuses to start without it
	DarajaKey            string         // MTEJA_DARAJA_CONSUMER_KEY
	DarajaConsumerSecret string         // MTEJA_DARAJA_CONSUMER_SECRET
	DarajaPasskey        string         // MTEJA_DARAJA_PASSKEY
	DarajaInitiator      string         // MTEJA_DARAJA_INITIATOR
	DarajaCredential     string         // MTEJA_DARAJA_SECURITY_CREDENTIAL
	// DarajaVerifyAbove, when positive, has confirmations of at least this
	// amount checked by a transaction status query before a token is made.
	DarajaVerifyAbove money.Amount // -daraja-verify-above, MTEJA_DARAJA_VERIFY_ABOVE; KES; 0 (off)

	// An ISP served beside the utility: its own Paybill numbers (payments
	// to them buy internet, not electricity), its name on messages and the
	// router address list of users who must pay. Its STK pushes go to the
	// Daraja above as its own short code, with its own passkey and, when it
	// has a Daraja app of its own, its own consumer key and secret.
	ISPShortCodes   []string      // -isp-shortcode, MTEJA_ISP_SHORTCODE; comma-separated; none (no ISP payments); the first is named in messages
	ISPName         string        // -isp-name, MTEJA_ISP_NAME; "Mteja Net"
	ISPWalledGarden string        // -isp-walled-garden, MTEJA_ISP_WALLED_GARDEN; "mteja-pay-now"
	ISPPasskey      string        // MTEJA_ISP_PASSKEY; the Lipa na M-Pesa Online passkey of the ISP's short code
	ISPKey          string        // MTEJA_ISP_CONSUMER_KEY; the utility's (MTEJA_DARAJA_CONSUMER_KEY) when unset
	ISPSecret       string        // MTEJA_ISP_CONSUMER_SECRET; the utility's when unset
	ISPInterim      time.Duration // -isp-interim, MTEJA_ISP_INTERIM; 5m: Acct-Interim-Interval told to routers
	// ISPHotspotHosts are the routers' login URLs (MikroTik's link-login)
	// the captive page at /hotspot/ may post a customer's credentials to:
	// host names, addresses, prefixes and "private". Empty allows private
	// addresses only (a router's address on its customers' network).
	ISPHotspotHosts string // -isp-hotspot-hosts, MTEJA_ISP_HOTSPOT_HOSTS; "" (private addresses)

	// Invoices of the ISP's monthly plans: the seller's KRA PIN they carry
	// (none: invoices say the PIN is not set, and eTIMS cannot sign them),
	// how many days before a period they are issued, and the dated VAT and
	// excise rates (a YAML file like the shipped one; checked at start).
	ISPPIN         string // MTEJA_ISP_PIN; KRA PIN, a letter, 9 digits and a letter: P051234567X
	ISPInvoiceDays int    // -isp-invoice-days, MTEJA_ISP_INVOICE_DAYS; 7 (1 to 28)
	TaxFile        string // -tax-file, MTEJA_TAX_FILE; "" (the rates shipped, Kenya's as published)

	// The RADIUS server the ISP's routers ask, on UDP HOST:PORT each (the
	// routers' side: 1812 and 1813). Empty opens nothing: only the
	// routers listed in billing (source address and shared secret) are
	// answered once it listens.
	RadiusAuthAddr string // -radius-auth-addr, MTEJA_RADIUS_AUTH_ADDR; "" (off)
	RadiusAcctAddr string // -radius-acct-addr, MTEJA_RADIUS_ACCT_ADDR; "" (off)

	// The USSD gateway's and the HTTP SMS gateway's callbacks, each behind
	// its own secret path segment and an optional source allow-list.
	USSDSecret string         // MTEJA_USSD_SECRET (or a generated one kept in the data directory)
	USSDAllow  peer.AllowList // -ussd-allow, MTEJA_USSD_ALLOW; CIDRs; empty: any source holding the secret
	SMSSecret  string         // MTEJA_SMS_SECRET (or a generated one kept in the data directory)
	SMSAllow   peer.AllowList // -sms-allow, MTEJA_SMS_ALLOW; CIDRs; empty: any source holding the secret

	// The STS vending key: a file holding its hex, or MTEJA_VENDING_KEY.
	VendingKeyFile string // -vending-key-file, MTEJA_VENDING_KEY_FILE
	VendingKey     string // MTEJA_VENDING_KEY (hex); never a flag

	// CareCategories is a YAML file of ticket categories (name, en, sw,
	// team, priority); "" ships the default list.
	CareCategories string // -care-categories, MTEJA_CARE_CATEGORIES

	// Charter is the service charter, a YAML file of standards with their
	// clocks, targets and compensation; "" is the charter shipped.
	Charter string // -charter, MTEJA_CHARTER

	// Feedback by SMS: CSAT after a resolved ticket, NPS now and then;
	// one phone is asked at most once in SurveyDays (0 asks no CSAT).
	// NPS is off (0) by default: each question is an SMS the operator
	// pays for, asked of customers who asked for nothing.
	SurveyDays int // -survey-days, MTEJA_SURVEY_DAYS; default 30
	NPSSample  int // -nps-sample, MTEJA_NPS_SAMPLE; customers asked a day; default 0 (off)

	// QuietHours hold messages that can wait (outage updates, reminders,
	// notices) overnight; tokens, codes and replies are never held.
	QuietHours notify.QuietHours // -quiet-hours, MTEJA_QUIET_HOURS; "21:00-07:00" EAT, or off

	// Reminders, when on, tell a meter's phones when it is later than
	// usual to buy (once a purchase cycle). Off by default: each is an SMS
	// the operator pays for, and an upgrade should not start a new SMS bill
	// by itself. TariffNotices tell customers of a tariff change three days
	// before it takes effect; on by default, since a price change is owed
	// to customers before it applies.
	Reminders     bool // -reminders, MTEJA_REMINDERS; off
	TariffNotices bool // -tariff-notices, MTEJA_TARIFF_NOTICES; on

	// SMS routes, tried in this order: SMPP, then the HTTP gateway.
	SMPPAddr     string // -smpp-addr, MTEJA_SMPP_ADDR; "" for none
	SMPPSystemID string // -smpp-system-id, MTEJA_SMPP_SYSTEM_ID
	SMPPPassword string // MTEJA_SMPP_PASSWORD
	SMPPTPS      int    // -smpp-tps, MTEJA_SMPP_TPS; 10
	HTTPSMSURL   string // -httpsms-url, MTEJA_HTTPSMS_URL; "" for none
	HTTPSMSUser  string // -httpsms-user, MTEJA_HTTPSMS_USER
	HTTPSMSKey   string // MTEJA_HTTPSMS_KEY

	// TokenSLO is how soon a token SMS must be delivered before the customer
	// gets a delay notice by another route.
	TokenSLO time.Duration // -token-slo, MTEJA_TOKEN_SLO; 2m

	// AdminKey, if set, is an API key with the admin role created at start.
	AdminKey string // MTEJA_ADMIN_API_KEY

	// SealKey encrypts the secrets kept in the database that must be read
	// back (staff TOTP seeds). It is never stored there.
	SealKey string // MTEJA_SEAL_KEY (or a generated one kept in the data directory)
}

// Parse reads args (after the subcommand) and the environment.
func Parse(name string, args []string, getenv func(string) string) (Config, *flag.FlagSet, error) {
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("MTEJA_ADDR", "127.0.0.1:8080"), "listen address `HOST:PORT` (MTEJA_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("MTEJA_DATA", "mteja-data"), "data directory (MTEJA_DATA)")
	fs.StringVar(&c.DB, "db", env("MTEJA_DB", ""), "database: a SQLite file path or a postgres:// `DSN` (MTEJA_DB; default DATA/mteja.db)")
	fs.StringVar(&c.PublicURL, "public-url", env("MTEJA_PUBLIC_URL", ""), "public base `URL` for callbacks (MTEJA_PUBLIC_URL; default http://ADDR as listening)")
	fs.StringVar(&c.Utility, "utility", env("MTEJA_UTILITY", "Mteja Power"), "utility name on messages (MTEJA_UTILITY)")
	fs.StringVar(&c.USSDCode, "ussd-code", env("MTEJA_USSD_CODE", "*384*123#"), "USSD code customers dial (MTEJA_USSD_CODE)")
	fs.StringVar(&c.SMSFrom, "sms-from", env("MTEJA_SMS_FROM", "MTEJA"), "SMS sender ID (MTEJA_SMS_FROM)")
	fs.StringVar(&c.DarajaURL, "daraja-url", env("MTEJA_DARAJA_URL", ""), "Daraja base `URL` (MTEJA_DARAJA_URL)")
	shortCodes := fs.String("daraja-shortcode", env("MTEJA_DARAJA_SHORTCODE", "888880"), "our Paybill or till `numbers`, comma-separated; the first is used for requests (MTEJA_DARAJA_SHORTCODE)")
	allow := fs.String("daraja-allow", env("MTEJA_DARAJA_ALLOW", ""), "comma-separated `CIDRs` allowed to call the Daraja callbacks, or \"any\" (MTEJA_DARAJA_ALLOW)")
	ispCodes := fs.String("isp-shortcode", env("MTEJA_ISP_SHORTCODE", ""), "the ISP's Paybill `numbers`, comma-separated: payments to them buy internet (MTEJA_ISP_SHORTCODE)")
	fs.StringVar(&c.ISPName, "isp-name", env("MTEJA_ISP_NAME", "Mteja Net"), "the ISP's name on messages (MTEJA_ISP_NAME)")
	fs.StringVar(&c.ISPWalledGarden, "isp-walled-garden", env("MTEJA_ISP_WALLED_GARDEN", "mteja-pay-now"), "the routers' address `list` of users who must pay (MTEJA_ISP_WALLED_GARDEN)")
	interim, err := time.ParseDuration(env("MTEJA_ISP_INTERIM", "5m"))
	if err != nil {
		return Config{}, fs, fmt.Errorf("MTEJA_ISP_INTERIM=%q: want a duration such as 5m", getenv("MTEJA_ISP_INTERIM"))
	}
	fs.DurationVar(&c.ISPInterim, "isp-interim", interim, "Acct-Interim-Interval told to the ISP's routers (MTEJA_ISP_INTERIM)")
	c.ISPPIN = strings.ToUpper(strings.TrimSpace(getenv("MTEJA_ISP_PIN")))
	invoiceDays, err := envInt(getenv, "MTEJA_ISP_INVOICE_DAYS", 7)
	if err != nil {
		return Config{}, fs, err
	}
	fs.IntVar(&c.ISPInvoiceDays, "isp-invoice-days", invoiceDays, "issue monthly plans' invoices this many `days` before their period (MTEJA_ISP_INVOICE_DAYS)")
	fs.StringVar(&c.TaxFile, "tax-file", env("MTEJA_TAX_FILE", ""), "YAML `file` of dated VAT and excise rates (MTEJA_TAX_FILE; default the rates shipped)")
	fs.StringVar(&c.ISPHotspotHosts, "isp-hotspot-hosts", env("MTEJA_ISP_HOTSPOT_HOSTS", ""), "the routers' login `hosts` the captive page may post to: names, addresses, CIDRs and \"private\" (MTEJA_ISP_HOTSPOT_HOSTS; default private addresses)")
	fs.StringVar(&c.RadiusAuthAddr, "radius-auth-addr", env("MTEJA_RADIUS_AUTH_ADDR", ""), "answer the routers' Access-Requests on this UDP `HOST:PORT`, e.g. 10.8.0.1:1812 (MTEJA_RADIUS_AUTH_ADDR; default off)")
	fs.StringVar(&c.RadiusAcctAddr, "radius-acct-addr", env("MTEJA_RADIUS_ACCT_ADDR", ""), "take the routers' Accounting-Requests on this UDP `HOST:PORT`, e.g. 10.8.0.1:1813 (MTEJA_RADIUS_ACCT_ADDR; default off)")
	verifyAbove := fs.String("daraja-verify-above", env("MTEJA_DARAJA_VERIFY_ABOVE", ""), "check confirmations of at least this many `KES` with M-Pesa before vending (MTEJA_DARAJA_VERIFY_ABOVE; default off)")
	ussdAllow := fs.String("ussd-allow", env("MTEJA_USSD_ALLOW", ""), "comma-separated `CIDRs` allowed to call the USSD callbacks (MTEJA_USSD_ALLOW; default any holding the secret)")
	smsAllow := fs.String("sms-allow", env("MTEJA_SMS_ALLOW", ""), "comma-separated `CIDRs` allowed to call the HTTP SMS gateway callbacks (MTEJA_SMS_ALLOW; default any holding the secret)")
	proxies := fs.String("trusted-proxies", env("MTEJA_TRUSTED_PROXIES", ""), "comma-separated `CIDRs` of reverse proxies whose X-Forwarded-For is believed (MTEJA_TRUSTED_PROXIES)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("MTEJA_METRICS_ADDR", ""), "serve /metrics on this separate `HOST:PORT` (MTEJA_METRICS_ADDR)")
	fs.StringVar(&c.CareCategories, "care-categories", env("MTEJA_CARE_CATEGORIES", ""), "YAML `file` of customer care's ticket categories (MTEJA_CARE_CATEGORIES; default the shipped list)")
	fs.StringVar(&c.Charter, "charter", env("MTEJA_CHARTER", ""), "YAML `file` of the service charter: standards, calendars, targets, compensation (MTEJA_CHARTER; default the shipped charter)")
	surveyDays, err := envInt(getenv, "MTEJA_SURVEY_DAYS", 30)
	if err != nil {
		return Config{}, fs, err
	}
	fs.IntVar(&c.SurveyDays, "survey-days", surveyDays, "ask one phone for feedback at most once in this many `days`; 0 asks no CSAT after resolved tickets (MTEJA_SURVEY_DAYS)")
	npsSample, err := envInt(getenv, "MTEJA_NPS_SAMPLE", 0)
	if err != nil {
		return Config{}, fs, err
	}
	fs.IntVar(&c.NPSSample, "nps-sample", npsSample, "ask this many `customers` a day, picked at random, the NPS question by SMS (MTEJA_NPS_SAMPLE; default 0, off)")
	quiet := fs.String("quiet-hours", env("MTEJA_QUIET_HOURS", ""), "hold messages that can wait during this `window`, HH:MM-HH:MM East Africa Time, or off (MTEJA_QUIET_HOURS; default 21:00-07:00)")
	reminders := fs.String("reminders", env("MTEJA_REMINDERS", "off"), "on: remind a meter's phones by SMS when it is later than usual to buy (MTEJA_REMINDERS; default off)")
	tariffNotices := fs.String("tariff-notices", env("MTEJA_TARIFF_NOTICES", "on"), "off: do not tell customers by SMS of a tariff change before it takes effect (MTEJA_TARIFF_NOTICES; default on)")
	fs.StringVar(&c.VendingKeyFile, "vending-key-file", env("MTEJA_VENDING_KEY_FILE", ""), "`file` holding the STS vending key in hex (MTEJA_VENDING_KEY_FILE)")
	fs.StringVar(&c.SMPPAddr, "smpp-addr", env("MTEJA_SMPP_ADDR", ""), "SMSC `HOST:PORT` (MTEJA_SMPP_ADDR)")
	fs.StringVar(&c.SMPPSystemID, "smpp-system-id", env("MTEJA_SMPP_SYSTEM_ID", ""), "SMPP system_id (MTEJA_SMPP_SYSTEM_ID)")
	tps, tpsErr := envInt(getenv, "MTEJA_SMPP_TPS", 10)
	if tpsErr != nil {
		return Config{}, fs, tpsErr
	}
	fs.IntVar(&c.SMPPTPS, "smpp-tps", tps, "submit_sm per second on the SMPP route (MTEJA_SMPP_TPS)")
	fs.StringVar(&c.HTTPSMSURL, "httpsms-url", env("MTEJA_HTTPSMS_URL", ""), "HTTP SMS gateway base `URL` (MTEJA_HTTPSMS_URL)")
	fs.StringVar(&c.HTTPSMSUser, "httpsms-user", env("MTEJA_HTTPSMS_USER", ""), "HTTP SMS gateway username (MTEJA_HTTPSMS_USER)")
	slo, err := time.ParseDuration(env("MTEJA_TOKEN_SLO", "2m"))
	if err != nil {
		return Config{}, fs, fmt.Errorf("MTEJA_TOKEN_SLO=%q: want a duration such as 2m", getenv("MTEJA_TOKEN_SLO"))
	}
	fs.DurationVar(&c.TokenSLO, "token-slo", slo, "token SMS delivery objective; later ones get a delay notice (MTEJA_TOKEN_SLO)")
	if err := fs.Parse(args); err != nil {
		return Config{}, fs, err
	}
	if fs.NArg() > 0 {
		return Config{}, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.DarajaSecret = getenv("MTEJA_DARAJA_SECRET")
	c.DarajaKey = getenv("MTEJA_DARAJA_CONSUMER_KEY")
	c.DarajaConsumerSecret = getenv("MTEJA_DARAJA_CONSUMER_SECRET")
	c.DarajaPasskey = getenv("MTEJA_DARAJA_PASSKEY")
	c.DarajaInitiator = getenv("MTEJA_DARAJA_INITIATOR")
	c.DarajaCredential = getenv("MTEJA_DARAJA_SECURITY_CREDENTIAL")
	c.VendingKey = getenv("MTEJA_VENDING_KEY")
	c.SMPPPassword = getenv("MTEJA_SMPP_PASSWORD")
	c.HTTPSMSKey = getenv("MTEJA_HTTPSMS_KEY")
	c.AdminKey = getenv("MTEJA_ADMIN_API_KEY")
	c.USSDSecret = getenv("MTEJA_USSD_SECRET")
	c.SMSSecret = getenv("MTEJA_SMS_SECRET")
	c.MetricsToken = getenv("MTEJA_METRICS_TOKEN")
	c.SealKey = getenv("MTEJA_SEAL_KEY")
	c.ISPPasskey = getenv("MTEJA_ISP_PASSKEY")
	c.ISPKey, c.ISPSecret = getenv("MTEJA_ISP_CONSUMER_KEY"), getenv("MTEJA_ISP_CONSUMER_SECRET")
	for _, l := range []struct {
		flag string
		in   string
		out  *peer.AllowList
	}{{"-daraja-allow", *allow, &c.DarajaAllow}, {"-ussd-allow", *ussdAllow, &c.USSDAllow}, {"-sms-allow", *smsAllow, &c.SMSAllow}} {
		var err error
		if *l.out, err = peer.ParseAllowList(l.in); err != nil {
			return Config{}, fs, fmt.Errorf("%s: %v", l.flag, err)
		}
	}
	if c.USSDAllow.Any || c.SMSAllow.Any {
		return Config{}, fs, errors.New(`-ussd-allow and -sms-allow take networks only: leave them empty to admit any source that holds the secret`)
	}
	tp, err := peer.ParseAllowList(*proxies)
	if err != nil || tp.Any {
		return Config{}, fs, fmt.Errorf("-trusted-proxies: want the proxies' CIDRs (not \"any\": a client could then write its own address): %q", *proxies)
	}
	c.TrustedProxies = tp.Prefixes
	c.DarajaShortCodes, c.ISPShortCodes = splitList(*shortCodes), splitList(*ispCodes)
	if *verifyAbove != "" {
		a, err := money.Parse(*verifyAbove)
		if err != nil || a < 0 {
			return Config{}, fs, fmt.Errorf("-daraja-verify-above %q: want an amount in KES such as 10000", *verifyAbove)
		}
		c.DarajaVerifyAbove = a
	}
	if c.QuietHours, err = notify.ParseQuietHours(*quiet); err != nil {
		return Config{}, fs, fmt.Errorf("-quiet-hours: %w", err)
	}
	if c.Reminders, err = onOff("-reminders", *reminders); err != nil {
		return Config{}, fs, err
	}
	if c.TariffNotices, err = onOff("-tariff-notices", *tariffNotices); err != nil {
		return Config{}, fs, err
	}
	return c, fs, c.finish()
}

// onOff reads a switch: on or off (yes, no, true, false, 1, 0 too).
func onOff(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "yes", "true", "1":
		return true, nil
	case "off", "no", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%s %q: want on or off", name, v)
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// DarajaShortCode is the short code requests are made for.
func (c Config) DarajaShortCode() string {
	if len(c.DarajaShortCodes) == 0 {
		return ""
	}
	return c.DarajaShortCodes[0]
}

func (c *Config) finish() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("-addr %q: want HOST:PORT", c.Addr)
	}
	if c.DB == "" {
		c.DB = filepath.Join(c.DataDir, "mteja.db")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.TokenSLO < 10*time.Second {
		return fmt.Errorf("-token-slo %v: want at least 10s", c.TokenSLO)
	}
	if c.SMPPTPS <= 0 {
		return errors.New("-smpp-tps must be positive")
	}
	if c.SurveyDays < 0 || c.SurveyDays > 366 {
		return fmt.Errorf("-survey-days %d: want 0 to 366", c.SurveyDays)
	}
	if c.NPSSample < 0 || c.NPSSample > 100000 || (c.NPSSample > 0 && c.SurveyDays == 0) {
		return fmt.Errorf("-nps-sample %d: want 0 to 100000, and -survey-days above 0 to ask any", c.NPSSample)
	}
	for _, sc := range c.DarajaShortCodes {
		if len(sc) < 5 || len(sc) > 7 || strings.Trim(sc, "0123456789") != "" {
			return fmt.Errorf("-daraja-shortcode %q: want 5 to 7 digits", sc)
		}
	}
	if len(c.DarajaShortCodes) == 0 {
		return errors.New("-daraja-shortcode: name at least one Paybill or till number")
	}
	for _, sc := range c.ISPShortCodes {
		if len(sc) < 5 || len(sc) > 7 || strings.Trim(sc, "0123456789") != "" {
			return fmt.Errorf("-isp-shortcode %q: want 5 to 7 digits", sc)
		}
		for _, u := range c.DarajaShortCodes {
			if sc == u {
				return fmt.Errorf("-isp-shortcode %s is also the utility's (-daraja-shortcode): a payment to it would buy both electricity and internet", sc)
			}
		}
	}
	if c.ISPInterim < 30*time.Second || c.ISPInterim > time.Hour {
		return fmt.Errorf("-isp-interim %v: want 30s to 1h", c.ISPInterim)
	}
	if c.ISPInvoiceDays < 1 || c.ISPInvoiceDays > 28 {
		return fmt.Errorf("-isp-invoice-days %d: want 1 to 28", c.ISPInvoiceDays)
	}
	if c.ISPPIN != "" && !kraPIN.MatchString(c.ISPPIN) {
		return fmt.Errorf("MTEJA_ISP_PIN %q: a KRA PIN is a letter, 9 digits and a letter (P051234567X)", c.ISPPIN)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("-metrics-addr %q: want HOST:PORT", c.MetricsAddr)
		}
	}
	for _, s := range []struct{ name, v string }{{"MTEJA_DARAJA_SECRET", c.DarajaSecret}, {"MTEJA_USSD_SECRET", c.USSDSecret}, {"MTEJA_SMS_SECRET", c.SMSSecret}, {"MTEJA_METRICS_TOKEN", c.MetricsToken}, {"MTEJA_SEAL_KEY", c.SealKey}} {
		if err := checkSecret(s.name, s.v); err != nil {
			return err
		}
	}
	return nil
}

// checkSecret refuses a secret set by hand that is too short to guess-proof
// or that could not stand in a URL path. "" is fine: a secret is then made.
func checkSecret(name, v string) error {
	if v == "" {
		return nil
	}
	if len(v) < 20 {
		return fmt.Errorf("%s: at least 20 characters (leave it unset to have one made)", name)
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%s: letters, digits, '-' and '_' only, as it stands in a URL", name)
		}
	}
	return nil
}

// ReadVendingKey returns the vending key's hex from the file or the
// environment; "" when neither is set.
func (c Config) ReadVendingKey() (string, error) {
	if c.VendingKeyFile != "" {
		b, err := os.ReadFile(c.VendingKeyFile)
		if err != nil {
			return "", fmt.Errorf("vending key file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return strings.TrimSpace(c.VendingKey), nil
}

func envInt(getenv func(string) string, k string, def int) (int, error) {
	v := getenv(k)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: not a whole number", k, v)
	}
	return n, nil
}

// kraPIN is the shape of a KRA PIN: P for a company (A for a person), nine
// digits and a check letter.
var kraPIN = regexp.MustCompile(`^[AP][0-9]{9}[A-Z]$`)
