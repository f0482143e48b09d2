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
	"strconv"
	"strings"
	"time"
)

// Config is everything `mteja serve` needs. Each field's comment gives its
// flag, its variable and its default.
type Config struct {
	Addr      string // -addr, MTEJA_ADDR; 127.0.0.1:8080
	DataDir   string // -data, MTEJA_DATA; ./mteja-data
	DB        string // -db, MTEJA_DB; a SQLite file in the data directory, or a postgres:// DSN
	PublicURL string // -public-url, MTEJA_PUBLIC_URL; http://ADDR: the base of the callback URLs registered with Daraja

	Utility  string // -utility, MTEJA_UTILITY; "Mteja Power": the name on token messages
	USSDCode string // -ussd-code, MTEJA_USSD_CODE; *384*123#
	SMSFrom  string // -sms-from, MTEJA_SMS_FROM; MTEJA: the sender ID

	// Daraja. The secret path segment guards the callback URLs.
	DarajaURL            string         // -daraja-url, MTEJA_DARAJA_URL; "" (no Daraja client)
	DarajaShortCode      string         // -daraja-shortcode, MTEJA_DARAJA_SHORTCODE
	DarajaSecret         string         // MTEJA_DARAJA_SECRET (or a generated one kept in the data directory)
	DarajaAllow          []netip.Prefix // -daraja-allow, MTEJA_DARAJA_ALLOW; comma-separated CIDRs; empty allows all
	DarajaKey            string         // MTEJA_DARAJA_CONSUMER_KEY
	DarajaConsumerSecret string         // MTEJA_DARAJA_CONSUMER_SECRET
	DarajaPasskey        string         // MTEJA_DARAJA_PASSKEY
	DarajaInitiator      string         // MTEJA_DARAJA_INITIATOR
	DarajaCredential     string         // MTEJA_DARAJA_SECURITY_CREDENTIAL

	// The STS vending key: a file holding its hex, or MTEJA_VENDING_KEY.
	VendingKeyFile string // -vending-key-file, MTEJA_VENDING_KEY_FILE
	VendingKey     string // MTEJA_VENDING_KEY (hex); never a flag

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
	fs.StringVar(&c.DarajaShortCode, "daraja-shortcode", env("MTEJA_DARAJA_SHORTCODE", "888880"), "Paybill short code (MTEJA_DARAJA_SHORTCODE)")
	allow := fs.String("daraja-allow", env("MTEJA_DARAJA_ALLOW", ""), "comma-separated `CIDRs` allowed to call the Daraja callbacks (MTEJA_DARAJA_ALLOW)")
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
	for _, s := range strings.Split(*allow, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, err2 := netip.ParseAddr(s)
			if err2 != nil {
				return Config{}, fs, fmt.Errorf("-daraja-allow: %q is not a CIDR or address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.DarajaAllow = append(c.DarajaAllow, p)
	}
	return c, fs, c.finish()
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
