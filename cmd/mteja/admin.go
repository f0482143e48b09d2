package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/staff"
)

// apiKeyUsage is the usage of `mteja apikey`.
const apiKeyUsage = "mteja apikey create NAME ROLE | list | revoke ID_OR_NAME [-db DSN] (roles: integration, agent, care, finance, admin)"

// runAPIKey manages API keys: `mteja apikey create NAME ROLE`, `mteja apikey
// list` and `mteja apikey revoke ID_OR_NAME`.
func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, apiKeyUsage)
	}
	switch {
	case args[0] == "create" && len(args) >= 3:
		return apiKeyCreate(ctx, args[1], args[2], args[3:], stdout, stderr)
	case args[0] == "list":
		return apiKeyList(ctx, args[1:], stdout, stderr)
	case args[0] == "revoke" && len(args) >= 2 && !strings.HasPrefix(args[1], "-"):
		return apiKeyRevoke(ctx, args[1], args[2:], stdout, stderr)
	}
	return fmt.Errorf("%w: %s", errUsage, apiKeyUsage)
}

func apiKeyCreate(ctx context.Context, name, role string, flags []string, stdout, stderr io.Writer) error {
	if !staff.ValidRole(role) {
		return fmt.Errorf("%w: role %q: want integration, agent, care, finance or admin", errUsage, role)
	}
	db, err := openDB(ctx, "apikey", flags, stderr)
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

// apiKeyList prints every key, valid or revoked; the keys themselves are
// not stored, so they cannot be shown.
func apiKeyList(ctx context.Context, flags []string, stdout, stderr io.Writer) error {
	db, err := openDB(ctx, "apikey", flags, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := staff.ListAPIKeys(ctx, db)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.Revoked() {
			revoked = k.RevokedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func apiKeyRevoke(ctx context.Context, idOrName string, flags []string, stdout, stderr io.Writer) error {
	db, err := openDB(ctx, "apikey", flags, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	k, err := staff.RevokeAPIKey(ctx, db, idOrName, cliActor())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked API key %s: name %s, role %s, created %s\n", k.ID, k.Name, k.Role, k.CreatedAt.UTC().Format(time.RFC3339))
	return nil
}

// cliActor names who ran a command, for the audit log.
func cliActor() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return "cli:" + name
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
	progress := newImportProgress(stderr)
	start := time.Now()
	n, err := customer.ImportWith(ctx, db, f, customer.ImportOptions{Progress: progress.report})
	progress.done()
	var ie *customer.ImportError
	if errors.As(err, &ie) {
		return fmt.Errorf("%s: %w", args[1], err)
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "imported %d meters in %s (%.0f rows/s)\n", n, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 1e-9))
	return nil
}
