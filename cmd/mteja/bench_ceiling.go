package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mteja/mteja/internal/bench"
)

// runBenchCeiling: `mteja bench ceiling [flags]` prints the raw write
// ceiling of an engine, the figure `bench vend -ceiling` prints beside its
// own.
func runBenchCeiling(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	dsn := fs.String("db", "", "database DSN: PostgreSQL writes a scratch schema, SQLite a scratch file beside the path (default: a temporary folder)")
	d := fs.Duration("for", 5*time.Second, "how long to write")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *d <= 0 {
		return fmt.Errorf("%w: -for must be positive", errUsage)
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "mteja-ceiling-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = filepath.Join(dir, "ceiling.db")
	}
	res, err := bench.Ceiling(ctx, *dsn, *d)
	if err != nil {
		return err
	}
	if *asJSON {
		printJSON(stdout, res)
		return nil
	}
	fmt.Fprintf(stdout, "%s raw ceiling: %.0f vend-shaped writes/s, %.0f rows/s (%d commits in %.1f s)\n",
		res.DB, res.VendsPerSecond, res.RowsPerSecond, res.Commits, res.Seconds)
	return nil
}
