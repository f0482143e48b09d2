package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/store"
)

// Gateway is one peer that calls us back: M-Pesa Daraja, the USSD gateway
// or the HTTP SMS gateway. Each has its own secret path segment, so that a
// secret seen in one gateway's settings or logs opens no other.
type Gateway struct {
	Name string // daraja, ussd, sms: the secret's file name and the URL's first segment
	Env  string // the variable that sets the secret
	What string // who calls, for people
}

// sealSecret is the seal key's entry among the kept secrets: made and kept
// like a gateway's, but it opens no URL and is never printed.
var sealSecret = Gateway{Name: "seal", Env: "MTEJA_SEAL_KEY", What: "the seal key of secrets kept in the database"}

// Gateways lists every gateway, in the order they are printed.
var Gateways = []Gateway{
	{Name: "daraja", Env: "MTEJA_DARAJA_SECRET", What: "M-Pesa Daraja (register with Safaricom)"},
	{Name: "ussd", Env: "MTEJA_USSD_SECRET", What: "USSD gateway (the service code's callback URLs)"},
	{Name: "sms", Env: "MTEJA_SMS_SECRET", What: "HTTP SMS gateway (inbound messages and delivery reports)"},
}

// Callback is one URL to configure with a gateway.
type Callback struct {
	Gateway string
	Name    string // what the gateway calls it: "confirmation", "callback", ...
	URL     string // with the secret
}

// Callbacks lists every callback URL, secrets included. It is printed on
// stdout for the operator, never logged.
func (a *App) Callbacks() []Callback { return Callbacks(a.Config) }

// Callbacks lists the callback URLs of cfg, whose secrets LoadSecrets
// filled in.
func Callbacks(cfg config.Config) []Callback {
	base := cfg.PublicURL
	d := func(name, path string) Callback {
		return Callback{"daraja", name, base + "/daraja/" + cfg.DarajaSecret + "/" + path}
	}
	return []Callback{
		d("C2B confirmation", "c2b/confirmation"),
		d("C2B validation", "c2b/validation"),
		d("STK push callback", "stk/callback"),
		d("status result", "status/result"),
		d("status timeout", "status/timeout"),
		{"ussd", "USSD callback", base + "/ussd/" + cfg.USSDSecret},
		{"ussd", "USSD session events", base + "/ussd/" + cfg.USSDSecret + "/events"},
		{"sms", "inbound SMS", base + "/sms/" + cfg.SMSSecret + "/inbound"},
		{"sms", "delivery reports", base + "/sms/" + cfg.SMSSecret + "/delivery"},
	}
}

// NewSecrets reports whether this start made a callback secret that did
// not exist before: the callback URLs are then new to the operator.
func (a *App) NewSecrets() bool { return a.newSecrets }

// LoadSecrets fills each gateway's secret: from its variable, or from
// the data directory, where one is made and kept on first start. On a
// database shared by several nodes, each secret's fingerprint is recorded
// by the first node, and a node holding a different secret refuses to
// start: it would answer its gateway's callbacks with 404s, and a payment
// callback that is refused is money M-Pesa does not send again.
func LoadSecrets(ctx context.Context, db *store.DB, cfg *config.Config) (made bool, err error) {
	for _, g := range append(Gateways[:len(Gateways):len(Gateways)], sealSecret) {
		dst := secretField(cfg, g.Name)
		if *dst == "" {
			s, m, err := persistentSecret(cfg.DataDir, g.Name+"-secret")
			if err != nil {
				return false, err
			}
			*dst, made = s, made || m && g != sealSecret
		}
		if err := checkFingerprint(ctx, db, cfg.DataDir, g, *dst); err != nil {
			return false, err
		}
	}
	return made, nil
}

func secretField(cfg *config.Config, name string) *string {
	switch name {
	case "daraja":
		return &cfg.DarajaSecret
	case "ussd":
		return &cfg.USSDSecret
	case "seal":
		return &cfg.SealKey
	default:
		return &cfg.SMSSecret
	}
}

func fingerprint(name, secret string) string {
	sum := sha256.Sum256([]byte("mteja callback secret\x00" + name + "\x00" + secret))
	return hex.EncodeToString(sum[:])
}

func checkFingerprint(ctx context.Context, db *store.DB, dataDir string, g Gateway, secret string) error {
	fp := fingerprint(g.Name, secret)
	var stored string
	var at int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO callback_secrets (name, fingerprint, set_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
			g.Name, fp, store.Micros(tx.Now)); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT fingerprint, set_at FROM callback_secrets WHERE name = $1`, g.Name).Scan(&stored, &at)
	})
	if err != nil {
		return fmt.Errorf("%s callback secret: %w", g.Name, err)
	}
	if stored != fp && g == sealSecret {
		return fmt.Errorf("the seal key of this node differs from the one this database has used since %s: give every node the same key "+
			"(copy %s from the node that made it, or set %s on every node); with another key the staff's TOTP seeds cannot be read",
			store.Time(at).Format("2006-01-02 15:04 MST"), filepath.Join(dataDir, g.Name+"-secret"), g.Env)
	}
	if stored != fp {
		return fmt.Errorf("the %s callback secret of this node differs from the one this database has used since %s: "+
			"give every node the same secret (copy %s from the node that made it, or set %s on every node). "+
			"To change it on purpose, run 'mteja callbacks -forget %s', restart every node and register the new URLs",
			g.Name, store.Time(at).Format("2006-01-02 15:04 MST"), filepath.Join(dataDir, g.Name+"-secret"), g.Env, g.Name)
	}
	return nil
}

// ForgetSecret removes the recorded fingerprint of a gateway's secret, so
// that the next node to start records its own.
func ForgetSecret(ctx context.Context, db *store.DB, name string) (bool, error) {
	var gone bool
	err := db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`DELETE FROM callback_secrets WHERE name = $1`, name)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		gone = n > 0
		return err
	})
	return gone, err
}

// persistentSecret returns a random secret kept in dir, made on first use
// (made reports that), so that callback URLs stay the same across restarts.
// The file is readable by its owner only.
func persistentSecret(dir, name string) (secret string, made bool, err error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < 20 {
			return "", false, fmt.Errorf("%s holds %d characters, too few for a secret: delete it to have a new one made", path, len(s))
		}
		return s, false, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("data directory: %w", err)
	}
	raw := make([]byte, 20) // 160 bits
	rand.Read(raw)
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			// Another process made it first: use theirs.
			return persistentSecret(dir, name)
		}
		return "", false, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("write %s: %w", path, err)
	}
	return s, true, nil
}
