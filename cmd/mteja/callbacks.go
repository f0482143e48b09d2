package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// runCallbacks prints the callback URLs to configure with each gateway,
// secrets included, on stdout only: `mteja callbacks [-forget NAME] [flags]`.
func runCallbacks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	forget, register := "", false
	var rest []string
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		switch {
		case a == "register":
			register = true
		case a == "forget" && i+1 < len(args):
			forget = args[i+1]
			i++
		case strings.HasPrefix(a, "forget="):
			forget = strings.TrimPrefix(a, "forget=")
		default:
			rest = append(rest, args[i])
		}
	}
	cfg, err := parseConfig("callbacks", rest, stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if forget != "" {
		known := false
		for _, g := range app.Gateways {
			known = known || g.Name == forget
		}
		if !known {
			return fmt.Errorf("%w: -forget %q: want daraja, ussd or sms", errUsage, forget)
		}
		gone, err := app.ForgetSecret(ctx, db, forget)
		if err != nil {
			return err
		}
		if gone {
			fmt.Fprintf(stdout, "The %s secret's fingerprint is forgotten: the next node to start records its own. Restart every node with the new secret, then register the new URLs.\n", forget)
		} else {
			fmt.Fprintf(stdout, "No %s secret was recorded.\n", forget)
		}
		return nil
	}
	if _, err := app.LoadSecrets(ctx, db, &cfg); err != nil {
		return err
	}
	if register {
		return registerC2B(ctx, cfg, stdout)
	}
	printCallbacks(stdout, cfg, true)
	return nil
}

// registerC2B registers the C2B confirmation and validation URLs with the
// configured Daraja (the sandbox, or the simulator of 'mteja sim daraja').
// Safaricom's production registration is done once, with their help.
func registerC2B(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	if cfg.DarajaURL == "" {
		return fmt.Errorf("%w: -register needs MTEJA_DARAJA_URL and its credentials", errUsage)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Addr
	}
	c := &mpesa.Client{BaseURL: cfg.DarajaURL, ConsumerKey: cfg.DarajaKey, ConsumerSecret: cfg.DarajaConsumerSecret, ShortCode: cfg.DarajaShortCode()}
	base := cfg.PublicURL + "/daraja/" + cfg.DarajaSecret
	r, err := c.RegisterC2BURLs(ctx, base+"/c2b/confirmation", base+"/c2b/validation", "Completed")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "C2B URLs registered for %s: %s\n", cfg.DarajaShortCode(), r.ResponseDescription)
	return nil
}

// printCallbacks writes the callback URLs for the operator. With reveal
// false the secrets are hidden, for a start whose URLs are already known.
func printCallbacks(w io.Writer, cfg config.Config, reveal bool) {
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Addr
	}
	gateway := ""
	for _, c := range app.Callbacks(cfg) {
		if c.Gateway != gateway {
			gateway = c.Gateway
			for _, g := range app.Gateways {
				if g.Name == gateway {
					fmt.Fprintf(w, "%s:\n", g.What)
				}
			}
		}
		u := c.URL
		if !reveal {
			u = cfg.PublicURL + hideSecret(strings.TrimPrefix(c.URL, cfg.PublicURL))
		}
		fmt.Fprintf(w, "  %-20s %s\n", c.Name, u)
	}
}

// hideSecret replaces a callback path's secret segment.
func hideSecret(path string) string {
	parts := strings.SplitN(path, "/", 4)
	if len(parts) >= 3 {
		parts[2] = "<secret>"
	}
	return strings.Join(parts, "/")
}
