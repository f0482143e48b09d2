package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/staff"
)

// runAPIKey manages API keys: `mteja apikey create NAME ROLE [flags]`.
func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 3 || args[0] != "create" {
		return fmt.Errorf("%w: mteja apikey create NAME ROLE [-db DSN] (roles: integration, agent, care, finance, admin)", errUsage)
	}
	name, role := args[1], args[2]
	if !staff.ValidRole(role) {
		return fmt.Errorf("%w: role %q: want integration, agent, care, finance or admin", errUsage, role)
	}
	db, err := openDB(ctx, "apikey", args[3:], stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := staff.CreateAPIKey(ctx, db, name, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", key)
	fmt.Fprintf(stderr, "API key for %s (%s). It is shown once; only its hash is stored.\n", name, role)
	return nil
}

// runImport imports meters: `mteja import meters FILE.csv [flags]`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "meters" {
		return fmt.Errorf("%w: mteja import meters FILE.csv [-db DSN]\n  columns: %v (meter, sgc and tariff required)", errUsage, customer.ImportColumns)
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, "import", args[2:], stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := customer.Import(ctx, db, f)
	var ie *customer.ImportError
	if errors.As(err, &ie) {
		return fmt.Errorf("%s: %w", args[1], err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d meters\n", n)
	return nil
}
