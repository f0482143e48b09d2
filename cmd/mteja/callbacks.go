package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/store"
)

// runCallbacks prints the callback URLs to configure with each gateway,
// secrets included, on stdout only: `mteja callbacks [-forget NAME] [flags]`.
func runCallbacks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	forget := ""
	var rest []string
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		switch {
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
	printCallbacks(stdout, cfg, true)
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
