package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

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
	// The URLs carry the secrets: they go to stdout, never to the log, and
	// in full only on the start that made a secret (a service manager may
	// keep stdout too). 'mteja callbacks' shows them again on demand.
	if a.NewSecrets() {
		fmt.Fprintln(stdout, "New callback URLs; configure each with its gateway (shown in full this once; 'mteja callbacks' shows them again):")
		printCallbacks(stdout, a.Config, true)
	} else {
		fmt.Fprintln(stdout, "Callback URLs (secrets hidden; 'mteja callbacks' shows them):")
		printCallbacks(stdout, a.Config, false)
	}
	<-ctx.Done()
	log.Info("shutting down")
	return a.Close()
}

func dialectOf(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
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
