package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
)

func parseConfig(name string, args []string, stderr io.Writer) (config.Config, error) {
	cfg, fs, err := config.Parse(name, args, os.Getenv)
	if fs != nil {
		fs.SetOutput(stderr)
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, nil
}

func logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// runServe runs the server and workers until interrupted.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	log := logger(stderr)
	a, err := app.New(ctx, cfg, app.Options{Log: log})
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	log.Info("mteja serving", "url", a.URL(), "db", dialectOf(cfg.DB))
	fmt.Fprintf(stdout, "Daraja callback URLs (register these with Safaricom):\n  confirmation %s\n  validation   %s\n  stk          %s\n  result       %s\n  timeout      %s\n",
		a.CallbackURL("c2b/confirmation"), a.CallbackURL("c2b/validation"), a.CallbackURL("stk/callback"), a.CallbackURL("status/result"), a.CallbackURL("status/timeout"))
	<-ctx.Done()
	log.Info("shutting down")
	return a.Close()
}

func dialectOf(dsn string) string {
	if len(dsn) > 8 && (dsn[:8] == "postgres" || dsn[:10] == "postgresql") {
		return "postgres"
	}
	return "sqlite " + dsn
}

// runMigrate brings the database schema up to date and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	db, err := openDB(ctx, "migrate", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "schema up to date")
	return nil
}
